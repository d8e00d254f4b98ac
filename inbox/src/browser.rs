//! The few browser calls the admin pages need beyond the crate's web-sys features: the clipboard,
//! the URL hash, form values, saving a file and the agent's time zone. Bound here once so components read as
//! plain Rust, and so the inbox does not pull in a web-sys feature per call.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// Undefined outside secure contexts, hence `catch`: the call then throws instead of copying.
    #[wasm_bindgen(catch, js_namespace = ["navigator", "clipboard"], js_name = writeText)]
    fn clipboard_write_text(text: &str) -> Result<js_sys::Promise, JsValue>;
    /// The old way: copies the current selection. Used when the clipboard API refuses (an
    /// unfocused document, an older browser).
    #[wasm_bindgen(catch, js_namespace = document, js_name = execCommand)]
    fn exec_command(command: &str) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = history, js_name = replaceState)]
    fn history_replace_state(state: &JsValue, unused: &str, url: &str) -> Result<(), JsValue>;
    type Blob;
    #[wasm_bindgen(catch, constructor)]
    fn new(parts: &js_sys::Array, options: &js_sys::Object) -> Result<Blob, JsValue>;
    #[wasm_bindgen(catch, js_namespace = URL, js_name = createObjectURL)]
    fn create_object_url(blob: &Blob) -> Result<String, JsValue>;
    #[wasm_bindgen(js_namespace = URL, js_name = revokeObjectURL)]
    fn revoke_object_url(url: &str);
}

/// Copies `text`; `select` first selects it in its readonly box so the fallback, and a person
/// pressing Ctrl+C after a refusal, copy the right thing. Whether it was copied.
pub async fn copy(text: &str, select: impl FnOnce()) -> bool {
    select();
    if let Ok(promise) = clipboard_write_text(text) {
        if JsFuture::from(promise).await.is_ok() {
            return true;
        }
    }
    exec_command("copy").unwrap_or(false)
}

/// Saves `text` as a file called `name` (the browser's download), for data the page fetched
/// itself: a plain link cannot carry the POST a data export is. Whether the download started.
pub fn save_file(name: &str, mime: &str, text: &str) -> bool {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"type".into(), &mime.into());
    let Ok(blob) = Blob::new(&js_sys::Array::of1(&text.into()), &options) else { return false };
    let Ok(url) = create_object_url(&blob) else { return false };
    let link = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok());
    let started = link.is_some_and(|a| {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", name);
        a.click();
        true
    });
    // The download has read the blob by the next tick; the URL would otherwise hold it until
    // the page closes.
    client::hooks::after(1000, move || revoke_object_url(&url));
    started
}

/// `value` as indented JSON, the way a person opening a downloaded file wants to read it.
pub fn pretty_json(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify_with_replacer_and_space(value, &JsValue::NULL, &JsValue::from_f64(2.0))
        .ok()
        .and_then(|s| s.as_string())
}

/// The page's URL hash, `#…` or empty.
pub fn hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Drops the hash without a reload or a history entry, so Back does not return to a used invite.
pub fn clear_hash() {
    let Some(location) = web_sys::window().map(|w| w.location()) else { return };
    let path = location.pathname().unwrap_or_else(|_| "/inbox".into());
    let search = location.search().unwrap_or_default();
    let _ = history_replace_state(&JsValue::NULL, "", &format!("{path}{search}"));
}

/// The page's origin, which is the edge's: the snippet loads the widget from here.
pub fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

/// The `value` of the input, textarea or select an event came from.
pub fn value(e: &web_sys::Event) -> String {
    e.target()
        .and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Sets the `value` of the control an event came from, to undo a change the edge refused.
pub fn set_value(e: &web_sys::Event, value: &str) {
    if let Some(t) = e.target() {
        let _ = js_sys::Reflect::set(&t, &"value".into(), &value.into());
    }
}

/// Whether the checkbox an event came from is ticked.
pub fn checked(e: &web_sys::Event) -> bool {
    e.target().and_then(|t| js_sys::Reflect::get(&t, &"checked".into()).ok()).and_then(|v| v.as_bool()).unwrap_or(false)
}

/// The browser's IANA time zone, the natural default for business hours.
pub fn time_zone() -> String {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".into())
}

/// Up to two of `firsts` that are letters, uppercased: the browser's `\p{Alphabetic}` and
/// `toUpperCase` are `char::is_alphabetic` and `char::to_uppercase` (the same Unicode tables),
/// and leave the WASM without Rust's copies of those tables (about 6 KB gzip).
pub fn upper_initials(firsts: &str) -> String {
    let letter = js_sys::RegExp::new(r"^\p{Alphabetic}$", "u");
    let two: String = firsts.chars().filter(|c| letter.test(c.encode_utf8(&mut [0; 4]))).take(2).collect();
    js_sys::JsString::from(two).to_upper_case().into()
}

/// Day and time of a timestamp, in the agent's language and time zone.
pub fn when(at_ms: i64) -> String {
    format!("{}, {}", client::day(at_ms), client::clock(at_ms))
}
