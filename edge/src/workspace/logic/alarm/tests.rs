//! The alarm's decisions: when it is set, how much one alarm does, what a failure does, and the
//! closing and purge of a workspace.

use super::super::memory::{block_on, summary, Memory};
use super::*;
use crate::error::EdgeError;
use shared::{ConversationId, VisitorId};

const DAY: i64 = 1_000;

/// Runs one alarm at `now`, answering each call with `answer`: the calls made, and the effects.
fn alarm(store: &mut Memory, now: i64, answer: impl Fn(&Call) -> EdgeResult<()>) -> (Vec<Call>, Vec<Effect>) {
    let mut calls = vec![];
    let mut ws = Workspace::new(store, "demo", now, DAY);
    block_on(ws.alarm(&[], async |call: &Call| {
        calls.push(call.clone());
        answer(call)
    }));
    (calls, ws.effects)
}

fn ok(_: &Call) -> EdgeResult<()> {
    Ok(())
}

fn conversation(n: usize) -> ConversationId {
    ConversationId::parse(&format!("c_{n:012}")).unwrap()
}

fn visitor(n: usize) -> VisitorId {
    VisitorId::parse(&format!("v_{n:012}")).unwrap()
}

/// An open workspace keeping conversations `days` days, with `conversations` last active at
/// 0, 1, 2, … ms and `visitors` registered.
fn workspace(days: Option<u32>, conversations: usize, visitors: usize) -> Memory {
    let mut store = Memory::open();
    store.config.as_mut().unwrap().chat.retention_days = days;
    for n in 0..conversations {
        store.put_summaries(&[(&summary(&conversation(n), "Ada", n as i64), None)], n as i64).unwrap();
    }
    for n in 0..visitors {
        store.register_visitor(&visitor(n)).unwrap();
    }
    store
}

fn schedule(store: &mut Memory, now: i64) -> Vec<Effect> {
    let mut ws = Workspace::new(store, "demo", now, DAY);
    ws.schedule().unwrap();
    ws.effects
}

#[test]
fn the_next_alarm_is_now_for_waiting_visitors_else_the_oldest_activity_plus_the_period_else_none() {
    assert_eq!(schedule(&mut workspace(None, 3, 0), 100), [Effect::DeleteAlarm], "nothing expires");
    assert_eq!(schedule(&mut workspace(Some(2), 0, 0), 100), [Effect::DeleteAlarm], "nothing to expire");
    let mut store = workspace(Some(2), 3, 0);
    assert_eq!(schedule(&mut store, 100), [Effect::SetAlarm(2 * DAY)], "the oldest, at 0, passes the period");
    assert_eq!(schedule(&mut store, 5 * DAY), [Effect::SetAlarm(5 * DAY + 1)], "overdue: right away");
    store.retention_sync.insert(visitor(0).to_string());
    assert_eq!(schedule(&mut store, 100), [Effect::SetAlarm(101)], "a visitor waits: now");
    let mut store = workspace(None, 3, 1);
    store.retention_sync.insert(visitor(0).to_string());
    assert_eq!(schedule(&mut store, 100), [Effect::SetAlarm(101)]);
}

#[test]
fn a_changed_period_queues_every_visitor_and_each_alarm_tells_at_most_fifty() {
    let mut store = workspace(None, 0, 70);
    let mut ws = Workspace::new(&mut store, "demo", 100, DAY);
    let same = ws.config().unwrap().settings(&shared::SiteId::parse("demo").unwrap());
    ws.update_settings(same.clone(), &[]).unwrap();
    assert_eq!(ws.effects, [Effect::DeleteAlarm], "an unchanged period queues nobody");
    ws.effects.clear();
    ws.update_settings(shared::api::WorkspaceSettings { retention_days: Some(30), ..same }, &[]).unwrap();
    assert_eq!(ws.effects, [Effect::SetAlarm(101)]);
    assert_eq!(store.retention_sync.len(), 70);

    let (calls, effects) = alarm(&mut store, 200, ok);
    assert_eq!(calls.len(), BATCH);
    assert!(calls.iter().all(|c| matches!(c, Call::TellRetention { period_ms: Some(p), .. } if *p == 30 * DAY)));
    assert_eq!(effects, [Effect::SetAlarm(201)], "20 still wait");
    let (calls, effects) = alarm(&mut store, 300, ok);
    assert_eq!(calls.len(), 20);
    assert_eq!(effects, [Effect::DeleteAlarm], "everyone told, no conversation to expire");
    assert!(store.retention_sync.is_empty());
}

#[test]
fn an_erased_visitor_answering_unauthorized_does_not_stop_the_sync_but_a_failure_does() {
    let mut store = workspace(Some(1), 0, 5);
    store.queue_retention_sync().unwrap();
    let erased = visitor(1);
    let (calls, _) = alarm(&mut store, 100, |c| match c {
        Call::TellRetention { visitor, .. } if *visitor == erased => Err(EdgeError::Unauthorized),
        _ => Ok(()),
    });
    assert_eq!(calls.len(), 5);
    assert!(store.retention_sync.is_empty(), "the erased visitor counts as told");

    store.queue_retention_sync().unwrap();
    let broken = visitor(2);
    let (calls, effects) = alarm(&mut store, 100, |c| match c {
        Call::TellRetention { visitor, .. } if *visitor == broken => Err(EdgeError::Internal("down".into())),
        _ => Ok(()),
    });
    assert_eq!(calls.len(), 3, "visitors 0 and 1, then 2 fails");
    assert_eq!(store.retention_sync.iter().cloned().collect::<Vec<_>>(), [2, 3, 4].map(|n| visitor(n).to_string()));
    assert!(matches!(&effects[..], [Effect::Log(_), Effect::SetAlarm(at)] if *at == 100 + ALARM_RETRY_MS));
}

#[test]
fn expiry_deletes_at_most_fifty_oldest_first_per_alarm_and_sets_the_next() {
    let mut store = workspace(Some(1), 120, 0);
    // One more, still active: it is due a day after its last activity.
    store.put_summaries(&[(&summary(&conversation(999), "Bo", 10 * DAY), None)], 10 * DAY).unwrap();
    let now = 10 * DAY + 10;
    let (calls, effects) = alarm(&mut store, now, ok);
    let expected: Vec<Call> =
        (0..50).map(|n| Call::EraseConversation { id: conversation(n), tombstone: false }).collect();
    assert_eq!(calls, expected);
    assert!(matches!(&effects[..], [Effect::Broadcast(ServerMsg::Inbox { conversations }), Effect::SetAlarm(at)]
        if conversations.len() == 71 && *at == now + 1));
    assert_eq!(store.audit.last().unwrap().detail, "50 conversation(s) inactive for more than 1 day(s)");
    assert_eq!(alarm(&mut store, now, ok).0.len(), 50);
    let (calls, effects) = alarm(&mut store, now, ok);
    assert_eq!(calls.len(), 20);
    assert_eq!(effects.last(), Some(&Effect::SetAlarm(11 * DAY)), "the active one, when it passes the period");
    assert_eq!(store.summaries.len(), 1);
    assert_eq!(store.audit.len(), 3);
}

#[test]
fn a_failed_alarm_keeps_what_it_did_and_tries_again_in_a_minute() {
    let mut store = workspace(Some(1), 5, 0);
    let (calls, effects) = alarm(&mut store, 10 * DAY, |c| match c {
        Call::EraseConversation { id, .. } if *id == conversation(2) => Err(EdgeError::Internal("down".into())),
        _ => Ok(()),
    });
    assert_eq!(calls.len(), 3);
    assert_eq!(store.summaries.len(), 3, "two deleted, the failed one and the rest kept");
    assert!(matches!(&effects[..], [Effect::Log(_), Effect::SetAlarm(at)] if *at == 10 * DAY + ALARM_RETRY_MS));
    // A closed workspace's purge too: nothing else would ever set its alarm again.
    store.closing_at = Some(0);
    let (_, effects) = alarm(&mut store, 20 * DAY, |_| Err(EdgeError::Internal("down".into())));
    assert_eq!(effects.last(), Some(&Effect::SetAlarm(20 * DAY + ALARM_RETRY_MS)));
}

#[test]
fn closing_twice_keeps_the_first_date_and_the_closed_workspace_is_unknown_and_taken() {
    let mut store = workspace(None, 0, 0);
    let mut ws = Workspace::new(&mut store, "demo", 1_000, DAY);
    let closing = ws.close().unwrap();
    let deleted_at = 1_000 + i64::from(CLOSURE_GRACE_DAYS) * DAY;
    assert_eq!(closing.deleted_at, deleted_at);
    let close = Effect::Close {
        email: None,
        sessions: None,
        code: shared::CloseCode::WorkspaceClosed,
        reason: "the workspace was closed",
    };
    assert_eq!(ws.effects, [Effect::SetAlarm(deleted_at), close]);
    assert!(matches!(ws.config(), Err(EdgeError::UnknownSite(_))));
    assert!(matches!(ws.create_config(super::super::memory::config()), Err(EdgeError::Conflict(_))));
    let mut again = Workspace::new(&mut store, "demo", 5_000, DAY);
    assert_eq!(again.close().unwrap().deleted_at, deleted_at);
    assert!(again.effects.is_empty());
    let mut unknown = Memory::default();
    assert!(matches!(Workspace::new(&mut unknown, "demo", 1, DAY).close(), Err(EdgeError::UnknownSite(_))));
}

#[test]
fn the_purge_waits_for_the_grace_period_then_deletes_fifty_of_each_kind_per_alarm_then_everything() {
    let mut store = workspace(Some(1), 120, 70);
    store.closing_at = Some(1_000);
    let (calls, effects) = alarm(&mut store, 500, ok);
    assert!(calls.is_empty());
    assert_eq!(effects, [Effect::SetAlarm(1_000)]);
    let mut rounds = vec![];
    loop {
        let (calls, effects) = alarm(&mut store, 2_000, ok);
        let erased = calls.iter().filter(|c| matches!(c, Call::EraseConversation { tombstone: true, .. })).count();
        let visitors = calls.iter().filter(|c| matches!(c, Call::EraseVisitor(_))).count();
        assert_eq!(erased + visitors, calls.len());
        rounds.push((erased, visitors, effects.clone()));
        if effects != [Effect::SetAlarm(2_001)] {
            break;
        }
    }
    let counts: Vec<_> = rounds.iter().map(|(c, v, _)| (*c, *v)).collect();
    assert_eq!(counts, [(50, 50), (50, 20), (20, 0), (0, 0)]);
    assert_eq!(rounds.last().unwrap().2, [Effect::DeleteAll]);
    assert!(store.summaries.is_empty() && store.visitors.is_empty());
}

/// An update of `conversation(n)` at `now`, as its object sends it; answers the alarm effects.
fn updated(store: &mut Memory, n: usize, rev: u64, now: i64) -> Vec<Effect> {
    let mut s = summary(&conversation(n), "Ada", now);
    s.rev = rev;
    let update = crate::workspace::ConversationUpdate { summary: s, indexed: None, visitor_id: None };
    let mut ws = Workspace::new(store, "demo", now, DAY);
    ws.conversation_updated(&update).unwrap();
    ws.effects.into_iter().filter(|e| matches!(e, Effect::SetAlarm(_) | Effect::DeleteAlarm)).collect()
}

#[test]
fn messages_do_not_reschedule_the_alarm_once_it_is_known() {
    // With a retention period: the first conversation sets the alarm, later messages leave it.
    let mut store = workspace(Some(30), 0, 0);
    assert_eq!(updated(&mut store, 1, 1, 100), [Effect::SetAlarm(100 + 30 * DAY)]);
    for rev in 2..50 {
        assert!(updated(&mut store, 1, rev, 100 + rev as i64).is_empty(), "message {rev}");
    }
    assert!(updated(&mut store, 2, 1, 200).is_empty(), "another conversation is newer: the alarm stands");
    // Without one: decided once, then nothing per message.
    let mut keep_all = workspace(None, 0, 0);
    assert_eq!(updated(&mut keep_all, 1, 1, 100), [Effect::DeleteAlarm]);
    assert!(updated(&mut keep_all, 1, 2, 101).is_empty());
    // A new retention period is decided again at once (settings write the config).
    let site = shared::SiteId::parse("demo").unwrap();
    let mut settings = Workspace::new(&mut keep_all, "demo", 102, DAY).config().unwrap().settings(&site);
    settings.retention_days = Some(7);
    let mut ws = Workspace::new(&mut keep_all, "demo", 102, DAY);
    ws.update_settings(settings, &[]).unwrap();
    assert_eq!(ws.effects, [Effect::SetAlarm(101 + 7 * DAY)], "the conversation last active at 101 is due then");
}
