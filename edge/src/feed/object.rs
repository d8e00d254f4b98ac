//! The index feed's `worker` glue: the queue lives in memory, one send loop runs at a time
//! (spawned by the update that found the feed idle, so no caller waits for more than its own
//! batch). Updates come two ways: over a conversation's link (a socket it keeps open while it
//! talks; see `super::link`), heard of again only if their batch failed, or as a typed call,
//! answered with the workspace's answer to its batch.

use super::logic::{failed_links, Batcher, Reply};
use super::{batch_body, read_link_frame, FeedCalls, FeedRequest, Forward};
use crate::conversation::IndexFailed;
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, ask_encoded, conversation_object, now_ms, respond, workspace_object, CONNECT_PATH};
use crate::workspace::ConversationsUpdated;
use futures_channel::oneshot;
use shared::api::ApiError;
use shared::{ConversationId, SiteId};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use worker::{console_error, durable_object, Delay, DurableObject, Env, Request, Response, State, WebSocketPair};

type Answer = oneshot::Sender<Result<(), ApiError>>;

/// An update on its way (its JSON, handed on as it is), and who hears of its batch's answer.
struct Waiting {
    id: ConversationId,
    update: String,
    reply: Reply<Answer>,
}

type Queue = Rc<RefCell<Batcher<Waiting>>>;

#[durable_object]
pub struct IndexFeed {
    env: Env,
    queue: Queue,
}

impl IndexFeed {
    /// A conversation opens its link (see `super::link`). Only the edge's own objects reach a
    /// feed: no router path leads here. Accepted without the hibernation API: a frame on a
    /// hibernatable socket is a new event for the runtime, with its own context; one on a socket
    /// the object listens to is a callback in the context it already has, several times cheaper.
    /// A feed keeps nothing to wake up to, and a link lives only while its conversation talks.
    fn accept_link(&self) -> EdgeResult<Response> {
        let pair = WebSocketPair::new()?;
        // Binary frames (see `Link::send`) as ArrayBuffers, read at once: the runtime's default
        // is a Blob, which only a promise reads.
        let web: &web_sys::WebSocket = pair.server.as_ref();
        js_sys::Reflect::set(web, &"binaryType".into(), &"arraybuffer".into()).map_err(worker::Error::from)?;
        pair.server.accept()?;
        let (queue, env) = (self.queue.clone(), self.env.clone());
        super::socket::listen(web, Some(Box::new(move |data| frame(&queue, &env, data))), || {})?;
        Ok(Response::from_websocket(pair.client)?)
    }
}

/// Queues an update that came over a link. Only conversations write there; a frame that does not
/// decode is a bug, logged.
fn frame(queue: &Queue, env: &Env, data: wasm_bindgen::JsValue) {
    // Binary (see `Link::send`); a text frame from an older instance reads the same.
    let text = data.as_string().or_else(|| String::from_utf8(js_sys::Uint8Array::new(&data).to_vec()).ok());
    let Some(text) = text else {
        console_error!("index feed: a link frame that is not UTF-8 text");
        return;
    };
    match read_link_frame(&text) {
        Ok((site, id, update)) => {
            let waiting = Waiting { id, update: update.to_owned(), reply: Reply::Link };
            queue_update(queue, env, site, waiting)
        }
        Err(e) => console_error!("index feed: {e}"),
    }
}

/// Queues an update, starting the send loop if the feed was idle.
fn queue_update(queue: &Queue, env: &Env, site: SiteId, waiting: Waiting) {
    let idle = queue.borrow_mut().push(waiting);
    if idle {
        wasm_bindgen_futures::spawn_local(send_loop(queue.clone(), env.clone(), site));
    }
}

impl FeedCalls for IndexFeed {
    async fn forward(&self, r: Forward) -> EdgeResult<()> {
        let (answer, answered) = oneshot::channel();
        let waiting = Waiting {
            id: r.update.summary.id.clone(),
            update: serde_json::to_string(&r.update)?,
            reply: Reply::Caller(answer),
        };
        queue_update(&self.queue, &self.env, r.site, waiting);
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
        let body = batch_body(batch.iter().map(|w| w.update.as_str()));
        let replies: Vec<_> = batch.into_iter().map(|w| (w.id, w.reply)).collect();
        let result = match workspace_object(&env, &site) {
            Ok(stub) => ask_encoded::<ConversationsUpdated>(&stub, body).await,
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
    fn new(_state: State, env: Env) -> Self {
        Self { env, queue: Rc::default() }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        if req.path() == CONNECT_PATH {
            return respond(self.accept_link());
        }
        FeedRequest::serve(self, req).await
    }
}
