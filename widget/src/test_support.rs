//! Helpers for the browser component tests: mount a component with props, wait for Yew to render,
//! and find controls the way a visitor would, by their visible name.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::prelude::*;

/// Renders `C` with `props` into a fresh element of the test page and waits for the first render.
pub async fn mount<C: BaseComponent>(props: C::Properties) -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    tick().await;
    root
}

/// Waits long enough for Yew to run pending renders and effects.
pub async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// The button whose text is `name`, if there is one.
pub fn button(root: &Element, name: &str) -> Option<HtmlElement> {
    let list = root.query_selector_all("button").unwrap();
    (0..list.length())
        .map(|i| list.get(i).unwrap().unchecked_into::<HtmlElement>())
        .find(|b| b.text_content().as_deref() == Some(name))
}

/// The input labelled `label` (by `<label for>`); panics when there is none.
pub fn field(root: &Element, label: &str) -> HtmlInputElement {
    let labels = root.query_selector_all("label").unwrap();
    let id = (0..labels.length())
        .map(|i| labels.get(i).unwrap().unchecked_into::<Element>())
        .find(|l| l.text_content().as_deref() == Some(label))
        .and_then(|l| l.get_attribute("for"))
        .unwrap_or_else(|| panic!("no field labelled {label:?}"));
    root.query_selector(&format!("#{id}")).unwrap().expect("the labelled input").unchecked_into()
}
