use crate::forms::security_label;
use shared::api::{SecurityEvent, SecurityEventKind};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SecurityLogProps {
    /// Changes when a new entry is expected (a password change, a revoked session).
    pub changes: u32,
}

/// The account's sign-ins, failures and changes, newest first, so an agent notices a sign-in
/// that was not theirs.
#[function_component(SecurityLog)]
pub fn security_log(props: &SecurityLogProps) -> Html {
    let events = use_state(|| None::<Result<Vec<SecurityEvent>, String>>);
    {
        let events = events.clone();
        use_effect_with(props.changes, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                events.set(Some(
                    client::http::get_json("/api/v1/me/security", |v| {
                        shared::json::api::list_of(v, SecurityEvent::from_json)
                    })
                    .await
                    .map_err(|e| e.message),
                ));
            });
        });
    }
    let item = |e: &SecurityEvent| {
        // Failures stand out: they are what someone reads this log for.
        let warn = matches!(
            e.kind,
            SecurityEventKind::SignInFailed
                | SecurityEventKind::LockedOut
                | SecurityEventKind::NewDevice
                | SecurityEventKind::PasswordResetRequested
        );
        html! {
            <li class={classes!("event", warn.then_some("warn"))}>
                <div class="what">
                    <strong>{ security_label(e.kind) }</strong>
                    if !e.detail.is_empty() {
                        <span class="meta">{ &e.detail }</span>
                    }
                </div>
                <time class="meta">{ crate::browser::when(e.at) }</time>
            </li>
        }
    };
    html! {
        <section class="card" aria-labelledby="security-title">
            <h3 id="security-title">{ "Security log" }</h3>
            { match &*events {
                None => html! { <p role="status">{ "Loading…" }</p> },
                Some(Err(message)) => html! { <p class="error" role="alert">{ message }</p> },
                Some(Ok(list)) if list.is_empty() => html! { <p class="hint">{ "Nothing yet." }</p> },
                Some(Ok(list)) => html! { <ul class="rows" aria-label="Security log">{ for list.iter().map(item) }</ul> },
            } }
        </section>
    }
}
