//! Browser tests of the shared components, in headless Chromium (`wasm-bindgen-test`):
//! `cargo test -p client --target wasm32-unknown-unknown` (scripts/test runs it).
#![cfg(target_arch = "wasm32")]

use client::chat::{Line, LineState};
use client::components::{Composer, ComposerProps, MessageList, MessageListProps, Viewer};
use shared::{Author, ClientMsgId};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlButtonElement, HtmlTextAreaElement};
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

fn mount() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

/// Yew renders on the next tick.
async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn type_text(textarea: &HtmlTextAreaElement, text: &str) {
    textarea.set_value(text);
    let event = web_sys::InputEvent::new("input").unwrap();
    textarea.dispatch_event(&event).unwrap();
}

fn composer(root: &Element) -> (HtmlTextAreaElement, HtmlButtonElement) {
    let textarea = root.query_selector("textarea[aria-label='Message']").unwrap().expect("a textbox named Message");
    let button = root.query_selector("button[type='submit']").unwrap().expect("a Send button");
    (textarea.unchecked_into(), button.unchecked_into())
}

#[wasm_bindgen_test]
async fn composer_sends_trimmed_text_and_clears() {
    let root = mount();
    let sent = Rc::new(RefCell::new(Vec::<String>::new()));
    let onsend = {
        let sent = sent.clone();
        Callback::from(move |text| sent.borrow_mut().push(text))
    };
    yew::Renderer::<Composer>::with_root_and_props(
        root.clone(),
        ComposerProps { onsend, placeholder: "Write".into(), ontyping: None },
    )
    .render();
    tick().await;
    let (textarea, button) = composer(&root);
    assert_eq!(button.text_content().unwrap(), "Send");
    assert!(button.disabled(), "nothing to send yet");

    type_text(&textarea, "   ");
    tick().await;
    assert!(button.disabled(), "blank text cannot be sent");

    type_text(&textarea, "  Hello there \n");
    tick().await;
    assert!(!button.disabled());
    button.click();
    tick().await;
    assert_eq!(*sent.borrow(), vec!["Hello there".to_owned()]);
    assert_eq!(textarea.value(), "", "cleared after sending");
}

#[wasm_bindgen_test]
async fn composer_refuses_over_long_text_with_an_alert() {
    let root = mount();
    let sent = Rc::new(RefCell::new(0));
    let onsend = {
        let sent = sent.clone();
        Callback::from(move |_| *sent.borrow_mut() += 1)
    };
    yew::Renderer::<Composer>::with_root_and_props(
        root.clone(),
        ComposerProps { onsend, placeholder: "Write".into(), ontyping: None },
    )
    .render();
    tick().await;
    let (textarea, button) = composer(&root);
    type_text(&textarea, &"x".repeat(shared::domain::MAX_MESSAGE_CHARS + 3));
    tick().await;
    assert!(button.disabled());
    let alert = root.query_selector("[role='alert']").unwrap().expect("an alert");
    assert!(alert.text_content().unwrap().contains("3 characters over"), "{:?}", alert.text_content());
    button.click();
    tick().await;
    assert_eq!(*sent.borrow(), 0);
}

fn line(id: &str, author: Author, body: &str, state: LineState) -> Line {
    Line {
        client_id: ClientMsgId::parse(id).unwrap(),
        seq: None,
        author,
        body: body.into(),
        at: None,
        state,
        note: false,
    }
}

#[wasm_bindgen_test]
async fn message_list_shows_text_as_text_with_delivery_state() {
    let root = mount();
    let lines = vec![
        line("a_00000001", Author::Agent { name: "Dana".into() }, "<b>not bold</b>", LineState::Sent),
        line("c_00000001", Author::Visitor, "mine, stored", LineState::Sent),
        line("c_00000002", Author::Visitor, "mine, on its way", LineState::Sending),
        line("c_00000003", Author::Visitor, "mine, refused", LineState::Failed("too many requests".into())),
    ];
    yew::Renderer::<MessageList>::with_root_and_props(
        root.clone(),
        MessageListProps { lines, viewer: Viewer::Visitor, peer_read: 0, typing: None },
    )
    .render();
    tick().await;
    let items = root.query_selector_all("li").unwrap();
    assert_eq!(items.length(), 4);
    assert!(root.query_selector("b").unwrap().is_none(), "markup from a message is never rendered");
    let text = |i: u32| items.get(i).unwrap().text_content().unwrap();
    assert!(text(0).contains("<b>not bold</b>") && text(0).contains("Dana"));
    assert!(text(1).contains("You") && text(1).contains("Sent"));
    assert!(text(2).contains("Sending…"));
    assert!(text(3).contains("Not sent: too many requests"));
    let list = root.query_selector("ol[aria-label='Messages']").unwrap().expect("a labelled list");
    assert_eq!(list.get_attribute("aria-live").as_deref(), Some("polite"));
}
