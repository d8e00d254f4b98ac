//! The visitor profile the inbox shows beside a conversation, decoded with [`Json`] rather than
//! serde (see `api.rs`). Same rules as the parent module.

use super::{boolean, i64_of, list, name_of, opt, or_default, req, string, Json};
use crate::consent::ConsentRecord;
use crate::domain::{ConversationSummary, Email, VisitorId};
use crate::visitor::{
    ContactEdit, DeviceInfo, Identity, Location, PageView, ScreenClass, VisitorContext, VisitorProfile,
};
use std::collections::BTreeMap;

fn email<J: Json>(v: &J) -> Option<Email> {
    Email::parse(&v.string()?).ok()
}

/// An attribute's value. The edge keeps only strings, numbers and true/false (`capture.rs`), so
/// anything else is refused. A whole number reads as an integer, as `serde_json` reads `42`.
fn attribute<J: Json>(v: &J) -> Option<serde_json::Value> {
    if let Some(s) = v.string() {
        return Some(s.into());
    }
    if let Some(b) = v.boolean() {
        return Some(b.into());
    }
    let n = v.number()?;
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        Some((n as i64).into())
    } else {
        serde_json::Number::from_f64(n).map(Into::into)
    }
}

fn attributes<J: Json>(v: &J) -> Option<BTreeMap<String, serde_json::Value>> {
    // A `null` value is refused too (`attribute` reads none from it): the edge removes an
    // attribute set to null rather than storing it.
    v.entries()?.into_iter().map(|(key, value)| Some((key, attribute(&value)?))).collect()
}

impl VisitorProfile {
    pub fn from_json<J: Json>(v: &J) -> Option<VisitorProfile> {
        const SCREENS: [ScreenClass; 3] = [ScreenClass::Small, ScreenClass::Medium, ScreenClass::Large];
        let identity = |i: &J| Some(Identity { id: req(i, "id", string)?, verified: req(i, "verified", boolean)? });
        let device = |d: &J| {
            Some(DeviceInfo {
                browser: req(d, "browser", string)?,
                os: req(d, "os", string)?,
                category: req(d, "category", string)?,
            })
        };
        let context = |c: &J| {
            Some(VisitorContext {
                language: req(c, "language", string)?,
                time_zone: req(c, "time_zone", string)?,
                screen: req(c, "screen", |s| name_of(s, &["small", "medium", "large"]).map(|i| SCREENS[i]))?,
            })
        };
        let location = |l: &J| {
            Some(Location {
                country: opt(l, "country", string)?,
                region: opt(l, "region", string)?,
                city: opt(l, "city", string)?,
            })
        };
        let page = |p: &J| {
            Some(PageView {
                at: req(p, "at", i64_of)?,
                url: req(p, "url", string)?,
                title: req(p, "title", string)?,
                referrer: req(p, "referrer", string)?,
            })
        };
        let edit = |e: &J| {
            Some(ContactEdit {
                at: req(e, "at", i64_of)?,
                by: req(e, "by", string)?,
                name: opt(e, "name", string)?,
                email: opt(e, "email", email)?,
            })
        };
        Some(VisitorProfile {
            visitor_id: opt(v, "visitor_id", |i| VisitorId::parse(&i.string()?).ok())?,
            name: opt(v, "name", string)?,
            email: opt(v, "email", email)?,
            identity: opt(v, "identity", identity)?,
            first_seen: req(v, "first_seen", i64_of)?,
            last_seen: req(v, "last_seen", i64_of)?,
            device: opt(v, "device", device)?,
            context: opt(v, "context", context)?,
            location: opt(v, "location", location)?,
            ip: opt(v, "ip", string)?,
            attributes: req(v, "attributes", attributes)?,
            pages: req(v, "pages", |p| list(p, page))?,
            consents: req(v, "consents", |c| list(c, ConsentRecord::from_json))?,
            conversations: req(v, "conversations", |c| list(c, ConversationSummary::from_json))?,
            contact_edits: req(v, "contact_edits", |e| list(e, edit))?,
            restricted: or_default(v, "restricted", boolean)?,
            objected: or_default(v, "objected", boolean)?,
            blocked: or_default(v, "blocked", boolean)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{Choices, Decision, Lang, Method};
    use crate::domain::{Author, ConversationId, ConversationStatus};
    use serde_json::{json, Value};

    fn profile() -> VisitorProfile {
        let ana = Email::parse("ana@example.com").unwrap();
        VisitorProfile {
            visitor_id: Some(VisitorId::parse("vs_0123456789abcdef").unwrap()),
            name: Some("Ana".into()),
            email: Some(ana.clone()),
            identity: Some(Identity { id: "user-42".into(), verified: true }),
            first_seen: 1,
            last_seen: 2,
            device: Some(DeviceInfo { browser: "Firefox".into(), os: "Linux".into(), category: "desktop".into() }),
            context: Some(VisitorContext {
                language: "de-DE".into(),
                time_zone: "Europe/Berlin".into(),
                screen: ScreenClass::Large,
            }),
            location: Some(Location { country: Some("DE".into()), region: None, city: Some("Berlin".into()) }),
            ip: Some("192.0.2.0".into()),
            attributes: BTreeMap::from([
                ("plan".to_owned(), json!("Pro")),
                ("seats".to_owned(), json!(42)),
                ("score".to_owned(), json!(4.5)),
                ("trial".to_owned(), json!(false)),
            ]),
            pages: vec![PageView {
                at: 3,
                url: "https://shop.example/a".into(),
                title: "A".into(),
                referrer: "".into(),
            }],
            consents: vec![ConsentRecord {
                at: 4,
                expires_at: 5,
                visitor_hash: "ab".into(),
                decision: Decision {
                    policy_version: 1,
                    choices: Choices { preferences: false, analytics: true, marketing: false },
                    method: Method::Custom,
                    lang: Lang::De,
                    gpc: false,
                },
            }],
            conversations: vec![ConversationSummary {
                id: ConversationId::parse("cv_0123456789abcdef").unwrap(),
                visitor_name: "Ana".into(),
                last_message: "Hi".into(),
                last_author: Author::Visitor,
                last_at: 6,
                last_seq: 1,
                status: ConversationStatus::Pending,
                assignee: None,
                unread: 1,
                visitor_email: Some(ana.clone()),
                rev: 2,
            }],
            contact_edits: vec![ContactEdit {
                at: 7,
                by: "visitor".into(),
                name: Some("Ana".into()),
                email: Some(ana),
            }],
            restricted: true,
            objected: true,
            blocked: true,
        }
    }

    #[test]
    fn profiles_round_trip() {
        for p in [profile(), VisitorProfile::default()] {
            let json = serde_json::to_value(&p).unwrap();
            assert_eq!(VisitorProfile::from_json(&json), Some(p), "{json}");
        }
    }

    #[test]
    fn bad_profiles_are_refused_as_serde_refuses_them() {
        let json = serde_json::to_value(profile()).unwrap();
        for (key, to) in [
            ("first_seen", Value::from("yesterday")),
            ("email", Value::from("nope")),
            ("pages", json!([{ "at": 1 }])),
            ("context", json!({ "language": "de", "time_zone": "UTC", "screen": "huge" })),
            ("consents", json!([{ "at": 1 }])),
            ("attributes", json!(["plan"])),
        ] {
            let mut bad = json.clone();
            bad[key] = to;
            assert_eq!(VisitorProfile::from_json(&bad), None, "{bad}");
            assert!(serde_json::from_value::<VisitorProfile>(bad).is_err());
        }
        // Refused here though serde would take it: the edge never stores such an attribute.
        let mut nested = json;
        nested["attributes"]["plan"] = json!({ "tier": 1 });
        assert_eq!(VisitorProfile::from_json(&nested), None);
    }
}
