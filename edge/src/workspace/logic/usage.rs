//! Usage per calendar month (UTC), counted where it happens: conversations that enter the index
//! and their messages (from the feeds' batches, one write per batch), emails sent for the site,
//! and new conversations refused because the plan's allowance for the month was used. Owners see
//! it beside their plan's limits on the billing page; `admit` is the allowance's one check.

use super::{Effect, Workspace, WorkspaceStore};
use crate::error::EdgeResult;
use serde::{Deserialize, Serialize};
use shared::api::{AuditAction, AuditActor, AuditEntry};
use shared::{ConversationId, ServerMsg};

/// One month's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    pub conversations: u32,
    pub messages: u32,
    pub emails: u32,
    /// New conversations refused over the plan's allowance.
    pub refused: u32,
}

/// This month's usage and the seats taken, as the billing page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageReport {
    /// `2026-12`.
    pub month: String,
    pub usage: Usage,
    pub seats: u32,
}

/// The month (`YYYY-MM`, UTC) of an instant.
pub fn month_of(ms: i64) -> String {
    crate::consent_export::iso8601(ms)[..7].to_owned()
}

/// The first day of the month after `month` (`2027-01-01`): when an allowance starts again.
pub fn next_month(month: &str) -> String {
    let (y, m) = month
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<u32>().ok()?, m.parse::<u32>().ok()?)))
        .unwrap_or((1970, 1));
    if m >= 12 {
        format!("{:04}-01-01", y + 1)
    } else {
        format!("{y:04}-{:02}-01", m + 1)
    }
}

impl<S: WorkspaceStore> Workspace<'_, S> {
    pub fn usage(&self) -> EdgeResult<UsageReport> {
        let month = month_of(self.now);
        let usage = self.store.usage(&month)?;
        let seats = u32::try_from(self.store.members()?.len()).unwrap_or(u32::MAX);
        Ok(UsageReport { month, usage, seats })
    }

    /// Counts what a batch of the index feeds brought: conversations new to the index and
    /// messages.
    pub(super) fn count_usage(&mut self, conversations: u32, messages: u32) -> EdgeResult<()> {
        if conversations + messages == 0 {
            return Ok(());
        }
        let delta = Usage { conversations, messages, ..Usage::default() };
        self.store.add_usage(&month_of(self.now), &delta)
    }

    pub fn count_emails(&mut self, emails: u32) -> EdgeResult<()> {
        self.store.add_usage(&month_of(self.now), &Usage { emails, ..Usage::default() })
    }

    /// Whether conversation `id` may start under an allowance of `limit` new conversations a
    /// month (`None`: no limit): one already in the index always may (nothing started is ever
    /// cut off). A refusal puts a notice in every agent's inbox (and the first of it in the audit
    /// log for the owners); a new conversation admitted again (a plan that allows it now) ends it.
    pub fn admit(&mut self, id: &ConversationId, limit: Option<u32>, plan: &str) -> EdgeResult<bool> {
        let month = month_of(self.now);
        let used = self.store.usage(&month)?;
        let allowed = limit.is_none_or(|limit| used.conversations < limit);
        if allowed || self.store.index_entry(id)?.rev.is_some() {
            // Only a month with refusals can have a notice to end.
            if allowed && used.refused > 0 && self.store.refusal_notice(&month)?.is_some() {
                self.store.set_refusal_notice(&month, None)?;
                self.effects.push(Effect::Broadcast(ServerMsg::Notice { message: String::new() }));
            }
            return Ok(true);
        }
        let limit = limit.unwrap_or_default();
        self.store.add_usage(&month, &Usage { refused: 1, ..Usage::default() })?;
        if self.store.refusal_notice(&month)?.is_none() {
            let detail = if limit == 0 {
                format!(
                    "The {plan} plan takes no new conversations in this workspace (its data region is not in the plan): \
                     new chats start once it is on a plan that has it (conversations already started go on)"
                )
            } else {
                format!(
                    "The {plan} plan's {limit} conversations this month are used: new chats cannot start until {} \
                     (conversations already started go on)",
                    next_month(&month)
                )
            };
            let why = if limit == 0 {
                format!("New chats are refused: the {plan} plan does not include this workspace's data region.")
            } else {
                format!(
                    "New chats are refused until {}: the {plan} plan's {limit} conversations this month are used.",
                    next_month(&month)
                )
            };
            let notice =
                format!("{why} Conversations already started go on; an owner can change the plan on the billing page.");
            self.store.set_refusal_notice(&month, Some(&notice))?;
            self.effects.push(Effect::Broadcast(ServerMsg::Notice { message: notice }));
            let entry = AuditEntry {
                at: self.now,
                actor: AuditActor::Other("billing".into()),
                action: AuditAction::Billing,
                detail,
            };
            self.append_audit(&entry)?;
        }
        Ok(false)
    }

    /// The notice an inbox opening now is shown, if new chats are refused this month.
    pub(super) fn notice(&self) -> EdgeResult<Option<ServerMsg>> {
        let notice = self.store.refusal_notice(&month_of(self.now))?;
        Ok(notice.map(|message| ServerMsg::Notice { message }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory::{summary, Memory};
    use super::*;
    use crate::conversation::logic::Indexed;
    use crate::workspace::ConversationUpdate;
    use shared::api::Role;
    use shared::Email;

    const DEC_1: i64 = 1_796_083_200_000;
    const DAY: i64 = 86_400_000;

    fn id(n: u32) -> ConversationId {
        ConversationId::parse(&format!("c_{n:012}")).unwrap()
    }

    /// A batch from the feeds: a message `seq` in each conversation of `ns`.
    fn batch(store: &mut Memory, now: i64, ns: &[u32], seq: u64) {
        let updates: Vec<ConversationUpdate> = ns
            .iter()
            .map(|&n| {
                let mut s = summary(&id(n), "Visitor", now);
                s.rev = seq;
                ConversationUpdate {
                    summary: s,
                    indexed: Some(Indexed { seq, body: "hi".into(), at: now }),
                    visitor_id: None,
                }
            })
            .collect();
        Workspace::new(store, "demo", now, DAY).conversations_updated(&updates).unwrap();
    }

    #[test]
    fn months_and_the_next_ones_start() {
        assert_eq!(month_of(DEC_1), "2026-12");
        assert_eq!(month_of(DEC_1 - 1), "2026-11");
        assert_eq!(next_month("2026-12"), "2027-01-01");
        assert_eq!(next_month("2026-02"), "2026-03-01");
    }

    #[test]
    fn conversations_and_messages_are_counted_per_month_as_the_feeds_bring_them() {
        let mut store = Memory::open();
        batch(&mut store, DEC_1 - 1000, &[1], 1);
        batch(&mut store, DEC_1 + 1000, &[1, 2], 2);
        batch(&mut store, DEC_1 + 2000, &[2, 3], 3);
        Workspace::new(&mut store, "demo", DEC_1 + 3000, DAY).count_emails(2).unwrap();
        let report = Workspace::new(&mut store, "demo", DEC_1 + 3000, DAY).usage().unwrap();
        assert_eq!(report.month, "2026-12");
        assert_eq!(
            report.usage,
            Usage { conversations: 2, messages: 4, emails: 2, refused: 0 },
            "conversation 1 started in November"
        );
        assert_eq!(store.usage["2026-11"].conversations, 1);
    }

    #[test]
    fn over_the_allowance_only_conversations_not_yet_started_are_refused_and_the_owners_told_once() {
        let mut store = Memory::open();
        batch(&mut store, DEC_1, &[1, 2], 1);
        let admit = |store: &mut Memory, n: u32, limit: Option<u32>| {
            Workspace::new(store, "demo", DEC_1 + 5000, DAY).admit(&id(n), limit, "Free").unwrap()
        };
        assert!(admit(&mut store, 3, Some(3)), "under the allowance");
        assert!(admit(&mut store, 9, None), "no limit");
        assert!(!admit(&mut store, 3, Some(2)), "a new one over it");
        assert!(!admit(&mut store, 4, Some(2)));
        assert!(admit(&mut store, 1, Some(2)), "one already started goes on");
        assert_eq!(store.usage["2026-12"].refused, 2);
        let told: Vec<&str> = store.audit.iter().map(|e| e.detail.as_str()).collect();
        assert_eq!(
            told,
            ["The Free plan's 2 conversations this month are used: new chats cannot start until 2027-01-01 \
              (conversations already started go on)"],
            "once a month"
        );
        // No allowance at all (a region the plan leaves out): nothing new starts, and owners learn why.
        let mut eu = Memory::open();
        assert!(!Workspace::new(&mut eu, "shop-eu", DEC_1, DAY).admit(&id(1), Some(0), "Free").unwrap());
        assert!(eu.audit[0].detail.starts_with("The Free plan takes no new conversations in this workspace"));
        // A new month, a new allowance.
        assert!(Workspace::new(&mut store, "demo", DEC_1 + 31 * DAY, DAY).admit(&id(5), Some(2), "Free").unwrap());
    }

    /// What each agent's inbox is told: (notices broadcast, notice an inbox opening now gets).
    fn notices(ws: &Workspace<'_, Memory>) -> (Vec<String>, Option<String>) {
        let broadcast = ws
            .effects
            .iter()
            .filter_map(|e| match e {
                Effect::Broadcast(ServerMsg::Notice { message }) => Some(message.clone()),
                _ => None,
            })
            .collect();
        let on_hello = ws.notice().unwrap().map(|n| match n {
            ServerMsg::Notice { message } => message,
            other => panic!("{other:?}"),
        });
        (broadcast, on_hello)
    }

    #[test]
    fn refusals_put_a_notice_in_every_inbox_until_a_new_conversation_is_admitted_again() {
        let mut store = Memory::open();
        batch(&mut store, DEC_1, &[1, 2], 1);
        let at = DEC_1 + 5000;
        let mut ws = Workspace::new(&mut store, "demo", at, DAY);
        assert_eq!(notices(&ws), (vec![], None), "nothing refused yet");
        assert!(ws.admit(&id(1), Some(2), "Free").unwrap(), "one already started");
        assert_eq!(notices(&ws), (vec![], None));
        assert!(!ws.admit(&id(3), Some(2), "Free").unwrap());
        let notice = "New chats are refused until 2027-01-01: the Free plan's 2 conversations this month are used. \
                      Conversations already started go on; an owner can change the plan on the billing page.";
        assert_eq!(notices(&ws), (vec![notice.to_owned()], Some(notice.to_owned())), "told live and on opening");
        // More refusals: the open inboxes are not told again.
        let mut ws = Workspace::new(&mut store, "demo", at + 1, DAY);
        assert!(!ws.admit(&id(4), Some(2), "Free").unwrap());
        assert_eq!(notices(&ws), (vec![], Some(notice.to_owned())));
        // A plan with more room (or none): the next new conversation ends the notice everywhere.
        let mut ws = Workspace::new(&mut store, "demo", at + 2, DAY);
        assert!(ws.admit(&id(1), Some(10), "Pro").unwrap());
        assert_eq!(notices(&ws), (vec![String::new()], None));
        let mut ws = Workspace::new(&mut store, "demo", at + 3, DAY);
        assert!(ws.admit(&id(5), None, "Pro").unwrap());
        assert_eq!(notices(&ws), (vec![], None), "ended once");
        // Refused again the same month (a plan that shrank again): told again, and the owners too.
        let mut ws = Workspace::new(&mut store, "demo", at + 4, DAY);
        assert!(!ws.admit(&id(6), Some(2), "Free").unwrap());
        assert_eq!(notices(&ws).0.len(), 1);
        assert_eq!(store.audit.len(), 2);
        // A new month starts a new allowance: an inbox opening then sees no notice.
        let ws = Workspace::new(&mut store, "demo", DEC_1 + 31 * DAY, DAY);
        assert_eq!(notices(&ws), (vec![], None));
    }

    #[test]
    fn an_inbox_opening_while_chats_are_refused_hears_it_after_its_list() {
        use super::super::inbox::InboxPeer;
        let mut store = Memory::open();
        let ada = Email::parse("ada@example.com").unwrap();
        let member = crate::workspace::NewMember { email: ada.clone(), name: "Ada".into(), role: Role::Agent };
        Workspace::new(&mut store, "demo", DEC_1, DAY).add_member(&member, &[]).unwrap();
        assert!(!Workspace::new(&mut store, "demo", DEC_1, DAY).admit(&id(1), Some(0), "Free").unwrap());
        let mut ws = Workspace::new(&mut store, "demo", DEC_1 + 1, DAY);
        let mut peer = InboxPeer { email: ada, greeted: false, away: false, session: None };
        let hello = Ok(shared::ClientMsg::Hello { protocol: shared::PROTOCOL_VERSION, after_seq: 0 });
        ws.on_frame(&mut peer, &[], hello);
        assert!(
            matches!(&ws.effects[..2], [Effect::Reply(ServerMsg::Inbox { .. }), Effect::Reply(ServerMsg::Notice { message })]
                if message.starts_with("New chats are refused: the Free plan does not include this workspace's data region.")),
            "{:?}",
            ws.effects
        );
    }
}
