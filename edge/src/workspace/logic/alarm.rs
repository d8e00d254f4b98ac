//! The workspace's alarm: the retention period (visitors told of a new one, conversations past
//! it deleted) while it is open, and once it is closed, the purge of everything after the grace
//! period. Each alarm does one batch per kind of work and sets the next; a failed one tries again
//! in a minute, because a closed workspace refuses every request and nothing else would.

use super::{Call, Effect, InboxPeer, Scheduled, Workspace, WorkspaceStore};
use crate::conversation::Ending;
use crate::error::EdgeResult;
use shared::api::{AuditAction, AuditActor, AuditEntry};
use shared::privacy::{Closing, CLOSURE_GRACE_DAYS};
use shared::{CloseCode, ErrorCode, ServerMsg};

/// Most objects one alarm deletes or tells, per kind; the next alarm follows at once if more are due.
pub const BATCH: usize = 50;
/// How soon a failed alarm tries again.
pub const ALARM_RETRY_MS: i64 = 60_000;

impl<S: WorkspaceStore> Workspace<'_, S> {
    /// The retention period: in days, and in ms.
    fn retention(&self) -> EdgeResult<Option<(u32, i64)>> {
        Ok(self.config()?.chat.retention_days.map(|days| (days, i64::from(days) * self.day_ms)))
    }

    /// Sets the alarm for the next thing due: visitors to tell about a new retention period
    /// (now), the least recently active conversation passing the period, a digest, or business
    /// hours opening or closing while a visitor is there; clears it when nothing is.
    pub(super) fn schedule(&mut self) -> EdgeResult<()> {
        let pending = !self.store.retention_sync_due(1)?.is_empty();
        let expiry = match self.retention()? {
            Some((_, period)) => self.store.oldest_activity()?.map(|at| at + period),
            None => None,
        };
        let digest = self.next_digest_due()?;
        let hours = self.next_hours_change()?;
        let next = [pending.then_some(self.now), expiry, digest, hours]
            .into_iter()
            .flatten()
            .min()
            .map(|at| at.max(self.now + 1));
        self.effects.push(match next {
            // An alarm cannot be set in the past.
            Some(at) => Effect::SetAlarm(at),
            None => Effect::DeleteAlarm,
        });
        let retention = self.retention()?.is_some();
        self.store.set_scheduled(&Scheduled { alarm_at: next, retention })
    }

    /// After a conversation's update: the alarm needs setting only if nothing is known, or a
    /// retention period applies and no alarm is set (the first conversation), or something is
    /// `due` before the alarm comes (a visitor started waiting, business hours change).
    /// Otherwise it stays: a conversation's activity only moves later, and an alarm that comes
    /// early deletes nothing and sets the next one. This keeps the message path free of reading the config and
    /// setting the alarm for every message.
    pub(super) fn schedule_if_needed(&mut self, due: Option<i64>) -> EdgeResult<()> {
        let scheduled = self.store.scheduled()?;
        if let (Some(due), Some(known)) = (due, scheduled) {
            if known.alarm_at.is_none_or(|at| at > due) {
                let at = due.max(self.now + 1);
                self.effects.push(Effect::SetAlarm(at));
                return self.store.set_scheduled(&Scheduled { alarm_at: Some(at), ..known });
            }
        }
        match scheduled {
            Some(Scheduled { alarm_at: Some(_), .. } | Scheduled { alarm_at: None, retention: false }) => Ok(()),
            _ => self.schedule(),
        }
    }

    /// Closes the workspace: from now on it answers as unknown (the widget stops, members lose
    /// access), its open inboxes are closed, and the alarm deletes everything after the grace
    /// period. Closing twice keeps the first date.
    pub fn close(&mut self) -> EdgeResult<Closing> {
        if let Some(deleted_at) = self.store.closing_at()? {
            return Ok(Closing { deleted_at });
        }
        self.config()?;
        let deleted_at = self.now + i64::from(CLOSURE_GRACE_DAYS) * self.day_ms;
        self.store.set_closing_at(deleted_at)?;
        self.effects.push(Effect::SetAlarm(deleted_at));
        self.effects.push(Effect::Close {
            email: None,
            sessions: None,
            code: CloseCode::WorkspaceClosed,
            reason: "the workspace was closed",
        });
        // Every conversation closes its sockets, visitors' included, and admits nobody more.
        for conversation in self.store.some_conversations(usize::MAX)? {
            self.effects.push(Effect::EndAccess { conversation, ending: Ending::Workspace });
        }
        self.store.drop_agent_sockets(None, None)?;
        Ok(Closing { deleted_at })
    }

    /// The alarm. `carry` makes one call to another object; a failure leaves what was done
    /// recorded and tries again in [`ALARM_RETRY_MS`].
    /// `peers`: the open inboxes (whether an agent is available, for the digests and visitors).
    pub async fn alarm(&mut self, peers: &[InboxPeer], mut carry: impl AsyncFnMut(&Call) -> EdgeResult<()>) {
        let closing = self.store.closing_at();
        // Business hours may have opened or closed: visitors hear it, whatever fails after.
        let told = match closing {
            Ok(None) => self.tell_visitors(peers),
            _ => Ok(()),
        };
        let start = self.effects.len();
        let done = match closing {
            Ok(Some(deleted_at)) => self.purge(deleted_at, &mut carry).await,
            Ok(None) => {
                let rest = self.open_alarm(super::anyone_available(peers), &mut carry).await;
                told.and(rest)
            }
            Err(e) => Err(e),
        };
        if let Err(e) = done {
            self.effects.truncate(start);
            self.effects.push(Effect::Log(format!("workspace alarm: {e}")));
            self.effects.push(Effect::SetAlarm(self.now + ALARM_RETRY_MS));
        }
    }

    /// An open workspace's alarm: retention, digests and expiry each take a batch.
    async fn open_alarm(
        &mut self,
        available: bool,
        carry: &mut impl AsyncFnMut(&Call) -> EdgeResult<()>,
    ) -> EdgeResult<()> {
        self.sync_retention(carry).await?;
        self.send_digests(available, carry).await?;
        self.expire(carry).await
    }

    /// Tells a batch of visitors the current retention period. An erased visitor (who answers
    /// `unauthorized`) has nothing left to expire: it counts as told.
    async fn sync_retention(&mut self, carry: &mut impl AsyncFnMut(&Call) -> EdgeResult<()>) -> EdgeResult<()> {
        let due = self.store.retention_sync_due(BATCH)?;
        if due.is_empty() {
            return Ok(());
        }
        let period_ms = self.retention()?.map(|(_, ms)| ms);
        for visitor in due {
            match carry(&Call::TellRetention { visitor: visitor.clone(), period_ms }).await {
                Err(e) if e.code() != ErrorCode::Unauthorized => return Err(e),
                _ => self.store.retention_synced(&visitor)?,
            }
        }
        Ok(())
    }

    /// Deletes a batch of the conversations whose last activity is older than the retention
    /// period — the conversation object itself, then its index and search entries — and sets
    /// the next alarm.
    async fn expire(&mut self, carry: &mut impl AsyncFnMut(&Call) -> EdgeResult<()>) -> EdgeResult<()> {
        let Some((days, period)) = self.retention()? else { return self.schedule() };
        let due = self.store.inactive_before(self.now - period, BATCH)?;
        for id in &due {
            carry(&Call::EraseConversation { id: id.clone(), tombstone: false }).await?;
            self.store.drop_conversation(id)?;
        }
        if !due.is_empty() {
            self.effects.push(Effect::Broadcast(ServerMsg::Inbox { conversations: self.conversations()? }));
            self.store.append_audit(&AuditEntry {
                at: self.now,
                actor: AuditActor::Retention,
                action: AuditAction::RetentionDeleted,
                detail: format!("{} conversation(s) inactive for more than {days} day(s)", due.len()),
            })?;
        }
        self.schedule()
    }

    /// The closed workspace's alarm: once the grace period is over, deletes its conversations
    /// and visitors object by object, a batch of each per alarm, then everything it kept itself.
    async fn purge(&mut self, deleted_at: i64, carry: &mut impl AsyncFnMut(&Call) -> EdgeResult<()>) -> EdgeResult<()> {
        if self.now < deleted_at {
            self.effects.push(Effect::SetAlarm(deleted_at));
            return Ok(());
        }
        let conversations = self.store.some_conversations(BATCH)?;
        for id in &conversations {
            carry(&Call::EraseConversation { id: id.clone(), tombstone: true }).await?;
            self.store.drop_conversation(id)?;
        }
        let visitors = self.store.some_visitors(BATCH)?;
        for visitor in &visitors {
            carry(&Call::EraseVisitor(visitor.clone())).await?;
            self.store.drop_visitor(visitor)?;
        }
        // More to do: the next batch right away, in a fresh alarm invocation.
        self.effects.push(match conversations.is_empty() && visitors.is_empty() {
            true => Effect::DeleteAll,
            false => Effect::SetAlarm(self.now + 1),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests;
