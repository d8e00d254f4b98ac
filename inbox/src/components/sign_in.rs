use super::field::Field;
use shared::api::{Me, SignInRequest};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SignInProps {
    pub onsignedin: Callback<Me>,
    /// Shows the sign-up form: a site owner's first visit starts here.
    pub onsignup: Callback<()>,
    /// Shows "Forgot your password?".
    pub onforgot: Callback<()>,
    /// Said above the form: why the agent is here (their account was just closed).
    #[prop_or_default]
    pub notice: Option<String>,
}

/// Email and password; the edge sets an HttpOnly session cookie on success.
#[function_component(SignIn)]
pub fn sign_in(props: &SignInProps) -> Html {
    let (email, password) = (use_node_ref(), use_node_ref());
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let onsubmit = {
        let (email, password, error, busy, onsignedin) =
            (email.clone(), password.clone(), error.clone(), busy.clone(), props.onsignedin.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let request = SignInRequest { email: value(&email), password: value(&password) };
            let (error, busy, onsignedin) = (error.clone(), busy.clone(), onsignedin.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::post_json("/api/v1/auth/sign-in", &request, Me::from_json).await {
                    Ok(me) => onsignedin.emit(me),
                    Err(e) => {
                        error.set(Some(e.message));
                        busy.set(false);
                    }
                }
            });
        })
    };
    html! {
        <main class="center">
            <form class="sign-in" {onsubmit}>
                <h1>{ "Sign in to Provixchat" }</h1>
                if let Some(notice) = &props.notice {
                    <p class="notice" role="status">{ notice }</p>
                }
                <Field id="si-email" label="Email">
                    <input id="si-email" ref={email} type="email" name="email" autocomplete="username" required=true />
                </Field>
                <Field id="si-password" label="Password">
                    <input id="si-password" ref={password} type="password" name="password" autocomplete="current-password" required=true />
                </Field>
                if let Some(message) = &*error {
                    <p class="error" role="alert">{ message }</p>
                }
                <button type="submit" disabled={*busy}>{ "Sign in" }</button>
                <p class="alt-action">
                    <button type="button" class="link-button" onclick={props.onforgot.reform(|_: MouseEvent| ())}>
                        { "Forgot your password?" }
                    </button>
                </p>
                <p class="alt-action">{ "New to Provixchat? " }
                    <button type="button" class="link-button" onclick={props.onsignup.reform(|_: MouseEvent| ())}>
                        { "Create an account" }
                    </button>
                </p>
            </form>
        </main>
    }
}
