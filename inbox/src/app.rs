//! Root component: asks the edge who is signed in, then shows the sign-in or sign-up form, the
//! onboarding right after a sign-up, a page a link opened (an invite, a password reset, an
//! address confirmation), or the inbox.

use crate::components::account_links::{verify_email, Mode, PasswordLink};
use crate::components::{inbox::Inbox, invite::Invite, onboarding::Onboarding, sign_in::SignIn, sign_up::SignUp};
use crate::forms::{hash_link, HashLink};
use shared::api::Me;
use wasm_bindgen::{closure::Closure, JsCast};
use yew::prelude::*;

#[derive(Clone, PartialEq)]
enum Phase {
    Checking,
    /// The sign-in form, with what to say above it (the account was just closed).
    SignedOut(Option<String>),
    SigningUp,
    /// Just signed up: the snippet and domains before the (empty) inbox.
    Onboarding(Me),
    /// Opened from an invite link; `me` when already signed in.
    Invite {
        token: String,
        me: Option<Me>,
    },
    /// The inbox, with what to say as it opens.
    SignedIn(Me, Option<String>),
    /// "Forgot your password?", or a new password from a reset link.
    Password(Mode),
}

#[function_component(App)]
pub fn app() -> Html {
    let phase = use_state(|| Phase::Checking);
    // Bumped when a link (an invite, a reset) is opened in a tab that already shows the inbox:
    // following a link that only changes the hash does not reload the page.
    let link_opened = use_state(|| 0u64);
    {
        let link_opened = link_opened.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                if hash_link(&crate::browser::hash()).is_some() {
                    link_opened.set(js_sys::Date::now() as u64);
                }
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    {
        let phase = phase.clone();
        use_effect_with(*link_opened, move |_| {
            let link = hash_link(&crate::browser::hash());
            match link {
                // A reset link is for whoever holds it, signed in or not: no need to ask who is.
                Some(HashLink::Reset(token)) => phase.set(Phase::Password(Mode::Reset(token))),
                link => wasm_bindgen_futures::spawn_local(async move {
                    // A confirmation link works without a session; its outcome is said either way.
                    let notice = match &link {
                        Some(HashLink::Verify(token)) => {
                            let said = verify_email(token.clone()).await;
                            crate::browser::clear_hash();
                            Some(said)
                        }
                        _ => None,
                    };
                    let me = client::http::get_json("/api/v1/me", Me::from_json).await.ok();
                    phase.set(match (link, me) {
                        (Some(HashLink::Invite(token)), me) => Phase::Invite { token, me },
                        (_, Some(me)) => Phase::SignedIn(me, notice),
                        (Some(HashLink::Forgot), None) => Phase::Password(Mode::Forgot),
                        (_, None) => Phase::SignedOut(notice),
                    });
                }),
            }
        });
    }
    let to = |next: fn(Me) -> Phase| {
        let phase = phase.clone();
        Callback::from(move |me: Me| phase.set(next(me)))
    };
    let signed_in_now = |me| Phase::SignedIn(me, None);
    // `onme` also takes a reloaded session: after a workspace closes, the inbox moves on without it.
    let (onsignedin, onsignedup, onme) = (to(signed_in_now), to(Phase::Onboarding), to(signed_in_now));
    let show = |next: Phase| {
        let phase = phase.clone();
        Callback::from(move |()| phase.set(next.clone()))
    };
    let (onsignedout, onsignup, onsignin, onforgot) = (
        show(Phase::SignedOut(None)),
        show(Phase::SigningUp),
        show(Phase::SignedOut(None)),
        show(Phase::Password(Mode::Forgot)),
    );
    // Whether the inbox is still shown, read by callbacks that outlive the render they were made in.
    let signed_in = use_mut_ref(|| false);
    *signed_in.borrow_mut() = matches!(*phase, Phase::SignedIn(..) | Phase::Onboarding(_));
    let onclosed = {
        let (phase, signed_in) = (phase.clone(), signed_in.clone());
        Callback::from(move |notice: String| {
            *signed_in.borrow_mut() = false;
            phase.set(Phase::SignedOut(Some(notice)))
        })
    };
    // The session ended elsewhere (signed out, revoked, password changed): said only if nothing
    // more specific already took the inbox away, such as this tab closing the account.
    let onsessionended = {
        let (phase, signed_in) = (phase.clone(), signed_in.clone());
        Callback::from(move |()| {
            if std::mem::take(&mut *signed_in.borrow_mut()) {
                phase.set(Phase::SignedOut(Some("Your session ended. Sign in again to continue.".into())))
            }
        })
    };
    let inbox = |me: &Me, notice: &Option<String>| html! { <Inbox key={*link_opened} me={me.clone()} notice={notice.clone()} onsignedout={onsignedout.clone()} onclosed={onclosed.clone()} onsessionended={onsessionended.clone()} onme={onme.clone()} /> };
    match &*phase {
        Phase::Checking => html! { <main class="center"><p role="status">{ "Loading…" }</p></main> },
        Phase::SignedOut(notice) => html! { <SignIn {onsignedin} {onsignup} {onforgot} notice={notice.clone()} /> },
        Phase::Password(mode) => {
            let ondone = {
                let phase = phase.clone();
                Callback::from(move |notice: Option<String>| phase.set(Phase::SignedOut(notice)))
            };
            // Keyed by mode: a reset link opened over the "forgot" form starts a fresh form.
            let key = if *mode == Mode::Forgot { "forgot" } else { "reset" };
            html! { <PasswordLink {key} mode={mode.clone()} {ondone} {onforgot} /> }
        }
        Phase::SigningUp => html! { <SignUp {onsignedup} {onsignin} /> },
        Phase::Onboarding(me) => match me.workspaces.first() {
            Some(workspace) => {
                html! { <Onboarding workspace={workspace.clone()} ondone={show(Phase::SignedIn(me.clone(), None))} /> }
            }
            None => inbox(me, &None),
        },
        Phase::Invite { token, me } => {
            let onleave = show(me.clone().map_or(Phase::SignedOut(None), signed_in_now));
            html! { <Invite token={token.clone()} me={me.clone()} onjoined={onsignedin} {onleave} /> }
        }
        Phase::SignedIn(me, notice) => inbox(me, notice),
    }
}
