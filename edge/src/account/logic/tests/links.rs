//! Password reset and address confirmation links.

use super::*;
use crate::account::logic::{RESET_TTL_MS, VERIFY_TTL_MS};
use crate::account::{ChangePassword, Upsert};
use crate::error::EdgeError;

fn sign_in(world: &mut World, now: i64, password: &str, device: &str) -> EdgeResult<Secret> {
    world.at(now).sign_in(&SignIn { password: password.into(), origin: origin(device) }, None)
}

#[test]
fn no_account_no_link_and_the_same_answer() {
    let mut world = World::default();
    assert_eq!(world.at(0).request_reset(None).unwrap(), None);
    assert!(world.store.links.is_empty() && world.store.events.is_empty(), "nothing written for a stranger's guess");
}

#[test]
fn a_reset_sets_the_password_signs_everyone_out_and_works_once() {
    let (mut world, first) = World::with_account(0);
    let second = sign_in(&mut world, 10, PASSWORD, "Chrome on Android").unwrap();
    let link = world.at(100).request_reset(None).unwrap().expect("a link");
    assert!(world.store.links.values().all(|l| l.secret_hash != link), "only the hash is kept");

    let ended = world.at(200).reset_password(&link, "a new long password", None).unwrap();
    assert_eq!(ended.len(), 2, "both sessions end");
    assert!(world.store.sessions.is_empty());
    assert!(world.at(300).me(&first.secret).is_err() && world.at(300).me(&second.secret).is_err());
    assert!(matches!(sign_in(&mut world, 300, PASSWORD, "x"), Err(EdgeError::InvalidCredentials)));
    sign_in(&mut world, 300, "a new long password", "x").expect("the new password works");

    assert!(matches!(world.at(400).reset_password(&link, "another password", None), Err(EdgeError::LinkExpired)));
    let kinds = world.store.kinds();
    assert!(
        kinds.contains(&SecurityEventKind::PasswordResetRequested) && kinds.contains(&SecurityEventKind::PasswordReset)
    );
}

#[test]
fn a_reset_link_expires_and_only_the_newest_works() {
    let (mut world, _) = World::with_account(0);
    let old = world.at(0).request_reset(None).unwrap().unwrap();
    let new = world.at(10).request_reset(None).unwrap().unwrap();
    assert!(matches!(world.at(20).reset_password(&old, "a new long password", None), Err(EdgeError::LinkExpired)));
    assert!(matches!(
        world.at(10 + RESET_TTL_MS).reset_password(&new, "a new long password", None),
        Err(EdgeError::LinkExpired)
    ));
    assert!(matches!(world.at(20).reset_password("guess", "a new long password", None), Err(EdgeError::LinkExpired)));
}

#[test]
fn a_short_password_keeps_the_link_usable() {
    let (mut world, _) = World::with_account(0);
    let link = world.at(0).request_reset(None).unwrap().unwrap();
    assert!(matches!(world.at(1).reset_password(&link, "short", None), Err(EdgeError::Invalid(_))));
    world.at(2).reset_password(&link, "long enough now", None).expect("the link still works");
}

#[test]
fn a_reset_lifts_the_lockout_a_guesser_caused() {
    let (mut world, _) = World::with_account(0);
    for i in 0..20 {
        let _ = sign_in(&mut world, i, "wrong", "x");
    }
    assert!(matches!(sign_in(&mut world, 30, PASSWORD, "x"), Err(EdgeError::LockedOut { .. })));
    let link = world.at(40).request_reset(None).unwrap().unwrap();
    world.at(50).reset_password(&link, "a new long password", None).unwrap();
    sign_in(&mut world, 60, "a new long password", "x").expect("no longer locked out");
}

#[test]
fn a_closing_account_gets_no_reset() {
    let (mut world, _) = World::with_account(0);
    let link = world.at(0).request_reset(None).unwrap().unwrap();
    assert_eq!(world.at(1).request_reset(Some(99)).unwrap(), None);
    assert!(matches!(world.at(2).reset_password(&link, "a new long password", Some(99)), Err(EdgeError::LinkExpired)));
}

#[test]
fn a_new_account_confirms_its_address_once_and_a_reset_confirms_it_too() {
    let (mut world, secret) = World::with_account(0);
    assert!(!world.at(1).me(&secret.secret).unwrap().email_verified);
    let link = world.at(1).request_verification(&secret.secret).unwrap().expect("unconfirmed: a link");
    assert!(matches!(world.at(1 + VERIFY_TTL_MS).verify_email(&link), Err(EdgeError::LinkExpired)));
    world.at(2).verify_email(&link).unwrap();
    assert!(world.at(3).me(&secret.secret).unwrap().email_verified);
    assert!(matches!(world.at(4).verify_email(&link), Err(EdgeError::LinkExpired)), "once");
    assert_eq!(world.at(5).request_verification(&secret.secret).unwrap(), None, "confirmed: no more links");

    let (mut other, _) = World::with_account(0);
    let reset = other.at(1).request_reset(None).unwrap().unwrap();
    other.at(2).reset_password(&reset, "a new long password", None).unwrap();
    assert!(other.store.account.as_ref().unwrap().verified_at.is_some(), "the reset link proved the address");
}

#[test]
fn a_password_change_keeps_the_address_confirmed() {
    let (mut world, secret) = World::with_account(0);
    let link = world.at(1).request_verification(&secret.secret).unwrap().unwrap();
    world.at(2).verify_email(&link).unwrap();
    let change =
        ChangePassword { secret: secret.secret.clone(), current: PASSWORD.into(), new: "a new long password".into() };
    world.at(3).change_password(&change).unwrap();
    assert!(world.at(4).me(&secret.secret).unwrap().email_verified);
}

#[test]
fn a_seeded_accounts_first_sign_in_is_no_alert() {
    let mut world = World::default();
    let upsert = Upsert { account: new_account("Ada", PASSWORD), membership: membership("demo", "Demo", Role::Owner) };
    world.at(0).upsert(&upsert).unwrap();
    assert!(!sign_in(&mut world, 1, PASSWORD, "Firefox on Linux").unwrap().new_device);
    assert!(sign_in(&mut world, 2, PASSWORD, "Safari on iOS").unwrap().new_device);
}

#[test]
fn only_a_sign_in_from_an_unknown_device_says_so() {
    let (mut world, created) = World::with_account(0);
    assert!(!created.new_device, "the first device is no stranger's: no alert at sign-up");
    assert!(!sign_in(&mut world, 1, PASSWORD, "Firefox on Linux").unwrap().new_device);
    assert!(sign_in(&mut world, 2, PASSWORD, "Safari on iOS").unwrap().new_device);
    assert!(!sign_in(&mut world, 3, PASSWORD, "Safari on iOS").unwrap().new_device);
}
