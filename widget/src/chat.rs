//! The chat view: asks the edge for a visitor session (reusing the token the site keeps), then
//! shows the panel, or a clear error if the edge refused.

use crate::bridge::Embedding;
use crate::panel::Panel;
use shared::api::{ApiError, VisitorSession, VisitorSessionRequest};
use yew::prelude::*;

#[derive(Clone, PartialEq)]
enum Phase {
    Loading,
    Ready(VisitorSession),
    Failed(ApiError),
}

#[derive(Properties, PartialEq)]
pub struct ChatProps {
    pub embedding: Embedding,
    /// The visitor token the site keeps (empty for a new visitor).
    pub token: AttrValue,
    /// The visitor can see the chat (see `Panel`).
    pub visible: bool,
}

#[function_component(Chat)]
pub fn chat(props: &ChatProps) -> Html {
    let phase = use_state(|| Phase::Loading);
    {
        let phase = phase.clone();
        let request = VisitorSessionRequest {
            host: props.embedding.host.clone(),
            token: (!props.token.is_empty()).then(|| props.token.to_string()),
        };
        let path = format!("/api/v1/sites/{}/visitor-session", props.embedding.site);
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                phase.set(match client::http::post::<_, VisitorSession>(&path, &request).await {
                    Ok(session) => Phase::Ready(session),
                    Err(e) => Phase::Failed(e),
                });
            });
        });
    }
    match &*phase {
        Phase::Ready(session) => html! { <Panel session={session.clone()} embedding={props.embedding.clone()} visible={props.visible} /> },
        Phase::Failed(e) => html! {
            <section class="pvx-panel pvx-center" aria-label="Chat">
                <p role="alert" class="pvx-error">{ "The chat is not available: " }{ &e.message }</p>
            </section>
        },
        Phase::Loading => html! {
            <section class="pvx-panel pvx-center" aria-label="Chat">
                <p role="status">{ "Connecting…" }</p>
            </section>
        },
    }
}
