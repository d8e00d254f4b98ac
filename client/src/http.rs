//! JSON over HTTP to the edge's API on the page's own origin. Errors arrive as the edge's
//! `ApiError`; a network failure becomes one too, so callers handle a single type.

use crate::json::JsJson;
use shared::to_json::ToJson;
use shared::{api::ApiError, ErrorCode};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCredentials, RequestInit, Response};

fn network_error() -> ApiError {
    ApiError {
        error: ErrorCode::Internal,
        message: "cannot reach the server; check your connection".into(),
        retry_after_s: None,
    }
}

/// Posts JSON (encoded with `shared::to_json`, not serde) and returns the answer as a JavaScript
/// value, for a caller that only passes the answer on (decoding it in Rust would cost the WASM a
/// decoder it does not need).
pub async fn post_passing_through<B: ToJson>(path: &str, body: &B) -> Result<wasm_bindgen::JsValue, ApiError> {
    let text = fetch_text("POST", path, Some(body.to_json())).await?;
    js_sys::JSON::parse(&text).map_err(|_| network_error())
}

/// A `GET`, its answer decoded with `shared::json` rather than serde (serde's decoders cost the
/// WASM far more).
pub async fn get_json<T>(path: &str, decode: fn(&JsJson) -> Option<T>) -> Result<T, ApiError> {
    decoded(&fetch_text("GET", path, None).await?, decode)
}

/// A `POST`, its body encoded with `shared::to_json` and its answer decoded with `shared::json`
/// (see [`get_json`]).
pub async fn post_json<B: ToJson, T>(path: &str, body: &B, decode: fn(&JsJson) -> Option<T>) -> Result<T, ApiError> {
    decoded(&fetch_text("POST", path, Some(body.to_json())).await?, decode)
}

/// The body of a request that carries nothing: `{}`.
pub struct NoBody;

impl ToJson for NoBody {
    fn to_json(&self) -> String {
        "{}".into()
    }
}

/// A `DELETE` without a body, its answer decoded as [`get_json`] does.
pub async fn delete(path: &str, decode: fn(&JsJson) -> Option<()>) -> Result<(), ApiError> {
    decoded(&fetch_text("DELETE", path, None).await?, decode)
}

/// A `PUT`, encoded and decoded as [`post_json`] does.
pub async fn put_json<B: ToJson, T>(path: &str, body: &B, decode: fn(&JsJson) -> Option<T>) -> Result<T, ApiError> {
    decoded(&fetch_text("PUT", path, Some(body.to_json())).await?, decode)
}

/// For a request where only success matters: any JSON answer will do, a body that is not JSON
/// is still a failure.
pub fn any_answer(_: &JsJson) -> Option<()> {
    Some(())
}

/// An answer's text through `shared::json`; anything else than what `decode` expects is a failure
/// to reach the edge as it should be.
fn decoded<T>(text: &str, decode: fn(&JsJson) -> Option<T>) -> Result<T, ApiError> {
    crate::json::parse(text).as_ref().and_then(decode).ok_or_else(network_error)
}

/// The body of a successful answer; an error answer becomes its `ApiError`.
async fn fetch_text(method: &str, path: &str, body: Option<String>) -> Result<String, ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    if let Some(body) = body {
        init.set_body(&body.into());
    }
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| network_error())?;
    if body_is_json(method) {
        let _ = request.headers().set("content-type", "application/json");
    }
    let window = web_sys::window().ok_or_else(network_error)?;
    let response: Response =
        JsFuture::from(window.fetch_with_request(&request)).await.map_err(|_| network_error())?.unchecked_into();
    let text = JsFuture::from(response.text().map_err(|_| network_error())?).await.map_err(|_| network_error())?;
    let text = text.as_string().unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        // Decoded without serde, so the widget's WASM has no serde decoder for it.
        Err(crate::json::parse(&text).as_ref().and_then(ApiError::from_json).unwrap_or_else(network_error))
    }
}

fn body_is_json(method: &str) -> bool {
    method == "POST" || method == "PUT"
}
