//! Digests about waiting visitors: who waits, who is told, when, and how often.

use super::super::memory::{block_on, summary, Memory};
use super::*;
use crate::workspace::ConversationUpdate;
use shared::api::{Member, Role};

const MIN: i64 = 60_000;
/// A day as long as a real one: minutes are real minutes.
const DAY: i64 = 86_400_000;

fn id(n: u32) -> ConversationId {
    ConversationId::parse(&format!("c_{n:012}")).unwrap()
}

fn email(name: &str) -> Email {
    Email::parse(&format!("{name}@shop.example")).unwrap()
}

/// A workspace with members `ana` and `bo`, each with `prefs`.
fn workspace(ana: MemberPrefs, bo: MemberPrefs) -> Memory {
    let mut store = Memory::open();
    for (name, prefs) in [("ana", ana), ("bo", bo)] {
        let member = Member { email: email(name), name: name.into(), role: Role::Agent, joined_at: 0 };
        store.put_member(&member).unwrap();
        Workspace::new(&mut store, "demo", 0, DAY).member_prefs(&email(name), prefs).unwrap();
    }
    store
}

fn prefs(notify: NotifyWhen) -> MemberPrefs {
    MemberPrefs { verified: true, notify }
}

/// A message in conversation `n` at `at` by the visitor (or an agent), with revision `rev`.
fn message(store: &mut Memory, now: i64, n: u32, rev: u64, by_visitor: bool) -> Vec<super::super::Effect> {
    let mut s = summary(&id(n), &format!("Visitor {n}"), now);
    s.rev = rev;
    s.last_seq = rev;
    s.last_message = format!("message {rev}");
    if !by_visitor {
        s.last_author = Author::Agent { name: "Ana".into() };
    }
    let update = ConversationUpdate { summary: s, indexed: None, visitor_id: None };
    let mut ws = Workspace::new(store, "demo", now, DAY);
    ws.conversations_updated(&[update]).unwrap();
    ws.effects
}

/// The digests due at `now`, handed over (so their members are marked).
fn digests(store: &mut Memory, now: i64, available: bool) -> Vec<Digest> {
    let mut ws = Workspace::new(store, "demo", now, DAY);
    let due = ws.due_digests(available).unwrap();
    for d in &due {
        ws.digested(&d.to).unwrap();
    }
    due
}

fn due(store: &mut Memory, now: i64) -> Option<i64> {
    Workspace::new(store, "demo", now, DAY).next_digest_due().unwrap()
}

#[test]
fn a_visitor_waiting_while_nobody_is_available_is_mailed_a_minute_later_once() {
    let mut store = workspace(prefs(NotifyWhen::Away), prefs(NotifyWhen::Never));
    let effects = message(&mut store, 1_000, 1, 1, true);
    assert!(effects.contains(&super::super::Effect::SetAlarm(1_000 + MIN)), "the alarm comes in a minute: {effects:?}");
    assert!(digests(&mut store, 1_000 + MIN - 1, false).is_empty(), "not before");
    let sent = digests(&mut store, 1_000 + MIN, false);
    assert_eq!(sent.len(), 1, "ana only: bo wants none");
    assert_eq!(sent[0].to, email("ana"));
    assert_eq!(sent[0].workspace, "Demo Shop");
    assert_eq!(sent[0].items.iter().map(|w| w.preview.as_str()).collect::<Vec<_>>(), ["message 1"]);
    assert!(digests(&mut store, 1_000 + 30 * MIN, false).is_empty(), "nothing new: no second mail");
    assert_eq!(due(&mut store, 1_000 + 30 * MIN), None, "and no alarm for it");
}

#[test]
fn more_messages_make_one_digest_per_gap_not_one_mail_each() {
    let mut store = workspace(prefs(NotifyWhen::Away), prefs(NotifyWhen::Away));
    message(&mut store, 0, 1, 1, true);
    assert_eq!(digests(&mut store, MIN, false).len(), 2);
    // The visitor writes five more times, and another visitor twice, within the gap.
    for i in 0..5 {
        message(&mut store, MIN + 1_000 * i, 1, 2 + i as u64, true);
    }
    message(&mut store, 2 * MIN, 2, 1, true);
    message(&mut store, 2 * MIN + 10, 2, 2, true);
    assert!(digests(&mut store, 5 * MIN, false).is_empty(), "within the gap, nothing");
    assert_eq!(due(&mut store, 5 * MIN), Some(MIN + DIGEST_GAP_MS), "due when the gap is over");
    let second = digests(&mut store, MIN + DIGEST_GAP_MS, false);
    assert_eq!(second.len(), 2, "one each");
    assert_eq!(second[0].items.len(), 2, "both conversations in one mail");
    assert_eq!(second[0].items[0].preview, "message 2", "the latest first, with their latest message");
}

#[test]
fn an_answer_or_resolving_stops_the_waiting() {
    let mut store = workspace(prefs(NotifyWhen::Away), prefs(NotifyWhen::Never));
    message(&mut store, 0, 1, 1, true);
    message(&mut store, 10_000, 1, 2, false);
    message(&mut store, 0, 2, 1, true);
    let mut s = summary(&id(2), "Visitor 2", 20_000);
    s.rev = 2;
    s.status = shared::ConversationStatus::Resolved;
    Workspace::new(&mut store, "demo", 20_000, DAY)
        .conversations_updated(&[ConversationUpdate { summary: s, indexed: None, visitor_id: None }])
        .unwrap();
    assert!(store.waiting.is_empty());
    assert!(digests(&mut store, 10 * MIN, false).is_empty());
}

#[test]
fn away_is_quiet_while_someone_is_available_but_a_delay_is_not() {
    let mut store = workspace(prefs(NotifyWhen::Away), prefs(NotifyWhen::After5));
    message(&mut store, 0, 1, 1, true);
    assert!(digests(&mut store, MIN, true).is_empty(), "ana hears nothing while a colleague can answer");
    let at_five = digests(&mut store, 5 * MIN, true);
    assert_eq!(at_five.iter().map(|d| d.to.clone()).collect::<Vec<_>>(), [email("bo")], "bo asked for 5 minutes");
    assert_eq!(due(&mut store, 5 * MIN), None, "nobody else is owed a mail: the alarm does not spin");
    // A later message while nobody is available reaches ana after the gap.
    message(&mut store, 20 * MIN, 1, 2, true);
    assert_eq!(digests(&mut store, 21 * MIN, false).iter().filter(|d| d.to == email("ana")).count(), 1);
}

#[test]
fn unconfirmed_addresses_and_former_members_get_nothing() {
    let unverified = MemberPrefs { verified: false, notify: NotifyWhen::Away };
    let mut store = workspace(unverified, prefs(NotifyWhen::Away));
    store.drop_member(&email("bo")).unwrap();
    message(&mut store, 0, 1, 1, true);
    assert!(digests(&mut store, 10 * MIN, false).is_empty());
    assert_eq!(due(&mut store, 10 * MIN), None);
    // A late push of preferences for someone who left is ignored.
    Workspace::new(&mut store, "demo", 0, DAY).member_prefs(&email("bo"), prefs(NotifyWhen::Away)).unwrap();
    assert!(digests(&mut store, 20 * MIN, false).is_empty());
}

#[test]
fn an_erased_conversation_is_not_mailed_about() {
    let mut store = workspace(prefs(NotifyWhen::Away), prefs(NotifyWhen::Never));
    message(&mut store, 0, 1, 1, true);
    store.drop_conversation(&id(1)).unwrap();
    assert!(digests(&mut store, 10 * MIN, false).is_empty());
}

#[test]
fn a_digest_lists_ten_and_counts_the_rest() {
    let mut store = workspace(prefs(NotifyWhen::After15), prefs(NotifyWhen::Never));
    for n in 0..14 {
        message(&mut store, n as i64, n, 1, true);
    }
    let sent = digests(&mut store, 15 * MIN + 100, false);
    assert_eq!(sent[0].items.len(), DIGEST_ITEMS);
    assert_eq!(sent[0].more, 4);
}

#[test]
fn the_alarm_mails_and_a_failed_queue_tries_again() {
    let mut store = workspace(prefs(NotifyWhen::Away), prefs(NotifyWhen::Never));
    message(&mut store, 0, 1, 1, true);
    let mut calls = 0;
    let mut ws = Workspace::new(&mut store, "demo", MIN, DAY);
    block_on(ws.alarm(&[], async |call: &Call| {
        calls += 1;
        assert!(matches!(call, Call::Digest(_)));
        Err(crate::error::EdgeError::Internal("postbox down".into()))
    }));
    assert_eq!(calls, 1);
    assert!(ws.effects.contains(&super::super::Effect::SetAlarm(MIN + super::super::alarm::ALARM_RETRY_MS)));
    // The retry mails it: the failure marked nobody.
    let mut sent = vec![];
    let mut ws = Workspace::new(&mut store, "demo", MIN + super::super::alarm::ALARM_RETRY_MS, DAY);
    block_on(ws.alarm(&[], async |call: &Call| {
        sent.push(call.clone());
        Ok(())
    }));
    assert!(matches!(sent.as_slice(), [Call::Digest(d)] if d.to == email("ana")), "{sent:?}");
    assert!(digests(&mut store, 2 * MIN + super::super::alarm::ALARM_RETRY_MS, false).is_empty(), "once");
}

#[test]
fn short_days_make_short_delays() {
    let mut store = workspace(prefs(NotifyWhen::Away), prefs(NotifyWhen::Never));
    // A day of 72 s: a minute is 50 ms.
    let mut ws = Workspace::new(&mut store, "demo", 1_000, 72_000);
    let mut s = summary(&id(1), "Visitor 1", 1_000);
    s.last_seq = 1;
    ws.conversations_updated(&[ConversationUpdate { summary: s, indexed: None, visitor_id: None }]).unwrap();
    assert!(ws.effects.contains(&super::super::Effect::SetAlarm(1_050)), "{:?}", ws.effects);
    assert_eq!(Workspace::new(&mut store, "demo", 1_050, 72_000).due_digests(false).unwrap().len(), 1);
}
