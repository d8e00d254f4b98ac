//! The workspace's storage in memory, for the logic's tests: what the SQLite tables hold, as
//! plain collections (with the same `LIKE` matching as SQLite's, ASCII case ignored).

use super::{IndexEntry, MessageHit, Scheduled, WorkspaceStore};
use crate::conversation::logic::Indexed;
use crate::error::EdgeResult;
use crate::lockout::Window;
use crate::settings::WorkspaceConfig;
use crate::team::InviteRecord;
use crate::workspace::IdentityLink;
use shared::api::{AuditEntry, AuditFilter, Member};
use shared::consent::ConsentRecord;
use shared::{Author, ConversationId, ConversationSummary, Email, VisitorId};
use std::collections::{BTreeMap, BTreeSet};

/// Runs an alarm (or any future) whose test calls never wait on anything: one poll completes it.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(f).as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("the alarm waited on a test call"),
    }
}

#[derive(Default)]
pub struct Memory {
    pub config: Option<WorkspaceConfig>,
    pub closing_at: Option<i64>,
    pub consents: Vec<ConsentRecord>,
    pub audit: Vec<AuditEntry>,
    pub identities: BTreeMap<String, (VisitorId, ConversationId)>,
    pub summaries: BTreeMap<String, (ConversationSummary, Option<VisitorId>)>,
    pub messages: Vec<(ConversationId, Indexed)>,
    pub erased_conversations: BTreeSet<String>,
    pub erased_visitors: BTreeSet<String>,
    pub visitors: BTreeSet<String>,
    /// How often a visitor was registered (a batch registers one only with its conversation's
    /// first summary).
    pub registrations: u32,
    /// Calls that wrote summaries or indexed messages (a batch writes each kind in one call).
    pub statements: u32,
    pub directory: BTreeMap<String, Email>,
    pub retention_sync: BTreeSet<String>,
    pub members: Vec<Member>,
    pub invites: BTreeMap<String, (InviteRecord, i64)>,
    /// (conversation, email, session, opened at)
    pub agent_sockets: Vec<(ConversationId, Email, String, i64)>,
    pub ended_sessions: BTreeMap<String, i64>,
    pub audit_windows: BTreeMap<String, Window>,
    pub scheduled: Option<Scheduled>,
    /// By member: preferences and when last mailed.
    pub notify: BTreeMap<String, (crate::workspace::MemberPrefs, i64)>,
    pub waiting: BTreeMap<String, super::notify::Waiting>,
    pub live: BTreeSet<String>,
    pub told_available: Option<super::Told>,
    pub usage: BTreeMap<String, super::usage::Usage>,
    pub refusal_notices: BTreeMap<String, String>,
    pub api_tokens: BTreeMap<String, (String, super::tokens::ApiToken)>,
    /// When each summary was last written (`put_summary`'s `at`).
    pub updated: BTreeMap<String, i64>,
}

/// Whether a registry row matches the filters (`None`: any).
fn socket_matches(
    row: &(ConversationId, Email, String, i64),
    email: Option<&Email>,
    sessions: Option<&[String]>,
) -> bool {
    email.is_none_or(|e| &row.1 == e) && sessions.is_none_or(|s| s.contains(&row.2))
}

impl Memory {
    /// A store holding an open workspace with the default settings.
    pub fn open() -> Self {
        Self { config: Some(config()), ..Self::default() }
    }
}

pub fn config() -> WorkspaceConfig {
    WorkspaceConfig {
        name: "Demo Shop".into(),
        greeting: "Hi!".into(),
        allowed_domains: vec![],
        consent: crate::consent_defaults::default_consent(""),
        chat: Default::default(),
    }
}

pub fn summary(id: &ConversationId, name: &str, last_at: i64) -> ConversationSummary {
    ConversationSummary {
        id: id.clone(),
        visitor_name: name.into(),
        last_message: "hello".into(),
        last_author: Author::Visitor,
        last_at,
        last_seq: 1,
        status: Default::default(),
        assignee: None,
        unread: 0,
        visitor_email: None,
        rev: 1,
    }
}

fn visitor(id: &str) -> VisitorId {
    VisitorId::parse(id).unwrap()
}

/// SQLite's `LIKE … ESCAPE '\'`.
fn like(pattern: &str, text: &str) -> bool {
    enum Tok {
        Any,
        One,
        Lit(char),
    }
    let mut toks = vec![];
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        toks.push(match c {
            '\\' => Tok::Lit(chars.next().unwrap_or('\\')),
            '%' => Tok::Any,
            '_' => Tok::One,
            c => Tok::Lit(c),
        });
    }
    fn go(t: &[Tok], s: &[char]) -> bool {
        match t.first() {
            None => s.is_empty(),
            Some(Tok::Any) => (0..=s.len()).any(|i| go(&t[1..], &s[i..])),
            Some(Tok::One) => !s.is_empty() && go(&t[1..], &s[1..]),
            Some(Tok::Lit(c)) => s.first().is_some_and(|x| x.eq_ignore_ascii_case(c)) && go(&t[1..], &s[1..]),
        }
    }
    go(&toks, &text.chars().collect::<Vec<_>>())
}

impl WorkspaceStore for Memory {
    fn config(&self) -> EdgeResult<Option<WorkspaceConfig>> {
        Ok(self.config.clone())
    }
    fn put_config(&mut self, config: &WorkspaceConfig) -> EdgeResult<()> {
        self.config = Some(config.clone());
        self.scheduled = None;
        Ok(())
    }
    fn scheduled(&self) -> EdgeResult<Option<Scheduled>> {
        Ok(self.scheduled)
    }
    fn set_scheduled(&mut self, scheduled: &Scheduled) -> EdgeResult<()> {
        self.scheduled = Some(*scheduled);
        Ok(())
    }
    fn closing_at(&self) -> EdgeResult<Option<i64>> {
        Ok(self.closing_at)
    }
    fn set_closing_at(&mut self, deleted_at: i64) -> EdgeResult<()> {
        self.closing_at = Some(deleted_at);
        Ok(())
    }
    fn append_consent(&mut self, record: &ConsentRecord) -> EdgeResult<()> {
        self.consents.push(record.clone());
        Ok(())
    }
    fn consent_log(&self, limit: usize) -> EdgeResult<Vec<ConsentRecord>> {
        Ok(self.consents.iter().rev().take(limit).cloned().collect())
    }
    fn drop_consents(&mut self, visitor_hash: &str) -> EdgeResult<()> {
        self.consents.retain(|c| c.visitor_hash != visitor_hash);
        Ok(())
    }
    fn append_audit(&mut self, entry: &AuditEntry) -> EdgeResult<()> {
        self.audit.push(entry.clone());
        Ok(())
    }
    fn audit_page(&self, before: Option<u64>, filter: AuditFilter, limit: usize) -> EdgeResult<Vec<(u64, AuditEntry)>> {
        let numbered = self.audit.iter().enumerate().map(|(i, e)| (i as u64 + 1, e.clone()));
        Ok(numbered
            .rev()
            .filter(|(id, e)| before.is_none_or(|b| *id < b) && filter.admits(e.action))
            .take(limit)
            .collect())
    }
    fn audit_window(&self, source: &str) -> EdgeResult<Option<Window>> {
        Ok(self.audit_windows.get(source).copied())
    }
    fn save_audit_window(&mut self, source: &str, window: &Window) -> EdgeResult<()> {
        self.audit_windows.insert(source.to_owned(), *window);
        Ok(())
    }
    fn prune_audit_windows(&mut self, before: i64) -> EdgeResult<()> {
        self.audit_windows.retain(|_, w| w.start >= before);
        Ok(())
    }
    fn identity(&self, user_id: &str) -> EdgeResult<Option<IdentityLink>> {
        Ok(self.identities.get(user_id).map(|(v, c)| IdentityLink {
            user_id: user_id.into(),
            visitor_id: v.clone(),
            conversation_id: c.clone(),
        }))
    }
    fn put_identity(&mut self, link: &IdentityLink) -> EdgeResult<()> {
        self.identities.insert(link.user_id.clone(), (link.visitor_id.clone(), link.conversation_id.clone()));
        Ok(())
    }
    fn drop_identities_of(&mut self, visitor: &VisitorId) -> EdgeResult<()> {
        self.identities.retain(|_, (v, _)| v != visitor);
        Ok(())
    }
    fn summary(&self, id: &ConversationId) -> EdgeResult<Option<ConversationSummary>> {
        Ok(self.summaries.get(id.as_str()).map(|(s, _)| s.clone()))
    }
    fn index_entry(&self, id: &ConversationId) -> EdgeResult<IndexEntry> {
        let known = self.summaries.get(id.as_str());
        Ok(IndexEntry {
            erased: self.erased_conversations.contains(id.as_str()),
            rev: known.map(|(s, _)| s.rev),
            visitor: known.and_then(|(_, v)| v.as_ref().map(|v| v.as_str().to_owned())),
        })
    }
    fn recent(&self, limit: usize) -> EdgeResult<Vec<ConversationSummary>> {
        let mut all: Vec<_> = self.summaries.values().map(|(s, _)| s.clone()).collect();
        all.sort_by_key(|s| std::cmp::Reverse(s.last_at));
        Ok(all.into_iter().take(limit).collect())
    }
    fn put_summaries(&mut self, summaries: &[(&ConversationSummary, Option<&VisitorId>)], at: i64) -> EdgeResult<()> {
        self.statements += 1;
        for (summary, visitor) in summaries {
            self.updated.insert(summary.id.as_str().into(), at);
            let kept = self.summaries.get(summary.id.as_str()).map(|(_, v)| v.clone());
            let visitor = kept.unwrap_or_else(|| visitor.cloned());
            self.summaries.insert(summary.id.as_str().into(), ((*summary).clone(), visitor));
        }
        Ok(())
    }
    fn index_messages(&mut self, messages: &[(&ConversationId, &Indexed)]) -> EdgeResult<()> {
        self.statements += 1;
        for (id, message) in messages {
            if !self.messages.iter().any(|(c, m)| c == *id && m.seq == message.seq) {
                self.messages.push(((*id).clone(), (*message).clone()));
            }
        }
        Ok(())
    }
    fn trim_index(&mut self, id: &ConversationId, keep: usize) -> EdgeResult<()> {
        let newest = self.messages.iter().filter(|(c, _)| c == id).map(|(_, m)| m.seq).max().unwrap_or(0);
        self.messages.retain(|(c, m)| c != id || m.seq + keep as u64 > newest);
        Ok(())
    }
    fn drop_conversation(&mut self, id: &ConversationId) -> EdgeResult<()> {
        self.summaries.remove(id.as_str());
        self.messages.retain(|(c, _)| c != id);
        self.waiting.remove(id.as_str());
        Ok(())
    }
    fn conversations_of(&self, visitor: &VisitorId) -> EdgeResult<Vec<ConversationId>> {
        Ok(self.summaries.values().filter(|(_, v)| v.as_ref() == Some(visitor)).map(|(s, _)| s.id.clone()).collect())
    }
    fn summaries_matching(&self, pattern: &str, limit: usize) -> EdgeResult<Vec<ConversationSummary>> {
        let found = self.recent(usize::MAX)?.into_iter().filter(|s| {
            like(pattern, &s.visitor_name) || s.visitor_email.as_ref().is_some_and(|e| like(pattern, e.as_str()))
        });
        Ok(found.take(limit).collect())
    }
    fn messages_matching(&self, pattern: &str, limit: usize) -> EdgeResult<Vec<MessageHit>> {
        let mut found: Vec<MessageHit> = self
            .messages
            .iter()
            .filter(|(_, m)| like(pattern, &m.body))
            .map(|(c, m)| MessageHit { conversation_id: c.clone(), body: m.body.clone(), at: m.at })
            .collect();
        found.sort_by_key(|m| std::cmp::Reverse(m.at));
        Ok(found.into_iter().take(limit).collect())
    }
    fn oldest_activity(&self) -> EdgeResult<Option<i64>> {
        Ok(self.summaries.values().map(|(s, _)| s.last_at).min())
    }
    fn inactive_before(&self, at: i64, limit: usize) -> EdgeResult<Vec<ConversationId>> {
        let mut due: Vec<_> = self.summaries.values().map(|(s, _)| s).filter(|s| s.last_at < at).collect();
        due.sort_by_key(|s| s.last_at);
        Ok(due.into_iter().take(limit).map(|s| s.id.clone()).collect())
    }
    fn some_conversations(&self, limit: usize) -> EdgeResult<Vec<ConversationId>> {
        Ok(self.summaries.values().take(limit).map(|(s, _)| s.id.clone()).collect())
    }
    fn tombstone_conversation(&mut self, id: &ConversationId) -> EdgeResult<()> {
        self.erased_conversations.insert(id.as_str().into());
        Ok(())
    }
    fn visitor_erased(&self, visitor_hash: &str) -> EdgeResult<bool> {
        Ok(self.erased_visitors.contains(visitor_hash))
    }
    fn tombstone_visitor(&mut self, visitor_hash: &str) -> EdgeResult<()> {
        self.erased_visitors.insert(visitor_hash.into());
        Ok(())
    }
    fn register_visitor(&mut self, visitor: &VisitorId) -> EdgeResult<()> {
        self.registrations += 1;
        self.visitors.insert(visitor.as_str().into());
        Ok(())
    }
    fn drop_visitor(&mut self, visitor: &VisitorId) -> EdgeResult<()> {
        self.visitors.remove(visitor.as_str());
        self.retention_sync.remove(visitor.as_str());
        Ok(())
    }
    fn some_visitors(&self, limit: usize) -> EdgeResult<Vec<VisitorId>> {
        Ok(self.visitors.iter().take(limit).map(|v| visitor(v)).collect())
    }
    fn set_email(&mut self, visitor: &VisitorId, email: Option<&Email>) -> EdgeResult<()> {
        match email {
            Some(email) => self.directory.insert(visitor.as_str().into(), email.clone()),
            None => self.directory.remove(visitor.as_str()),
        };
        Ok(())
    }
    fn visitors_by_email(&self, email: &Email) -> EdgeResult<Vec<VisitorId>> {
        Ok(self.directory.iter().filter(|(_, e)| *e == email).map(|(v, _)| visitor(v)).collect())
    }
    fn queue_retention_sync(&mut self) -> EdgeResult<()> {
        self.retention_sync.extend(self.visitors.iter().cloned());
        Ok(())
    }
    fn retention_sync_due(&self, limit: usize) -> EdgeResult<Vec<VisitorId>> {
        Ok(self.retention_sync.iter().take(limit).map(|v| visitor(v)).collect())
    }
    fn retention_synced(&mut self, visitor: &VisitorId) -> EdgeResult<()> {
        self.retention_sync.remove(visitor.as_str());
        Ok(())
    }
    fn members(&self) -> EdgeResult<Vec<Member>> {
        let mut all = self.members.clone();
        all.sort_by(|a, b| (a.joined_at, a.email.as_str()).cmp(&(b.joined_at, b.email.as_str())));
        Ok(all)
    }
    fn member(&self, email: &Email) -> EdgeResult<Option<Member>> {
        Ok(self.members.iter().find(|m| &m.email == email).cloned())
    }
    fn put_member(&mut self, member: &Member) -> EdgeResult<()> {
        self.members.retain(|m| m.email != member.email);
        self.members.push(member.clone());
        Ok(())
    }
    fn drop_member(&mut self, email: &Email) -> EdgeResult<()> {
        self.members.retain(|m| &m.email != email);
        self.notify.remove(email.as_str());
        Ok(())
    }
    fn invite(&self, token_hash: &str) -> EdgeResult<Option<InviteRecord>> {
        Ok(self.invites.get(token_hash).map(|(i, _)| i.clone()))
    }
    fn add_invite(&mut self, token_hash: &str, invite: &InviteRecord, created_at: i64) -> EdgeResult<()> {
        self.invites.insert(token_hash.into(), (invite.clone(), created_at));
        Ok(())
    }
    fn update_invite(&mut self, token_hash: &str, invite: &InviteRecord) -> EdgeResult<()> {
        if let Some((i, _)) = self.invites.get_mut(token_hash) {
            *i = invite.clone();
        }
        Ok(())
    }
    fn drop_invites_created_before(&mut self, at: i64) -> EdgeResult<()> {
        self.invites.retain(|_, (_, created_at)| *created_at >= at);
        Ok(())
    }
    fn open_invites(&self) -> EdgeResult<usize> {
        Ok(self.invites.len())
    }

    fn add_agent_socket(
        &mut self,
        conversation: &ConversationId,
        email: &Email,
        session: &str,
        at: i64,
    ) -> EdgeResult<()> {
        self.agent_sockets.retain(|(c, e, s, _)| !(c == conversation && e == email && s == session));
        self.agent_sockets.push((conversation.clone(), email.clone(), session.to_owned(), at));
        Ok(())
    }
    fn agent_sockets(&self, email: Option<&Email>, sessions: Option<&[String]>) -> EdgeResult<Vec<ConversationId>> {
        let ids: BTreeSet<String> = self
            .agent_sockets
            .iter()
            .filter(|row| socket_matches(row, email, sessions))
            .map(|row| row.0.as_str().to_owned())
            .collect();
        ids.iter().map(|id| Ok(ConversationId::parse(id)?)).collect()
    }
    fn drop_agent_sockets(&mut self, email: Option<&Email>, sessions: Option<&[String]>) -> EdgeResult<()> {
        self.agent_sockets.retain(|row| !socket_matches(row, email, sessions));
        Ok(())
    }
    fn prune_agent_sockets(&mut self, before: i64) -> EdgeResult<()> {
        self.agent_sockets.retain(|row| row.3 >= before);
        Ok(())
    }
    fn end_session(&mut self, session: &str, at: i64) -> EdgeResult<()> {
        self.ended_sessions.insert(session.to_owned(), at);
        Ok(())
    }
    fn session_ended(&self, session: &str) -> EdgeResult<bool> {
        Ok(self.ended_sessions.contains_key(session))
    }
    fn prune_ended_sessions(&mut self, before: i64) -> EdgeResult<()> {
        self.ended_sessions.retain(|_, at| *at >= before);
        Ok(())
    }
    fn notify_members(&self) -> EdgeResult<Vec<super::notify::MemberNotify>> {
        Ok(self
            .members
            .iter()
            .map(|m| {
                let (prefs, last_digest_at) = self.notify.get(m.email.as_str()).copied().unwrap_or_default();
                super::notify::MemberNotify { email: m.email.clone(), prefs, last_digest_at }
            })
            .collect())
    }
    fn put_notify(&mut self, email: &Email, prefs: crate::workspace::MemberPrefs) -> EdgeResult<()> {
        let last = self.notify.get(email.as_str()).map_or(0, |(_, at)| *at);
        self.notify.insert(email.as_str().to_owned(), (prefs, last));
        Ok(())
    }
    fn set_digested(&mut self, email: &Email, at: i64) -> EdgeResult<()> {
        let prefs = self.notify.get(email.as_str()).map(|(p, _)| *p).unwrap_or_default();
        self.notify.insert(email.as_str().to_owned(), (prefs, at));
        Ok(())
    }
    fn note_waiting(&mut self, waiting: &super::notify::Waiting) -> EdgeResult<bool> {
        let known = self.waiting.get(waiting.id.as_str()).map(|w| w.since);
        let since = known.unwrap_or(waiting.since);
        self.waiting.insert(waiting.id.as_str().to_owned(), super::notify::Waiting { since, ..waiting.clone() });
        Ok(known.is_none())
    }
    fn clear_waiting(&mut self, id: &ConversationId) -> EdgeResult<()> {
        self.waiting.remove(id.as_str());
        Ok(())
    }
    fn waiting(&self, limit: usize) -> EdgeResult<Vec<super::notify::Waiting>> {
        let mut all: Vec<_> = self.waiting.values().cloned().collect();
        all.sort_by_key(|w| w.since);
        all.truncate(limit);
        Ok(all)
    }
    fn set_live(&mut self, id: &ConversationId, live: bool) -> EdgeResult<()> {
        if live {
            self.live.insert(id.as_str().to_owned());
        } else {
            self.live.remove(id.as_str());
        }
        Ok(())
    }
    fn live(&self) -> EdgeResult<Vec<ConversationId>> {
        self.live.iter().map(|id| Ok(ConversationId::parse(id)?)).collect()
    }
    fn told_available(&self) -> EdgeResult<Option<super::Told>> {
        Ok(self.told_available)
    }
    fn set_told_available(&mut self, told: super::Told) -> EdgeResult<()> {
        self.told_available = Some(told);
        Ok(())
    }

    fn usage(&self, month: &str) -> EdgeResult<super::usage::Usage> {
        Ok(self.usage.get(month).copied().unwrap_or_default())
    }

    fn add_usage(&mut self, month: &str, d: &super::usage::Usage) -> EdgeResult<()> {
        let u = self.usage.entry(month.to_owned()).or_default();
        u.conversations += d.conversations;
        u.messages += d.messages;
        u.emails += d.emails;
        u.refused += d.refused;
        Ok(())
    }

    fn refusal_notice(&self, month: &str) -> EdgeResult<Option<String>> {
        Ok(self.refusal_notices.get(month).cloned())
    }

    fn set_refusal_notice(&mut self, month: &str, notice: Option<&str>) -> EdgeResult<()> {
        match notice {
            Some(n) => self.refusal_notices.insert(month.to_owned(), n.to_owned()),
            None => self.refusal_notices.remove(month),
        };
        Ok(())
    }

    fn conversation_page(
        &self,
        q: &super::listing::ConversationQuery,
        n: usize,
    ) -> EdgeResult<Vec<ConversationSummary>> {
        // BTreeMap: in id order already.
        let at = |id: &str| self.updated.get(id).copied().unwrap_or(0);
        let found = self.summaries.iter().filter(|(id, (s, _))| super::listing::matches(q, s, at(id)));
        Ok(found.take(n).map(|(_, (s, _))| s.clone()).collect())
    }

    fn api_tokens(&self) -> EdgeResult<Vec<(String, super::tokens::ApiToken)>> {
        Ok(self.api_tokens.values().cloned().collect())
    }

    fn api_token(&self, id: &str) -> EdgeResult<Option<(String, super::tokens::ApiToken)>> {
        Ok(self.api_tokens.get(id).cloned())
    }

    fn put_api_token(&mut self, secret_hash: &str, token: &super::tokens::ApiToken) -> EdgeResult<()> {
        self.api_tokens.insert(token.id.clone(), (secret_hash.to_owned(), token.clone()));
        Ok(())
    }
}
