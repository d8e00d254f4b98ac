//! Creating an account, signing in, the lockout and changing the password.

use super::*;
use crate::account::ChangePassword;
use crate::lockout::{FIRST_LOCK_MS, FREE_ATTEMPTS};

#[test]
fn create_signs_in_and_is_refused_when_the_email_has_an_account() {
    let (mut world, secret) = World::with_account(1_000);
    assert_eq!(world.store.account.as_ref().unwrap().password_hash, format!("hashed:{PASSWORD}"));
    assert_eq!(world.at(1_001).me(&secret.secret).unwrap().name, "Ada");
    let again = Create { account: new_account("Eve", "another password"), origin: origin("Chrome on Windows") };
    assert!(matches!(world.at(2_000).create(&again), Err(EdgeError::Conflict(_))));
    assert_eq!(world.store.account.as_ref().unwrap().name, "Ada", "the account is untouched");
    assert_eq!(world.store.sessions.len(), 1, "no session for the refused create");
}

#[test]
fn create_checks_the_password_length_and_the_name() {
    let mut world = World::default();
    let short = "x".repeat(MIN_PASSWORD_CHARS - 1);
    for account in [new_account("Ada", &short), new_account("   ", PASSWORD), new_account(&"n".repeat(81), PASSWORD)] {
        let create = Create { account, origin: origin("Firefox on Linux") };
        assert!(matches!(world.at(0).create(&create), Err(EdgeError::Invalid(_))));
    }
    assert!(world.store.account.is_none() && world.store.sessions.is_empty());
    let create = Create { account: new_account("  Ada  ", &"x".repeat(MIN_PASSWORD_CHARS)), origin: origin("x") };
    world.at(0).create(&create).unwrap();
    assert_eq!(world.store.account.unwrap().name, "Ada", "the name is kept trimmed");
}

#[test]
fn upsert_replaces_the_account_and_adds_a_membership() {
    let (mut world, _) = World::with_account(0);
    let upsert = Upsert {
        account: new_account("Ada L.", "a new password"),
        membership: membership("acme", "Acme", Role::Owner),
    };
    world.at(10).upsert(&upsert).unwrap();
    assert_eq!(world.store.account.as_ref().unwrap().name, "Ada L.");
    assert!(world.sign_in(PASSWORD, "Firefox on Linux", 20).is_err());
    assert!(world.sign_in("a new password", "Firefox on Linux", 30).is_ok());
    assert_eq!(world.at(40).sites().unwrap(), vec![SiteId::parse("acme").unwrap()]);
}

#[test]
fn a_wrong_password_and_an_unknown_account_give_the_same_error() {
    let (mut world, _) = World::with_account(0);
    let wrong = world.sign_in("wrong password", "Firefox on Linux", 10).unwrap_err();
    let mut nobody = World::default();
    let unknown = nobody.sign_in(PASSWORD, "Firefox on Linux", 10).unwrap_err();
    assert!(matches!(wrong, EdgeError::InvalidCredentials));
    assert!(matches!(unknown, EdgeError::InvalidCredentials));
    assert_eq!(nobody.keys.hashed.get(), 1, "an unknown account costs a hash too");
    assert!(nobody.store.events.is_empty(), "no security log for an account that does not exist");
    assert_eq!(nobody.store.lockout().failures, 1, "but it counts towards the lockout");
    assert_eq!(world.store.kinds().last(), Some(&SecurityEventKind::SignInFailed));
    assert_eq!(world.store.events.last().unwrap().detail, "Firefox on Linux · FR");
}

#[test]
fn failures_lock_the_account_and_even_the_right_password_is_refused_then() {
    let (mut world, _) = World::with_account(0);
    for i in 0..FREE_ATTEMPTS as i64 {
        assert!(matches!(
            world.sign_in("wrong password", "Firefox on Linux", 100 + i),
            Err(EdgeError::InvalidCredentials)
        ));
    }
    let locked = world.sign_in(PASSWORD, "Firefox on Linux", 200).unwrap_err();
    let expected_s = (100 + FREE_ATTEMPTS as i64 - 1 + FIRST_LOCK_MS - 200 + 999) / 1000;
    assert!(matches!(locked, EdgeError::LockedOut { retry_after_s } if retry_after_s == expected_s));
    let kinds = world.store.kinds();
    assert_eq!(kinds.iter().filter(|k| **k == SecurityEventKind::SignInFailed).count(), FREE_ATTEMPTS as usize);
    assert_eq!(kinds.iter().filter(|k| **k == SecurityEventKind::LockedOut).count(), 1, "one lockout logged once");
    assert_eq!(world.store.sessions.len(), 1, "no session while locked");
    // Once the lock ends the right password works, and clears the lockout.
    world.sign_in(PASSWORD, "Firefox on Linux", 100 + FIRST_LOCK_MS + 10).unwrap();
    assert_eq!(world.store.lockout(), Lockout::default());
}

#[test]
fn a_success_clears_earlier_failures() {
    let (mut world, _) = World::with_account(0);
    for i in 0..FREE_ATTEMPTS as i64 - 1 {
        world.sign_in("wrong password", "Firefox on Linux", i).unwrap_err();
    }
    world.sign_in(PASSWORD, "Firefox on Linux", 10).unwrap();
    world.sign_in("wrong password", "Firefox on Linux", 20).unwrap_err();
    assert!(world.sign_in(PASSWORD, "Firefox on Linux", 30).is_ok(), "the count started again");
}

#[test]
fn an_unknown_account_locks_without_logging() {
    let mut world = World::default();
    for i in 0..FREE_ATTEMPTS as i64 {
        world.sign_in(PASSWORD, "Firefox on Linux", i).unwrap_err();
    }
    assert!(matches!(world.sign_in(PASSWORD, "Firefox on Linux", 10), Err(EdgeError::LockedOut { .. })));
    assert!(world.store.events.is_empty());
}

fn change(secret: &Secret, current: &str, new: &str) -> ChangePassword {
    ChangePassword { secret: secret.secret.clone(), current: current.to_owned(), new: new.to_owned() }
}

#[test]
fn changing_the_password_signs_out_every_other_session_and_is_logged() {
    let (mut world, here) = World::with_account(0);
    let elsewhere = world.sign_in(PASSWORD, "Chrome on Windows", 10).unwrap();
    let ended = world.at(20).change_password(&change(&here, PASSWORD, "brand new password")).unwrap();
    // Named for the workspaces, which close the sockets those sessions opened.
    let id = |s: &Secret| crate::account::logic::session_id(&crate::auth::sha256_hex(&s.secret));
    assert_eq!(ended, [id(&elsewhere)]);
    assert!(world.at(30).me(&here.secret).is_ok(), "the session that changed it stays");
    assert!(matches!(world.at(30).me(&elsewhere.secret), Err(EdgeError::Unauthorized)));
    assert_eq!(world.store.kinds().last(), Some(&SecurityEventKind::PasswordChanged));
    assert_eq!(world.store.events.last().unwrap().detail, "Firefox on Linux · FR", "from the session's device");
    assert!(world.sign_in(PASSWORD, "Firefox on Linux", 40).is_err());
    assert!(world.sign_in("brand new password", "Firefox on Linux", 50).is_ok());
}

#[test]
fn changing_the_password_checks_the_current_one_through_the_lockout() {
    let (mut world, here) = World::with_account(0);
    let elsewhere = world.sign_in(PASSWORD, "Chrome on Windows", 1).unwrap();
    for i in 0..FREE_ATTEMPTS as i64 {
        let wrong = world.at(10 + i).change_password(&change(&here, "not it at all", "brand new password"));
        assert!(matches!(wrong, Err(EdgeError::InvalidCredentials)));
    }
    let locked = world.at(20).change_password(&change(&here, PASSWORD, "brand new password"));
    assert!(matches!(locked, Err(EdgeError::LockedOut { .. })), "while locked even the right one is refused");
    assert_eq!(world.store.account.as_ref().unwrap().password_hash, format!("hashed:{PASSWORD}"));
    assert!(world.at(30).me(&elsewhere.secret).is_ok(), "no one was signed out");
    assert!(!world.store.kinds().contains(&SecurityEventKind::PasswordChanged));
}

#[test]
fn a_new_password_too_short_changes_nothing() {
    let (mut world, here) = World::with_account(0);
    let elsewhere = world.sign_in(PASSWORD, "Chrome on Windows", 1).unwrap();
    assert!(matches!(world.at(2).change_password(&change(&here, PASSWORD, "short")), Err(EdgeError::Invalid(_))));
    assert!(world.at(3).me(&elsewhere.secret).is_ok());
    assert!(world.sign_in(PASSWORD, "Firefox on Linux", 4).is_ok());
}

#[test]
fn a_stranger_guessing_from_elsewhere_cannot_lock_the_owner_out() {
    let (mut world, here) = World::with_account(0);
    let from = |address: &str| Origin { address: Some(address.into()), ..origin("Chrome on Windows") };
    let attempt = |world: &mut World, password: &str, address: &str, now: i64| {
        let request = SignIn { password: password.into(), origin: from(address) };
        world.at(now).sign_in(&request, None)
    };
    for i in 0..FREE_ATTEMPTS as i64 * 3 {
        attempt(&mut world, "a guess", "198.51.100.7", 100 + i).unwrap_err();
    }
    assert!(matches!(attempt(&mut world, PASSWORD, "198.51.100.7", 200), Err(EdgeError::LockedOut { .. })));
    // The owner, from their own address, signs in at once…
    assert!(attempt(&mut world, PASSWORD, "203.0.113.5", 210).is_ok());
    // …and can change the password from a signed-in session while the stranger is locked out.
    let change =
        ChangePassword { secret: here.secret.clone(), current: PASSWORD.into(), new: "a fresh password".into() };
    assert!(world.at(220).change_password(&change).is_ok());
    // The addresses are kept only as hashes, and old ones are forgotten.
    assert!(world.store.lockouts.keys().all(|k| k.len() == 16 && !k.contains('.')));
    attempt(&mut world, "a guess", "192.0.2.1", 100 + 25 * 3600 * 1000).unwrap_err();
    assert_eq!(world.store.lockouts.len(), 1, "a day later only the newest address is remembered");
}
