//! The index feed's `worker` glue: the queue lives in memory, one send loop runs at a time
//! (spawned by the update that found the feed idle, so no caller waits for more than its own
//! batch), and each caller is answered with the workspace's answer to its batch.

use super::logic::Batcher;
use super::{FeedCalls, FeedRequest, Forward};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{ask, now_ms, workspace_object};
use crate::workspace::{ConversationUpdate, ConversationsUpdated};
use futures_channel::oneshot;
use shared::api::ApiError;
use shared::SiteId;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use worker::{console_error, durable_object, Delay, DurableObject, Env, Request, Response, State};

/// An update on its way, and where its caller waits for the answer.
struct Waiting {
    update: ConversationUpdate,
    answer: oneshot::Sender<Result<(), ApiError>>,
}

type Queue = Rc<RefCell<Batcher<Waiting>>>;

#[durable_object]
pub struct IndexFeed {
    env: Env,
    queue: Queue,
}

impl FeedCalls for IndexFeed {
    async fn forward(&self, r: Forward) -> EdgeResult<()> {
        let (answer, answered) = oneshot::channel();
        let idle = self.queue.borrow_mut().push(Waiting { update: r.update, answer });
        if idle {
            wasm_bindgen_futures::spawn_local(send_loop(self.queue.clone(), self.env.clone(), r.site));
        }
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
        let (updates, answers): (Vec<_>, Vec<_>) = batch.into_iter().map(|w| (w.update, w.answer)).unzip();
        let result = match workspace_object(&env, &site) {
            Ok(stub) => ask(&stub, ConversationsUpdated { updates }).await,
            Err(e) => Err(e),
        };
        let result = result.map_err(|e| {
            console_error!("index feed of {site}: {e}");
            e.to_api_error()
        });
        for answer in answers {
            // A caller that went away (its conversation was evicted) needs no answer.
            let _ = answer.send(result.clone());
        }
        if !queue.borrow_mut().more() {
            break;
        }
    }
}

impl DurableObject for IndexFeed {
    fn new(_state: State, env: Env) -> Self {
        Self { env, queue: Rc::default() }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        FeedRequest::serve(self, req).await
    }
}
