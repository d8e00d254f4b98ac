//! The inbox's HTTP answers (account, team, sessions, settings, search, data subjects), decoded
//! with [`Json`] rather than serde, as the widget decodes its own: each serde decoder is kilobytes
//! of the inbox's WASM. Same rules as the parent module.

use super::{
    boolean, conversation_id, i64_of, integer, lang, list, name_of, opt, or_default, req, string, u32_of, Json,
};
use crate::api::{
    BusinessHours, CannedResponse, Greeting, IdentitySecret, Invite, InvitePreview, LauncherPosition, Me, Member,
    NotifyWhen, PrechatMode, Role, SearchHit, SecurityEvent, SecurityEventKind, SessionInfo, WorkspaceRef,
    WorkspaceSettings,
};
use crate::consent::Lang;
use crate::domain::{Email, SiteId, VisitorId};
use crate::privacy::{Closing, DataRegion, DataSubject, Erased};

fn email<J: Json>(v: &J) -> Option<Email> {
    Email::parse(&v.string()?).ok()
}

fn role<J: Json>(v: &J) -> Option<Role> {
    name_of(v, &["owner", "admin", "agent"]).map(|i| [Role::Owner, Role::Admin, Role::Agent][i])
}

/// A JSON array of `T`s, for answers that are a list (`GET …/members`, `…/sessions`).
pub fn list_of<J: Json, T>(v: &J, decode: fn(&J) -> Option<T>) -> Option<Vec<T>> {
    list(v, decode)
}

impl Me {
    pub fn from_json<J: Json>(v: &J) -> Option<Me> {
        let workspace = |w: &J| {
            Some(WorkspaceRef {
                id: req(w, "id", |i| SiteId::parse(&i.string()?).ok())?,
                name: req(w, "name", string)?,
                role: req(w, "role", role)?,
            })
        };
        Some(Me {
            name: req(v, "name", string)?,
            email: req(v, "email", email)?,
            workspaces: req(v, "workspaces", |w| list(w, workspace))?,
            email_verified: or_default(v, "email_verified", boolean)?,
            notify: or_default(v, "notify", |n| {
                let name = n.string()?;
                NotifyWhen::from_name(&name)
            })?,
            billing: or_default(v, "billing", boolean)?,
        })
    }
}

impl Member {
    pub fn from_json<J: Json>(v: &J) -> Option<Member> {
        Some(Member {
            email: req(v, "email", email)?,
            name: req(v, "name", string)?,
            role: req(v, "role", role)?,
            joined_at: req(v, "joined_at", i64_of)?,
        })
    }
}

impl Invite {
    pub fn from_json<J: Json>(v: &J) -> Option<Invite> {
        Some(Invite {
            url: req(v, "url", string)?,
            role: req(v, "role", role)?,
            expires_at: req(v, "expires_at", i64_of)?,
        })
    }
}

impl InvitePreview {
    pub fn from_json<J: Json>(v: &J) -> Option<InvitePreview> {
        Some(InvitePreview {
            workspace_name: req(v, "workspace_name", string)?,
            role: req(v, "role", role)?,
            expires_at: req(v, "expires_at", i64_of)?,
        })
    }
}

impl SessionInfo {
    pub fn from_json<J: Json>(v: &J) -> Option<SessionInfo> {
        Some(SessionInfo {
            id: req(v, "id", string)?,
            created_at: req(v, "created_at", i64_of)?,
            last_seen_at: req(v, "last_seen_at", i64_of)?,
            device: req(v, "device", string)?,
            country: opt(v, "country", string)?,
            current: req(v, "current", boolean)?,
        })
    }
}

/// [`SecurityEventKind`]s by their wire names, in declaration order.
const SECURITY_EVENT_KINDS: [(SecurityEventKind, &str); 9] = [
    (SecurityEventKind::SignIn, "sign_in"),
    (SecurityEventKind::NewDevice, "new_device"),
    (SecurityEventKind::SignInFailed, "sign_in_failed"),
    (SecurityEventKind::LockedOut, "locked_out"),
    (SecurityEventKind::PasswordChanged, "password_changed"),
    (SecurityEventKind::SessionRevoked, "session_revoked"),
    (SecurityEventKind::PasswordResetRequested, "password_reset_requested"),
    (SecurityEventKind::PasswordReset, "password_reset"),
    (SecurityEventKind::EmailVerified, "email_verified"),
];

impl SecurityEvent {
    pub fn from_json<J: Json>(v: &J) -> Option<SecurityEvent> {
        let kind = |k: &J| {
            let name = k.string()?;
            SECURITY_EVENT_KINDS.iter().find(|(_, n)| *n == name).map(|(kind, _)| *kind)
        };
        Some(SecurityEvent {
            at: req(v, "at", i64_of)?,
            kind: req(v, "kind", kind)?,
            detail: or_default(v, "detail", string)?,
        })
    }
}

impl IdentitySecret {
    pub fn from_json<J: Json>(v: &J) -> Option<IdentitySecret> {
        Some(IdentitySecret { secret: req(v, "secret", string)? })
    }
}

impl SearchHit {
    pub fn from_json<J: Json>(v: &J) -> Option<SearchHit> {
        Some(SearchHit {
            conversation_id: req(v, "conversation_id", conversation_id)?,
            visitor_name: req(v, "visitor_name", string)?,
            snippet: req(v, "snippet", string)?,
            at: req(v, "at", i64_of)?,
        })
    }
}

impl Closing {
    pub fn from_json<J: Json>(v: &J) -> Option<Closing> {
        Some(Closing { deleted_at: req(v, "deleted_at", i64_of)? })
    }
}

impl Erased {
    pub fn from_json<J: Json>(v: &J) -> Option<Erased> {
        Some(Erased { conversations: req(v, "conversations", u32_of)?, reference: req(v, "reference", string)? })
    }
}

impl DataSubject {
    pub fn from_json<J: Json>(v: &J) -> Option<DataSubject> {
        Some(DataSubject {
            visitor_id: opt(v, "visitor_id", |i| VisitorId::parse(&i.string()?).ok())?,
            name: opt(v, "name", string)?,
            email: opt(v, "email", email)?,
            user_id: opt(v, "user_id", string)?,
            first_seen: req(v, "first_seen", i64_of)?,
            last_seen: req(v, "last_seen", i64_of)?,
            conversations: req(v, "conversations", u32_of)?,
            pages: req(v, "pages", u32_of)?,
            consents: req(v, "consents", u32_of)?,
            restricted: req(v, "restricted", boolean)?,
            objected: req(v, "objected", boolean)?,
        })
    }
}

impl WorkspaceSettings {
    pub fn from_json<J: Json>(v: &J) -> Option<WorkspaceSettings> {
        const PRECHAT: [PrechatMode; 3] = [PrechatMode::Off, PrechatMode::Optional, PrechatMode::Required];
        let hours = |h: &J| {
            Some(BusinessHours {
                time_zone: req(h, "time_zone", string)?,
                days: req(h, "days", |d| list(d, |n| integer(n, 0.0, 255.0).map(|n| n as u8)))?,
                open: req(h, "open", |n| integer(n, 0.0, 65535.0).map(|n| n as u16))?,
                close: req(h, "close", |n| integer(n, 0.0, 65535.0).map(|n| n as u16))?,
            })
        };
        let canned =
            |c: &J| Some(CannedResponse { shortcut: req(c, "shortcut", string)?, text: req(c, "text", string)? });
        Some(WorkspaceSettings {
            name: req(v, "name", string)?,
            greeting: req(v, "greeting", string)?,
            allowed_domains: req(v, "allowed_domains", |d| list(d, string))?,
            color: req(v, "color", string)?,
            position: req(v, "position", |p| {
                name_of(p, &["right", "left"]).map(|i| [LauncherPosition::Right, LauncherPosition::Left][i])
            })?,
            launcher_text: req(v, "launcher_text", string)?,
            team_name: req(v, "team_name", string)?,
            business_hours: opt(v, "business_hours", hours)?,
            offline_message: req(v, "offline_message", string)?,
            prechat: req(v, "prechat", |p| name_of(p, &["off", "optional", "required"]).map(|i| PRECHAT[i]))?,
            language: opt(v, "language", |l| name_of(l, &["en", "de", "fr", "es"]).map(|i| Lang::ALL[i]))?,
            retention_days: opt(v, "retention_days", u32_of)?,
            canned_responses: req(v, "canned_responses", |c| list(c, canned))?,
            identity_verification: or_default(v, "identity_verification", boolean)?,
            store_ip: or_default(v, "store_ip", boolean)?,
            data_region: or_default(v, "data_region", |r| {
                name_of(r, &["global", "eu"]).map(|i| [DataRegion::Global, DataRegion::Eu][i])
            })?,
            translations: or_default(v, "translations", |t| {
                list(t, |g| {
                    Some(Greeting {
                        lang: req(g, "lang", lang)?,
                        greeting: or_default(g, "greeting", string)?,
                        offline_message: or_default(g, "offline_message", string)?,
                    })
                })
            })?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ConversationId;
    use serde::{de::DeserializeOwned, Serialize};
    use serde_json::Value;
    use std::fmt::Debug;

    /// Encodes `value` with serde and decodes it with [`Json`]: the same value comes back.
    fn round_trip<T: Serialize + PartialEq + Debug>(value: T, decode: fn(&Value) -> Option<T>) {
        let json = serde_json::to_value(&value).unwrap();
        assert_eq!(decode(&json), Some(value), "{json}");
    }

    /// `text` decodes with [`Json`] as with serde (both refusing it counts as the same).
    fn same<T: DeserializeOwned + PartialEq + Debug>(text: &str, decode: fn(&Value) -> Option<T>) {
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(decode(&value), serde_json::from_str::<T>(text).ok(), "{text}");
    }

    /// `value` as JSON with `key` set to `to` (or removed when `to` is `None`).
    fn with<T: Serialize>(value: &T, key: &str, to: Option<Value>) -> String {
        let mut json = serde_json::to_value(value).unwrap();
        let object = json.as_object_mut().unwrap();
        match to {
            Some(to) => object.insert(key.to_owned(), to),
            None => object.remove(key),
        };
        json.to_string()
    }

    fn ana() -> Email {
        Email::parse("ana@example.com").unwrap()
    }

    fn settings() -> WorkspaceSettings {
        WorkspaceSettings {
            name: "Shop".into(),
            greeting: "Hi!".into(),
            allowed_domains: vec!["shop.example".into(), "www.shop.example".into()],
            color: "#1f5eff".into(),
            position: LauncherPosition::Left,
            launcher_text: "Chat".into(),
            team_name: "Team".into(),
            business_hours: Some(BusinessHours {
                time_zone: "Europe/Berlin".into(),
                days: vec![0, 4, 6],
                open: 540,
                close: 1020,
            }),
            offline_message: "Back soon".into(),
            prechat: PrechatMode::Required,
            language: Some(Lang::Fr),
            retention_days: Some(90),
            canned_responses: vec![CannedResponse { shortcut: "/hi".into(), text: "Hello!".into() }],
            identity_verification: true,
            store_ip: true,
            translations: vec![Greeting { lang: Lang::De, greeting: "Hallo!".into(), offline_message: String::new() }],
            data_region: DataRegion::Eu,
        }
    }

    #[test]
    fn answers_round_trip() {
        for role in [Role::Owner, Role::Admin, Role::Agent] {
            let workspaces = vec![WorkspaceRef { id: SiteId::parse("shop").unwrap(), name: "Shop".into(), role }];
            round_trip(
                Me {
                    name: "Ana".into(),
                    email: ana(),
                    workspaces,
                    email_verified: true,
                    notify: NotifyWhen::After15,
                    billing: true,
                },
                Me::from_json,
            );
            round_trip(Member { email: ana(), name: "Ana".into(), role, joined_at: 5 }, Member::from_json);
            round_trip(Invite { url: "https://x.example/i/t".into(), role, expires_at: 9 }, Invite::from_json);
            round_trip(InvitePreview { workspace_name: "Shop".into(), role, expires_at: 9 }, InvitePreview::from_json);
        }
        round_trip(
            Me {
                name: "Ana".into(),
                email: ana(),
                workspaces: vec![],
                email_verified: false,
                notify: NotifyWhen::Never,
                billing: false,
            },
            Me::from_json,
        );
        for (kind, _) in SECURITY_EVENT_KINDS {
            round_trip(SecurityEvent { at: 3, kind, detail: "Chrome on Linux".into() }, SecurityEvent::from_json);
        }
        for country in [None, Some("DE".to_owned())] {
            let session = SessionInfo {
                id: "s1".into(),
                created_at: 1,
                last_seen_at: 2,
                device: "Firefox on macOS".into(),
                country,
                current: true,
            };
            round_trip(session, SessionInfo::from_json);
        }
        round_trip(IdentitySecret { secret: "k".into() }, IdentitySecret::from_json);
        let hit = SearchHit {
            conversation_id: ConversationId::parse("cv_0123456789abcdef").unwrap(),
            visitor_name: "Ana".into(),
            snippet: "…refund…".into(),
            at: 7,
        };
        round_trip(hit, SearchHit::from_json);
        round_trip(Closing { deleted_at: 1_764_000_000_000 }, Closing::from_json);
        round_trip(Erased { conversations: 3, reference: "ref".into() }, Erased::from_json);
        round_trip(DataSubject::default(), DataSubject::from_json);
        let subject = DataSubject {
            visitor_id: Some(VisitorId::parse("vs_0123456789abcdef").unwrap()),
            name: Some("Ana".into()),
            email: Some(ana()),
            user_id: Some("u-1".into()),
            first_seen: 1,
            last_seen: 2,
            conversations: 3,
            pages: 4,
            consents: 5,
            restricted: true,
            objected: true,
        };
        round_trip(subject, DataSubject::from_json);
        round_trip(settings(), WorkspaceSettings::from_json);
        let plain = WorkspaceSettings {
            position: LauncherPosition::Right,
            business_hours: None,
            prechat: PrechatMode::Off,
            language: None,
            retention_days: None,
            canned_responses: vec![],
            identity_verification: false,
            store_ip: false,
            data_region: DataRegion::Global,
            translations: vec![],
            ..settings()
        };
        round_trip(plain, WorkspaceSettings::from_json);
        let members = vec![Member { email: ana(), name: "Ana".into(), role: Role::Agent, joined_at: 5 }];
        let json = serde_json::to_value(&members).unwrap();
        assert_eq!(list_of(&json, Member::from_json), Some(members));
    }

    #[test]
    fn bad_answers_are_refused_as_serde_refuses_them() {
        let member = Member { email: ana(), name: "Ana".into(), role: Role::Admin, joined_at: 5 };
        for (key, to) in [
            ("role", Some(Value::from("boss"))),
            ("email", Some(Value::from("not an address"))),
            ("joined_at", Some(Value::from(1.5))),
            ("name", None),
        ] {
            let text = with(&member, key, to);
            same(&text, Member::from_json);
            assert_eq!(Member::from_json(&serde_json::from_str::<Value>(&text).unwrap()), None, "{text}");
        }
        let s = settings();
        for (key, to) in [
            ("position", Some(Value::from("top"))),
            ("prechat", Some(Value::from("always"))),
            ("language", Some(Value::from("it"))),
            ("data_region", Some(Value::from("mars"))),
            ("retention_days", Some(Value::from(-1))),
            ("business_hours", Some(serde_json::json!({"time_zone":"UTC","days":[300],"open":0,"close":1}))),
            ("canned_responses", Some(serde_json::json!([{"shortcut":"/x"}]))),
            ("allowed_domains", Some(Value::from("shop.example"))),
            ("greeting", None),
        ] {
            let text = with(&s, key, to);
            same(&text, WorkspaceSettings::from_json);
            assert_eq!(WorkspaceSettings::from_json(&serde_json::from_str::<Value>(&text).unwrap()), None, "{text}");
        }
        // Optional fields may be missing, as serde allows.
        for key in ["business_hours", "language", "retention_days", "identity_verification", "store_ip", "data_region"]
        {
            same(&with(&s, key, None), WorkspaceSettings::from_json);
        }
        same(r#"{"at":1,"kind":"brand_new"}"#, SecurityEvent::from_json);
        same(r#"{"at":1,"kind":"sign_in"}"#, SecurityEvent::from_json);
        same(r#"{"name":"A","email":"a@b.co","workspaces":[{"id":"-bad-","name":"S","role":"owner"}]}"#, Me::from_json);
        same(r#"{"deleted_at":"soon"}"#, Closing::from_json);
        same(r#"{"conversations":-3,"reference":"r"}"#, Erased::from_json);
        same(
            r#"{"visitor_id":"bad id","first_seen":1,"last_seen":2,"conversations":0,"pages":0,"consents":0,"restricted":false,"objected":false}"#,
            DataSubject::from_json,
        );
        same(r#"[{"email":"a@b.co","name":"A","role":"agent","joined_at":1},{"email":"a@b.co"}]"#, |v| {
            list_of(v, Member::from_json)
        });
    }
}
