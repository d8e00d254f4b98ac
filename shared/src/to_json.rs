//! The JSON the widget sends (its socket frames, the visitor session, consent decisions, data
//! requests), written without serde: serde_json's writer and the derived `Serialize` code cost the
//! widget's WASM more than these few objects need. The wire format stays serde's, byte for byte
//! (field order, omitted fields, `null`s, escapes): the tests below encode every fixture and more
//! both ways and compare. The edge and the inbox keep serde for everything else they send.

use crate::api::{
    AcceptInviteRequest, BlockVisitorRequest, BusinessHours, CannedResponse, ChangePasswordRequest, ChangeRoleRequest,
    CreateInviteRequest, ForgotPasswordRequest, Greeting, LauncherPosition, PrechatMode, ResetPasswordRequest, Role,
    SignInRequest, SignUpRequest, VerifyEmailRequest, VisitorSessionRequest, WorkspaceSettings,
};
use crate::consent::{BannerText, Category, CategoryText, ConsentRequest, ConsentSettings, Method};
use crate::domain::ConversationStatus;
use crate::privacy::{CloseAccountRequest, CloseWorkspaceRequest, DataAction, DataRegion, MyDataRequest};
use crate::protocol::ClientMsg;
use crate::visitor::{ScreenClass, VisitorContext};

/// A value written as JSON exactly as `serde_json::to_string` writes it.
pub trait ToJson {
    fn to_json(&self) -> String;
}

/// One JSON object, written field by field in the order given.
struct Obj(String);

impl Obj {
    fn new() -> Self {
        Obj("{".into())
    }

    /// An object whose first field is the tag of a serde-tagged enum (`"type":"hello"`).
    fn tagged(tag_key: &str, tag: &str) -> Self {
        Obj::new().str(tag_key, tag)
    }

    fn key(&mut self, key: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        push_string(&mut self.0, key);
        self.0.push(':');
    }

    /// A field whose value is already JSON.
    fn raw(mut self, key: &str, json: &str) -> Self {
        self.key(key);
        self.0.push_str(json);
        self
    }

    fn str(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        push_string(&mut self.0, value);
        self
    }

    fn num(self, key: &str, value: u64) -> Self {
        self.raw(key, &value.to_string())
    }

    fn bool(self, key: &str, value: bool) -> Self {
        self.raw(key, if value { "true" } else { "false" })
    }

    /// `#[serde(skip_serializing_if = "Option::is_none")]`: left out when `None`.
    fn some_str(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }

    /// A plain `Option<String>`: `null` when `None`.
    fn str_or_null(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.str(key, v),
            None => self.raw(key, "null"),
        }
    }

    fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// A JSON string, escaped as serde_json escapes it: `"`, `\` and control characters only (with
/// the short forms where JSON has one), everything else as it is.
fn push_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                out.push_str("\\u00");
                out.push(HEX[c as usize >> 4] as char);
                out.push(HEX[c as usize & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl ToJson for ClientMsg {
    fn to_json(&self) -> String {
        let tagged = |tag| Obj::tagged("type", tag);
        match self {
            ClientMsg::Hello { protocol, after_seq } => {
                tagged("hello").num("protocol", *protocol as u64).num("after_seq", *after_seq)
            }
            ClientMsg::Send { client_id, body, note, file } => {
                let mut send = tagged("send").str("client_id", client_id.as_str()).str("body", body);
                if *note {
                    send = send.bool("note", true);
                }
                match file {
                    Some(f) => send.raw("file", &f.to_json()),
                    None => send,
                }
            }
            ClientMsg::Typing => tagged("typing"),
            ClientMsg::Read { seq } => tagged("read").num("seq", *seq),
            ClientMsg::Contact { name, email, email_replies, transcript, lang } => {
                let mut contact =
                    tagged("contact").some_str("name", name.as_deref()).some_str("email", email.as_deref());
                if *email_replies {
                    contact = contact.bool("email_replies", true);
                }
                if *transcript {
                    contact = contact.bool("transcript", true);
                }
                contact.some_str("lang", lang.map(crate::consent::Lang::code))
            }
            ClientMsg::SetStatus { status } => tagged("set_status").str(
                "status",
                match status {
                    ConversationStatus::Open => "open",
                    ConversationStatus::Pending => "pending",
                    ConversationStatus::Resolved => "resolved",
                },
            ),
            ClientMsg::Assign { agent } => tagged("assign").str_or_null("agent", agent.as_ref().map(|a| a.as_str())),
            ClientMsg::Presence { away } => tagged("presence").bool("away", *away),
        }
        .end()
    }
}

/// The receipt as the edge gave it, fields in serde's order (the attachment's, flattened, then the seal).
impl ToJson for crate::files::SealedFile {
    fn to_json(&self) -> String {
        let f = &self.file;
        Obj::new()
            .str("id", &f.id)
            .str("name", &f.name)
            .num("size", f.size)
            .str("kind", f.kind.code())
            .str("seal", &self.seal)
            .end()
    }
}

impl ToJson for VisitorContext {
    fn to_json(&self) -> String {
        let screen = match self.screen {
            ScreenClass::Small => "small",
            ScreenClass::Medium => "medium",
            ScreenClass::Large => "large",
        };
        Obj::new().str("language", &self.language).str("time_zone", &self.time_zone).str("screen", screen).end()
    }
}

// The inbox's account forms, written here rather than by serde to keep the inbox's WASM small.
impl ToJson for SignInRequest {
    fn to_json(&self) -> String {
        Obj::new().str("email", &self.email).str("password", &self.password).end()
    }
}

impl ToJson for ForgotPasswordRequest {
    fn to_json(&self) -> String {
        Obj::new().str("email", &self.email).end()
    }
}

impl ToJson for ResetPasswordRequest {
    fn to_json(&self) -> String {
        Obj::new().str("token", &self.token).str("password", &self.password).end()
    }
}

impl ToJson for VerifyEmailRequest {
    fn to_json(&self) -> String {
        Obj::new().str("token", &self.token).end()
    }
}

impl ToJson for SignUpRequest {
    fn to_json(&self) -> String {
        let region = match self.data_region {
            DataRegion::Global => "global",
            DataRegion::Eu => "eu",
        };
        Obj::new()
            .str("name", &self.name)
            .str("email", &self.email)
            .str("password", &self.password)
            .str("workspace_name", &self.workspace_name)
            .str("website", &self.website)
            .str("data_region", region)
            .end()
    }
}

impl ToJson for AcceptInviteRequest {
    fn to_json(&self) -> String {
        Obj::new()
            .str_or_null("name", self.name.as_deref())
            .str_or_null("email", self.email.as_deref())
            .str_or_null("password", self.password.as_deref())
            .end()
    }
}

/// A JSON array of already written values.
fn array(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(","))
}

fn string(s: &str) -> String {
    let mut out = String::new();
    push_string(&mut out, s);
    out
}

impl ToJson for WorkspaceSettings {
    fn to_json(&self) -> String {
        let hours = self.business_hours.as_ref().map_or("null".into(), |h: &BusinessHours| {
            Obj::new()
                .str("time_zone", &h.time_zone)
                .raw("days", &array(h.days.iter().map(u8::to_string)))
                .num("open", u64::from(h.open))
                .num("close", u64::from(h.close))
                .end()
        });
        let canned = |c: &CannedResponse| Obj::new().str("shortcut", &c.shortcut).str("text", &c.text).end();
        let position = match self.position {
            LauncherPosition::Right => "right",
            LauncherPosition::Left => "left",
        };
        let prechat = match self.prechat {
            PrechatMode::Off => "off",
            PrechatMode::Optional => "optional",
            PrechatMode::Required => "required",
        };
        let region = match self.data_region {
            DataRegion::Global => "global",
            DataRegion::Eu => "eu",
        };
        Obj::new()
            .str("name", &self.name)
            .str("greeting", &self.greeting)
            .raw("allowed_domains", &array(self.allowed_domains.iter().map(|d| string(d))))
            .str("color", &self.color)
            .str("position", position)
            .str("launcher_text", &self.launcher_text)
            .str("team_name", &self.team_name)
            .raw("business_hours", &hours)
            .str("offline_message", &self.offline_message)
            .str("prechat", prechat)
            .str_or_null("language", self.language.map(|l| l.code()))
            .raw("retention_days", &self.retention_days.map_or("null".into(), |d| d.to_string()))
            .raw("canned_responses", &array(self.canned_responses.iter().map(canned)))
            .bool("identity_verification", self.identity_verification)
            .bool("store_ip", self.store_ip)
            .str("data_region", region)
            .raw("translations", &array(self.translations.iter().map(greeting)))
            .end()
    }
}

fn greeting(g: &Greeting) -> String {
    Obj::new().str("lang", g.lang.code()).str("greeting", &g.greeting).str("offline_message", &g.offline_message).end()
}

impl ToJson for ConsentSettings {
    fn to_json(&self) -> String {
        let category = |c: &Category| match c {
            Category::Preferences => string("preferences"),
            Category::Analytics => string("analytics"),
            Category::Marketing => string("marketing"),
        };
        let text = |t: &CategoryText| Obj::new().str("name", &t.name).str("description", &t.description).end();
        let banner = |b: &BannerText| {
            Obj::new()
                .str("title", &b.title)
                .str("text", &b.text)
                .raw("necessary", &text(&b.necessary))
                .raw("preferences", &text(&b.preferences))
                .raw("analytics", &text(&b.analytics))
                .raw("marketing", &text(&b.marketing))
                .end()
        };
        let texts = self.texts.iter().fold(Obj::new(), |o, (lang, b)| o.raw(lang.code(), &banner(b))).end();
        Obj::new()
            .str("policy_url", &self.policy_url)
            .num("policy_version", u64::from(self.policy_version))
            .num("lifetime_days", u64::from(self.lifetime_days))
            .str_or_null("language", self.language.map(|l| l.code()))
            .raw("categories", &array(self.categories.iter().map(category)))
            .raw("texts", &texts)
            .end()
    }
}

impl ToJson for crate::api::NotifyRequest {
    fn to_json(&self) -> String {
        Obj::new().str("notify", self.notify.name()).end()
    }
}

impl ToJson for BlockVisitorRequest {
    fn to_json(&self) -> String {
        Obj::new().bool("blocked", self.blocked).end()
    }
}

impl ToJson for ChangePasswordRequest {
    fn to_json(&self) -> String {
        Obj::new().str("current", &self.current).str("new", &self.new).end()
    }
}

impl ToJson for CloseAccountRequest {
    fn to_json(&self) -> String {
        Obj::new().str("password", &self.password).end()
    }
}

impl ToJson for CloseWorkspaceRequest {
    fn to_json(&self) -> String {
        Obj::new().str("confirm", &self.confirm).end()
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Admin => "admin",
        Role::Agent => "agent",
    }
}

impl ToJson for CreateInviteRequest {
    fn to_json(&self) -> String {
        Obj::new().str("role", role_name(self.role)).some_str("email", self.email.as_deref()).end()
    }
}

impl ToJson for ChangeRoleRequest {
    fn to_json(&self) -> String {
        Obj::new().str("role", role_name(self.role)).end()
    }
}

impl ToJson for VisitorSessionRequest {
    fn to_json(&self) -> String {
        let mut o = Obj::new().str("host", &self.host).some_str("token", self.token.as_deref());
        if let Some(context) = &self.context {
            o = o.raw("context", &context.to_json());
        }
        if self.new_conversation {
            o = o.bool("new_conversation", true);
        }
        if !self.lang.is_empty() {
            o = o.str("lang", &self.lang);
        }
        o.end()
    }
}

impl ToJson for ConsentRequest {
    fn to_json(&self) -> String {
        let d = &self.decision;
        let c = &d.choices;
        let choices =
            Obj::new().bool("preferences", c.preferences).bool("analytics", c.analytics).bool("marketing", c.marketing);
        let method = match d.method {
            Method::AcceptAll => "accept_all",
            Method::RejectAll => "reject_all",
            Method::Custom => "custom",
        };
        let decision = Obj::new()
            .num("policy_version", d.policy_version as u64)
            .raw("choices", &choices.end())
            .str("method", method)
            .str("lang", d.lang.code())
            .bool("gpc", d.gpc);
        Obj::new()
            .str("host", &self.host)
            .some_str("token", self.token.as_deref())
            .raw("decision", &decision.end())
            .end()
    }
}

impl ToJson for DataAction {
    fn to_json(&self) -> String {
        let kind = |k| Obj::tagged("kind", k);
        match self {
            DataAction::Status => kind("status"),
            DataAction::Export => kind("export"),
            DataAction::Correct { name, email } => {
                kind("correct").str_or_null("name", name.as_deref()).str_or_null("email", email.as_deref())
            }
            DataAction::Erase => kind("erase"),
            DataAction::Restrict { on } => kind("restrict").bool("on", *on),
            DataAction::Object { on } => kind("object").bool("on", *on),
        }
        .end()
    }
}

impl ToJson for MyDataRequest {
    fn to_json(&self) -> String {
        Obj::new().str("token", &self.token).raw("request", &self.request.to_json()).end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{Choices, Decision, Lang};
    use crate::{ClientMsgId, Email};
    use serde::Serialize;

    /// The hand-written JSON is serde's, byte for byte.
    fn same<T: ToJson + Serialize + std::fmt::Debug>(value: &T) {
        assert_eq!(value.to_json(), serde_json::to_string(value).unwrap(), "{value:?}");
    }

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    /// Quotes, backslashes, every control character, DEL, non-ASCII, emoji and the line
    /// separators JavaScript once choked on.
    fn awkward() -> String {
        let controls: String = (0u8..0x20).map(char::from).collect();
        format!("a \"quoted\" \\ back/slash {controls}\u{7f} é 日本 🙂 \u{2028}\u{2029} </script>")
    }

    #[test]
    fn the_inbox_account_forms_encode_as_serde_encodes_them() {
        same(&SignInRequest { email: awkward(), password: awkward() });
        same(&ForgotPasswordRequest { email: "ana@example.com".into() });
        same(&ResetPasswordRequest { token: "YW5h.s3cr3t".into(), password: awkward() });
        same(&VerifyEmailRequest { token: "YW5h.x".into() });
        for data_region in [DataRegion::Global, DataRegion::Eu] {
            let (name, email, password, workspace_name, website) =
                (awkward(), awkward(), awkward(), awkward(), awkward());
            same(&SignUpRequest { name, email, password, workspace_name, website, data_region });
        }
        same(&AcceptInviteRequest::default());
        same(&AcceptInviteRequest {
            name: Some(awkward()),
            email: Some("a@b.example".into()),
            password: Some(awkward()),
        });
        same(&ChangePasswordRequest { current: awkward(), new: awkward() });
        same(&BlockVisitorRequest { blocked: true });
        for notify in crate::api::NotifyWhen::ALL {
            same(&crate::api::NotifyRequest { notify });
        }
        same(&BlockVisitorRequest { blocked: false });
        same(&CloseAccountRequest { password: awkward() });
        same(&CloseWorkspaceRequest { confirm: awkward() });
        for role in [Role::Owner, Role::Admin, Role::Agent] {
            same(&CreateInviteRequest { role, email: None });
            same(&CreateInviteRequest { role, email: Some(awkward()) });
            same(&ChangeRoleRequest { role });
        }
    }

    #[test]
    fn settings_encode_as_serde_encodes_them() {
        use crate::api::{BusinessHours, CannedResponse, LauncherPosition, PrechatMode, WorkspaceSettings};
        use crate::consent::{BannerText, Category, CategoryText, ConsentSettings};
        let hours = BusinessHours { time_zone: "Europe/Paris".into(), days: vec![0, 1, 4], open: 540, close: 1080 };
        for (position, prechat, language, region, business_hours, retention_days) in [
            (LauncherPosition::Right, PrechatMode::Off, None, DataRegion::Global, None, None),
            (
                LauncherPosition::Left,
                PrechatMode::Optional,
                Some(Lang::De),
                DataRegion::Eu,
                Some(hours.clone()),
                Some(30),
            ),
            (LauncherPosition::Left, PrechatMode::Required, Some(Lang::Es), DataRegion::Global, Some(hours), Some(0)),
        ] {
            same(&WorkspaceSettings {
                name: awkward(),
                greeting: awkward(),
                allowed_domains: vec!["shop.example".into(), awkward()],
                color: "#1d4ed8".into(),
                position,
                launcher_text: String::new(),
                team_name: awkward(),
                business_hours,
                offline_message: awkward(),
                prechat,
                language,
                retention_days,
                canned_responses: vec![CannedResponse { shortcut: "/hi".into(), text: awkward() }],
                identity_verification: language.is_some(),
                store_ip: language.is_none(),
                data_region: region,
                translations: language
                    .map(|lang| Greeting { lang, greeting: awkward(), offline_message: String::new() })
                    .into_iter()
                    .collect(),
            });
        }
        let text = || CategoryText { name: awkward(), description: awkward() };
        let banner = || BannerText {
            title: awkward(),
            text: awkward(),
            necessary: text(),
            preferences: text(),
            analytics: text(),
            marketing: text(),
        };
        for (language, categories, langs) in [
            (None, vec![], vec![]),
            (Some(Lang::Fr), Category::ALL.to_vec(), Lang::ALL.to_vec()),
            (Some(Lang::En), vec![Category::Marketing, Category::Preferences], vec![Lang::Es, Lang::En]),
        ] {
            same(&ConsentSettings {
                policy_url: "https://shop.example/privacy".into(),
                policy_version: 7,
                lifetime_days: 365,
                language,
                categories,
                texts: langs.into_iter().map(|l| (l, banner())).collect(),
            });
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_escapes_them() {
        for s in ["", "plain", "\"", "\\", "\u{0}", "\u{1f}", "\u{7f}", &awkward()] {
            let mut out = String::new();
            push_string(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn every_client_frame_fixture_encodes_as_serde_encodes_it() {
        for name in ["hello", "send", "note", "typing", "read", "contact", "set_status", "assign", "presence"] {
            let msg = ClientMsg::decode(&fixture(&format!("client_{name}"))).unwrap();
            same(&msg);
            assert_eq!(ClientMsg::decode(&msg.to_json()), Ok(msg), "{name}");
        }
    }

    #[test]
    fn client_frames_encode_as_serde_encodes_them() {
        let id = ClientMsgId::parse("c_0123456789ab").unwrap();
        let text = awkward();
        for msg in [
            ClientMsg::Hello { protocol: 1, after_seq: 0 },
            ClientMsg::Hello { protocol: u32::MAX, after_seq: u64::MAX },
            ClientMsg::Send { client_id: id.clone(), body: text.clone(), note: false, file: None },
            ClientMsg::Send { client_id: id.clone(), body: "hi".into(), note: true, file: None },
            ClientMsg::Send {
                client_id: id,
                body: text.clone(),
                note: false,
                file: Some(crate::files::SealedFile {
                    file: crate::files::Attachment {
                        id: "f_0123456789".into(),
                        name: text.clone(),
                        size: 5_000_000,
                        kind: crate::files::FileKind::Webp,
                    },
                    seal: "c2VhbA".into(),
                }),
            },
            ClientMsg::Typing,
            ClientMsg::Read { seq: 1234567890123 },
            ClientMsg::Contact { name: None, email: None, email_replies: false, transcript: false, lang: None },
            ClientMsg::Contact {
                name: Some(text.clone()),
                email: None,
                email_replies: false,
                transcript: false,
                lang: None,
            },
            ClientMsg::Contact {
                name: None,
                email: Some("ana@example.com".into()),
                email_replies: false,
                transcript: false,
                lang: None,
            },
            ClientMsg::Contact {
                name: Some("Ana".into()),
                email: Some("ana@example.com".into()),
                email_replies: false,
                transcript: false,
                lang: None,
            },
            ClientMsg::Contact {
                name: None,
                email: Some("ana@example.com".into()),
                email_replies: true,
                transcript: true,
                lang: Some(crate::consent::Lang::De),
            },
            ClientMsg::Assign { agent: None },
            ClientMsg::Assign { agent: Some(Email::parse("dana@example.com").unwrap()) },
            ClientMsg::Presence { away: false },
        ] {
            same(&msg);
        }
        for status in ConversationStatus::ALL {
            same(&ClientMsg::SetStatus { status });
        }
    }

    #[test]
    fn visitor_session_requests_encode_as_serde_encodes_them() {
        let request: VisitorSessionRequest = serde_json::from_str(&fixture("api_visitor_session_request")).unwrap();
        same(&request);
        for (i, screen) in [ScreenClass::Small, ScreenClass::Medium, ScreenClass::Large].into_iter().enumerate() {
            let context = VisitorContext { language: "de-DE".into(), time_zone: "Europe/Berlin".into(), screen };
            same(&VisitorSessionRequest {
                host: awkward(),
                token: (i != 1).then(|| "v1.token\"x".into()),
                context: Some(context),
                new_conversation: i == 2,
                lang: ["", "de-AT,de,en", "\"x"][i].into(),
            });
        }
        same(&VisitorSessionRequest {
            host: "h".into(),
            token: None,
            context: None,
            new_conversation: true,
            lang: String::new(),
        });
    }

    #[test]
    fn consent_requests_encode_as_serde_encodes_them() {
        let methods = [Method::AcceptAll, Method::RejectAll, Method::Custom];
        for (i, lang) in Lang::ALL.into_iter().enumerate() {
            let mut choices = Choices::none();
            choices.preferences = i % 2 == 0;
            choices.analytics = i >= 2;
            choices.marketing = i == 1;
            same(&ConsentRequest {
                host: "https://shop.example".into(),
                token: (i % 2 == 1).then(|| awkward()),
                decision: Decision { policy_version: 7 + i as u32, choices, method: methods[i % 3], lang, gpc: i == 3 },
            });
        }
    }

    #[test]
    fn data_requests_encode_as_serde_encodes_them() {
        for request in [
            DataAction::Status,
            DataAction::Export,
            DataAction::Correct { name: None, email: None },
            DataAction::Correct { name: Some(awkward()), email: None },
            DataAction::Correct { name: None, email: Some("ana@example.com".into()) },
            DataAction::Erase,
            DataAction::Restrict { on: true },
            DataAction::Restrict { on: false },
            DataAction::Object { on: true },
            DataAction::Object { on: false },
        ] {
            same(&request);
            same(&MyDataRequest { token: "v1.t".into(), request });
        }
    }
}
