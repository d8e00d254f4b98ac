//! The workspace's part in data-subject rights: the directory that finds a visitor by email, the
//! register of the site's visitor objects, and forgetting an erased visitor for good.

use super::{Effect, Workspace, WorkspaceStore};
use crate::auth::visitor_hash;
use crate::error::EdgeResult;
use crate::workspace::{DirectoryEntry, Forget};
use shared::{Email, ServerMsg, VisitorId};

impl<S: WorkspaceStore> Workspace<'_, S> {
    /// Whether the visitor was erased (a call sent before the erasure may arrive after it). Erased
    /// visitors are known by their consent hash only.
    pub(super) fn erased(&self, visitor: &VisitorId) -> EdgeResult<bool> {
        self.store.visitor_erased(&visitor_hash(self.site, visitor))
    }

    /// Registers one of the site's visitor objects, so closing the workspace deletes it; an erased
    /// visitor is not listed again.
    pub(super) fn register_visitor(&mut self, visitor: &VisitorId) -> EdgeResult<()> {
        if !self.erased(visitor)? {
            self.store.register_visitor(visitor)?;
        }
        Ok(())
    }

    /// A visitor object tells the email on its profile now; an erased visitor's late call
    /// records nothing.
    pub fn directory(&mut self, entry: &DirectoryEntry) -> EdgeResult<()> {
        if self.erased(&entry.visitor_id)? {
            return Ok(());
        }
        self.store.register_visitor(&entry.visitor_id)?;
        self.store.set_email(&entry.visitor_id, entry.email.as_ref())
    }

    /// Visitors whose email, verified user id or visitor id is `q`.
    pub fn find_subjects(&self, q: &str) -> EdgeResult<Vec<VisitorId>> {
        let q = q.trim();
        let mut found: Vec<VisitorId> = VisitorId::parse(q).into_iter().collect();
        let by_email = match Email::parse(q) {
            Ok(email) => self.store.visitors_by_email(&email)?,
            Err(_) => vec![],
        };
        let by_user = self.store.identity(q)?.map(|link| link.visitor_id);
        for id in by_email.into_iter().chain(by_user) {
            if !found.contains(&id) {
                found.push(id);
            }
        }
        Ok(found)
    }

    /// Forgets an erased visitor: their inbox entries and search index, the user id link, the
    /// directory entry, their place among the site's visitors and their consent proofs. Their
    /// conversations and their hash are kept as tombstones, so a late update or directory call
    /// cannot bring them back. Live inboxes get the list without them.
    pub fn forget(&mut self, f: &Forget) -> EdgeResult<()> {
        for id in &f.conversation_ids {
            self.store.drop_conversation(id)?;
            self.store.tombstone_conversation(id)?;
        }
        self.store.drop_identities_of(&f.visitor_id)?;
        self.store.set_email(&f.visitor_id, None)?;
        self.store.drop_visitor(&f.visitor_id)?;
        self.store.tombstone_visitor(&f.visitor_hash)?;
        self.store.drop_consents(&f.visitor_hash)?;
        self.effects.push(Effect::Broadcast(ServerMsg::Inbox { conversations: self.conversations()? }));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory::{summary, Memory};
    use super::*;
    use crate::conversation::logic::Indexed;
    use crate::workspace::{ConversationUpdate, IdentityLink};
    use shared::consent::ConsentRecord;
    use shared::ConversationId;

    const SITE: &str = "demo";

    fn visitor(n: u8) -> VisitorId {
        VisitorId::parse(&format!("v_{}", n.to_string().repeat(10))).unwrap()
    }

    fn hash(v: &VisitorId) -> String {
        visitor_hash(SITE, v)
    }

    fn consent(v: &VisitorId) -> ConsentRecord {
        let json = serde_json::json!({
            "at": 1, "expires_at": 2, "visitor_hash": hash(v), "policy_version": 1,
            "choices": {"preferences": false, "analytics": false, "marketing": false}, "method": "reject_all", "lang": "en", "gpc": false,
        });
        serde_json::from_value(json).unwrap()
    }

    fn update(id: &ConversationId, v: &VisitorId, rev: u64) -> ConversationUpdate {
        let mut s = summary(id, "Ada", 1_000);
        s.rev = rev;
        ConversationUpdate {
            summary: s,
            indexed: Some(Indexed { seq: rev, body: format!("secret {rev}"), at: 1_000 }),
            visitor_id: Some(v.clone()),
        }
    }

    /// A workspace with visitor 1 (two conversations, one only the index knows about, an email,
    /// a user id, a consent) and visitor 2 (one conversation, a consent).
    fn populated() -> (Memory, [ConversationId; 3]) {
        let mut store = Memory::open();
        let ids = ["c_111111111111", "c_111111111112", "c_222222222222"].map(|s| ConversationId::parse(s).unwrap());
        let mut ws = Workspace::new(&mut store, SITE, 5_000, 1_000);
        ws.conversation_updated(&update(&ids[0], &visitor(1), 1)).unwrap();
        ws.conversation_updated(&update(&ids[1], &visitor(1), 1)).unwrap();
        ws.conversation_updated(&update(&ids[2], &visitor(2), 1)).unwrap();
        let email = Email::parse("ada@example.com").unwrap();
        ws.directory(&DirectoryEntry { visitor_id: visitor(1), email: Some(email) }).unwrap();
        let link = IdentityLink { user_id: "user-1".into(), visitor_id: visitor(1), conversation_id: ids[0].clone() };
        ws.link_identity(link).unwrap();
        ws.log_consent(&consent(&visitor(1)), Some(&visitor(1))).unwrap();
        ws.log_consent(&consent(&visitor(2)), Some(&visitor(2))).unwrap();
        (store, ids)
    }

    fn forget_one(store: &mut Memory, ids: &[ConversationId]) -> Vec<Effect> {
        let v = visitor(1);
        let mut ws = Workspace::new(store, SITE, 6_000, 1_000);
        assert_eq!(ws.visitor_conversations(&v).unwrap(), ids, "the index ties both to the visitor");
        ws.forget(&Forget { visitor_id: v.clone(), visitor_hash: hash(&v), conversation_ids: ids.to_vec() }).unwrap();
        ws.effects
    }

    #[test]
    fn forget_drops_every_trace_and_tombstones_the_conversations_and_the_visitor() {
        let (mut store, ids) = populated();
        let effects = forget_one(&mut store, &ids[..2]);
        let ws = Workspace::new(&mut store, SITE, 6_000, 1_000);
        assert!(ws.summaries(&ids[..2]).unwrap().is_empty());
        assert!(ws.search("secret").unwrap().iter().all(|h| h.conversation_id == ids[2]));
        assert_eq!(ws.find_subjects("ada@example.com").unwrap(), Vec::<VisitorId>::new());
        assert_eq!(ws.find_subjects("user-1").unwrap(), Vec::<VisitorId>::new());
        assert_eq!(ws.consent_log().unwrap(), [consent(&visitor(2))]);
        assert!(
            store.erased_conversations.contains(ids[0].as_str())
                && store.erased_conversations.contains(ids[1].as_str())
        );
        assert!(store.erased_visitors.contains(&hash(&visitor(1))));
        assert_eq!(store.visitors.iter().cloned().collect::<Vec<_>>(), [visitor(2).to_string()]);
        // Live inboxes get the list without them.
        let inbox = summary(&ids[2], "Ada", 1_000);
        assert_eq!(effects, [Effect::Broadcast(ServerMsg::Inbox { conversations: vec![inbox] })]);
        // Visitor 2 is untouched.
        assert_eq!(store.summaries.len(), 1);
    }

    #[test]
    fn calls_arriving_after_the_erasure_record_nothing() {
        let (mut store, ids) = populated();
        forget_one(&mut store, &ids[..2]);
        let v = visitor(1);
        let mut ws = Workspace::new(&mut store, SITE, 7_000, 1_000);
        // An update sent before the erasure, and a newer one.
        ws.conversation_updated(&update(&ids[0], &v, 2)).unwrap();
        ws.conversation_updated(&update(&ids[1], &v, 9)).unwrap();
        assert!(!ws.effects.iter().any(|e| matches!(e, Effect::Broadcast(_))), "{:?}", ws.effects);
        // The visitor's late directory call, consent, and identity claim.
        let email = Email::parse("ada@example.com").unwrap();
        ws.directory(&DirectoryEntry { visitor_id: v.clone(), email: Some(email) }).unwrap();
        ws.log_consent(&consent(&v), Some(&v)).unwrap();
        let link = IdentityLink { user_id: "user-2".into(), visitor_id: v.clone(), conversation_id: ids[0].clone() };
        assert!(matches!(ws.link_identity(link), Err(crate::error::EdgeError::Unauthorized)));
        assert!(ws.find_subjects("user-2").unwrap().is_empty());
        assert!(ws.summaries(&ids[..2]).unwrap().is_empty());
        assert!(ws.search("secret 9").unwrap().is_empty());
        assert!(ws.find_subjects("ada@example.com").unwrap().is_empty());
        assert!(!store.visitors.contains(v.as_str()), "an erased visitor is not registered again");
        assert!(store.directory.is_empty());
        // An erasure run again (a retried request) is harmless and leaves the other visitor.
        forget_one(&mut store, &[]);
        assert_eq!(store.summaries.len(), 1);
        assert!(store.visitors.contains(visitor(2).as_str()));
    }

    #[test]
    fn the_directory_follows_the_profile_and_subjects_are_found_by_email_user_or_id() {
        let (mut store, _) = populated();
        let mut ws = Workspace::new(&mut store, SITE, 6_000, 1_000);
        assert_eq!(ws.find_subjects(" ada@example.com ").unwrap(), [visitor(1)]);
        assert_eq!(ws.find_subjects("user-1").unwrap(), [visitor(1)]);
        assert_eq!(ws.find_subjects(visitor(2).as_str()).unwrap(), [visitor(2)]);
        ws.directory(&DirectoryEntry { visitor_id: visitor(1), email: None }).unwrap();
        assert!(ws.find_subjects("ada@example.com").unwrap().is_empty());
    }
}
