use super::field::Field;
use shared::api::{AcceptInviteRequest, InvitePreview, Me};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InviteProps {
    /// From the link's hash (`#invite=TOKEN`).
    pub token: AttrValue,
    /// The signed-in account, which joins as it is; `None` asks for an account.
    pub me: Option<Me>,
    /// Joined: the account, now a member, signed in.
    pub onjoined: Callback<Me>,
    /// Not joining (or the invite is no use): carry on to the inbox or the sign-in.
    pub onleave: Callback<()>,
}

/// The page an invite link opens. It previews the workspace first, so nobody creates an account
/// for an expired link. Signed out, the same form creates an account or, with an existing
/// account's email and password, joins with that.
#[function_component(Invite)]
pub fn invite(props: &InviteProps) -> Html {
    let path = format!("/api/v1/invites/{}", crate::forms::path_segment(&props.token));
    let preview = use_state(|| None::<Result<InvitePreview, String>>);
    let has_account = use_state(|| false);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let (name, email, password) = (use_node_ref(), use_node_ref(), use_node_ref());
    {
        let preview = preview.clone();
        use_effect_with(path.clone(), move |path| {
            let path = path.clone();
            wasm_bindgen_futures::spawn_local(async move {
                preview.set(Some(client::http::get_json(&path, InvitePreview::from_json).await.map_err(|e| e.message)));
            });
        });
    }
    let onsubmit = {
        let (error, busy, onjoined) = (error.clone(), busy.clone(), props.onjoined.clone());
        let (name, email, password, path) = (name.clone(), email.clone(), password.clone(), path.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // Fields that are not shown (signed in, or "I already have an account") stay `None`.
            let value = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value());
            let request = AcceptInviteRequest { name: value(&name), email: value(&email), password: value(&password) };
            let (error, busy, onjoined, path) = (error.clone(), busy.clone(), onjoined.clone(), path.clone());
            busy.set(true);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::post_json(&format!("{path}/accept"), &request, Me::from_json).await {
                    Ok(me) => {
                        // A used invite must not reopen on reload or Back.
                        crate::browser::clear_hash();
                        onjoined.emit(me);
                    }
                    Err(e) => {
                        error.set(Some(e.message));
                        busy.set(false);
                    }
                }
            });
        })
    };
    let onleave = {
        let onleave = props.onleave.clone();
        Callback::from(move |_: MouseEvent| {
            crate::browser::clear_hash();
            onleave.emit(());
        })
    };
    let toggle_account = {
        let has_account = has_account.clone();
        Callback::from(move |_: MouseEvent| has_account.set(!*has_account))
    };
    let leave_label = if props.me.is_some() { "Go to inbox" } else { "Sign in" };
    let body = match &*preview {
        None => html! { <p role="status">{ "Loading invite…" }</p> },
        Some(Err(message)) => html! {
            <>
                <h1>{ "This invite can't be used" }</h1>
                <p class="error" role="alert">{ message }</p>
                <p class="hint">{ "Ask whoever invited you for a new link." }</p>
                <button type="button" class="secondary" onclick={onleave}>{ leave_label }</button>
            </>
        },
        Some(Ok(p)) => html! {
            <>
                <h1>{ format!("Join {}", p.workspace_name) }</h1>
                <p class="lead">
                    { format!("You're invited as {}. ", crate::forms::role_phrase(p.role)) }
                    { format!("The link works once, until {}.", crate::browser::when(p.expires_at)) }
                </p>
                { match &props.me {
                    Some(me) => html! { <p>{ "You'll join as " }<strong>{ &me.name }</strong>{ format!(" ({}).", me.email) }</p> },
                    None => html! {
                        <>
                            if !*has_account {
                                <Field id="inv-name" label="Your name">
                                    <input id="inv-name" ref={name} name="name" autocomplete="name" required=true />
                                </Field>
                            }
                            <Field id="inv-email" label="Email">
                                <input id="inv-email" ref={email} type="email" name="email" autocomplete="username" required=true />
                            </Field>
                            <Field id="inv-password" label="Password">
                                <input id="inv-password" ref={password} type="password" name="password" required=true
                                    autocomplete={if *has_account { "current-password" } else { "new-password" }} />
                            </Field>
                            <button type="button" class="link-button align-start" onclick={toggle_account}>
                                { if *has_account { "I'm new to Provixchat" } else { "I already have an account" } }
                            </button>
                        </>
                    },
                } }
                if let Some(message) = &*error {
                    <p class="error" role="alert">{ message }</p>
                }
                <button type="submit" disabled={*busy}>{ "Join workspace" }</button>
                <button type="button" class="secondary" onclick={onleave}>{ "Not now" }</button>
            </>
        },
    };
    html! {
        <main class="center">
            <form class="sign-in invite" {onsubmit}>{ body }</form>
        </main>
    }
}
