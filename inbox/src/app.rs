//! Root component: asks the edge who is signed in, then shows the sign-in or sign-up form, the
//! onboarding right after a sign-up, an invite opened from its link, or the inbox.

use crate::components::{inbox::Inbox, invite::Invite, onboarding::Onboarding, sign_in::SignIn, sign_up::SignUp};
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
    SignedIn(Me),
}

#[function_component(App)]
pub fn app() -> Html {
    let phase = use_state(|| Phase::Checking);
    // Bumped when an invite link is opened in a tab that already shows the inbox: following a
    // link that only changes the hash does not reload the page.
    let invite_opened = use_state(|| 0u64);
    {
        let invite_opened = invite_opened.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                if crate::forms::invite_token(&crate::browser::hash()).is_some() {
                    invite_opened.set(js_sys::Date::now() as u64);
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
        use_effect_with(*invite_opened, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let me = client::http::get_json("/api/v1/me", Me::from_json).await.ok();
                phase.set(match (crate::forms::invite_token(&crate::browser::hash()), me) {
                    (Some(token), me) => Phase::Invite { token, me },
                    (None, Some(me)) => Phase::SignedIn(me),
                    (None, None) => Phase::SignedOut(None),
                });
            });
        });
    }
    let to = |next: fn(Me) -> Phase| {
        let phase = phase.clone();
        Callback::from(move |me: Me| phase.set(next(me)))
    };
    // `onme` also takes a reloaded session: after a workspace closes, the inbox moves on without it.
    let (onsignedin, onsignedup, onme) = (to(Phase::SignedIn), to(Phase::Onboarding), to(Phase::SignedIn));
    let show = |next: Phase| {
        let phase = phase.clone();
        Callback::from(move |()| phase.set(next.clone()))
    };
    let (onsignedout, onsignup, onsignin) =
        (show(Phase::SignedOut(None)), show(Phase::SigningUp), show(Phase::SignedOut(None)));
    // Whether the inbox is still shown, read by callbacks that outlive the render they were made in.
    let signed_in = use_mut_ref(|| false);
    *signed_in.borrow_mut() = matches!(*phase, Phase::SignedIn(_) | Phase::Onboarding(_));
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
    let inbox = |me: &Me| html! { <Inbox me={me.clone()} onsignedout={onsignedout.clone()} onclosed={onclosed.clone()} onsessionended={onsessionended.clone()} onme={onme.clone()} /> };
    match &*phase {
        Phase::Checking => html! { <main class="center"><p role="status">{ "Loading…" }</p></main> },
        Phase::SignedOut(notice) => html! { <SignIn {onsignedin} {onsignup} notice={notice.clone()} /> },
        Phase::SigningUp => html! { <SignUp {onsignedup} {onsignin} /> },
        Phase::Onboarding(me) => match me.workspaces.first() {
            Some(workspace) => {
                html! { <Onboarding workspace={workspace.clone()} ondone={show(Phase::SignedIn(me.clone()))} /> }
            }
            None => inbox(me),
        },
        Phase::Invite { token, me } => {
            let onleave = show(me.clone().map_or(Phase::SignedOut(None), Phase::SignedIn));
            html! { <Invite token={token.clone()} me={me.clone()} onjoined={onsignedin} {onleave} /> }
        }
        Phase::SignedIn(me) => inbox(me),
    }
}
