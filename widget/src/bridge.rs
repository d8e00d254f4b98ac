//! The iframe's side of the conversation with the loader on the host page: messages go to the
//! exact host origin (never `*`), and only messages from that origin and from the parent window
//! are heard.

use crate::view::View;
use shared::consent::Choices;
use shared::json::{opt, or_default, req, Json};
use shared::SiteId;

/// Where the widget is embedded: the site id from the path (`/embed/SITE`) and the host page's
/// origin from `?host=` (the edge has already checked it against the site's allowed domains).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embedding {
    pub site: SiteId,
    pub host: String,
}

fn param(s: &str, name: &str) -> Option<String> {
    s.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| percent_decode(v))
}

impl Embedding {
    pub fn parse(path: &str, query: &str) -> Option<Self> {
        let site = SiteId::parse(path.strip_prefix("/embed/")?.trim_end_matches('/')).ok()?;
        let host = param(query.trim_start_matches('?'), "host")?;
        host.contains("://").then_some(Self { site, host })
    }
}

/// Decodes `%XX` escapes (the loader encodes with `encodeURIComponent`).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the loader tells the widget: which view to show, and what the site's storage holds.
#[derive(Debug, Clone, PartialEq)]
pub struct HostState {
    /// `state` (the loader's other messages are not for the widget).
    pub pvx: String,
    /// The view to show (`prefs`, `chat`; empty, or `banner` which the loader draws itself, hide it).
    pub view: View,
    /// The host page's `<html lang>` (may be missing).
    pub lang: String,
    /// The visitor token the site keeps, or empty (may be missing).
    pub token: String,
    /// The site's current decision, of which the widget only needs the choices (to start the
    /// preferences from them); the rest is the loader's business.
    pub consent: Option<HostConsent>,
}

impl HostState {
    /// Decodes the loader's `state` message (without serde: see `shared::json`).
    pub fn from_json<J: Json>(v: &J) -> Option<Self> {
        Some(HostState {
            pvx: req(v, "pvx", J::string)?,
            view: req(v, "view", |view| view.string().map(View::from))?,
            lang: or_default(v, "lang", J::string)?,
            token: or_default(v, "token", J::string)?,
            consent: opt(v, "consent", |c| {
                let choices = req(c, "record", |r| req(r, "choices", Choices::from_json))?;
                Some(HostConsent { record: HostRecord { choices } })
            })?,
        })
    }

    /// Whether the site now keeps another visitor's token than the chat's: the one it was opened
    /// with and the one the edge gave its session. That happens after `Provixchat.identify` (or a
    /// consent decision recorded for a new visitor); the chat then reconnects as that visitor.
    pub fn other_visitor(&self, opened_with: &str, session: &str) -> bool {
        !self.token.is_empty() && self.token != opened_with && self.token != session
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HostConsent {
    pub record: HostRecord,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HostRecord {
    pub choices: Choices,
}

/// What the widget tells the loader (and, through it, the page's `Provixchat` API): `{pvx: kind}`
/// and at most two fields (see [`ToHost::parts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToHost<'a> {
    /// The widget is running: send the state.
    Ready,
    /// Hide the current view (Close, or Escape).
    Close,
    /// Show another view (`prefs` from the chat menu).
    View { view: View },
    /// Keep this visitor token: the visitor has started a chat.
    Token { token: &'a str },
    /// How many agent messages arrived while the chat was not shown (0 once it is): the launcher's
    /// badge and the page's `unread` event.
    Unread { count: i32 },
    /// A new agent message (never one replayed from history): the page's `message` event.
    Message { body: &'a str, author: &'a str },
    /// The visitor erased their data: the page forgets their token and decision, and the
    /// widget's frame goes once the visitor leaves the confirmation.
    Erased,
}

/// A field of a [`ToHost`] message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<'a> {
    Text(&'a str),
    Number(i32),
}

/// The fields of a [`ToHost`] message, by name.
pub type Fields<'a> = [Option<(&'static str, Field<'a>)>; 2];

impl<'a> ToHost<'a> {
    /// The message's `pvx` and its fields. Built by hand rather than with serde: the widget
    /// sends eight small shapes, and a serialiser for them costs more WASM than this.
    pub fn parts(self) -> (&'static str, Fields<'a>) {
        let one = |key, value| [Some((key, value)), None];
        match self {
            ToHost::Ready => ("ready", [None, None]),
            ToHost::Close => ("close", [None, None]),
            ToHost::Erased => ("erased", [None, None]),
            ToHost::View { view } => ("view", one("view", Field::Text(view.as_str()))),
            ToHost::Token { token } => ("token", one("token", Field::Text(token))),
            ToHost::Unread { count } => ("unread", one("count", Field::Number(count))),
            ToHost::Message { body, author } => {
                ("message", [Some(("body", Field::Text(body))), Some(("author", Field::Text(author)))])
            }
        }
    }
}

/// What the loader tells the widget.
#[cfg(target_arch = "wasm32")]
#[derive(Debug, Clone, PartialEq)]
pub enum FromHost {
    /// The view to show and what the site's storage holds.
    State(HostState),
    /// Send this text as the visitor (`Provixchat.sendMessage`), as if typed.
    Send(String),
}

/// Posts `{pvx: kind, [key]: value…}` to the parent window, on the host's exact origin only.
#[cfg(target_arch = "wasm32")]
fn post(host: &str, kind: &str, fields: impl IntoIterator<Item = (&'static str, wasm_bindgen::JsValue)>) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"pvx".into(), &kind.into());
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&msg, &key.into(), &value);
    }
    let _ = parent.post_message(&msg, host);
}

/// Hands a decision the edge recorded (its answer, passed on untouched) to the loader, which
/// stores it, applies it and tells the page.
#[cfg(target_arch = "wasm32")]
pub fn post_consent_to_host(host: &str, stored: &wasm_bindgen::JsValue) {
    post(host, "consent", [("stored", stored.clone())]);
}

#[cfg(target_arch = "wasm32")]
pub fn post_to_host(host: &str, msg: ToHost) {
    let (kind, fields) = msg.parts();
    let value = |field| match field {
        Field::Text(s) => s.into(),
        Field::Number(n) => n.into(),
    };
    post(host, kind, fields.into_iter().flatten().map(|(key, field)| (key, value(field))));
}

/// Listens for the loader's messages, heard only from the parent window on the host's exact
/// origin; anything else, or any other shape, is ignored. The listener goes away with the guard.
#[cfg(target_arch = "wasm32")]
pub fn on_host(host: String, on_message: impl Fn(FromHost) + 'static) -> Option<HostListener> {
    use wasm_bindgen::{closure::Closure, JsCast};
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    let closure = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        let from_parent = e.source().is_some_and(|s| js_sys::Object::is(&s, &parent));
        if e.origin() != host || !from_parent {
            return;
        }
        let data = e.data();
        let get = |key: &str| js_sys::Reflect::get(&data, &key.into()).ok().and_then(|v| v.as_string());
        // A message of another kind lacks `view` or has another `pvx`.
        if get("pvx").as_deref() == Some("send") {
            if let Some(text) = get("text") {
                on_message(FromHost::Send(text));
            }
            return;
        }
        if let Some(state) = HostState::from_json(&client::json::JsJson(data)).filter(|s| s.pvx == "state") {
            on_message(FromHost::State(state));
        }
    });
    window.add_event_listener_with_callback("message", closure.as_ref().unchecked_ref()).ok()?;
    Some(HostListener { closure })
}

#[cfg(target_arch = "wasm32")]
pub struct HostListener {
    closure: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
}

#[cfg(target_arch = "wasm32")]
impl Drop for HostListener {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        if let Some(window) = web_sys::window() {
            let _ = window.remove_event_listener_with_callback("message", self.closure.as_ref().unchecked_ref());
        }
    }
}

/// Puts the keyboard focus on the first element matching `selector`.
#[cfg(target_arch = "wasm32")]
pub fn focus(selector: &str) {
    use wasm_bindgen::JsCast;
    let el = web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(selector).ok().flatten());
    if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_site_and_host() {
        let e = Embedding::parse("/embed/demo", "?host=http%3A%2F%2F127.0.0.1%3A8787").unwrap();
        assert_eq!(e, Embedding { site: SiteId::parse("demo").unwrap(), host: "http://127.0.0.1:8787".into() });
    }

    #[test]
    fn host_messages_have_the_loaders_shape() {
        let decode = |text: &str| HostState::from_json(&serde_json::from_str::<serde_json::Value>(text).unwrap());
        let state = decode(r#"{"pvx":"state","view":"prefs","lang":"de","token":"","consent":null}"#).unwrap();
        assert_eq!((state.view.as_str(), state.lang.as_str(), state.consent), ("prefs", "de", None));
        let state = decode(
            r#"{"pvx":"state","view":"banner","consent":{"token":"t","record":{"choices":{"preferences":true,"analytics":false,"marketing":true},"at":1}}}"#,
        )
        .unwrap();
        let choices = Choices { preferences: true, analytics: false, marketing: true };
        assert_eq!(
            (state.view, state.token.as_str(), state.consent),
            (View::Hidden, "", Some(HostConsent { record: HostRecord { choices } }))
        );
        assert_eq!(decode(r#"{"pvx":"state"}"#), None, "a message without a view is not a state");
        assert_eq!(decode(r#"{"pvx":"state","view":"chat","consent":{"record":{}}}"#), None);
        assert_eq!(ToHost::Token { token: "v1.t" }.parts(), ("token", [Some(("token", Field::Text("v1.t"))), None]));
        assert_eq!(ToHost::Close.parts(), ("close", [None, None]));
        assert_eq!(ToHost::Erased.parts(), ("erased", [None, None]));
        assert_eq!(ToHost::Unread { count: 2 }.parts(), ("unread", [Some(("count", Field::Number(2))), None]));
        assert_eq!(
            ToHost::Message { body: "Hi", author: "Dana" }.parts(),
            ("message", [Some(("body", Field::Text("Hi"))), Some(("author", Field::Text("Dana")))])
        );
    }

    #[test]
    fn views_go_back_to_the_loader_by_its_names() {
        assert_eq!(ToHost::Ready.parts(), ("ready", [None, None]));
        assert_eq!(
            ToHost::View { view: View::Preferences }.parts(),
            ("view", [Some(("view", Field::Text("prefs"))), None]),
            "the loader (plain JS) knows the preferences as `prefs`"
        );
        assert_eq!(ToHost::View { view: View::Chat }.parts(), ("view", [Some(("view", Field::Text("chat"))), None]));
    }

    #[test]
    fn another_token_means_another_visitor() {
        let state = |token: &str| HostState {
            pvx: "state".into(),
            view: "chat".into(),
            lang: String::new(),
            token: token.into(),
            consent: None,
        };
        // Opened as a new visitor; the session's token is kept by the site after the first message.
        assert!(!state("").other_visitor("", "v1.new"));
        assert!(!state("v1.new").other_visitor("", "v1.new"));
        // Opened with a kept token that the edge renewed.
        assert!(!state("v1.kept").other_visitor("v1.kept", "v1.renewed"));
        // identify() gave the page another visitor's token.
        assert!(state("v1.identified").other_visitor("v1.kept", "v1.kept"));
        assert!(state("v1.identified").other_visitor("", ""));
    }

    #[test]
    fn refuses_incomplete_embeddings() {
        assert!(Embedding::parse("/embed/demo", "").is_none());
        assert!(Embedding::parse("/embed/", "?host=https%3A%2F%2Fa.b").is_none());
        assert!(Embedding::parse("/other/demo", "?host=https%3A%2F%2Fa.b").is_none());
        assert!(Embedding::parse("/embed/demo", "?host=nope").is_none());
    }
}
