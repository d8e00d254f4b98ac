//! JSON over HTTP to the edge's API on the page's own origin. Errors arrive as the edge's
//! `ApiError`; a network failure becomes one too, so callers handle a single type.

use crate::json::JsJson;
use serde::{de::DeserializeOwned, Serialize};
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

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    fetch("GET", path, None).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let body = serde_json::to_string(body).map_err(|_| network_error())?;
    fetch("POST", path, Some(body)).await
}

pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let body = serde_json::to_string(body).map_err(|_| network_error())?;
    fetch("PUT", path, Some(body)).await
}

pub async fn delete<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    fetch("DELETE", path, None).await
}

/// Posts JSON (encoded with `shared::to_json`, not serde) and returns the answer as a JavaScript
/// value, for a caller that only passes the answer on (decoding it in Rust would cost the WASM a
/// decoder it does not need).
pub async fn post_passing_through<B: ToJson>(path: &str, body: &B) -> Result<wasm_bindgen::JsValue, ApiError> {
    let text = fetch_text("POST", path, Some(body.to_json())).await?;
    js_sys::JSON::parse(&text).map_err(|_| network_error())
}

/// Like [`get`], decoding the answer with `shared::json` rather than serde (the widget's way: a
/// much smaller WASM).
pub async fn get_json<T>(path: &str, decode: fn(&JsJson) -> Option<T>) -> Result<T, ApiError> {
    decoded(&fetch_text("GET", path, None).await?, decode)
}

/// Like [`post`], encoding the body with `shared::to_json` and decoding the answer with
/// `shared::json` (see [`get_json`]).
pub async fn post_json<B: ToJson, T>(path: &str, body: &B, decode: fn(&JsJson) -> Option<T>) -> Result<T, ApiError> {
    decoded(&fetch_text("POST", path, Some(body.to_json())).await?, decode)
}

/// A request with a serde-encoded body (none for `None`), its answer decoded with `shared::json`
/// (see [`get_json`]): the inbox's requests, whose bodies serde still encodes.
pub async fn send_json<B: Serialize, T>(
    method: &str,
    path: &str,
    body: Option<&B>,
    decode: fn(&JsJson) -> Option<T>,
) -> Result<T, ApiError> {
    let body = body.map(serde_json::to_string).transpose().map_err(|_| network_error())?;
    decoded(&fetch_text(method, path, body).await?, decode)
}

/// For [`send_json`] where only success matters: any JSON answer will do (as a
/// `serde_json::Value` would), a body that is not JSON is still a failure.
pub fn any_answer(_: &JsJson) -> Option<()> {
    Some(())
}

/// An answer's text through `shared::json`; anything else than what `decode` expects is a failure
/// to reach the edge as it should be.
fn decoded<T>(text: &str, decode: fn(&JsJson) -> Option<T>) -> Result<T, ApiError> {
    crate::json::parse(text).as_ref().and_then(decode).ok_or_else(network_error)
}

async fn fetch<T: DeserializeOwned>(method: &str, path: &str, body: Option<String>) -> Result<T, ApiError> {
    let text = fetch_text(method, path, body).await?;
    serde_json::from_str(&text).map_err(|_| network_error())
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
