//! What `JSON.parse` gave, read as a [`shared::json::Json`] value: the widget decodes its frames
//! and bodies this way rather than with serde (see `shared::json` for why).

use shared::json::Json;
use wasm_bindgen::{JsCast, JsValue};

pub struct JsJson(pub JsValue);

/// Parses JSON text in the browser; `None` when it is not JSON.
pub fn parse(text: &str) -> Option<JsJson> {
    js_sys::JSON::parse(text).ok().map(JsJson)
}

impl Json for JsJson {
    fn field(&self, key: &str) -> Option<Self> {
        if !self.0.is_object() {
            return None;
        }
        let value = js_sys::Reflect::get(&self.0, &key.into()).ok()?;
        (!value.is_null() && !value.is_undefined()).then_some(JsJson(value))
    }
    fn string(&self) -> Option<String> {
        self.0.as_string()
    }
    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        let array = self.0.dyn_ref::<js_sys::Array>()?;
        Some(array.iter().map(JsJson).collect())
    }
    fn entries(&self) -> Option<Vec<(String, Self)>> {
        if !self.0.is_object() || js_sys::Array::is_array(&self.0) {
            return None;
        }
        // `Object.entries`: each an array of the key and the value.
        let entries = js_sys::Object::entries(self.0.unchecked_ref());
        entries
            .iter()
            .map(|entry| {
                let pair: js_sys::Array = entry.unchecked_into();
                Some((pair.get(0).as_string()?, JsJson(pair.get(1))))
            })
            .collect()
    }
}
