//! What is kept on the profile: capture under consent, page views, contact, identity,
//! attributes, conversations, and the data-subject switches.

use super::super::*;
use super::{browser, change, consent, conv, email, full_visitor, visit, Memory, POLICY};
use shared::visitor::Identity;

fn claim(id: &str, mail: Option<&str>) -> IdentityClaim {
    IdentityClaim {
        identity: Identity { id: id.into(), verified: true },
        name: Some("Ada".into()),
        email: mail.map(email),
    }
}

fn saved(m: &Memory) -> VisitorProfile {
    m.profile().unwrap().unwrap()
}

#[test]
fn capture_needs_the_latest_decision_to_allow_analytics_for_the_current_policy() {
    let mut m = Memory::default();
    touch(&mut m, browser(None), 10).unwrap();
    // The visit counts either way; the browser only with consent.
    assert_eq!((saved(&m).last_seen, saved(&m).device.clone()), (10, None));
    add_consent(&mut m, &consent(20, true)).unwrap();
    touch(&mut m, Capture { policy_version: POLICY + 1, ..browser(None) }, 30).unwrap();
    assert_eq!((saved(&m).last_seen, saved(&m).device.clone()), (30, None));
    touch(&mut m, browser(None), 40).unwrap();
    assert!(saved(&m).device.is_some() && saved(&m).ip.is_some());
    // A later "reject" counts, whatever came before.
    add_consent(&mut m, &consent(50, false)).unwrap();
    assert!(!page_view(&mut m, visit(60, None), 60).unwrap().0);
}

#[test]
fn a_restricted_or_objecting_visitor_is_not_captured_but_still_seen() {
    for switch in [restrict, object] {
        let mut m = Memory::default();
        add_consent(&mut m, &consent(0, true)).unwrap();
        switch(&mut m, true, 5).unwrap();
        touch(&mut m, browser(None), 10).unwrap();
        assert_eq!((saved(&m).last_seen, saved(&m).device.clone(), saved(&m).location.clone()), (10, None, None));
        assert_eq!(page_view(&mut m, visit(20, Some(1)), 20).unwrap(), (false, vec![]));
        assert_eq!(m.counts().unwrap().pages, 0);
    }
}

#[test]
fn page_views_need_consent_and_keep_the_newest_500() {
    let mut m = Memory::default();
    assert_eq!(page_view(&mut m, visit(1, None), 1).unwrap(), (false, vec![]));
    // Refused: not even the visit is saved.
    assert_eq!(m.profile().unwrap(), None);
    add_consent(&mut m, &consent(0, true)).unwrap();
    for at in 1..=(MAX_PAGES as i64 + 5) {
        assert!(page_view(&mut m, visit(at, None), at).unwrap().0);
    }
    // The oldest are deleted, not only hidden from the profile.
    assert_eq!((m.counts().unwrap().pages, m.oldest_page().unwrap()), (MAX_PAGES as u32, Some(6)));
    let pages = profile(&m, 600).unwrap().pages;
    assert_eq!(pages.len(), MAX_PAGES);
    assert_eq!((pages[0].at, pages[MAX_PAGES - 1].at), (MAX_PAGES as i64 + 5, 6));
}

#[test]
fn contact_edits_say_who_and_only_an_email_goes_to_the_directory() {
    let mut m = Memory::default();
    let effects = contact(&mut m, change("dana@shop.example", Some("Ada"), None), 10).unwrap();
    assert_eq!(effects, vec![]);
    let effects = contact(&mut m, change("visitor", None, Some("ada@example.com")), 20).unwrap();
    assert_eq!(effects, vec![Effect::TellDirectory(Some(email("ada@example.com")))]);
    let p = profile(&m, 30).unwrap();
    assert_eq!((p.name.as_deref(), p.email.clone()), (Some("Ada"), Some(email("ada@example.com"))));
    let who: Vec<(&str, Option<&str>, bool)> =
        p.contact_edits.iter().map(|e| (e.by.as_str(), e.name.as_deref(), e.email.is_some())).collect();
    assert_eq!(who, vec![("dana@shop.example", Some("Ada"), false), ("visitor", None, true)]);
}

#[test]
fn identity_is_not_kept_while_restricted_and_a_new_email_goes_to_the_directory() {
    let mut m = Memory::default();
    restrict(&mut m, true, 1).unwrap();
    let before = m.clone();
    assert_eq!(identify(&mut m, claim("u1", Some("ada@example.com")), 10).unwrap(), (false, vec![]));
    assert_eq!(m, before);
    restrict(&mut m, false, 11).unwrap();
    let (kept, effects) = identify(&mut m, claim("u1", Some("ada@example.com")), 20).unwrap();
    assert!(kept);
    assert_eq!(effects, vec![Effect::TellDirectory(Some(email("ada@example.com")))]);
    assert_eq!(saved(&m).identity.map(|i| i.id).as_deref(), Some("u1"));
    // The same email again, or none: nothing new for the directory, the email stays.
    assert_eq!(identify(&mut m, claim("u1", Some("ada@example.com")), 30).unwrap(), (true, vec![]));
    assert_eq!(identify(&mut m, claim("u1", None), 40).unwrap(), (true, vec![]));
    assert_eq!(saved(&m).email, Some(email("ada@example.com")));
}

#[test]
fn attributes_merge_and_the_first_data_ever_held_tells_the_directory() {
    let plan = |v: &str| BTreeMap::from([("plan".to_owned(), serde_json::json!(v))]);
    let mut m = Memory::default();
    assert_eq!(set_attributes(&mut m, &plan("free"), 10).unwrap(), vec![Effect::TellDirectory(None)]);
    assert_eq!(set_attributes(&mut m, &plan("pro"), 20).unwrap(), vec![]);
    assert_eq!(saved(&m).attributes, plan("pro"));
    // A consent alone is data held already.
    let mut consented = Memory::default();
    add_consent(&mut consented, &consent(0, false)).unwrap();
    assert_eq!(set_attributes(&mut consented, &plan("free"), 10).unwrap(), vec![]);
    // Restricted: a no-op.
    restrict(&mut m, true, 30).unwrap();
    let before = m.clone();
    assert_eq!(set_attributes(&mut m, &plan("team"), 40).unwrap(), vec![]);
    assert_eq!(m, before);
}

#[test]
fn conversations_are_listed_once_newest_first_and_forgotten_one_by_one() {
    let mut m = Memory::default();
    add_conversation(&mut m, &conv("a"), 10).unwrap();
    add_conversation(&mut m, &conv("b"), 20).unwrap();
    add_conversation(&mut m, &conv("a"), 30).unwrap();
    assert_eq!(conversations(&m).unwrap(), vec![conv("b"), conv("a")]);
    assert_eq!(saved(&m).last_seen, 30);
    forget_conversation(&mut m, &conv("a")).unwrap();
    forget_conversation(&mut m, &conv("zz")).unwrap();
    assert_eq!(conversations(&m).unwrap(), vec![conv("b")]);
}

#[test]
fn the_subject_counts_what_is_held_and_is_empty_when_nothing_is() {
    let id = shared::VisitorId::parse("v_0123456789").unwrap();
    assert_eq!(subject(&Memory::default(), Some(id.clone()), 5).unwrap(), DataSubject::default());
    let mut m = full_visitor();
    let s = subject(&m, Some(id.clone()), 60).unwrap();
    assert_eq!((s.visitor_id.as_ref(), s.pages, s.consents, s.conversations), (Some(&id), 1, 1, 1));
    assert_eq!((s.name.as_deref(), s.email, s.user_id), (Some("Ada"), Some(email("ada@example.com")), None));
    identify(&mut m, claim("u1", None), 70).unwrap();
    assert_eq!(subject(&m, None, 80).unwrap().user_id.as_deref(), Some("u1"));
}

#[test]
fn objecting_deletes_what_analytics_captured_and_stops_it_until_withdrawn() {
    let mut m = full_visitor();
    touch(&mut m, browser(None), 55).unwrap();
    object(&mut m, true, 60).unwrap();
    let p = saved(&m);
    assert_eq!((p.device, p.location, p.context, p.ip), (None, None, None, None));
    assert!(p.objected && m.counts().unwrap().pages == 0);
    // Kept: what analytics did not capture.
    assert_eq!(p.email, Some(email("ada@example.com")));
    assert!(!page_view(&mut m, visit(70, None), 70).unwrap().0);
    object(&mut m, false, 80).unwrap();
    assert!(page_view(&mut m, visit(90, None), 90).unwrap().0);
}

#[test]
fn restricting_switches_on_and_off() {
    let mut m = Memory::default();
    restrict(&mut m, true, 10).unwrap();
    assert!(subject(&m, None, 11).unwrap().restricted);
    restrict(&mut m, false, 20).unwrap();
    let s = subject(&m, None, 21).unwrap();
    assert!(!s.restricted && s.last_seen == 20);
}
