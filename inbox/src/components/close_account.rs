use super::field::Field;
use crate::closing::{account_closed, account_consequences, deletion_at, owned_workspace};
use shared::api::Me;
use shared::privacy::{CloseAccountRequest, Closing};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CloseAccountProps {
    pub me: Me,
    /// The account is closed and its session gone: the sign-in screen, saying this.
    pub onclosed: Callback<String>,
}

/// "Close account": what happens, then the password to confirm it. An owner is told up front to
/// close their workspace first; the edge refuses them with a message naming it, shown as it is.
#[function_component(CloseAccount)]
pub fn close_account(props: &CloseAccountProps) -> Html {
    let password = use_node_ref();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let onsubmit = {
        let (password, error, busy, onclosed) = (password.clone(), error.clone(), busy.clone(), props.onclosed.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = password.cast::<HtmlInputElement>() else { return };
            let request = CloseAccountRequest { password: input.value() };
            let (error, busy, onclosed) = (error.clone(), busy.clone(), onclosed.clone());
            busy.set(true);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::post_json("/api/v1/me/close", &request, Closing::from_json).await {
                    // The edge has cleared the session cookie: nothing to sign out of.
                    Ok(closing) => {
                        onclosed.emit(account_closed(&client::day(closing.deleted_at)));
                        return;
                    }
                    // The edge says "wrong email or password", which reads oddly here.
                    Err(e) if e.error == shared::ErrorCode::InvalidCredentials => {
                        input.set_value("");
                        error.set(Some("That is not your password.".into()));
                    }
                    Err(e) => error.set(Some(e.message)),
                }
                busy.set(false);
            });
        })
    };
    let day = client::day(deletion_at(js_sys::Date::now() as i64));
    html! {
        <section class="card danger-zone" aria-labelledby="close-account-title">
            <h3 id="close-account-title">{ "Close account" }</h3>
            <ul class="consequences">
                { for account_consequences(&day, owned_workspace(&props.me)).into_iter().map(|text| html! { <li>{ text }</li> }) }
            </ul>
            <form class="close-form" {onsubmit}>
                <input type="email" hidden=true readonly=true autocomplete="username" value={props.me.email.to_string()} />
                <Field id="close-password" label="Password">
                    <input id="close-password" ref={password} type="password" autocomplete="current-password" required=true />
                </Field>
                if let Some(message) = &*error {
                    <p class="error" role="alert">{ message }</p>
                }
                <div class="actions">
                    <button type="submit" class="danger-solid" disabled={*busy}>
                        { if *busy { "Closing…" } else { "Close my account" } }
                    </button>
                </div>
            </form>
        </section>
    }
}
