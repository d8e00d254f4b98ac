//! Browser tests of the shared components, in headless Chromium (`wasm-bindgen-test`):
//! `cargo test -p client --target wasm32-unknown-unknown` (scripts/test runs it).
#![cfg(target_arch = "wasm32")]

use client::chat::{Line, LineState};
use client::components::{
    Composer, ComposerProps, MessageList, MessageListProps, Notes, Suggestion, Suggestions, Viewer,
};
use shared::chat_labels::Texts;
use shared::{Author, ClientMsgId};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlButtonElement, HtmlInputElement, HtmlTextAreaElement};
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
        yew::props!(ComposerProps { labels: Texts::default(), onsend, placeholder: "Write" }),
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
        yew::props!(ComposerProps { labels: Texts::default(), onsend, placeholder: "Write" }),
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

/// Records what a callback was called with.
fn recorder<T: 'static>() -> (Rc<RefCell<Vec<T>>>, Callback<T>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let callback = {
        let seen = seen.clone();
        Callback::from(move |value| seen.borrow_mut().push(value))
    };
    (seen, callback)
}

fn press(textarea: &HtmlTextAreaElement, key: &str, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    textarea.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn composer_sends_on_enter_and_signals_typing_once_per_bout() {
    let root = mount();
    let (sent, onsend) = recorder::<String>();
    let (typing, ontyping) = recorder::<()>();
    yew::Renderer::<Composer>::with_root_and_props(
        root.clone(),
        yew::props!(ComposerProps { labels: Texts::default(), onsend, ontyping }),
    )
    .render();
    tick().await;
    let (textarea, _) = composer(&root);
    type_text(&textarea, "Hel");
    tick().await;
    type_text(&textarea, "Hello");
    tick().await;
    assert_eq!(typing.borrow().len(), 1, "throttled: one signal for quick keystrokes");
    press(&textarea, "Enter", true);
    tick().await;
    assert!(sent.borrow().is_empty(), "Shift+Enter is a new line");
    press(&textarea, "Enter", false);
    tick().await;
    assert_eq!(*sent.borrow(), ["Hello"]);
    type_text(&textarea, "Next");
    tick().await;
    assert_eq!(typing.borrow().len(), 2, "a new message signals typing at once");
    assert!(root.query_selector("input[type='checkbox']").unwrap().is_none(), "no notes unless asked for");
}

#[wasm_bindgen_test]
async fn composer_writes_private_notes_when_ticked() {
    let root = mount();
    let (sent, onsend) = recorder::<String>();
    let (noted, onnote) = recorder::<String>();
    let (typing, ontyping) = recorder::<()>();
    let notes =
        Notes { onnote, toggle: "Private note".into(), button: "Add note".into(), placeholder: "Only the team".into() };
    yew::Renderer::<Composer>::with_root_and_props(
        root.clone(),
        yew::props!(ComposerProps {
            labels: Texts::default(),
            onsend,
            ontyping,
            notes: Some(notes),
            class: "reply-box"
        }),
    )
    .render();
    tick().await;
    let (textarea, button) = composer(&root);
    let toggle: HtmlInputElement =
        root.query_selector("label input[type='checkbox']").unwrap().unwrap().unchecked_into();
    assert!(toggle.parent_element().unwrap().text_content().unwrap().contains("Private note"));
    toggle.click();
    tick().await;
    let form = root.query_selector("form").unwrap().unwrap();
    assert_eq!(form.class_name(), "reply-box note", "a note is drawn apart");
    assert_eq!(button.text_content().unwrap(), "Add note");
    assert_eq!(textarea.placeholder(), "Only the team");
    type_text(&textarea, "Regular customer");
    tick().await;
    assert!(typing.borrow().is_empty(), "notes never tell the visitor someone is typing");
    button.click();
    tick().await;
    assert_eq!(*noted.borrow(), ["Regular customer"]);
    assert!(sent.borrow().is_empty(), "a note never reaches the visitor");
}

#[wasm_bindgen_test]
async fn composer_offers_suggestions_after_a_slash() {
    let root = mount();
    let (sent, onsend) = recorder::<String>();
    let (typing, ontyping) = recorder::<()>();
    let find = Callback::from(|text: String| {
        let all = [("/shipping", "We ship worldwide."), ("/shop-hours", "9 to 5.")];
        let typed = text.strip_prefix('/').map(str::to_owned);
        all.iter()
            .filter(|(shortcut, _)| typed.as_ref().is_some_and(|t| shortcut[1..].starts_with(t.as_str())))
            .map(|&(shortcut, text)| Suggestion { shortcut: shortcut.into(), text: text.into() })
            .collect()
    });
    let suggestions = Suggestions { label: "Saved replies".into(), find };
    yew::Renderer::<Composer>::with_root_and_props(
        root.clone(),
        yew::props!(ComposerProps { labels: Texts::default(), onsend, ontyping, suggestions: Some(suggestions) }),
    )
    .render();
    tick().await;
    let (textarea, _) = composer(&root);
    type_text(&textarea, "/sh");
    tick().await;
    assert!(typing.borrow().is_empty(), "choosing a saved reply is not writing to the visitor yet");
    let list = root.query_selector("[role='listbox'][aria-label='Saved replies']").unwrap().expect("a listbox");
    assert_eq!(list.query_selector_all("[role='option']").unwrap().length(), 2);
    press(&textarea, "ArrowDown", false);
    tick().await;
    let second = root.query_selector("[role='option'][aria-selected='true']").unwrap().unwrap();
    assert_eq!(textarea.get_attribute("aria-activedescendant"), Some(second.id()));
    press(&textarea, "Enter", false);
    tick().await;
    assert_eq!(textarea.value(), "9 to 5.", "Enter picks the highlighted reply");
    assert!(sent.borrow().is_empty(), "and does not send it yet");
    assert!(root.query_selector("[role='listbox']").unwrap().is_none());
    type_text(&textarea, "/sh");
    tick().await;
    press(&textarea, "Escape", false);
    tick().await;
    assert!(root.query_selector("[role='listbox']").unwrap().is_none(), "Escape hides the list");
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
        file: None,
    }
}

#[wasm_bindgen_test]
async fn message_list_shows_pictures_in_place_and_other_files_as_a_link_with_their_size() {
    use shared::files::{Attachment, FileKind};
    let root = mount();
    let file = |id: &str, name: &str, size, kind| Some(Attachment { id: id.into(), name: name.into(), size, kind });
    let lines = vec![
        Line {
            file: file("f_pic", "shot.png", 2_048, FileKind::Png),
            ..line("c_00000011", Author::Visitor, "shot.png", LineState::Sent)
        },
        Line {
            file: file("f_doc", "<b>invoice</b>.pdf", 14_200, FileKind::Pdf),
            ..line("a_00000011", Author::Agent { name: "Dana".into() }, "Here it is", LineState::Sent)
        },
        // Not stored yet: its name, as text.
        line("c_00000012", Author::Visitor, "later.png", LineState::Sending),
    ];
    let files = Some("/files/demo/cv_x/1.mac/".to_owned());
    yew::Renderer::<MessageList>::with_root_and_props(
        root.clone(),
        yew::props!(MessageListProps { labels: Texts::default(), lines, viewer: Viewer::Visitor, files }),
    )
    .render();
    tick().await;
    let items = root.query_selector_all("li").unwrap();
    let item = |i: u32| items.get(i).unwrap().unchecked_into::<Element>();
    let img = item(0).query_selector("a img").unwrap().expect("the picture, in the message");
    assert_eq!(img.get_attribute("src").as_deref(), Some("/files/demo/cv_x/1.mac/f_pic"));
    assert_eq!(img.get_attribute("alt").as_deref(), Some("shot.png"));
    assert!(item(0).query_selector(".pvx-body").unwrap().is_none(), "its name is not said twice");
    let link = item(1).query_selector("a[download]").unwrap().expect("a link that downloads it");
    assert_eq!(link.text_content().as_deref(), Some("<b>invoice</b>.pdf · 15 KB"));
    assert_eq!(link.get_attribute("href").as_deref(), Some("/files/demo/cv_x/1.mac/f_doc"));
    assert!(item(1).text_content().unwrap().contains("Here it is"), "a caption of its own is shown");
    assert!(root.query_selector("b").unwrap().is_none(), "a file's name is text");
    assert!(item(2).query_selector("a").unwrap().is_none() && item(2).text_content().unwrap().contains("later.png"));
}

#[wasm_bindgen_test]
async fn composer_offers_a_paperclip_only_where_files_can_go() {
    let root = mount();
    yew::Renderer::<Composer>::with_root_and_props(
        root.clone(),
        yew::props!(ComposerProps {
            labels: Texts::default(),
            onsend: Callback::noop(),
            upload: "/api/v1/sites/demo/file-messages?token=t"
        }),
    )
    .render();
    tick().await;
    let clip = root.query_selector("input[type=file]").unwrap().expect("a file input");
    assert_eq!(clip.get_attribute("aria-label").as_deref(), Some("Attach a file"));
    assert_eq!(clip.get_attribute("data-upload").as_deref(), Some("/api/v1/sites/demo/file-messages?token=t"));
    let bare = mount();
    yew::Renderer::<Composer>::with_root_and_props(
        bare.clone(),
        yew::props!(ComposerProps { labels: Texts::default(), onsend: Callback::noop() }),
    )
    .render();
    tick().await;
    assert!(bare.query_selector("input[type=file]").unwrap().is_none());
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
        yew::props!(MessageListProps { labels: Texts::default(), lines, viewer: Viewer::Visitor }),
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

/// What a screen reader hears of the viewer's newest message: the list announces only messages
/// that arrive; "Sent" and "Seen" come from a status line, a failure from an alert.
#[wasm_bindgen_test]
async fn message_list_says_what_became_of_the_newest_message() {
    let said = |root: &Element, role: &str| {
        root.query_selector(&format!(".pvx-said[role='{role}']")).unwrap().expect(role).text_content().unwrap()
    };
    let render = |lines: Vec<Line>, peer_read: u64| {
        let root = mount();
        yew::Renderer::<MessageList>::with_root_and_props(
            root.clone(),
            yew::props!(MessageListProps { labels: Texts::default(), lines, viewer: Viewer::Visitor, peer_read }),
        )
        .render();
        root
    };
    let stored =
        |id: &str, seq: u64| Line { seq: Some(seq), at: Some(1), ..line(id, Author::Visitor, "hi", LineState::Sent) };
    let agent = line("a_00000001", Author::Agent { name: "Dana".into() }, "hello", LineState::Sent);

    let root =
        render(vec![stored("c_00000001", 1), line("c_00000002", Author::Visitor, "on its way", LineState::Sending)], 0);
    tick().await;
    assert_eq!(
        (said(&root, "status"), said(&root, "alert")),
        (String::new(), String::new()),
        "sending: the new line said it"
    );
    let list = root.query_selector("ol").unwrap().unwrap();
    assert_eq!(list.get_attribute("aria-relevant").as_deref(), Some("additions"), "status words are not read again");

    let root = render(vec![stored("c_00000001", 1), agent.clone()], 0);
    tick().await;
    assert_eq!(said(&root, "status"), "Your message was sent", "the newest of mine, even with a reply after it");
    let root = render(vec![stored("c_00000001", 1)], 1);
    tick().await;
    assert_eq!(said(&root, "status"), "Your message was seen");
    let root = render(
        vec![stored("c_00000001", 1), line("c_00000002", Author::Visitor, "no", LineState::Failed("blocked".into()))],
        0,
    );
    tick().await;
    assert_eq!(
        (said(&root, "status"), said(&root, "alert")),
        (String::new(), "Your message was not sent: blocked".into())
    );
}

#[wasm_bindgen_test]
async fn message_list_speaks_the_language_it_is_given() {
    use shared::chat_labels::{ChatLabels, Texts};
    use shared::consent::Lang;
    let root = mount();
    let lines = vec![
        line("c_00000001", Author::Visitor, "gespeichert", LineState::Sent),
        line("c_00000002", Author::Visitor, "unterwegs", LineState::Sending),
        line("c_00000003", Author::Visitor, "abgelehnt", LineState::Waiting(3)),
    ];
    let labels = Texts(ChatLabels::of(Lang::De));
    yew::Renderer::<MessageList>::with_root_and_props(
        root.clone(),
        yew::props!(MessageListProps {
            lines,
            viewer: Viewer::Visitor,
            labels,
            typing: Some(yew::AttrValue::from("Dana"))
        }),
    )
    .render();
    tick().await;
    let items = root.query_selector_all("li").unwrap();
    let text = |i: u32| items.get(i).unwrap().text_content().unwrap();
    assert!(text(0).contains("Sie") && text(0).contains("Gesendet"), "{}", text(0));
    assert!(text(1).contains("Wird gesendet…"));
    assert!(text(2).contains("Wird in 3 s gesendet"));
    assert!(root.query_selector("ol[aria-label='Nachrichten']").unwrap().is_some());
    assert!(root.text_content().unwrap().contains("Dana schreibt…"));
}
