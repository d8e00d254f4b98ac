//! Sessions, sign-out, memberships and the security log.

use super::*;
use crate::account::logic::sessions::session_id;
use crate::account::Revoke;
use crate::account::SESSION_TTL_MS;
use crate::auth::sha256_hex;

fn last_seen(world: &World, secret: &Secret) -> Option<i64> {
    world.store.session(&sha256_hex(&secret.secret)).unwrap().unwrap().last_seen_at
}

#[test]
fn a_session_expires_after_its_lifetime() {
    let (mut world, secret) = World::with_account(1_000);
    assert!(world.at(1_000 + SESSION_TTL_MS - 1).me(&secret.secret).is_ok());
    assert!(matches!(world.at(1_000 + SESSION_TTL_MS).me(&secret.secret), Err(EdgeError::Unauthorized)));
    assert!(matches!(world.at(1_000).me("a made-up secret"), Err(EdgeError::Unauthorized)));
}

#[test]
fn only_the_hash_of_a_secret_is_stored() {
    let (world, secret) = World::with_account(0);
    let stored = &world.store.sessions[0];
    assert_eq!(stored.secret_hash, sha256_hex(&secret.secret));
    assert_ne!(stored.secret_hash, secret.secret);
}

#[test]
fn last_seen_is_refreshed_at_most_every_five_minutes() {
    let (mut world, secret) = World::with_account(0);
    world.at(LAST_SEEN_EVERY_MS).me(&secret.secret).unwrap();
    assert_eq!(last_seen(&world, &secret), Some(0), "not yet stale");
    world.at(LAST_SEEN_EVERY_MS + 1).me(&secret.secret).unwrap();
    assert_eq!(last_seen(&world, &secret), Some(LAST_SEEN_EVERY_MS + 1));
    world.at(LAST_SEEN_EVERY_MS + 2).sessions(&secret.secret).unwrap();
    assert_eq!(last_seen(&world, &secret), Some(LAST_SEEN_EVERY_MS + 1));
}

#[test]
fn the_list_shows_live_sessions_newest_first_with_the_current_one_marked() {
    let (mut world, first) = World::with_account(0);
    let second = world.sign_in(PASSWORD, "Chrome on Windows", 100).unwrap();
    world.store.sessions.push(StoredSession {
        secret_hash: "old".repeat(20),
        created_at: 50,
        expires_at: 60,
        device: None,
        country: None,
        last_seen_at: None,
    });
    let list = world.at(200).sessions(&first.secret).unwrap();
    assert_eq!(list.iter().map(|s| s.device.as_str()).collect::<Vec<_>>(), ["Chrome on Windows", "Firefox on Linux"]);
    assert_eq!(list.iter().map(|s| s.current).collect::<Vec<_>>(), [false, true]);
    assert_eq!(list[0].id, session_id(&sha256_hex(&second.secret)));
    assert_eq!(list[0].id.len(), 16);
    assert_eq!(list[0].country.as_deref(), Some("FR"));
}

#[test]
fn revoking_ends_another_session_but_not_the_current_one() {
    let (mut world, here) = World::with_account(0);
    let there = world.sign_in(PASSWORD, "Chrome on Windows", 10).unwrap();
    let revoke = |secret: &Secret, id: String| Revoke { secret: secret.secret.clone(), id };
    let current = revoke(&here, session_id(&sha256_hex(&here.secret)));
    assert!(matches!(world.at(20).revoke(&current), Err(EdgeError::Invalid(_))));
    assert!(matches!(world.at(20).revoke(&revoke(&here, "0123456789abcdef".into())), Err(EdgeError::NotFound)));
    let other = revoke(&here, session_id(&sha256_hex(&there.secret)));
    assert_eq!(world.at(30).revoke(&other).unwrap(), [other.id.clone()], "its sockets are to close");
    assert!(matches!(world.at(40).me(&there.secret), Err(EdgeError::Unauthorized)), "a revoked session is dead");
    assert!(world.at(40).me(&here.secret).is_ok());
    assert_eq!(
        world.store.events.last().unwrap(),
        &SecurityEvent { at: 30, kind: SecurityEventKind::SessionRevoked, detail: "Chrome on Windows".into() }
    );
    assert!(matches!(world.at(50).revoke(&other), Err(EdgeError::NotFound)), "twice: already gone");
    assert!(matches!(world.at(50).revoke(&revoke(&there, "x".into())), Err(EdgeError::Unauthorized)));
}

#[test]
fn signing_out_ends_only_that_session() {
    let (mut world, here) = World::with_account(0);
    let there = world.sign_in(PASSWORD, "Chrome on Windows", 10).unwrap();
    world.at(20).sign_out(&here.secret).unwrap();
    assert!(matches!(world.at(30).me(&here.secret), Err(EdgeError::Unauthorized)));
    assert!(world.at(30).me(&there.secret).is_ok());
    world.at(40).sign_out(&here.secret).unwrap();
    assert_eq!(world.store.sessions.len(), 1, "signing out twice is harmless");
}

#[test]
fn memberships_are_added_replaced_removed_and_listed_sorted_by_name() {
    let (mut world, secret) = World::with_account(0);
    let mut at = world.at(10);
    at.add_membership(&membership("zeta", "Zeta", Role::Agent)).unwrap();
    at.add_membership(&membership("acme", "Acme", Role::Agent)).unwrap();
    at.add_membership(&membership("beta", "Beta", Role::Owner)).unwrap();
    at.add_membership(&membership("zeta", "Aardvark", Role::Admin)).unwrap();
    let me = world.at(20).me(&secret.secret).unwrap();
    let listed: Vec<(&str, &str, Role)> =
        me.workspaces.iter().map(|w| (w.id.as_str(), w.name.as_str(), w.role)).collect();
    assert_eq!(
        listed,
        [("zeta", "Aardvark", Role::Admin), ("acme", "Acme", Role::Agent), ("beta", "Beta", Role::Owner)]
    );
    assert_eq!(me.email.as_str(), EMAIL);
    world.at(30).remove_membership(&SiteId::parse("zeta").unwrap()).unwrap();
    world.at(30).remove_membership(&SiteId::parse("gone").unwrap()).unwrap();
    let mut sites = world.at(40).sites().unwrap();
    sites.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    assert_eq!(sites, [SiteId::parse("acme").unwrap(), SiteId::parse("beta").unwrap()]);
}

#[test]
fn a_new_device_is_logged_once() {
    let (mut world, _) = World::with_account(0);
    world.sign_in(PASSWORD, "Firefox on Linux", 10).unwrap();
    world.sign_in(PASSWORD, "Chrome on Windows", 20).unwrap();
    world.sign_in(PASSWORD, "Chrome on Windows", 30).unwrap();
    use SecurityEventKind::{NewDevice, SignIn};
    assert_eq!(world.store.kinds(), [NewDevice, SignIn, SignIn, NewDevice, SignIn, SignIn]);
}

#[test]
fn the_log_keeps_the_newest_500_and_shows_200_newest_first() {
    let (mut world, _) = World::with_account(0);
    for i in 1..=600 {
        world.sign_in("wrong password", "Firefox on Linux", i * LONGEST_LOCK).unwrap_err();
    }
    assert_eq!(world.store.events.len(), SECURITY_LOG_KEEP);
    assert_eq!(world.store.events.last().unwrap().at, 600 * LONGEST_LOCK, "the newest stays");
    assert!(world.store.events.first().unwrap().at > LONGEST_LOCK, "the oldest went");
    let secret = world.sign_in(PASSWORD, "Firefox on Linux", 601 * LONGEST_LOCK).unwrap();
    assert_eq!(world.store.events.len(), SECURITY_LOG_KEEP, "still 500 after one more");
    let shown = world.at(601 * LONGEST_LOCK + 1).security_log(&secret.secret).unwrap();
    assert_eq!(shown.len(), SECURITY_LOG_SHOWN);
    assert_eq!(shown[0].kind, SecurityEventKind::SignIn);
    assert!(shown.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    assert!(matches!(world.at(0).security_log("not a session"), Err(EdgeError::Unauthorized)));
}

/// Far enough apart that no lockout is in the way of the next attempt.
const LONGEST_LOCK: i64 = crate::lockout::LONGEST_LOCK_MS;
