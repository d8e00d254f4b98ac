//! Asking for a password reset link and choosing a new password with one (one form, two modes:
//! the inbox's WASM pays for one component), and the reminder to confirm the account's address.
//! Each says plainly what happened and what comes next; a used or expired link offers a new one.

use super::field::Field;
use shared::api::{ForgotPasswordRequest, ResetPasswordRequest};
use shared::ErrorCode;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// What the password form is for.
#[derive(Clone, PartialEq)]
pub enum Mode {
    /// "Forgot your password?": the address to mail a link to.
    Forgot,
    /// Opened from a reset link: the new password.
    Reset(String),
}

#[derive(Properties, PartialEq)]
pub struct PasswordLinkProps {
    pub mode: Mode,
    /// Back to the sign-in form, with what to say there (the password was changed).
    pub ondone: Callback<Option<String>>,
    /// The reset link is dead: ask for a new one.
    pub onforgot: Callback<()>,
}

/// "Forgot your password?" (the same answer whether or not the address has an account), or a new
/// password with a reset link (every device is then signed out).
#[function_component(PasswordLink)]
pub fn password_link(props: &PasswordLinkProps) -> Html {
    let input = use_node_ref();
    // What the edge said: a status once sent, or an error (with its code: a dead link).
    let outcome = use_state(|| None::<Result<String, (ErrorCode, String)>>);
    let busy = use_state(|| false);
    let onsubmit = {
        let (input, outcome, busy, mode, ondone) =
            (input.clone(), outcome.clone(), busy.clone(), props.mode.clone(), props.ondone.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = input.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let (outcome, busy, mode, ondone) = (outcome.clone(), busy.clone(), mode.clone(), ondone.clone());
            busy.set(true);
            outcome.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let answer = match &mode {
                    Mode::Forgot => {
                        let request = ForgotPasswordRequest { email: value.clone() };
                        client::http::post_json("/api/v1/auth/password-reset", &request, client::http::any_answer).await
                    }
                    Mode::Reset(token) => {
                        let request = ResetPasswordRequest { token: token.clone(), password: value.clone() };
                        let path = "/api/v1/auth/password-reset/complete";
                        client::http::post_json(path, &request, client::http::any_answer).await
                    }
                };
                busy.set(false);
                match (answer, mode) {
                    (Ok(()), Mode::Forgot) => outcome.set(Some(Ok(format!(
                        "If {value} has a Provixchat account, a link to choose a new password is on its way. \
                         It works for 30 minutes. Check your spam folder if it does not arrive."
                    )))),
                    (Ok(()), Mode::Reset(_)) => {
                        // A used link must not reopen on reload or Back.
                        crate::browser::clear_hash();
                        ondone.emit(Some(
                            "Your password was changed and every device was signed out. Sign in with your new password."
                                .into(),
                        ));
                    }
                    (Err(e), _) => outcome.set(Some(Err((e.error, e.message)))),
                }
            });
        })
    };
    let dead_link = matches!(&*outcome, Some(Err((ErrorCode::LinkExpired, _))));
    let onforgot = props.onforgot.reform(|_: MouseEvent| crate::browser::clear_hash());
    let back = props.ondone.reform(|_: MouseEvent| {
        crate::browser::clear_hash();
        None
    });
    let forgot = props.mode == Mode::Forgot;
    let sent = matches!(&*outcome, Some(Ok(_)));
    html! {
        <main class="center">
            <form class="sign-in" {onsubmit}>
                <h1>{ if forgot { "Reset your password" } else { "Choose a new password" } }</h1>
                if !sent {
                    if forgot {
                        <p>{ "Enter the email address you sign in with. We will send you a link to choose a new password." }</p>
                        <Field id="pl-input" label="Email">
                            <input id="pl-input" ref={input} type="email" name="email" autocomplete="username" required=true />
                        </Field>
                    } else {
                        <Field id="pl-input" label="New password" hint="At least 8 characters. Every device signed in to your account will be signed out.">
                            <input id="pl-input" ref={input} type="password" name="new-password" autocomplete="new-password"
                                minlength="8" required=true aria-describedby="pl-input-hint" />
                        </Field>
                    }
                }
                { match &*outcome {
                    Some(Ok(status)) => html! { <p class="notice" role="status">{ status }</p> },
                    Some(Err((_, message))) => html! { <p class="error" role="alert">{ message }</p> },
                    None => html! {},
                } }
                if dead_link {
                    <button type="button" onclick={onforgot}>{ "Send me a new link" }</button>
                } else if !sent {
                    <button type="submit" disabled={*busy}>{ if forgot { "Send reset link" } else { "Set new password" } }</button>
                }
                <p class="alt-action">
                    <button type="button" class="link-button" onclick={back}>{ "Back to sign in" }</button>
                </p>
            </form>
        </main>
    }
}

/// Confirms the address with a link's token; answers what to tell the agent.
pub async fn verify_email(token: String) -> String {
    let request = shared::api::VerifyEmailRequest { token };
    match client::http::post_json("/api/v1/auth/verify-email", &request, client::http::any_answer).await {
        Ok(()) => "Thank you: your address is confirmed.".into(),
        Err(e) => {
            format!("The address was not confirmed: {}. Once signed in, the inbox can send you a new link.", e.message)
        }
    }
}
