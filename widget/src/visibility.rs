//! `use_page_visible`: whether the visitor can see the page at all (not a background tab or a
//! minimised window), so read receipts are only sent for messages someone could have seen.

use wasm_bindgen::{closure::Closure, JsCast};
use yew::prelude::*;

fn page_visible() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| !d.hidden())
}

#[hook]
pub fn use_page_visible() -> bool {
    let visible = use_state(page_visible);
    {
        let visible = visible.clone();
        use_effect_with((), move |_| {
            let document = web_sys::window().and_then(|w| w.document());
            let listener = Closure::<dyn Fn()>::new(move || visible.set(page_visible()));
            if let Some(d) = &document {
                let _ = d.add_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(d) = &document {
                    let _ =
                        d.remove_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    *visible
}
