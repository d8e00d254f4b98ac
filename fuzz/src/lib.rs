//! Fuzz harnesses for every parser of untrusted input in Provixchat: the protocol decoders, the
//! validated domain types, the visitor token, cookies, user agents, page addresses, IP
//! addresses, custom attributes, the JSON request bodies, and a conversation fed frame after
//! frame. Each harness takes raw bytes, must never panic, and checks what a parse promises
//! (round trips, limits, refusals).
//!
//! Two ways to run them:
//! - libFuzzer (nightly, `cargo install cargo-fuzz`): `cargo +nightly fuzz run TARGET` from the
//!   repository root, targets in `fuzz/fuzz_targets/` (see the README, "Fuzzing");
//! - in the suite: `edge/tests/fuzz_smoke.rs` runs every harness over the seeds in `fuzz/seeds/`
//!   and a few thousand fixed-seed mutations of them (`cargo test -p edge --test fuzz_smoke`).
//!   That test includes this file by path, so the same code runs both ways.

use edge::auth::{cookie, parse_session_cookie, session_cookie_value, VisitorToken};
use edge::capture::{identity_hash_ok, merge_attributes, strip_url, truncate_ip};
use edge::chat_settings::site_domain;
use edge::conversation::logic::{Conversation, Peer, Role, State, VecLog};
use edge::device::{Device, MAX_DEVICE_CHARS};
use edge::settings::{validate_consent, CreateWorkspace, WorkspaceConfig};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::domain::{has_bidi_override, preview, visitor_name, MAX_EMAIL_CHARS, MAX_MESSAGE_CHARS};
use shared::visitor::{MAX_ATTRIBUTES, MAX_ATTRIBUTE_KEY_CHARS, MAX_ATTRIBUTE_VALUE_CHARS, MAX_URL_CHARS};
use shared::{
    AgentRef, AllowedDomain, ClientMsg, ClientMsgId, ConversationId, Email, MessageBody, ServerMsg, SiteId, VisitorId,
};
use std::collections::BTreeMap;
use std::fmt::Debug;

/// Every harness by name, as the fuzz targets and the smoke test call them.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("client_msg", client_msg),
    ("server_msg", server_msg),
    ("domain", domain),
    ("visitor_token", visitor_token),
    ("cookies", cookies),
    ("user_agent", user_agent),
    ("capture", capture),
    ("request_bodies", request_bodies),
    ("conversation", conversation),
];

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// A value that parsed serialises and parses back to itself.
fn round_trips<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_string(value).expect("a parsed value serialises");
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json} does not parse back: {e}"));
    assert_eq!(&back, value, "{json}");
}

/// A widget or inbox frame, as `ClientMsg::decode` reads it on every socket.
pub fn client_msg(data: &[u8]) {
    let Ok(frame) = std::str::from_utf8(data) else { return };
    if let Ok(msg) = ClientMsg::decode(frame) {
        assert_eq!(ClientMsg::decode(&msg.encode()), Ok(msg.clone()), "{frame}");
    }
}

/// An edge frame, as the widget's and the inbox's clients decode it.
pub fn server_msg(data: &[u8]) {
    let Ok(frame) = std::str::from_utf8(data) else { return };
    if let Ok(msg) = ServerMsg::decode(frame) {
        // A frame this build reads as something it knows survives being sent on unchanged.
        if msg != ServerMsg::Unknown {
            assert_eq!(ServerMsg::decode(&msg.encode()), Ok(msg.clone()), "{frame}");
        }
    }
}

/// The domain types: the first byte picks the parser, the rest is the input.
pub fn domain(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else { return };
    let s = text(rest);
    match pick % 9 {
        0 => {
            if let Ok(site) = SiteId::parse(&s) {
                assert!((2..=40).contains(&site.as_str().len()));
                assert_eq!(SiteId::parse(site.as_str()), Ok(site.clone()));
                round_trips(&site);
            }
        }
        1 => {
            for parsed in [
                ClientMsgId::parse(&s).map(String::from),
                ConversationId::parse(&s).map(String::from),
                VisitorId::parse(&s).map(String::from),
            ] {
                if let Ok(id) = parsed {
                    assert!(
                        (8..=64).contains(&id.len())
                            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    );
                }
            }
        }
        2 => {
            if let Ok(email) = Email::parse(&s) {
                let e = email.as_str();
                assert!(e.chars().count() <= MAX_EMAIL_CHARS, "{e:?}");
                assert!(!e.contains(['?', '&', '<', '>', '"']) && !e.chars().any(char::is_whitespace), "{e:?}");
                assert!(!has_bidi_override(e), "{e:?}");
                assert_eq!(Email::parse(e), Ok(email.clone()), "parsing is idempotent");
                round_trips(&email);
            }
        }
        3 => match MessageBody::parse(&s) {
            Ok(body) => {
                let b = body.as_str();
                assert!(!b.is_empty() && b.chars().count() <= MAX_MESSAGE_CHARS && b.trim() == b);
                assert_eq!(MessageBody::parse(b), Ok(body.clone()));
                let p = preview(b);
                assert!(p.chars().count() <= shared::domain::PREVIEW_CHARS + 1);
            }
            Err(_) => assert!(s.trim().is_empty() || s.trim().chars().count() > MAX_MESSAGE_CHARS),
        },
        4 => {
            if let Ok(name) = visitor_name(&s) {
                assert!(!name.is_empty() && name.chars().count() <= 80, "{name:?}");
                assert!(!has_bidi_override(&name) && !name.chars().any(char::is_control), "{name:?}");
            }
        }
        5 => {
            // A domain and an origin, split at the first space.
            let (domain, origin) = s.split_once(' ').unwrap_or((&s, ""));
            if let Ok(allowed) = AllowedDomain::parse(domain) {
                round_trips(&allowed);
                if allowed.allows_origin(origin) {
                    assert!(origin.starts_with("https://") || origin.starts_with("http://"), "{origin:?}");
                }
                let config = config_allowing(allowed);
                let site = SiteId::parse("fuzz").expect("a valid id");
                if let Err(e) = config.require_origin(&site, origin) {
                    assert!(e.to_string().chars().count() < 200, "a refusal does not echo a long origin");
                }
            }
        }
        6 => {
            let _ = shared::consent::Lang::from_tag(&s);
            let _ = shared::consent::Lang::pick(None, s.split(','));
        }
        7 => {
            let _ = AllowedDomain::parse(&site_domain(&s));
        }
        _ => {
            let mut parts = s.splitn(2, '\n');
            let context = shared::visitor::VisitorContext {
                language: parts.next().unwrap_or_default().to_owned(),
                time_zone: parts.next().unwrap_or_default().to_owned(),
                screen: shared::visitor::ScreenClass::Large,
            };
            if context.check().is_ok() {
                assert!(context.language.len() <= 35 && context.time_zone.len() <= 64);
            }
        }
    }
}

fn config_allowing(domain: AllowedDomain) -> WorkspaceConfig {
    WorkspaceConfig {
        name: "Fuzz".into(),
        greeting: "Hi".into(),
        allowed_domains: vec![domain],
        consent: edge::consent_defaults::default_consent("https://fuzz.example/privacy"),
        chat: Default::default(),
    }
}

const SECRET: &[u8] = b"fuzzing secret, not a real one";
/// The edge's clock in these harnesses; tokens are issued at it.
const NOW: i64 = 1_800_000_000_000;

/// The visitor token: no input but the edge's own signature verifies, and a signed token comes
/// back as it went out.
pub fn visitor_token(data: &[u8]) {
    let s = text(data);
    if let Ok(token) = VisitorToken::verify(&s, SECRET, NOW) {
        assert_eq!(token.sign(SECRET), s, "only a token this secret signed verifies");
    }
    // The input as the parts of a token: signed, it verifies to itself; changed, it does not.
    let parts: Vec<&str> = s.split(' ').collect();
    let (Some(site), Some(visitor), Some(conversation)) = (parts.first(), parts.get(1), parts.get(2)) else { return };
    let (Ok(site), Ok(visitor_id), Ok(conversation_id)) =
        (SiteId::parse(site), VisitorId::parse(visitor), ConversationId::parse(conversation))
    else {
        return;
    };
    let verified_id = parts.get(3).map(|u| u.to_string());
    let token = VisitorToken { site, visitor_id, conversation_id, verified_id, issued_at: NOW };
    let signed = token.sign(SECRET);
    assert_eq!(VisitorToken::verify(&signed, SECRET, NOW).ok(), Some(token.clone()));
    if let Some(&flip) = data.last() {
        let mut bytes = signed.clone().into_bytes();
        let at = flip as usize % bytes.len();
        bytes[at] ^= 1 + (flip >> 4);
        if let Ok(changed) = String::from_utf8(bytes) {
            if changed != signed {
                assert!(VisitorToken::verify(&changed, SECRET, NOW).is_err(), "{changed} verified after a change");
            }
        }
    }
}

/// The `Cookie` header and the session cookie inside it.
pub fn cookies(data: &[u8]) {
    let header = text(data);
    if let Some(value) = cookie(&header, edge::auth::SESSION_COOKIE) {
        if let Some((email, secret)) = parse_session_cookie(value) {
            assert!(!secret.is_empty());
            assert_eq!(parse_session_cookie(&session_cookie_value(&email, &secret)), Some((email, secret)));
        }
    }
    let _ = parse_session_cookie(&header);
}

/// A `User-Agent` header, as the profile and the session list show it.
pub fn user_agent(data: &[u8]) {
    let ua = text(data);
    if let Some(d) = Device::parse(&ua) {
        for part in [&d.browser, &d.os, &d.category] {
            assert!(part.chars().count() <= MAX_DEVICE_CHARS, "{part:?}");
        }
    }
    assert!(Device::label(&ua).chars().count() <= 2 * MAX_DEVICE_CHARS + 24);
}

/// What a page sends about itself: its address, the client's IP, an identity hash, attributes.
pub fn capture(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else { return };
    let s = text(rest);
    match pick % 4 {
        0 => {
            if let Ok(url) = strip_url(&s) {
                assert!(url.starts_with("https://") || url.starts_with("http://"), "{url:?}");
                assert!(!url.contains('#') && url.chars().count() <= MAX_URL_CHARS, "{url:?}");
                let query = url.split_once('?').map_or("", |(_, q)| q);
                for param in query.split('&').filter(|p| !p.is_empty()) {
                    let name = param.split('=').next().unwrap_or_default().to_ascii_lowercase();
                    // Only the last parameter can be cut short by the length cap.
                    if url.chars().count() < MAX_URL_CHARS {
                        assert!(!name.starts_with("utm_") && name != "email" && name != "token", "{url:?}");
                    }
                }
            } else {
                assert!(!(s.trim().starts_with("https://") || s.trim().starts_with("http://")));
            }
        }
        1 => {
            if let Some(ip) = truncate_ip(&s) {
                assert!(ip.parse::<std::net::IpAddr>().is_ok(), "{ip:?}");
                assert!(ip.ends_with(".0") || ip.ends_with("::"), "{ip:?}");
            }
        }
        2 => {
            let mut parts = s.splitn(3, '\n');
            let (secret, id, hash) =
                (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            if identity_hash_ok(secret, id, hash) {
                assert!(hash.trim().len() == 64, "only a full HMAC matches");
            }
        }
        _ => {
            let Ok(new) = serde_json::from_str::<BTreeMap<String, serde_json::Value>>(&s) else { return };
            let mut current = BTreeMap::new();
            current.insert("plan".to_owned(), serde_json::json!("free"));
            if let Ok(merged) = merge_attributes(&current, &new) {
                assert!(merged.len() <= MAX_ATTRIBUTES);
                for (k, v) in &merged {
                    assert!(!k.trim().is_empty() && k.chars().count() <= MAX_ATTRIBUTE_KEY_CHARS, "{k:?}");
                    match v {
                        serde_json::Value::String(s) => assert!(s.chars().count() <= MAX_ATTRIBUTE_VALUE_CHARS),
                        serde_json::Value::Number(_) | serde_json::Value::Bool(_) => {}
                        other => panic!("{k}: {other} kept"),
                    }
                }
            }
        }
    }
}

/// Decodes one JSON body; a body that decodes round-trips.
fn body<T: Serialize + DeserializeOwned + PartialEq + Debug>(s: &str) -> Option<T> {
    let value: T = serde_json::from_str(s).ok()?;
    round_trips(&value);
    Some(value)
}

/// Every JSON request body the edge reads, and the checks it runs on them natively.
pub fn request_bodies(data: &[u8]) {
    use shared::api::*;
    use shared::consent::{ConsentRequest, ConsentSettings};
    use shared::privacy::{CloseAccountRequest, CloseWorkspaceRequest, DataAction, MyDataRequest};
    use shared::visitor::{AttributesRequest, IdentifyRequest, PageViewRequest};
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(s) = std::str::from_utf8(rest) else { return };
    match pick % 16 {
        0 => {
            if let Some(r) = body::<VisitorSessionRequest>(s) {
                let _ = r.context.map(|c| c.check());
            }
        }
        1 => {
            if let Some(r) = body::<PageViewRequest>(s) {
                let _ = strip_url(&r.url);
                let _ = r.context.map(|c| c.check());
            }
        }
        2 => {
            if let Some(r) = body::<IdentifyRequest>(s) {
                let _ = r.email.as_deref().map(Email::parse);
                let _ = r.name.as_deref().map(visitor_name);
            }
        }
        3 => {
            // Not round-tripped: JSON numbers like 1e400 do not survive as the same value.
            if let Ok(r) = serde_json::from_str::<AttributesRequest>(s) {
                let _ = merge_attributes(&BTreeMap::new(), &r.attributes);
            }
        }
        4 => {
            body::<ConsentRequest>(s);
        }
        5 => {
            if let Some(r) = body::<MyDataRequest>(s) {
                if let DataAction::Correct { name, email } = r.request {
                    let _ = name.as_deref().map(visitor_name);
                    let _ = email.as_deref().map(Email::parse);
                }
            }
        }
        6 => {
            body::<SignInRequest>(s);
        }
        7 => {
            body::<SignUpRequest>(s);
        }
        8 => {
            body::<AcceptInviteRequest>(s);
        }
        9 => {
            body::<CloseAccountRequest>(s);
            body::<CloseWorkspaceRequest>(s);
        }
        10 => {
            body::<CreateInviteRequest>(s);
            body::<ChangeRoleRequest>(s);
        }
        11 => {
            if let Some(settings) = body::<WorkspaceSettings>(s) {
                let base = config_allowing(AllowedDomain::parse("fuzz.example").expect("a domain"));
                if let Ok(config) = base.with_settings(settings) {
                    let site = SiteId::parse("fuzz").expect("a valid id");
                    // What was accepted is accepted again unchanged.
                    assert_eq!(config.with_settings(config.settings(&site)).ok(), Some(config.clone()));
                }
            }
        }
        12 => {
            if let Some(settings) = body::<ConsentSettings>(s) {
                if let Ok(valid) = validate_consent(settings, None) {
                    assert_eq!(validate_consent(valid.clone(), Some(&valid)).ok(), Some(valid));
                }
            }
        }
        13 => {
            if let Ok(request) = serde_json::from_str::<CreateWorkspace>(s) {
                let _ = request.validate();
            }
        }
        14 => {
            body::<DataAction>(s);
        }
        _ => {
            body::<shared::consent::StoredConsent>(s);
        }
    }
}

/// A conversation fed one frame per line: `v…` from the visitor's socket, `a…` from an agent's
/// (anything else from a second visitor socket). Whatever arrives, the log stays numbered 1, 2,
/// 3… with no repeated client id, and every message is within the limits.
pub fn conversation(data: &[u8]) {
    let id = ConversationId::parse("cv_fuzzfuzz").expect("a valid id");
    let email = Email::parse("dana@fuzz.example").expect("a valid email");
    let team = [AgentRef { email: email.clone(), name: "Dana".into() }];
    let (mut state, mut log) = (State::default(), VecLog::default());
    let mut peers =
        [Peer::new(Role::Visitor), Peer::new(Role::Agent { name: "Dana".into(), email }), Peer::new(Role::Visitor)];
    let mut now = 1_764_000_000_000;
    for line in text(data).lines() {
        let (peer, frame) = match line.split_at_checked(1) {
            Some(("v", rest)) => (0, rest),
            Some(("a", rest)) => (1, rest),
            _ => (2, line),
        };
        now += 700;
        let mut conversation =
            Conversation { id: &id, state: &mut state, log: &mut log, team: &team, files: edge::files::FileKeys::TEST };
        let _ = conversation.handle(&mut peers[peer], ClientMsg::decode(frame), now);
    }
    for (i, m) in log.0.iter().enumerate() {
        assert_eq!(m.seq, i as u64 + 1, "numbered without gaps");
        assert!(m.body.as_str().chars().count() <= MAX_MESSAGE_CHARS);
        assert_eq!(log.0.iter().filter(|o| o.client_id == m.client_id).count(), 1, "stored once");
        assert!(!m.note || matches!(m.author, shared::Author::Agent { .. }), "only agents write notes");
    }
    let last = log.0.len() as u64;
    assert!(state.visitor_read <= last && state.agent_read <= last, "reads never pass the last message");
}
