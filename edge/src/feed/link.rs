//! A conversation's link to its feed: a WebSocket the conversation opens to the feed the first
//! time it has an update, keeps while it talks, and closes after [`LINK_IDLE_MS`] (to twice that)
//! without one.
//!
//! Why a socket: a typed call (a `fetch` between objects) cost about 0.34 ms of the runtime's CPU
//! per message, more than the rest of the conversation's work; a frame on an open socket costs a
//! fraction of it. Updates on the link are not answered: the feed tells the conversation only of a
//! batch that failed (`IndexFailed`), and a link that closes under the conversation counts as a
//! failure of whatever was on it. Either way the conversation repairs its index entry later, as
//! after a failed call; the workspace ignores an update older than the one it has, so an update
//! repeated or overtaken by a repair does no harm.

use super::logic::{link_idle, LINK_IDLE_MS};
use super::Forward;
use crate::conversation::IndexFailed;
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, conversation_object, feed_object, now_ms, open_socket};
use shared::api::ApiError;
use shared::{ConversationId, ErrorCode, SiteId};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use worker::{console_error, Delay, Env, Headers, WebSocket};

/// The conversation's side of its link; empty until the first update.
#[derive(Default)]
pub struct Link(Rc<Slot>);

#[derive(Default)]
struct Slot {
    open: RefCell<Option<Rc<Open>>>,
    /// A link is being opened: updates meanwhile take a typed call rather than a second link.
    opening: Cell<bool>,
}

struct Open {
    ws: WebSocket,
    used: Cell<i64>,
    /// Set when the conversation closes the link itself (idle), so its close is no failure.
    closing: Cell<bool>,
}

impl Link {
    /// Sends `forward` over the link, opening it first if there is none. `Ok(false)`: no link
    /// right now (another frame is opening it); the caller sends a typed call instead, as it does
    /// after an error.
    pub async fn send(&self, env: &Env, forward: &Forward) -> EdgeResult<bool> {
        let text = super::link_frame(forward)?;
        let open = self.0.open.borrow().clone();
        let open = match open {
            Some(open) => open,
            None if self.0.opening.get() => return Ok(false),
            None => {
                self.0.opening.set(true);
                let opened = self.open(env, &forward.site, &forward.update.summary.id).await;
                self.0.opening.set(false);
                opened?
            }
        };
        // Bytes, not a string: a string sent from WASM is a JavaScript string first, and a heap
        // profile at 1,000 msg/s found the sent strings outliving V8's young generation, the
        // largest part of what its old generation collects. A binary frame is copied into an
        // ArrayBuffer outside V8's heap.
        if let Err(e) = open.ws.send_with_bytes(text.as_bytes()) {
            forget(&self.0, &open);
            return Err(e.into());
        }
        open.used.set(now_ms());
        Ok(true)
    }

    async fn open(&self, env: &Env, site: &SiteId, id: &ConversationId) -> EdgeResult<Rc<Open>> {
        let res = open_socket(&feed_object(env, site, id)?, Headers::new()).await?;
        let ws = res.websocket().ok_or(EdgeError::Internal("the feed did not accept a link".into()))?;
        ws.accept()?;
        let open = Rc::new(Open { ws, used: Cell::new(now_ms()), closing: Cell::new(false) });
        let (watched, slot, env, site, id) = (open.clone(), self.0.clone(), env.clone(), site.clone(), id.clone());
        // Only the end is heard of: the feed sends nothing on a link.
        super::socket::listen(open.ws.as_ref(), None, move || closed(watched, slot, env, site, id))?;
        *self.0.open.borrow_mut() = Some(open.clone());
        wasm_bindgen_futures::spawn_local(close_when_idle(open.clone(), self.0.clone()));
        Ok(open)
    }
}

/// Drops `open` from the slot if it is still the link there.
fn forget(slot: &Slot, open: &Rc<Open>) {
    let mut current = slot.open.borrow_mut();
    if current.as_ref().is_some_and(|c| Rc::ptr_eq(c, open)) {
        *current = None;
    }
}

/// The link closed. Closed by the feed's side (its object restarted, say), updates on their way
/// may be lost: the conversation is told, as the feed tells it of a failed batch.
fn closed(open: Rc<Open>, slot: Rc<Slot>, env: Env, site: SiteId, id: ConversationId) {
    forget(&slot, &open);
    if open.closing.replace(true) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let error = ApiError {
            error: ErrorCode::Internal,
            message: "the link to the index feed closed".into(),
            retry_after_s: None,
        };
        let told = async { ask(&conversation_object(&env, &site, &id)?, IndexFailed { error }).await }.await;
        if let Err(e) = told {
            console_error!("conversation {id}: its link to the index feed closed, and telling it failed: {e}");
        }
    });
}

/// Closes the link once it has gone unused for [`LINK_IDLE_MS`] (looked at every `LINK_IDLE_MS`, so
/// it closes within twice that): an open outbound socket keeps the conversation in memory. Every
/// talking conversation keeps this timer, and timers are not free (at twice this pace, about 3 % of
/// the runtime's time in a CPU profile of 600 conversations at 1,000 msg/s).
async fn close_when_idle(open: Rc<Open>, slot: Rc<Slot>) {
    loop {
        Delay::from(Duration::from_millis(LINK_IDLE_MS as u64)).await;
        if open.closing.get() {
            return;
        }
        if link_idle(open.used.get(), now_ms()) {
            open.closing.set(true);
            forget(&slot, &open);
            let _ = open.ws.close(Some(1000), Some("idle"));
            return;
        }
    }
}
