//! The iframe's side of the conversation with the loader on the host page: messages go to the
//! exact host origin (never `*`), and only messages from that origin and from the parent window
//! are heard.

/// Where the widget is embedded: the site id from the path (`/embed/SITE`), the host page's
/// origin from `?host=` (the edge has already checked it against the site's allowed domains), and
/// the visitor token the loader kept from an earlier visit, from the fragment `#t=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embedding {
    pub site: String,
    pub host: String,
    pub token: Option<String>,
}

fn param(s: &str, name: &str) -> Option<String> {
    s.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| percent_decode(v))
}

impl Embedding {
    pub fn parse(path: &str, query: &str, fragment: &str) -> Option<Self> {
        let site = path.strip_prefix("/embed/")?.trim_end_matches('/');
        let host = param(query.trim_start_matches('?'), "host")?;
        let token = param(fragment.trim_start_matches('#'), "t").filter(|t| !t.is_empty());
        (!site.is_empty() && !site.contains('/') && host.contains("://")).then(|| Self { site: site.to_owned(), host, token })
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

/// What the widget tells the loader.
#[cfg(target_arch = "wasm32")]
pub enum ToHost<'a> {
    /// Hide the panel (the visitor pressed Close or Escape).
    Close,
    /// Keep this visitor token in the site's storage: the visitor has started a chat.
    Token(&'a str),
}

#[cfg(target_arch = "wasm32")]
pub fn post_to_host(host: &str, msg: ToHost) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    let obj = js_sys::Object::new();
    let (kind, token) = match msg {
        ToHost::Close => ("close", None),
        ToHost::Token(t) => ("token", Some(t)),
    };
    let _ = js_sys::Reflect::set(&obj, &"pvx".into(), &kind.into());
    if let Some(t) = token {
        let _ = js_sys::Reflect::set(&obj, &"token".into(), &t.into());
    }
    let _ = parent.post_message(&obj, host);
}

/// Listens for the loader's "the panel was opened again" message, heard only from the parent
/// window on the host's exact origin. The listener goes away with the returned guard.
#[cfg(target_arch = "wasm32")]
pub fn on_host_open(host: String, on_open: impl Fn() + 'static) -> Option<HostListener> {
    use wasm_bindgen::{closure::Closure, JsCast};
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    let closure = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        let from_parent = e.source().is_some_and(|s| js_sys::Object::is(&s, &parent));
        let kind = js_sys::Reflect::get(&e.data(), &"pvx".into()).ok().and_then(|v| v.as_string());
        if e.origin() == host && from_parent && kind.as_deref() == Some("open") {
            on_open();
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

/// Puts the keyboard focus in the composer, so a visitor who opened the chat can type at once.
#[cfg(target_arch = "wasm32")]
pub fn focus_composer() {
    use wasm_bindgen::JsCast;
    let el = web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector("textarea").ok().flatten());
    if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_site_and_host() {
        let e = Embedding::parse("/embed/demo", "?host=http%3A%2F%2F127.0.0.1%3A8787", "").unwrap();
        assert_eq!(e, Embedding { site: "demo".into(), host: "http://127.0.0.1:8787".into(), token: None });
        let e = Embedding::parse("/embed/demo", "?host=https%3A%2F%2Fa.b", "#t=v1.demo.x.y.z").unwrap();
        assert_eq!(e.token.as_deref(), Some("v1.demo.x.y.z"));
    }

    #[test]
    fn refuses_incomplete_embeddings() {
        assert!(Embedding::parse("/embed/demo", "", "").is_none());
        assert!(Embedding::parse("/embed/", "?host=https%3A%2F%2Fa.b", "").is_none());
        assert!(Embedding::parse("/other/demo", "?host=https%3A%2F%2Fa.b", "").is_none());
        assert!(Embedding::parse("/embed/demo", "?host=nope", "").is_none());
    }
}
