//! Root component: waits for the loader's state, then shows the view it asks for — the privacy
//! preferences or the chat — and holds the texts the page asks to send. (The consent banner is the
//! loader's own, drawn without this WASM.)

use crate::bridge::{focus, on_host, post_to_host, Embedding, FromHost, HostState, ToHost};
use crate::chat::Chat;
use crate::consent::ConsentView;
use crate::outbox::Outbox;
use crate::view::View;
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
    // The token the chat was opened with (None until it is first opened), and the one the edge
    // gave its session: another token from the loader means another visitor (see `other_visitor`).
    let opened_with = use_mut_ref(|| None::<String>);
    let session = use_mut_ref(String::new);
    let outbox = use_memo((), |_| Outbox::default());
    // What the visitor is writing outlives the chat: it starts over as another visitor when the
    // site names one (a consent decision saved, `identify`), and the text must not go with it.
    let draft = use_memo((), |_| client::components::KeptDraft::default());
    let rerender = use_force_update();
    let page_visible = use_page_visible();
    {
        let (state, embedding, outbox) = (state.clone(), embedding.clone(), outbox.clone());
        use_effect_with((), move |_| {
            let listener = (*embedding).clone().and_then(|e| {
                let listener = on_host(e.host.clone(), move |msg| match msg {
                    FromHost::State(s) => state.set(Some(s)),
                    FromHost::Send(text) => {
                        outbox.push(text);
                        rerender.force_update();
                    }
                });
                post_to_host(&e.host, ToHost::Ready);
                listener
            });
            move || drop(listener)
        });
    }
    let view = (*state).as_ref().map(|s| s.view).unwrap_or_default();
    use_effect_with(view, |view| {
        // Focus moves into whatever the visitor (or the page) just opened.
        match view {
            View::Chat => focus(crate::panel::FOCUS_FIRST),
            View::Preferences => focus("[role=dialog]"),
            View::Hidden => {}
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
    // Once opened, the chat stays mounted while hidden: its socket keeps receiving replies (they
    // count as unread) and reopening it is instant. It starts again, keyed by its token, when the
    // site names another visitor.
    let chat_token = {
        let mut opened_with = opened_with.borrow_mut();
        match &mut *opened_with {
            None if view == View::Chat => *opened_with = Some(state.token.clone()),
            Some(token) if state.other_visitor(token, &session.borrow()) => {
                *token = state.token.clone();
                session.borrow_mut().clear();
            }
            _ => {}
        }
        opened_with.clone()
    };
    let onsession = Callback::from(move |token: String| *session.borrow_mut() = token);
    html! {
        <>
            if let Some(token) = chat_token {
                <div class="pvx-fill" hidden={view != View::Chat}>
                    <Chat key={token.as_str()} embedding={embedding.clone()} token={AttrValue::from(token.clone())} {onsession}
                        outbox={outbox.snapshot()} draft={(*draft).clone()} visible={view == View::Chat && page_visible}
                        lang_tags={crate::consent::language_tags(&state.lang)} />
                </div>
            }
            if view == View::Preferences {
                <ConsentView {embedding} {state} />
            }
        </>
    }
}
