//! A WebSocket that reconnects on its own (exponential back-off, 0.5 s up to 15 s) and runs the
//! exactly-once `Delivery` layer, so callers only say "send this" and get server frames back.

use crate::chat::Connection;
use crate::delivery::{Delivery, Outgoing};
use shared::{ClientMsg, ClientMsgId, ErrorCode, ServerMsg};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{MessageEvent, WebSocket};
use yew::Callback;

const MAX_BACKOFF_MS: i32 = 15_000;

type Handler = Closure<dyn FnMut(JsValue)>;

#[derive(Clone)]
pub struct ChatSocket {
    inner: Rc<Inner>,
}

impl PartialEq for ChatSocket {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

struct Inner {
    url: String,
    ws: RefCell<Option<WebSocket>>,
    delivery: RefCell<Delivery>,
    on_message: Callback<ServerMsg>,
    on_connection: Callback<Connection>,
    attempts: Cell<u32>,
    stopped: Cell<bool>,
    /// The current socket's event handlers, kept alive as long as it is.
    handlers: RefCell<Vec<Handler>>,
    /// A resend of messages sent too fast is waiting (one timer for all of them).
    retry_pending: Cell<bool>,
}

impl ChatSocket {
    pub fn open(url: String, on_message: Callback<ServerMsg>, on_connection: Callback<Connection>) -> Self {
        let inner = Rc::new(Inner {
            url,
            ws: RefCell::new(None),
            retry_pending: Cell::new(false),
            delivery: RefCell::new(Delivery::default()),
            on_message,
            on_connection,
            attempts: Cell::new(0),
            stopped: Cell::new(false),
            handlers: RefCell::new(Vec::new()),
        });
        connect(&inner);
        Self { inner }
    }

    /// Sends now if the socket is welcomed, otherwise after the next welcome. Never twice.
    pub fn send(&self, client_id: ClientMsgId, body: String, note: bool) {
        let frame = self.inner.delivery.borrow_mut().send(Outgoing { client_id, body, note });
        if let Some(frame) = frame {
            self.inner.transmit(&frame);
        }
    }

    /// Sends a frame that is not a message (see `Delivery::frame`: changes wait for the next
    /// welcome, passing signals are dropped while the socket is down).
    pub fn frame(&self, frame: &ClientMsg) {
        let now = self.inner.delivery.borrow_mut().frame(frame.clone());
        if let Some(frame) = now {
            self.inner.transmit(&frame);
        }
    }

    pub fn close(&self) {
        self.inner.stopped.set(true);
        if let Some(ws) = self.inner.ws.borrow_mut().take() {
            // Detach the handlers first: the close event fires later, after they are freed.
            ws.set_onopen(None);
            ws.set_onmessage(None);
            ws.set_onclose(None);
            let _ = ws.close();
        }
        self.inner.handlers.borrow_mut().clear();
    }
}

impl Inner {
    fn transmit(&self, frame: &ClientMsg) {
        if let Some(ws) = self.ws.borrow().as_ref() {
            // A failed send means the socket is closing; the frame stays pending and is resent
            // after the reconnect's welcome.
            let _ = ws.send_with_str(&frame.encode());
        }
    }
}

fn connect(inner: &Rc<Inner>) {
    if inner.stopped.get() {
        return;
    }
    let Ok(ws) = WebSocket::new(&inner.url) else {
        schedule_reconnect(inner);
        return;
    };
    let weak = Rc::downgrade(inner);
    let on_open = handler(&weak, |inner, _| {
        inner.attempts.set(0);
        inner.on_connection.emit(Connection::Online);
        let hello = inner.delivery.borrow_mut().on_open();
        inner.transmit(&hello);
    });
    let on_message = handler(&weak, |inner, event| {
        let Some(text) = event.dyn_ref::<MessageEvent>().and_then(|e| e.data().as_string()) else { return };
        let Some(msg) = decode(&text) else { return };
        let resends = inner.delivery.borrow_mut().on_server(&msg);
        resends.iter().for_each(|frame| inner.transmit(frame));
        if let ServerMsg::Error { code: ErrorCode::RateLimited, client_id: Some(_), retry_after_s, .. } = &msg {
            retry_later(inner, retry_after_s.unwrap_or(5));
        }
        inner.on_message.emit(msg);
    });
    let on_close = handler(&weak, |inner, event| {
        inner.delivery.borrow_mut().on_close();
        let code = event.dyn_ref::<web_sys::CloseEvent>().map(|e| e.code());
        if code.and_then(shared::CloseCode::from_code).is_some() {
            inner.stopped.set(true);
            inner.on_connection.emit(Connection::Ended);
        } else if !inner.stopped.get() {
            inner.on_connection.emit(Connection::Reconnecting);
            schedule_reconnect(inner);
        }
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    *inner.handlers.borrow_mut() = vec![on_open, on_message, on_close];
    *inner.ws.borrow_mut() = Some(ws);
}

/// Sends the messages refused for going too fast again once the edge's wait is over (plus a
/// moment). One timer for all of them, and they go again in the order they were written, so a
/// burst keeps its order; any the edge stored meanwhile only get their ack again.
fn retry_later(inner: &Rc<Inner>, after_s: i64) {
    if inner.retry_pending.replace(true) {
        return;
    }
    let weak = Rc::downgrade(inner);
    let ms = (after_s.clamp(1, 600) * 1000 + 250) as u32;
    crate::hooks::after(ms, move || {
        let Some(inner) = weak.upgrade() else { return };
        inner.retry_pending.set(false);
        let frames = inner.delivery.borrow().retry();
        frames.iter().for_each(|frame| inner.transmit(frame));
    });
}

/// A frame from the edge, with `shared::json` rather than serde (a much smaller WASM): with the
/// agents' frames where they are wanted (the inbox), without them in the widget.
#[cfg(feature = "agent-frames")]
fn decode(text: &str) -> Option<ServerMsg> {
    ServerMsg::from_json_for_agents(&crate::json::parse(text)?)
}

#[cfg(not(feature = "agent-frames"))]
fn decode(text: &str) -> Option<ServerMsg> {
    ServerMsg::from_json(&crate::json::parse(text)?)
}

fn handler(weak: &Weak<Inner>, f: impl Fn(&Rc<Inner>, JsValue) + 'static) -> Handler {
    let weak = weak.clone();
    Closure::new(move |event: JsValue| {
        if let Some(inner) = weak.upgrade() {
            f(&inner, event);
        }
    })
}

fn schedule_reconnect(inner: &Rc<Inner>) {
    let attempt = inner.attempts.get();
    inner.attempts.set(attempt + 1);
    let delay = (500i32 << attempt.min(5)).min(MAX_BACKOFF_MS);
    let weak = Rc::downgrade(inner);
    let retry = Closure::once_into_js(move || {
        if let Some(inner) = weak.upgrade() {
            connect(&inner);
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(retry.unchecked_ref(), delay);
    }
}

/// `ws://` or `wss://` URL for a path on the page's own origin.
pub fn socket_url(path: &str) -> String {
    let location = web_sys::window().map(|w| w.location());
    let host = location.as_ref().and_then(|l| l.host().ok()).unwrap_or_default();
    let secure = location.and_then(|l| l.protocol().ok()).is_some_and(|p| p == "https:");
    format!("{}://{host}{path}", if secure { "wss" } else { "ws" })
}
