//! Usage per calendar month (UTC), counted where it happens: conversations that enter the index
//! and their messages (from the feeds' batches, one write per batch), emails sent for the site,
//! and new conversations refused because the plan's allowance for the month was used. Owners see
//! it beside their plan's limits on the billing page; `admit` is the allowance's one check.

use super::{Workspace, WorkspaceStore};
use crate::error::EdgeResult;
use serde::{Deserialize, Serialize};
use shared::api::{AuditAction, AuditActor, AuditEntry};
use shared::ConversationId;

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
    /// cut off). The month's first refusal tells the owners in the audit log.
    pub fn admit(&mut self, id: &ConversationId, limit: Option<u32>, plan: &str) -> EdgeResult<bool> {
        let Some(limit) = limit else { return Ok(true) };
        let month = month_of(self.now);
        let used = self.store.usage(&month)?;
        if used.conversations < limit || self.store.index_entry(id)?.rev.is_some() {
            return Ok(true);
        }
        self.store.add_usage(&month, &Usage { refused: 1, ..Usage::default() })?;
        if used.refused == 0 {
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
}

#[cfg(test)]
mod tests {
    use super::super::memory::{summary, Memory};
    use super::*;
    use crate::conversation::logic::Indexed;
    use crate::workspace::ConversationUpdate;

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
}
