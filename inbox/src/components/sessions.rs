use shared::api::SessionInfo;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SessionsProps {
    /// Changes when the list may be out of date (a password change signs other devices out).
    pub changes: u32,
    /// A session was revoked: the security log has a new line.
    pub onrevoked: Callback<()>,
}

/// Every browser signed in to the account. Any but this one can be signed out from here, for a
/// lost laptop or a shared computer; this one signs out with "Sign out".
#[function_component(Sessions)]
pub fn sessions(props: &SessionsProps) -> Html {
    let list = use_state(|| None::<Result<Vec<SessionInfo>, String>>);
    let error = use_state(|| None::<String>);
    {
        let list = list.clone();
        use_effect_with(props.changes, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                list.set(Some(
                    client::http::get_json("/api/v1/me/sessions", |v| {
                        shared::json::api::list_of(v, SessionInfo::from_json)
                    })
                    .await
                    .map_err(|e| e.message),
                ));
            });
        });
    }
    let revoke = |s: &SessionInfo| {
        let (list, error, onrevoked) = (list.clone(), error.clone(), props.onrevoked.clone());
        let path = format!("/api/v1/me/sessions/{}", crate::forms::path_segment(&s.id));
        Callback::from(move |_: MouseEvent| {
            let (list, error, onrevoked, path) = (list.clone(), error.clone(), onrevoked.clone(), path.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::delete(&path, client::http::any_answer).await {
                    Ok(_) => error.set(None),
                    Err(e) => error.set(Some(e.message)),
                }
                list.set(Some(
                    client::http::get_json("/api/v1/me/sessions", |v| {
                        shared::json::api::list_of(v, SessionInfo::from_json)
                    })
                    .await
                    .map_err(|e| e.message),
                ));
                onrevoked.emit(());
            });
        })
    };
    let item = |s: &SessionInfo| {
        let place = s.country.as_deref().map(|c| format!(" · {c}")).unwrap_or_default();
        html! {
            <li class={classes!("session", s.current.then_some("current"))}>
                <div class="what">
                    <strong>{ &s.device }</strong>
                    <span class="meta">{ format!("Signed in {}{place} · last active {}",
                        crate::browser::when(s.created_at), crate::browser::when(s.last_seen_at)) }</span>
                </div>
                if s.current {
                    <span class="tag">{ "This device" }</span>
                } else {
                    <button type="button" class="ghost danger" aria-label={format!("Revoke {}", s.device)} onclick={revoke(s)}>{ "Revoke" }</button>
                }
            </li>
        }
    };
    html! {
        <section class="card" aria-labelledby="sessions-title">
            <h3 id="sessions-title">{ "Sessions" }</h3>
            if let Some(message) = &*error {
                <p class="error" role="alert">{ message }</p>
            }
            { match &*list {
                None => html! { <p role="status">{ "Loading sessions…" }</p> },
                Some(Err(message)) => html! { <p class="error" role="alert">{ message }</p> },
                Some(Ok(sessions)) => html! {
                    <ul class="rows" aria-label="Sessions">{ for sessions.iter().map(item) }</ul>
                },
            } }
        </section>
    }
}
