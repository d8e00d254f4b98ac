//! The index feed: a few Durable Objects per workspace (`SITE:feed:N`) between the conversations
//! and the workspace's index. Every message changes its conversation's summary, and the workspace
//! must hear of it (the live inbox list, search). Sent one by one, a site with 10,000 active
//! conversations at one message per 10 s would ask its one workspace object 1,000 times a second,
//! Cloudflare's soft limit for one object. A feed takes the updates of the conversations that hash
//! to it and hands them on in batches, at most one every [`logic::GAP_MS`], so the workspace gets
//! at most [`logic::SHARDS`] × ⌈1000 / `GAP_MS`⌉ requests a second, however many conversations
//! talk, and stores each batch in one commit. When the feed is idle an update goes on at once:
//! batching costs latency only under load.
//!
//! A feed keeps nothing. Updates come over a conversation's link (`link`: a WebSocket it keeps open
//! while it talks), and the feed tells the conversation only when the batch holding its update
//! failed (`IndexFailed`); or as a typed call (a repair, a conversation without a link), answered
//! with the workspace's answer to its batch. Either way a failure reaches the conversation, which
//! tries again (its repair alarm) as when it called the workspace itself.
//!
//! `logic` is the batching, tested natively; `object` the `worker` glue.

#[cfg(target_arch = "wasm32")]
pub mod link;
pub mod logic;
#[cfg(target_arch = "wasm32")]
mod object;
#[cfg(target_arch = "wasm32")]
pub use object::IndexFeed;

use crate::workspace::ConversationUpdate;
use shared::SiteId;

crate::requests! {
    /// What a feed is asked, by conversation objects.
    pub enum FeedRequest handled by FeedCalls {
        /// Hands `update` on to `site`'s workspace with the next batch; answers the workspace's
        /// answer to that batch.
        forward: Forward { site: SiteId, update: ConversationUpdate } -> ();
    }
}

/// An update as a frame on a conversation's link (`link`): the same JSON as the typed call's body,
/// so the feed decodes both with [`FeedRequest::decode`]; written from a borrow, as the caller
/// keeps the update for a typed call should the link fail.
pub fn link_frame(forward: &Forward) -> crate::error::EdgeResult<String> {
    #[derive(serde::Serialize)]
    struct Frame<'a> {
        forward: &'a Forward,
    }
    Ok(serde_json::to_string(&Frame { forward })?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{ConversationId, ConversationStatus, ConversationSummary};

    #[test]
    fn a_link_frame_decodes_as_the_typed_call() {
        let summary = ConversationSummary {
            id: ConversationId::parse("c0000000a").unwrap(),
            visitor_name: "Visitor 1A2B".into(),
            last_message: "Hello".into(),
            last_author: shared::Author::Visitor,
            last_at: 5,
            last_seq: 1,
            status: ConversationStatus::Open,
            assignee: None,
            unread: 1,
            visitor_email: None,
            rev: 3,
        };
        let forward = Forward {
            site: SiteId::parse("demo").unwrap(),
            update: ConversationUpdate { summary: summary.clone(), indexed: None, visitor_id: None },
        };
        let frame = link_frame(&forward).unwrap();
        let FeedRequest::Forward(decoded) = FeedRequest::decode(frame.as_bytes()).unwrap();
        assert_eq!((decoded.site.as_str(), decoded.update.summary), ("demo", summary));
        assert!(FeedRequest::decode(b"{\"forward\":{}}").is_err(), "a frame without its fields is refused");
    }
}
