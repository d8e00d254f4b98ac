//! Mail a visitor asked for: the team's replies they have not read, mailed a little after they
//! are written (one mail for several), and a transcript when the conversation is resolved. The
//! visitor's answer by email comes back into the conversation as their message, and an agent's
//! answer to a notification as theirs. Only the visitor's own socket can ask for mail; an agent
//! who changes the address stops it (the visitor asked for mail at theirs).

use super::{Conversation, Effect, MessageLog, Peer, Role};
use crate::error::{EdgeError, EdgeResult};
use serde::{Deserialize, Serialize};
use shared::consent::Lang;
use shared::{Author, ChatMessage, ClientMsgId, Email};

/// How long after an agent's reply its mail waits (for more replies, or for the visitor to read
/// it in the widget), in real time; the glue scales it with the day's length like retention.
pub const REPLY_MAIL_DELAY_MS: i64 = 2 * 60_000;
/// Most replies one mail carries.
const MAILED_AT_MOST: usize = 20;
/// Most messages a transcript carries (the first ones: a conversation is rarely longer).
pub const TRANSCRIPT_AT_MOST: usize = 500;

/// The visitor's choice to get the team's replies by email, and what was mailed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailReplies {
    /// When they asked (the proof of their request).
    pub since: i64,
    /// The last message mailed (or there when they asked): later ones are new to them.
    pub mailed_seq: u64,
    /// The language they read, if the widget knew it (else the site's, else English).
    #[serde(default)]
    pub lang: Option<Lang>,
}

/// The visitor's choice to get a transcript by email once the conversation is resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    /// When they asked.
    pub since: i64,
    #[serde(default)]
    pub lang: Option<Lang>,
    /// The last message of the last transcript mailed: resolved again with nothing new, nothing
    /// is mailed again.
    #[serde(default)]
    pub mailed_seq: u64,
}

/// The mail the visitor asks for in a `contact` frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailAsk {
    pub replies: bool,
    pub transcript: bool,
    pub lang: Option<Lang>,
}

impl MailAsk {
    pub fn any(&self) -> bool {
        self.replies || self.transcript
    }
}

/// The replies (or the transcript) to mail to the visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyMail {
    pub to: Email,
    pub messages: Vec<ChatMessage>,
    pub lang: Option<Lang>,
}

impl super::State {
    /// Whether the visitor wants any mail from this conversation (and so may answer by mail).
    pub fn wants_mail(&self) -> bool {
        self.email_replies.is_some() || self.transcript.is_some()
    }

    /// No more mail to the visitor from this conversation (their "stop" link, an agent's
    /// correction of their address, a block). Answers whether they wanted any.
    pub fn stop_mail(&mut self) -> bool {
        let wanted = self.wants_mail();
        (self.email_replies, self.transcript) = (None, None);
        wanted
    }
}

impl<L: MessageLog> Conversation<'_, L> {
    /// From a `contact` frame: the visitor asks for replies or a transcript by email (with an
    /// address given now or before). Asking again keeps the first request (and its proof).
    pub(super) fn ask_mail(&mut self, peer: &Peer, ask: MailAsk, now: i64) -> EdgeResult<()> {
        if peer.is_agent() || self.state.details.visitor_email.is_none() {
            return Ok(());
        }
        if ask.replies && self.state.email_replies.is_none() {
            let last = self.log.last()?.map_or(0, |m| m.seq);
            self.state.email_replies = Some(EmailReplies { since: now, mailed_seq: last, lang: ask.lang });
        }
        if ask.transcript && self.state.transcript.is_none() {
            self.state.transcript = Some(Transcript { since: now, lang: ask.lang, mailed_seq: 0 });
        }
        Ok(())
    }

    /// After a status change to resolved: the transcript is due, if the visitor asked for one.
    pub(super) fn transcript_effect(&self, was: shared::ConversationStatus) -> Option<Effect> {
        let resolved = shared::ConversationStatus::Resolved;
        (was != resolved && self.state.details.status == resolved && self.state.transcript.is_some())
            .then_some(Effect::TranscriptDue)
    }

    /// The alarm's part: the whole conversation (but private notes), if the visitor asked for a
    /// transcript, it is resolved, and something was written since the last one.
    pub fn due_transcript(&mut self) -> EdgeResult<Option<ReplyMail>> {
        let resolved = self.state.details.status == shared::ConversationStatus::Resolved;
        let (Some(transcript), Some(to), true) = (&self.state.transcript, &self.state.details.visitor_email, resolved)
        else {
            return Ok(None);
        };
        let last = self.log.last()?.map_or(0, |m| m.seq);
        if last <= transcript.mailed_seq {
            return Ok(None);
        }
        let messages = self.log.after(0, TRANSCRIPT_AT_MOST, false)?;
        let mail = ReplyMail { to: to.clone(), messages, lang: transcript.lang };
        if let Some(transcript) = &mut self.state.transcript {
            transcript.mailed_seq = last;
        }
        Ok((!mail.messages.is_empty()).then_some(mail))
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
        let mail = ReplyMail { to: to.clone(), messages, lang: replies.lang };
        if let Some(replies) = &mut self.state.email_replies {
            replies.mailed_seq = last;
        }
        Ok(Some(mail))
    }

    /// The visitor answered a mail: their text becomes their message, once per mail
    /// (`message_id`), only from the address the mail went to, and only while they want mail.
    pub fn email_reply(&mut self, from: &Email, text: &str, message_id: &str, now: i64) -> EdgeResult<Vec<Effect>> {
        if !self.state.wants_mail() || self.state.details.visitor_email.as_ref() != Some(from) {
            return Err(EdgeError::Forbidden);
        }
        self.mailed_message(Peer::new(Role::Visitor), text, message_id, now)
    }

    /// A member answered a notification by email: their text becomes their reply, once per mail,
    /// if they are in the team now (`self.team`, asked of the workspace as the mail arrives:
    /// someone removed since the notification cannot answer with it).
    pub fn team_email_reply(
        &mut self,
        from: &Email,
        text: &str,
        message_id: &str,
        now: i64,
    ) -> EdgeResult<Vec<Effect>> {
        let member = self.team.iter().find(|a| &a.email == from).ok_or(EdgeError::Forbidden)?;
        let agent = Peer::new(Role::Agent { name: member.name.clone(), email: member.email.clone() });
        self.mailed_message(agent, text, message_id, now)
    }

    /// A message that came by mail, sent as `sender` with a client id made of the mail's
    /// Message-ID (a mail delivered twice is one message).
    fn mailed_message(&mut self, mut sender: Peer, text: &str, message_id: &str, now: i64) -> EdgeResult<Vec<Effect>> {
        let hash = crate::auth::sha256_hex(message_id);
        let client_id = ClientMsgId::parse(&format!("em_{}", &hash[..24]))?;
        sender.greeted = true;
        let effects = self.send(&mut sender, client_id, text, false, None, now)?;
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
