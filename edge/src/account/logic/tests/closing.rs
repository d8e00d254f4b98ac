//! Closing an account, its deletion alarm, and calls that come after.

use super::*;
use crate::account::SESSION_TTL_MS;

const GRACE: i64 = 14 * 24 * 3600 * 1000;

fn close(world: &mut World, password: &str, now: i64) -> EdgeResult<Closing> {
    let closing = world.store.closing;
    let (closed, effects) = world.at(now).close(password, &origin("Firefox on Linux"), closing, GRACE)?;
    world.store.carry_out(effects);
    Ok(closed)
}

fn alarm_at(world: &mut World, now: i64) {
    let effects = alarm(world.store.closing, now);
    world.store.carry_out(effects);
}

#[test]
fn closing_needs_the_password_and_ends_every_session() {
    let (mut world, here) = World::with_account(0);
    let there = world.sign_in(PASSWORD, "Chrome on Windows", 10).unwrap();
    assert!(matches!(close(&mut world, "wrong password", 20), Err(EdgeError::InvalidCredentials)));
    assert!(world.store.closing.is_none() && world.store.alarm.is_none());
    assert_eq!(world.store.sessions.len(), 2, "a refused close ends nothing");
    assert_eq!(close(&mut world, PASSWORD, 30).unwrap(), Closing { deleted_at: 30 + GRACE });
    assert_eq!((world.store.closing, world.store.alarm), (Some(30 + GRACE), Some(30 + GRACE)));
    // Every session's sockets are told to close, in every workspace of the account.
    let id = |s: &Secret| crate::account::logic::session_id(&crate::auth::sha256_hex(&s.secret));
    let mut ended = world.store.ended.clone();
    ended.sort();
    let mut expected = vec![id(&here), id(&there)];
    expected.sort();
    assert_eq!(ended, expected);
    for secret in [here, there] {
        assert!(matches!(world.at(40).me(&secret.secret), Err(EdgeError::Unauthorized)));
    }
}

#[test]
fn while_closing_sign_in_and_a_second_close_are_refused() {
    let (mut world, _) = World::with_account(0);
    close(&mut world, PASSWORD, 10).unwrap();
    assert!(matches!(world.sign_in(PASSWORD, "Firefox on Linux", 20), Err(EdgeError::Conflict(_))));
    assert!(matches!(close(&mut world, PASSWORD, 30), Err(EdgeError::Conflict(_))));
    assert_eq!(world.store.closing, Some(10 + GRACE), "the deletion date does not move");
    assert!(world.store.sessions.is_empty());
    let create = Create { account: new_account("Eve", "another password"), origin: origin("Chrome on Windows") };
    assert!(matches!(world.at(40).create(&create), Err(EdgeError::Conflict(_))), "the email is still taken");
}

#[test]
fn closing_goes_through_the_lockout() {
    let (mut world, _) = World::with_account(0);
    for i in 0..crate::lockout::FREE_ATTEMPTS as i64 {
        close(&mut world, "wrong password", i).unwrap_err();
    }
    assert!(matches!(close(&mut world, PASSWORD, 10), Err(EdgeError::LockedOut { .. })));
    assert!(world.store.closing.is_none());
}

#[test]
fn an_early_alarm_deletes_nothing_and_waits_for_the_due_time() {
    let (mut world, _) = World::with_account(0);
    world.at(1).add_membership(&membership("acme", "Acme", Role::Agent)).unwrap();
    close(&mut world, PASSWORD, 10).unwrap();
    world.store.alarm = None;
    alarm_at(&mut world, 10 + GRACE - 1);
    assert!(world.store.account.is_some() && !world.store.memberships.is_empty() && !world.store.events.is_empty());
    assert_eq!(world.store.alarm, Some(10 + GRACE), "woken again when due");
    assert_eq!(world.store.closing, Some(10 + GRACE));
}

#[test]
fn the_due_alarm_deletes_everything_and_frees_the_email() {
    let (mut world, _) = World::with_account(0);
    world.at(1).add_membership(&membership("acme", "Acme", Role::Agent)).unwrap();
    close(&mut world, PASSWORD, 10).unwrap();
    alarm_at(&mut world, 10 + GRACE);
    let s = &world.store;
    assert!(s.account.is_none() && s.memberships.is_empty() && s.events.is_empty() && s.devices.is_empty());
    assert!(s.closing.is_none() && s.sessions.is_empty() && s.lockouts.is_empty());
    // Late calls: a sign-in finds no account, and the email can be used again.
    assert!(matches!(world.sign_in(PASSWORD, "Firefox on Linux", 20 + GRACE), Err(EdgeError::InvalidCredentials)));
    assert!(world.store.events.is_empty());
    let create = Create { account: new_account("Eve", "another password"), origin: origin("Chrome on Windows") };
    let secret = world.at(30 + GRACE).create(&create).unwrap();
    assert_eq!(world.at(40 + GRACE).me(&secret.secret).unwrap().workspaces, vec![], "no old membership comes back");
    // The new account's first device is new again: nothing of the old one is remembered.
    assert_eq!(world.store.kinds(), [SecurityEventKind::NewDevice, SecurityEventKind::SignIn]);
}

#[test]
fn an_alarm_on_an_open_account_or_a_second_one_does_nothing() {
    let (mut world, secret) = World::with_account(0);
    assert_eq!(alarm(None, SESSION_TTL_MS), vec![]);
    close(&mut world, PASSWORD, 10).unwrap();
    alarm_at(&mut world, 10 + GRACE);
    let create = Create { account: new_account("Eve", "another password"), origin: origin("Chrome on Windows") };
    world.at(20 + GRACE).create(&create).unwrap();
    alarm_at(&mut world, 30 + GRACE);
    assert_eq!(world.store.account.as_ref().unwrap().name, "Eve", "a repeated alarm spares the new account");
    assert!(matches!(world.at(40 + GRACE).me(&secret.secret), Err(EdgeError::Unauthorized)), "old sessions stay dead");
}

#[test]
fn a_late_membership_after_the_deletion_is_refused_and_not_inherited() {
    let (mut world, _) = World::with_account(0);
    close(&mut world, PASSWORD, 10).unwrap();
    alarm_at(&mut world, 10 + GRACE);
    let late = world.at(20 + GRACE).add_membership(&membership("acme", "Acme", Role::Admin));
    assert!(matches!(late, Err(EdgeError::NotFound)));
    world.at(20 + GRACE).remove_membership(&SiteId::parse("acme").unwrap()).unwrap();
    assert!(world.store.memberships.is_empty());
    let create = Create { account: new_account("Eve", "another password"), origin: origin("Chrome on Windows") };
    let secret = world.at(30 + GRACE).create(&create).unwrap();
    assert!(world.at(40 + GRACE).me(&secret.secret).unwrap().workspaces.is_empty());
}
