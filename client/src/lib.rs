//! Browser-side pieces shared by the widget and the inbox: the conversation state both render
//! (`chat`), the exactly-once delivery layer (`delivery`), the reconnecting socket (`socket`) and the
//! `use_chat` hook over it (`hooks`), JSON over HTTP (`http`), and the message list and composer components.
//!
//! `cargo test -p client` checks the pure modules natively; the components are tested in
//! headless Chromium with `wasm-bindgen-test` (see `tests/`).

pub mod chat;
pub mod components;
pub mod delivery;
#[cfg(target_arch = "wasm32")]
pub mod hooks;
#[cfg(target_arch = "wasm32")]
pub mod http;
#[cfg(target_arch = "wasm32")]
pub mod json;
#[cfg(target_arch = "wasm32")]
pub mod socket;

/// A fresh client message id: "c_" and 16 random hex digits from WebCrypto.
#[cfg(target_arch = "wasm32")]
pub fn new_client_id() -> shared::ClientMsgId {
    let mut bytes = [0u8; 8];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    // 18 characters of [a-z0-9_] always parse; the fallback cannot be reached.
    shared::ClientMsgId::parse(&format!("c_{hex}")).unwrap_or_else(|_| unreachable!())
}

/// Hours and minutes of a timestamp, in the browser's time zone.
#[cfg(target_arch = "wasm32")]
pub fn clock(at_ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// The calendar day of a timestamp in the browser's time zone and language ("Wed, 25 Nov 2026").
#[cfg(target_arch = "wasm32")]
pub fn day(at_ms: i64) -> String {
    day_in(at_ms, "default")
}

/// The same in `lang` (`de`: "Mi., 25. Nov. 2026").
#[cfg(target_arch = "wasm32")]
pub fn day_in(at_ms: i64, lang: &str) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
    let options = js_sys::Object::new();
    for (k, v) in [("weekday", "short"), ("day", "numeric"), ("month", "short"), ("year", "numeric")] {
        let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
    }
    d.to_locale_date_string(lang, &options).into()
}
