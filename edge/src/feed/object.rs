//! The index feed's `worker` glue: the queue lives in memory, one send loop runs at a time
//! (spawned by the update that found the feed idle, so no caller waits for more than its own
//! batch). Updates come two ways: over a conversation's link (a socket it keeps open while it
//! talks; see `super::link`), heard of again only if their batch failed, or as a typed call,
//! answered with the workspace's answer to its batch.

use super::logic::{failed_links, Batcher, Reply};
use super::{FeedCalls, FeedRequest, Forward};
use crate::conversation::IndexFailed;
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, close_socket, conversation_object, now_ms, respond, workspace_object, CONNECT_PATH};
use crate::workspace::{ConversationUpdate, ConversationsUpdated};
use futures_channel::oneshot;
use shared::api::ApiError;
use shared::{ConversationId, SiteId};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use worker::{
    console_error, durable_object, Delay, DurableObject, Env, Request, Response, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair,
};

type Answer = oneshot::Sender<Result<(), ApiError>>;

/// An update on its way, and who hears of its batch's answer.
struct Waiting {
    update: ConversationUpdate,
    reply: Reply<Answer>,
}

type Queue = Rc<RefCell<Batcher<Waiting>>>;

#[durable_object]
pub struct IndexFeed {
    state: State,
    env: Env,
    queue: Queue,
}

impl IndexFeed {
    /// Queues an update, starting the send loop if the feed was idle.
    fn queue(&self, site: SiteId, update: ConversationUpdate, reply: Reply<Answer>) {
        let idle = self.queue.borrow_mut().push(Waiting { update, reply });
        if idle {
            wasm_bindgen_futures::spawn_local(send_loop(self.queue.clone(), self.env.clone(), site));
        }
    }

    /// A conversation opens its link (see `super::link`). Only the edge's own objects reach a
    /// feed: no router path leads here.
    fn accept_link(&self) -> EdgeResult<Response> {
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        Ok(Response::from_websocket(pair.client)?)
    }
}

impl FeedCalls for IndexFeed {
    async fn forward(&self, r: Forward) -> EdgeResult<()> {
        let (answer, answered) = oneshot::channel();
        self.queue(r.site, r.update, Reply::Caller(answer));
        match answered.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(EdgeError::from_api(e)),
            Err(_) => Err(EdgeError::Internal("the index feed dropped an update".into())),
        }
    }
}

/// Sends batches until the queue is empty, keeping [`super::logic::GAP_MS`] between their starts.
/// A feed serves one site (its name starts with it), so the site of the update that started the
/// loop is every update's.
async fn send_loop(queue: Queue, env: Env, site: SiteId) {
    loop {
        let wait = queue.borrow().wait_ms(now_ms());
        if wait > 0 {
            Delay::from(Duration::from_millis(wait as u64)).await;
        }
        let batch = queue.borrow_mut().take(now_ms());
        let mut updates = Vec::with_capacity(batch.len());
        let mut replies = Vec::with_capacity(batch.len());
        for Waiting { update, reply } in batch {
            replies.push((update.summary.id.clone(), reply));
            updates.push(update);
        }
        let result = match workspace_object(&env, &site) {
            Ok(stub) => ask(&stub, ConversationsUpdated { updates }).await,
            Err(e) => Err(e),
        };
        let result = result.map_err(|e| {
            console_error!("index feed of {site}: {e}");
            e.to_api_error()
        });
        let (callers, failed) = failed_links(replies, result.is_err());
        for caller in callers {
            // A caller that went away (its conversation was evicted) needs no answer.
            let _ = caller.send(result.clone());
        }
        if let Err(error) = &result {
            for id in failed {
                wasm_bindgen_futures::spawn_local(tell_failure(env.clone(), site.clone(), id, error.clone()));
            }
        }
        if !queue.borrow_mut().more() {
            break;
        }
    }
}

/// Tells a conversation that an update it sent over its link did not reach the workspace, so it
/// repairs its index entry later (or shuts, if the workspace is gone). Logged if that fails too:
/// the conversation repairs its entry when it next starts.
async fn tell_failure(env: Env, site: SiteId, id: ConversationId, error: ApiError) {
    let result = async { ask(&conversation_object(&env, &site, &id)?, IndexFailed { error }).await }.await;
    if let Err(e) = result {
        console_error!("index feed of {site}: telling {id} of a failure: {e}");
    }
}

impl DurableObject for IndexFeed {
    fn new(state: State, env: Env) -> Self {
        Self { state, env, queue: Rc::default() }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        if req.path() == CONNECT_PATH {
            return respond(self.accept_link());
        }
        FeedRequest::serve(self, req).await
    }

    /// An update over a conversation's link. Only conversations write here; a frame that does not
    /// decode is a bug, logged.
    async fn websocket_message(&self, _ws: WebSocket, message: WebSocketIncomingMessage) -> worker::Result<()> {
        let decoded = match &message {
            WebSocketIncomingMessage::String(text) => FeedRequest::decode(text.as_bytes()),
            WebSocketIncomingMessage::Binary(bytes) => FeedRequest::decode(bytes),
        };
        match decoded {
            Ok(FeedRequest::Forward(Forward { site, update })) => self.queue(site, update, Reply::Link),
            Err(e) => console_error!("index feed: a link frame that does not decode: {e}"),
        }
        Ok(())
    }

    async fn websocket_close(&self, ws: WebSocket, code: usize, _reason: String, _clean: bool) -> worker::Result<()> {
        close_socket(&ws, code);
        Ok(())
    }
}
