//! The inbox's logs: the audit log's pages and the consent records, decoded with [`Json`] rather
//! than serde (see `api.rs`). Same rules as the parent module.

use super::{banner_text, category, i64_of, lang, list, name_of, opt, or_default, req, string, u32_of, u64_of, Json};
use crate::audit::{AuditAction, AuditActor, AuditEntry, AuditPage};
use crate::consent::{Choices, ConsentRecord, ConsentSettings, Decision, Lang, Method};
use std::collections::BTreeMap;

/// [`AuditAction`]s' wire names, in the order of [`AuditAction::ALL`] (`Unknown` last, written
/// `unknown` as serde writes it).
const AUDIT_ACTION_NAMES: [&str; 27] = [
    "sign_in",
    "sign_in_failed",
    "locked_out",
    "invite_created",
    "invite_accepted",
    "role_changed",
    "member_removed",
    "settings_changed",
    "consent_settings_changed",
    "consent_log_exported",
    "audit_log_exported",
    "identity_refused",
    "identity_secret_rotated",
    "data_exported",
    "data_corrected",
    "data_erased",
    "processing_restricted",
    "processing_resumed",
    "analytics_objected",
    "analytics_objection_withdrawn",
    "retention_deleted",
    "rate_limited",
    "visitor_blocked",
    "visitor_unblocked",
    "billing",
    "api",
    "unknown",
];

impl AuditAction {
    /// The name on the wire (and in the audit log's `action=` filter).
    pub fn wire_name(self) -> &'static str {
        let i = AuditAction::ALL.iter().position(|a| *a == self).unwrap_or(AuditAction::ALL.len() - 1);
        AUDIT_ACTION_NAMES[i]
    }

    /// A name this build does not know is [`AuditAction::Unknown`] (serde's `other`).
    pub fn from_json<J: Json>(v: &J) -> Option<AuditAction> {
        let name = v.string()?;
        let i = AUDIT_ACTION_NAMES.iter().position(|n| *n == name).unwrap_or(AuditAction::ALL.len() - 1);
        Some(AuditAction::ALL[i])
    }
}

impl AuditPage {
    pub fn from_json<J: Json>(v: &J) -> Option<AuditPage> {
        let entry = |e: &J| {
            Some(AuditEntry {
                at: req(e, "at", i64_of)?,
                actor: req(e, "actor", |a| a.string().map(AuditActor::from))?,
                action: req(e, "action", AuditAction::from_json)?,
                detail: or_default(e, "detail", string)?,
            })
        };
        Some(AuditPage { entries: req(v, "entries", |e| list(e, entry))?, next_before: opt(v, "next_before", u64_of)? })
    }
}

impl ConsentRecord {
    /// The decision's fields sit beside the record's own (serde's `flatten`).
    pub fn from_json<J: Json>(v: &J) -> Option<ConsentRecord> {
        const METHODS: [Method; 3] = [Method::AcceptAll, Method::RejectAll, Method::Custom];
        Some(ConsentRecord {
            at: req(v, "at", i64_of)?,
            expires_at: req(v, "expires_at", i64_of)?,
            visitor_hash: req(v, "visitor_hash", string)?,
            decision: Decision {
                policy_version: req(v, "policy_version", u32_of)?,
                choices: req(v, "choices", Choices::from_json)?,
                method: req(v, "method", |m| name_of(m, &["accept_all", "reject_all", "custom"]).map(|i| METHODS[i]))?,
                lang: req(v, "lang", lang)?,
                gpc: req(v, "gpc", |g| g.boolean())?,
            },
        })
    }
}

impl ConsentSettings {
    pub fn from_json<J: Json>(v: &J) -> Option<ConsentSettings> {
        // The banner's words by language: every key must be a language, as serde's map of `Lang`.
        let texts = |t: &J| -> Option<BTreeMap<Lang, _>> {
            t.entries()?
                .into_iter()
                .map(|(key, text)| Some((Lang::ALL[name_index(&key)?], banner_text(&text)?)))
                .collect()
        };
        Some(ConsentSettings {
            policy_url: req(v, "policy_url", string)?,
            policy_version: req(v, "policy_version", u32_of)?,
            lifetime_days: req(v, "lifetime_days", u32_of)?,
            language: opt(v, "language", lang)?,
            categories: req(v, "categories", |c| list(c, category))?,
            texts: req(v, "texts", texts)?,
        })
    }
}

/// A language's position in [`Lang::ALL`] by its wire name.
fn name_index(key: &str) -> Option<usize> {
    ["en", "de", "fr", "es"].iter().position(|n| *n == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Email;
    use serde_json::Value;

    fn decode<T>(text: &str, decode: fn(&Value) -> Option<T>) -> Option<T> {
        decode(&serde_json::from_str::<Value>(text).unwrap())
    }

    #[test]
    fn consent_settings_round_trip_and_bad_ones_are_refused() {
        let text = |lang: Lang| crate::consent::BannerText {
            title: format!("Cookies {lang:?}"),
            text: "We use cookies.".into(),
            necessary: crate::consent::CategoryText { name: "N".into(), description: "n".into() },
            preferences: crate::consent::CategoryText { name: "P".into(), description: "p".into() },
            analytics: crate::consent::CategoryText { name: "A".into(), description: "a".into() },
            marketing: crate::consent::CategoryText { name: "M".into(), description: "m".into() },
        };
        for n in 0..=4 {
            let settings = ConsentSettings {
                policy_url: "https://shop.example/privacy".into(),
                policy_version: 2,
                lifetime_days: 180,
                language: Lang::ALL.get(n).copied(),
                categories: crate::consent::Category::ALL[..n.min(3)].to_vec(),
                texts: Lang::ALL[..n].iter().map(|&l| (l, text(l))).collect(),
            };
            let json = serde_json::to_value(&settings).unwrap();
            assert_eq!(ConsentSettings::from_json(&json), Some(settings), "{json}");
        }
        let json = serde_json::to_value(ConsentSettings {
            policy_url: "u".into(),
            policy_version: 1,
            lifetime_days: 1,
            language: None,
            categories: vec![],
            texts: BTreeMap::from([(Lang::En, text(Lang::En))]),
        })
        .unwrap();
        for (key, to) in [
            ("texts", serde_json::json!({ "it": json["texts"]["en"].clone() })),
            ("texts", serde_json::json!({ "en": { "title": "t" } })),
            ("texts", serde_json::json!([])),
            ("categories", serde_json::json!(["cookies"])),
            ("language", Value::from("xx")),
            ("policy_version", Value::from(-2)),
        ] {
            let mut bad = json.clone();
            bad[key] = to;
            assert_eq!(ConsentSettings::from_json(&bad), None, "{bad}");
            assert!(serde_json::from_value::<ConsentSettings>(bad).is_err());
        }
    }

    #[test]
    fn audit_action_names_are_serdes() {
        for action in AuditAction::ALL {
            assert_eq!(serde_json::to_value(action).unwrap(), Value::from(action.wire_name()), "{action:?}");
            assert_eq!(AuditAction::from_json(&Value::from(action.wire_name())), Some(action));
        }
        assert_eq!(AuditAction::from_json(&Value::from("api_key_rotated")), Some(AuditAction::Unknown));
        assert_eq!(AuditAction::from_json(&Value::from(3)), None);
    }

    #[test]
    fn audit_pages_round_trip_and_bad_ones_are_refused() {
        let ada = Email::parse("ada@shop.example").unwrap();
        let actors = [AuditActor::Visitor, AuditActor::Site, AuditActor::Retention, AuditActor::Agent(ada)];
        let entries = AuditAction::ALL
            .iter()
            .zip(actors.iter().cycle())
            .enumerate()
            .map(|(i, (&action, actor))| AuditEntry {
                at: i as i64,
                actor: actor.clone(),
                action,
                detail: format!("detail {i}"),
            })
            .collect();
        for next_before in [None, Some(17)] {
            let page = AuditPage { entries: Vec::clone(&entries), next_before };
            let json = serde_json::to_value(&page).unwrap();
            assert_eq!(AuditPage::from_json(&json), Some(page));
        }
        for text in [
            r#"{"entries":[{"at":1,"actor":"site","action":"sign_in"}]}"#,
            r#"{"entries":[{"at":1,"actor":"Someone Else","action":"brand_new"}],"next_before":4}"#,
            r#"{"entries":[{"at":1,"actor":"site"}]}"#,
            r#"{"entries":[{"at":"1","actor":"site","action":"sign_in"}]}"#,
            r#"{"entries":[],"next_before":-4}"#,
            r#"{"next_before":4}"#,
        ] {
            let serde = serde_json::from_str::<AuditPage>(text).ok();
            assert_eq!(decode(text, AuditPage::from_json), serde, "{text}");
        }
        assert_eq!(decode(r#"{"entries":[{"at":1,"action":"sign_in"}]}"#, AuditPage::from_json), None);
    }

    #[test]
    fn consent_records_round_trip_and_bad_ones_are_refused() {
        let methods = [Method::AcceptAll, Method::RejectAll, Method::Custom];
        for (i, (lang, method)) in Lang::ALL.into_iter().zip(methods.into_iter().cycle()).enumerate() {
            let record = ConsentRecord {
                at: 10,
                expires_at: 20,
                visitor_hash: "ab12".into(),
                decision: Decision {
                    policy_version: 3,
                    choices: Choices { preferences: i % 2 == 0, analytics: i % 3 == 0, marketing: true },
                    method,
                    lang,
                    gpc: i == 1,
                },
            };
            let json = serde_json::to_value(&record).unwrap();
            assert_eq!(ConsentRecord::from_json(&json), Some(record.clone()), "{json}");
            for (key, to) in [("method", Value::from("shrug")), ("lang", Value::from("it")), ("gpc", Value::from(1))] {
                let mut bad = json.clone();
                bad[key] = to;
                let text = bad.to_string();
                assert_eq!(decode(&text, ConsentRecord::from_json), None, "{text}");
                assert_eq!(serde_json::from_str::<ConsentRecord>(&text).ok(), None, "{text}");
            }
        }
    }
}
