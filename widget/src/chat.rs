//! The chat view: asks the edge for a visitor session (reusing the token the site keeps), then
//! shows the panel, or a clear error if the edge refused.

use crate::bridge::Embedding;
use crate::outbox::Outbox;
use crate::panel::Panel;
use shared::api::{ApiError, VisitorSession, VisitorSessionRequest};
use shared::visitor::{ScreenClass, VisitorContext};
use yew::prelude::*;

/// The browser's language, time zone and screen class, for the visitor's profile (the edge keeps
/// them only with analytics consent). The screen is only ever a class, never its size.
fn context() -> Option<VisitorContext> {
    let window = web_sys::window()?;
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
    Some(VisitorContext {
        language: window.navigator().language()?,
        time_zone: js_sys::Reflect::get(&options, &"timeZone".into()).ok()?.as_string()?,
        screen: ScreenClass::of_width(window.screen().ok()?.width().ok()?.max(0) as u32),
    })
}

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
    /// Told the token the edge gave the session.
    pub onsession: Callback<String>,
    /// Texts the page asked to send as the visitor.
    pub outbox: Outbox,
    /// What the visitor is writing, kept across a new start of the chat.
    pub draft: client::components::KeptDraft,
    /// The page's language, then the browser's (`de-AT,de,en`): the edge answers in the first it
    /// speaks, unless the site fixes one.
    pub lang_tags: AttrValue,
}

#[function_component(Chat)]
pub fn chat(props: &ChatProps) -> Html {
    let phase = use_state(|| Phase::Loading);
    {
        let phase = phase.clone();
        let request = VisitorSessionRequest {
            host: props.embedding.host.clone(),
            token: (!props.token.is_empty()).then(|| props.token.to_string()),
            context: context(),
            new_conversation: false,
            lang: props.lang_tags.to_string(),
        };
        let onsession = props.onsession.clone();
        let path = format!("/api/v1/sites/{}/visitor-session", props.embedding.site);
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                phase.set(match client::http::post_json(&path, &request, VisitorSession::from_json).await {
                    Ok(session) => {
                        onsession.emit(session.token.clone());
                        Phase::Ready(session)
                    }
                    Err(e) => Phase::Failed(e),
                });
            });
        });
    }
    match &*phase {
        Phase::Ready(session) => html! {
            <Panel session={session.clone()} embedding={props.embedding.clone()} visible={props.visible} outbox={props.outbox.clone()} draft={props.draft.clone()} />
        },
        // The edge says why in the visitor's language (see `edge/src/refusals.rs`).
        Phase::Failed(e) => html! {
            <section class="pvx-panel pvx-center" aria-label="Chat">
                <p role="alert" class="pvx-error">{ &e.message }</p>
            </section>
        },
        // Nothing to read yet: the session, in the visitor's language, comes in a moment.
        Phase::Loading => html! { <section class="pvx-panel" aria-label="Chat" aria-busy="true" /> },
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn context_names_the_browsers_language_zone_and_screen_class() {
        let c = super::context().expect("a browser has all three");
        assert!(!c.language.is_empty() && !c.time_zone.is_empty(), "{c:?}");
        let width = web_sys::window().unwrap().screen().unwrap().width().unwrap() as u32;
        assert_eq!(c.screen, shared::visitor::ScreenClass::of_width(width));
    }
}
