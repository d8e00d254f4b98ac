//! Root component: finds where it is embedded, asks the edge for a visitor session (reusing a
//! stored token), then shows the chat panel, or a clear error if the edge refused.

use crate::bridge::Embedding;
use crate::panel::Panel;
use shared::api::{ApiError, VisitorSession, VisitorSessionRequest};
use shared::ErrorCode;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
enum Phase {
    Loading,
    Ready(VisitorSession),
    Failed(ApiError),
}

fn embedding() -> Option<Embedding> {
    let location = web_sys::window()?.location();
    Embedding::parse(&location.pathname().ok()?, &location.search().ok()?, &location.hash().ok()?)
}

#[function_component(App)]
pub fn app() -> Html {
    let embedding = use_memo((), |_| embedding());
    let phase = use_state(|| Phase::Loading);
    {
        let (phase, embedding) = (phase.clone(), embedding.clone());
        use_effect_with((), move |_| {
            let Some(embedding) = (*embedding).clone() else {
                phase.set(Phase::Failed(ApiError {
                    error: ErrorCode::InvalidInput,
                    message: "This chat must be opened from the site's chat button.".into(),
                }));
                return;
            };
            wasm_bindgen_futures::spawn_local(async move {
                let request = VisitorSessionRequest { host: embedding.host.clone(), token: embedding.token.clone() };
                let path = format!("/api/v1/sites/{}/visitor-session", embedding.site);
                phase.set(match client::http::post::<_, VisitorSession>(&path, &request).await {
                    Ok(session) => Phase::Ready(session),
                    Err(e) => Phase::Failed(e),
                });
            });
        });
    }
    match (&*phase, (*embedding).clone()) {
        (Phase::Ready(session), Some(embedding)) => html! { <Panel session={session.clone()} {embedding} /> },
        (Phase::Failed(e), _) => html! {
            <section class="pvx-panel pvx-center" aria-label="Chat">
                <p role="alert" class="pvx-error">{ "The chat is not available: " }{ &e.message }</p>
            </section>
        },
        _ => html! {
            <section class="pvx-panel pvx-center" aria-label="Chat">
                <p role="status">{ "Connecting…" }</p>
            </section>
        },
    }
}
