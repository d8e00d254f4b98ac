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
//! `logic` is the batching, tested natively; `object` the `worker` glue; `socket` the callbacks on a
//! link's two ends.

#[cfg(target_arch = "wasm32")]
pub mod link;
pub mod logic;
#[cfg(target_arch = "wasm32")]
mod object;
#[cfg(target_arch = "wasm32")]
mod socket;
#[cfg(target_arch = "wasm32")]
pub use object::IndexFeed;

use crate::error::{EdgeError, EdgeResult};
use crate::workspace::ConversationUpdate;
use shared::{ConversationId, SiteId};

crate::requests! {
    /// What a feed is asked, by conversation objects.
    pub enum FeedRequest handled by FeedCalls {
        /// Hands `update` on to `site`'s workspace with the next batch; answers the workspace's
        /// answer to that batch.
        forward: Forward { site: SiteId, update: ConversationUpdate } -> ();
    }
}

/// An update as a frame on a conversation's link (`link`): a first line `SITE CONVERSATION`, then
/// the update's JSON, which the feed hands on to the workspace as it is ([`batch_body`]). The feed
/// reads only the first line: a message costs it no decoding and no encoding (they took about 5 %
/// of the runtime's time at 1,000 msg/s). Only the edge's own conversations write on a link; the
/// workspace decodes the updates, typed, with their batch.
pub fn link_frame(forward: &Forward) -> EdgeResult<String> {
    let update = serde_json::to_string(&forward.update)?;
    Ok(format!("{} {}\n{update}", forward.site.as_str(), forward.update.summary.id.as_str()))
}

/// A [`link_frame`] read back: the site, the conversation, and the update's JSON.
pub fn read_link_frame(frame: &str) -> EdgeResult<(SiteId, ConversationId, &str)> {
    let bad = || EdgeError::Internal("a link frame without its site and conversation".into());
    let (head, update) = frame.split_once('\n').ok_or_else(bad)?;
    let (site, id) = head.split_once(' ').ok_or_else(bad)?;
    Ok((SiteId::parse(site)?, ConversationId::parse(id)?, update))
}

/// The body of the workspace's [`crate::workspace::ConversationsUpdated`] call for `updates`, each
/// an update's JSON: what `ask(ConversationsUpdated { updates })` writes, from the JSON as it came.
pub fn batch_body<'a>(updates: impl IntoIterator<Item = &'a str>) -> String {
    let mut body = String::from("{\"conversations_updated\":{\"updates\":[");
    for (i, update) in updates.into_iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(update);
    }
    body.push_str("]}}");
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{ConversationsUpdated, WorkspaceRequest};
    use shared::{ConversationStatus, ConversationSummary};

    fn update(id: &str, seq: u64) -> ConversationUpdate {
        let summary = ConversationSummary {
            id: ConversationId::parse(id).unwrap(),
            visitor_name: "Visitor \"1A2B\"\n".into(),
            last_message: "Hello, {\"x\": [1]}".into(),
            last_author: shared::Author::Visitor,
            last_at: 5,
            last_seq: seq,
            status: ConversationStatus::Open,
            assignee: None,
            unread: 1,
            visitor_email: None,
            rev: seq + 2,
        };
        ConversationUpdate { summary, indexed: None, visitor_id: None }
    }

    #[test]
    fn link_frames_read_back_and_their_batch_is_the_typed_call() {
        let site = SiteId::parse("demo").unwrap();
        let updates = [update("c0000000a", 1), update("c0000000b", 7)];
        let frames: Vec<String> =
            updates.iter().map(|u| link_frame(&Forward { site: site.clone(), update: u.clone() }).unwrap()).collect();
        let read: Vec<_> = frames.iter().map(|f| read_link_frame(f).unwrap()).collect();
        assert_eq!((read[1].0.as_str(), read[1].1.as_str()), ("demo", "c0000000b"));
        let body = batch_body(read.iter().map(|(_, _, json)| *json));
        // Byte for byte what the typed call writes, so the workspace decodes it as one.
        let typed = WorkspaceRequest::from(ConversationsUpdated { updates: updates.to_vec() });
        assert_eq!(body, serde_json::to_string(&typed).unwrap());
        let WorkspaceRequest::ConversationsUpdated(decoded) = WorkspaceRequest::decode(body.as_bytes()).unwrap() else {
            panic!("not a batch")
        };
        let summaries: Vec<_> = decoded.updates.into_iter().map(|u| u.summary).collect();
        assert_eq!(summaries, updates.map(|u| u.summary));
        assert_eq!(
            batch_body([]),
            serde_json::to_string(&WorkspaceRequest::from(ConversationsUpdated { updates: vec![] })).unwrap()
        );
    }

    #[test]
    fn a_link_frame_without_its_first_line_is_refused() {
        for frame in ["{\"summary\":{}}", "demo\n{}", "demo c0000000a", "demo not/an/id\n{}", "De Mo c0000000a\n{}"] {
            assert!(read_link_frame(frame).is_err(), "{frame:?}");
        }
    }
}
