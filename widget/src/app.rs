//! Root component: waits for the loader's state, then shows the view it asks for — the consent
//! banner, the privacy preferences, or the chat.

use crate::bridge::{focus, on_host_state, post_to_host, Embedding, HostState, ToHost};
use crate::chat::Chat;
use crate::consent::{ConsentView, Mode};
use crate::visibility::use_page_visible;
use yew::prelude::*;

fn embedding() -> Option<Embedding> {
    let location = web_sys::window()?.location();
    Embedding::parse(&location.pathname().ok()?, &location.search().ok()?)
}

#[function_component(App)]
pub fn app() -> Html {
    let embedding = use_memo((), |_| embedding());
    let state = use_state(|| None::<HostState>);
    let chat_opened = use_mut_ref(|| false);
    let page_visible = use_page_visible();
    {
        let (state, embedding) = (state.clone(), embedding.clone());
        use_effect_with((), move |_| {
            let listener = (*embedding).clone().and_then(|e| {
                let listener = on_host_state(e.host.clone(), move |s| state.set(Some(s)));
                post_to_host(&e.host, ToHost::Ready);
                listener
            });
            move || drop(listener)
        });
    }
    let view = (*state).as_ref().map(|s| s.view.clone()).unwrap_or_default();
    use_effect_with(view.clone(), |view| {
        // Focus moves into whatever the visitor (or the page) just opened.
        match view.as_str() {
            "chat" => focus(crate::panel::FOCUS_FIRST),
            "banner" | "prefs" => focus("[role=dialog]"),
            _ => {}
        }
    });
    let Some(embedding) = (*embedding).clone() else {
        return html! {
            <section class="pvx-panel pvx-center" aria-label="Chat">
                <p role="alert" class="pvx-error">{ "This chat must be opened from the site's chat button." }</p>
            </section>
        };
    };
    let Some(state) = (*state).clone() else { return html! {} };
    // Once opened, the chat stays mounted while hidden: its socket keeps receiving replies and
    // reopening it is instant.
    if view == "chat" {
        *chat_opened.borrow_mut() = true;
    }
    let consent = match view.as_str() {
        "banner" => Some(Mode::Banner),
        "prefs" => Some(Mode::Preferences),
        _ => None,
    };
    html! {
        <>
            if *chat_opened.borrow() {
                <div class="pvx-fill" hidden={view != "chat"}>
                    <Chat embedding={embedding.clone()} token={state.token.clone()} visible={view == "chat" && page_visible} />
                </div>
            }
            if let Some(mode) = consent {
                <ConsentView {mode} {embedding} {state} />
            }
        </>
    }
}
