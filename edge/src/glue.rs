//! Small pieces of `worker` glue used by the router and every object: JSON answers, the one
//! mapping from `EdgeError` to a response, and typed calls into Durable Objects.

use crate::calls::Ask;
use crate::error::{EdgeError, EdgeResult};
use serde::{de::DeserializeOwned, Serialize};
use shared::api::ApiError;
use shared::privacy::DataRegion;
use shared::SiteId;
use worker::{
    console_error, Env, Headers, Method, Request, RequestInit, Response, SqlStorage, SqlStorageValue, State, Stub,
    WebSocket,
};

/// The clock, without a `Date` object: it is read several times for every message, and each
/// object would be garbage for V8's collector.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// A WebSocket, for `send` with a string that is already JavaScript's.
    type Socket;
    #[wasm_bindgen(method, catch, js_name = send)]
    fn send_value(this: &Socket, data: &wasm_bindgen::JsValue) -> Result<(), wasm_bindgen::JsValue>;
}

/// A frame for several sockets, made into a JavaScript string once: `send_with_str` makes a new
/// one from the WASM's bytes for every socket, garbage for V8's collector each time (an inbox
/// list frame holds a whole batch of summaries, for every inbox open).
pub struct SharedText(wasm_bindgen::JsValue);

impl SharedText {
    pub fn new(text: &str) -> Self {
        Self(wasm_bindgen::JsValue::from_str(text))
    }

    /// Refused by a socket that is closing: the caller's to ignore or log.
    pub fn send(&self, ws: &WebSocket) -> Result<(), wasm_bindgen::JsValue> {
        let ws: &web_sys::WebSocket = ws.as_ref();
        wasm_bindgen::JsCast::unchecked_ref::<Socket>(ws).send_value(&self.0)
    }
}

pub fn json<T: Serialize>(value: &T, status: u16) -> EdgeResult<Response> {
    Ok(Response::from_json(value)?.with_status(status))
}

/// Every answer of the edge says its type is final, so no browser reads a JSON error, a CSV or
/// an empty answer as HTML. Answers passed on from an object (a socket's 101) may have headers
/// that cannot change; they are left as they are.
pub fn nosniff(res: Response) -> Response {
    let _ = res.headers().set("x-content-type-options", "nosniff");
    res
}

/// The one place an error becomes a response. Causes of 5xx go to the log only.
pub fn error_response(e: &EdgeError) -> Response {
    error_answer(e, "application/json", serde_json::to_vec(&e.to_api_error()))
}

/// The REST API's error answer: problem details (`application/problem+json`, RFC 9457), with
/// the bearer challenge on `401`.
pub fn problem_response(e: &EdgeError) -> Response {
    let res = error_answer(e, "application/problem+json", serde_json::to_vec(&e.to_problem()));
    if e.status() == 401 {
        let _ = res.headers().set("www-authenticate", "Bearer realm=\"provixchat\"");
    }
    res
}

fn error_answer(e: &EdgeError, content_type: &str, body: serde_json::Result<Vec<u8>>) -> Response {
    if e.status() >= 500 {
        console_error!("{e}");
    }
    let headers = Headers::new();
    let _ = headers.set("content-type", content_type);
    let _ = headers.set("cache-control", "no-store");
    if let Some(s) = e.retry_after_s() {
        let _ = headers.set("retry-after", &s.to_string());
    }
    Response::builder().with_status(e.status()).with_headers(headers).fixed(body.unwrap_or_default())
}

/// Reads a JSON body, mapping a bad one to `malformed_frame`. Bodies are capped so a huge upload
/// cannot exhaust the isolate's memory.
pub async fn read_json<T: DeserializeOwned>(req: &mut Request) -> EdgeResult<T> {
    const MAX_BODY: usize = 64 * 1024;
    // Refused on its announced length before a byte is read; a body that lies about its length
    // (or has none announced) is still measured below.
    crate::limits::announced_body(req.headers().get("content-length")?.as_deref(), MAX_BODY)?;
    let bytes = req.bytes().await?;
    if bytes.len() > MAX_BODY {
        return Err(EdgeError::MalformedBody(format!("the body is over {MAX_BODY} bytes")));
    }
    Ok(serde_json::from_slice(&bytes)?)
}

/// The path of every typed request to an object (see `calls`); `/connect` is the only other one,
/// for socket upgrades.
const ASK_URL: &str = "https://object/ask";

/// The one path besides typed requests: a socket upgrade the router has authorised, with who is
/// on it in headers (see `open_socket`).
pub const CONNECT_PATH: &str = "/connect";

/// Forwards an authorised socket upgrade to an object; `headers` say who is on the socket. The
/// object's answer (a 101 with its socket) goes back as is; an error passes the one mapping.
pub async fn open_socket(stub: &Stub, headers: Headers) -> EdgeResult<Response> {
    headers.set("upgrade", "websocket")?;
    let mut init = RequestInit::new();
    init.with_headers(headers);
    let mut res =
        stub.fetch_with_request(Request::new_with_init(&format!("https://object{CONNECT_PATH}"), &init)?).await?;
    if res.status_code() >= 400 {
        let api: ApiError = res.json().await?;
        return Err(EdgeError::from_api(api));
    }
    Ok(res)
}

/// Sends a typed request to an object and decodes its typed answer; an error answer comes back
/// as the same `EdgeError`.
pub async fn ask<A: Ask>(stub: &Stub, request: A) -> EdgeResult<A::Answer> {
    let request: A::Request = request.into();
    let answer = exchange(stub, serde_json::to_string(&request)?).await?;
    Ok(serde_json::from_slice(&answer)?)
}

/// [`ask`] with the request already encoded: `body` is `A`'s request as [`ask`] would write it
/// (the index feed's batches, `feed::batch_body`, assembled from the updates as they came). Not
/// called by `ask`: a future awaiting another for every request type made the worker 25 KB larger.
pub async fn ask_encoded<A: Ask>(stub: &Stub, body: String) -> EdgeResult<A::Answer> {
    let answer = exchange(stub, body).await?;
    Ok(serde_json::from_slice(&answer)?)
}

/// The untyped half of [`ask`], kept out of the generic function so the worker holds one copy of
/// it rather than one per answer type.
async fn exchange(stub: &Stub, body: String) -> EdgeResult<Vec<u8>> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let res = stub.fetch_with_request(Request::new_with_init(ASK_URL, &init)?).await?;
    let failed = res.status_code() >= 400;
    // Read by the runtime in one go: `worker::Response::bytes` reads the stream chunk by chunk,
    // two promises and a copy each, which cost the index feed's batches about 2 % of the
    // runtime's time at 1,000 msg/s.
    let read = web_sys::Response::from(res).text().map_err(worker::Error::from)?;
    let text = wasm_bindgen_futures::JsFuture::from(read).await.map_err(worker::Error::from)?;
    let text = text.as_string().ok_or(EdgeError::Internal("an object's answer is not text".into()))?;
    if failed {
        let api: ApiError = serde_json::from_str(&text)?;
        return Err(EdgeError::from_api(api));
    }
    Ok(text.into_bytes())
}

/// An object's answer to a typed request: the JSON its handler produced, or the error mapped once.
pub fn answer(result: EdgeResult<String>) -> worker::Result<Response> {
    respond(result.and_then(|body| {
        let headers = Headers::new();
        headers.set("content-type", "application/json")?;
        Ok(Response::ok(body)?.with_headers(headers))
    }))
}

/// The body of a typed request, read whole (objects are only called by the edge itself).
pub async fn request_body(req: &mut Request) -> EdgeResult<Vec<u8>> {
    Ok(req.bytes().await?)
}

/// A unit enum's bare snake_case name, as objects store kinds, roles and statuses in SQLite.
pub fn name_of<T: Serialize>(value: T) -> EdgeResult<String> {
    Ok(serde_json::to_value(value)?.as_str().unwrap_or_default().to_owned())
}

/// The value a [`name_of`] name stands for.
pub fn from_name<T: DeserializeOwned>(name: String) -> EdgeResult<T> {
    Ok(serde_json::from_value(serde_json::Value::String(name))?)
}

/// Rows of a query whose one column, `json`, holds a serialized value: the one way objects keep
/// structured values in SQLite.
pub fn json_rows<T: DeserializeOwned>(
    sql: &SqlStorage,
    query: &str,
    bindings: impl Into<Option<Vec<SqlStorageValue>>>,
) -> EdgeResult<Vec<T>> {
    #[derive(serde::Deserialize)]
    struct Row {
        json: String,
    }
    let rows: Vec<Row> = sql.exec(query, bindings)?.to_array()?;
    rows.iter().map(|r| Ok(serde_json::from_slice(r.json.as_bytes())?)).collect()
}

/// The first row of [`json_rows`], if any.
pub fn json_row<T: DeserializeOwned>(
    sql: &SqlStorage,
    query: &str,
    bindings: impl Into<Option<Vec<SqlStorageValue>>>,
) -> EdgeResult<Option<T>> {
    Ok(json_rows(sql, query, bindings)?.into_iter().next())
}

/// The `id` an `INSERT … RETURNING id` gave back: `None` when it inserted nothing (an
/// `ON CONFLICT … DO NOTHING` that met its row).
pub fn inserted_id(sql: &SqlStorage, query: &str, bindings: Vec<SqlStorageValue>) -> EdgeResult<Option<i64>> {
    #[derive(serde::Deserialize)]
    struct Id {
        id: i64,
    }
    let rows: Vec<Id> = sql.exec(query, bindings)?.to_array()?;
    Ok(rows.first().map(|r| r.id))
}

/// The workspace object of `site`.
pub fn workspace_object(env: &Env, site: &SiteId) -> EdgeResult<Stub> {
    site_object(env, "WORKSPACE", site, site.as_str())
}

/// The webhooks object of `site` (its endpoints and deliveries).
pub fn webhooks_object(env: &Env, site: &SiteId) -> EdgeResult<Stub> {
    site_object(env, "WEBHOOKS", site, site.as_str())
}

/// The index feed a conversation's updates go through (`crate::feed`), `SITE:feed:N`.
pub fn feed_object(env: &Env, site: &SiteId, conversation: &shared::ConversationId) -> EdgeResult<Stub> {
    site_object(env, "INDEX_FEED", site, &format!("{site}:feed:{}", crate::feed::logic::shard_of(conversation)))
}

/// A conversation's object, named by site and id so an id from one workspace can never reach
/// another's object.
pub fn conversation_object(env: &Env, site: &SiteId, id: &shared::ConversationId) -> EdgeResult<Stub> {
    site_object(env, "CONVERSATION", site, &format!("{site}:{id}"))
}

/// A visitor's object (`SITE:VISITOR_ID`).
pub fn visitor_object(env: &Env, site: &SiteId, visitor: &shared::VisitorId) -> EdgeResult<Stub> {
    site_object(env, "VISITOR", site, &format!("{site}:{visitor}"))
}

/// One of a workspace's objects (`WORKSPACE`, `CONVERSATION`, `VISITOR`) by name, addressed in
/// the workspace's data region: an EU workspace's objects are created and kept in the EU
/// jurisdiction. `workers-rs` has no binding for `namespace.jurisdiction()`, so it is called
/// through JS.
fn site_object(env: &Env, binding: &str, site: &SiteId, name: &str) -> EdgeResult<Stub> {
    use wasm_bindgen::JsCast;
    let mut namespace = env.durable_object(binding)?;
    // Off only where the runtime has no jurisdictions (local workerd throws "not implemented").
    let enforced = env.var("JURISDICTIONS").map(|v| v.to_string() != "off").unwrap_or(true);
    if let Some(jurisdiction) = DataRegion::of(site).jurisdiction().filter(|_| enforced) {
        let js =
            |e: wasm_bindgen::JsValue| EdgeError::Internal(format!("{binding} jurisdiction {jurisdiction}: {e:?}"));
        let pick: js_sys::Function =
            js_sys::Reflect::get(namespace.as_ref(), &"jurisdiction".into()).map_err(js)?.dyn_into().map_err(js)?;
        namespace = pick.call1(namespace.as_ref(), &jurisdiction.into()).map_err(js)?.unchecked_into();
    }
    Ok(namespace.get_by_name(name)?)
}

/// An alarm time as an instant (ms since the epoch): a bare `i64` would be read as an offset.
pub fn at_time(ms: i64) -> worker::ScheduledTime {
    worker::ScheduledTime::new(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64)))
}

/// A retention period of `days` in milliseconds. The length of a day comes from the
/// `RETENTION_DAY_MS` variable when set: the end-to-end tests shorten it to see deletions happen.
pub fn retention_ms(env: &Env, days: Option<u32>) -> Option<i64> {
    const DAY_MS: i64 = 24 * 60 * 60 * 1000;
    let day = env.var("RETENTION_DAY_MS").ok().and_then(|v| v.to_string().parse().ok()).unwrap_or(DAY_MS);
    days.map(|d| i64::from(d) * day)
}

/// Runs an object's route handler, turning its error into the shared error answer.
pub fn respond(result: EdgeResult<Response>) -> worker::Result<Response> {
    Ok(result.unwrap_or_else(|e| error_response(&e)))
}

/// Creates an object's tables. `exec` is synchronous, so the schema exists before any request;
/// a failure is logged and surfaces as an internal error on first use.
pub fn create_schema(state: &State, object: &str, ddl: &[&str]) {
    let sql = state.storage().sql();
    for statement in ddl {
        if let Err(e) = sql.exec(statement, None) {
            console_error!("{object} schema: {e}");
        }
    }
}

/// Applies each named schema change once, in order, recording it in `_migrations`: the tables
/// of objects created by an older build grow the columns a newer one needs.
pub fn migrate(state: &State, object: &str, steps: &[(&str, &str)]) {
    #[derive(serde::Deserialize)]
    struct Done {
        name: String,
    }
    let sql = state.storage().sql();
    let done: Vec<String> = sql
        .exec("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY)", None)
        .and_then(|_| sql.exec("SELECT name FROM _migrations", None))
        .and_then(|c| c.to_array::<Done>())
        .map(|rows| rows.into_iter().map(|d| d.name).collect())
        .unwrap_or_default();
    for (name, statement) in steps.iter().filter(|(name, _)| !done.iter().any(|d| d == name)) {
        let applied = sql
            .exec(statement, None)
            .and_then(|_| sql.exec("INSERT INTO _migrations (name) VALUES (?)", vec![(*name).into()]));
        if let Err(e) = applied {
            console_error!("{object} migration {name}: {e}");
        }
    }
}

/// Completes a closing handshake; 1005 and 1006 are reserved and cannot be sent back.
pub fn close_socket(ws: &WebSocket, code: usize) {
    let code = if code == 1005 || code == 1006 { 1000 } else { code as u16 };
    let _ = ws.close(Some(code), Some("closed"));
}

/// A query parameter of the request's URL, decoded.
pub fn query(url: &worker::Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// The weekday (0 = Monday) and minute of the day now in an IANA time zone, from the runtime's
/// `Intl`; `None` for a zone it does not know.
pub fn local_time(time_zone: &str) -> Option<(u8, u16)> {
    use js_sys::{Array, Function, Object, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor: Function = Reflect::get(&intl, &"DateTimeFormat".into()).ok()?.dyn_into().ok()?;
    let options = Object::new();
    for (k, v) in [
        ("timeZone", time_zone),
        ("weekday", "short"),
        ("hour", "numeric"),
        ("minute", "numeric"),
        ("hourCycle", "h23"),
    ] {
        Reflect::set(&options, &k.into(), &v.into()).ok()?;
    }
    // An unknown zone throws a RangeError: constructing through Reflect turns it into `None`.
    let format = Reflect::construct(&ctor, &Array::of2(&"en-US".into(), &options)).ok()?;
    let to_parts: Function = Reflect::get(&format, &"formatToParts".into()).ok()?.dyn_into().ok()?;
    let parts: Array = to_parts.call0(&format).ok()?.dyn_into().ok()?;
    let part = |name: &str| -> Option<String> {
        parts
            .iter()
            .find(|p| Reflect::get(p, &"type".into()).ok().and_then(|t| t.as_string()).as_deref() == Some(name))
            .and_then(|p| Reflect::get(&p, &"value".into()).ok())
            .and_then(|v: JsValue| v.as_string())
    };
    let weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        .iter()
        .position(|d| Some(*d) == part("weekday").as_deref())?;
    let hour: u16 = part("hour")?.parse().ok()?;
    let minute: u16 = part("minute")?.parse().ok()?;
    Some((weekday as u8, (hour % 24) * 60 + minute))
}

/// The postbox of `address` (one object per lower-cased address): every mail leaves through it.
pub fn postbox_object(env: &Env, address: &str) -> EdgeResult<Stub> {
    Ok(env.durable_object("POSTBOX")?.get_by_name(&address.to_lowercase())?)
}

/// The deployment's sender address (`MAIL_FROM`).
pub fn mail_from(env: &Env) -> String {
    env.var("MAIL_FROM").map(|v| v.to_string()).unwrap_or_else(|_| crate::mail::DEFAULT_FROM.to_owned())
}

/// The edge's public origin (`PUBLIC_ORIGIN`), for links in mail an object sends on its own
/// (an alarm has no request to take it from).
pub fn public_origin(env: &Env) -> String {
    env.var("PUBLIC_ORIGIN").map(|v| v.to_string().trim_end_matches('/').to_owned()).unwrap_or_default()
}

/// Counts one mail against its site's hourly budget (`SITE_MAIL_PER_HOUR`, default 1,000: digests,
/// visitors' replies and invites, whoever they go to). The per-address limits are the postbox's;
/// this one stops a site (or someone abusing it) from mailing without end.
pub async fn site_mail_budget(env: &Env, site: &SiteId) -> EdgeResult<crate::rate_limit::Verdict> {
    let limit = env.var("SITE_MAIL_PER_HOUR").ok().and_then(|v| v.to_string().parse().ok()).unwrap_or(1_000);
    rate_limit(env, &format!("mail:{site}"), limit, 3_600_000, None).await
}

/// Counts one hit on `key` against `limit` per `window_ms` in its rate limiter object; `at`:
/// when the request arrived (see `rate_limit::Hit`).
pub async fn rate_limit(
    env: &Env,
    key: &str,
    limit: u32,
    window_ms: i64,
    at: Option<i64>,
) -> EdgeResult<crate::rate_limit::Verdict> {
    let limiter = env.durable_object("RATE_LIMITER")?.get_by_name(key)?;
    ask(&limiter, crate::rate_limit::Hit { limit, window_ms, at }).await
}
