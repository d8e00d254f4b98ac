use crate::inbox_state::{InboxAction, InboxContext};
use client::hooks::after;
use shared::{api::SearchHit, SiteId};
use std::cell::Cell;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// How long typing must pause before a search goes out, in ms: one request per thought, not
/// one per key.
const DEBOUNCE_MS: u32 = 300;

#[derive(Properties, PartialEq)]
pub struct SearchBoxProps {
    pub site: SiteId,
}

/// Searches the workspace's messages, notes and visitors on the edge and narrows the list to
/// the matches. Escape clears it.
#[function_component(SearchBox)]
pub fn search_box(props: &SearchBoxProps) -> Html {
    let inbox = use_context::<InboxContext>();
    let error = use_state(|| None::<String>);
    // Each keystroke bumps the number; a timer only searches if no newer keystroke came.
    let typed = use_mut_ref(|| Rc::new(Cell::new(0u32)));
    let search = {
        let (inbox, error, site) = (inbox.clone(), error.clone(), props.site.clone());
        Callback::from(move |query: String| {
            let Some(inbox) = inbox.clone() else { return };
            let query = query.trim().to_owned();
            inbox.dispatch(InboxAction::Query(query.clone()));
            error.set(None);
            if query.is_empty() {
                return;
            }
            let (error, path) = (error.clone(), format!("/api/v1/workspaces/{site}/search?q={}", encode(&query)));
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::get_json(&path, |v| shared::json::api::list_of(v, SearchHit::from_json)).await {
                    Ok(hits) => inbox.dispatch(InboxAction::Results { query, hits }),
                    Err(e) => error.set(Some(e.message)),
                }
            });
        })
    };
    let oninput = {
        let (search, typed) = (search.clone(), typed.borrow().clone());
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            let n = typed.get().wrapping_add(1);
            typed.set(n);
            let (search, typed) = (search.clone(), typed.clone());
            after(DEBOUNCE_MS, move || {
                if typed.get() == n {
                    search.emit(value);
                }
            });
        })
    };
    let onkeydown = {
        let typed = typed.borrow().clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                let input = e.target_unchecked_into::<HtmlInputElement>();
                if !input.value().is_empty() {
                    e.prevent_default();
                    input.set_value("");
                    typed.set(typed.get().wrapping_add(1));
                    search.emit(String::new());
                }
            }
        })
    };
    html! {
        <div class="search">
            <input type="search" aria-label="Search conversations" placeholder="Search messages, names, emails"
                autocomplete="off" {oninput} {onkeydown} />
            if let Some(message) = &*error {
                <p class="error" role="alert">{ message }</p>
            }
        </div>
    }
}

/// The query as a URL query value.
fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}
