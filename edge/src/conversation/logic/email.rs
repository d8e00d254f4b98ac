//! Replies by email, for a visitor who asked for them: the team's replies they have not read are
//! mailed a little after they are written (one mail for several), and the visitor's answer by
//! email comes back into the conversation as their message. Only the visitor's own socket can
//! ask; an agent who changes the address stops it (the visitor asked for mail at theirs).

use super::{Conversation, Effect, MessageLog, Peer, Role};
use crate::error::{EdgeError, EdgeResult};
use serde::{Deserialize, Serialize};
use shared::{Author, ChatMessage, ClientMsgId, Email};

/// How long after an agent's reply its mail waits (for more replies, or for the visitor to read
/// it in the widget), in real time; the glue scales it with the day's length like retention.
pub const REPLY_MAIL_DELAY_MS: i64 = 2 * 60_000;
/// Most replies one mail carries.
const MAILED_AT_MOST: usize = 20;

/// The visitor's choice to get the team's replies by email, and what was mailed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailReplies {
    /// When they asked (the proof of their request).
    pub since: i64,
    /// The last message mailed (or there when they asked): later ones are new to them.
    pub mailed_seq: u64,
}

/// The replies to mail to the visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyMail {
    pub to: Email,
    pub messages: Vec<ChatMessage>,
}

impl<L: MessageLog> Conversation<'_, L> {
    /// From a `contact` frame: the visitor asks for replies by email (with an address given now
    /// or before). Answers whether it changed anything.
    pub(super) fn ask_email_replies(&mut self, peer: &Peer, now: i64) -> EdgeResult<bool> {
        if peer.is_agent() || self.state.details.visitor_email.is_none() || self.state.email_replies.is_some() {
            return Ok(false);
        }
        let last = self.log.last()?.map_or(0, |m| m.seq);
        self.state.email_replies = Some(EmailReplies { since: now, mailed_seq: last });
        Ok(true)
    }

    /// After an agent's message: its mail is due in [`REPLY_MAIL_DELAY_MS`], if the visitor
    /// asked for mail.
    pub(super) fn reply_mail_effect(&self, peer: &Peer, note: bool) -> Option<Effect> {
        (peer.is_agent() && !note && self.state.email_replies.is_some()).then_some(Effect::ReplyMailDue)
    }

    /// The alarm's part: the agents' replies the visitor has neither read nor been mailed, if they
    /// asked for mail; each is mailed once.
    pub fn due_reply_mail(&mut self) -> EdgeResult<Option<ReplyMail>> {
        let (Some(replies), Some(to)) = (&self.state.email_replies, &self.state.details.visitor_email) else {
            return Ok(None);
        };
        let after = replies.mailed_seq.max(self.state.visitor_read);
        let messages: Vec<ChatMessage> = self
            .log
            .after(after, MAILED_AT_MOST, false)?
            .into_iter()
            .filter(|m| matches!(m.author, Author::Agent { .. }))
            .collect();
        let Some(last) = messages.last().map(|m| m.seq) else { return Ok(None) };
        let to = to.clone();
        if let Some(replies) = &mut self.state.email_replies {
            replies.mailed_seq = last;
        }
        Ok(Some(ReplyMail { to, messages }))
    }

    /// The visitor's "stop" link: no more mail from this conversation.
    pub fn stop_email_replies(&mut self) {
        self.state.email_replies = None;
    }

    /// The visitor answered a mail: their text becomes their message, once per mail
    /// (`message_id`), only from the address the replies went to, and only while they want mail.
    pub fn email_reply(&mut self, from: &Email, text: &str, message_id: &str, now: i64) -> EdgeResult<Vec<Effect>> {
        if self.state.email_replies.is_none() || self.state.details.visitor_email.as_ref() != Some(from) {
            return Err(EdgeError::Forbidden);
        }
        let hash = crate::auth::sha256_hex(message_id);
        let client_id = ClientMsgId::parse(&format!("em_{}", &hash[..24]))?;
        let mut visitor = Peer::new(Role::Visitor);
        visitor.greeted = true;
        let effects = self.send(&mut visitor, client_id, text, false, now)?;
        // A refusal (too long, empty, over the limit) is the mail's refusal, not a socket's.
        for effect in &effects {
            if let Effect::Reply(shared::ServerMsg::Error { message, .. }) = effect {
                return Err(EdgeError::Invalid(message.clone()));
            }
        }
        Ok(effects.into_iter().filter(|e| !matches!(e, Effect::Reply(_))).collect())
    }
}

#[cfg(test)]
mod tests;
