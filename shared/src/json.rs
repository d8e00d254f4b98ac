//! A second, small decoder for the JSON the visitor widget receives (its socket frames, its
//! session, the consent configuration, error bodies), reading a value the browser has already
//! parsed (`JSON.parse`) through the [`Json`] trait.
//!
//! Why a second one: serde's derived decoders plus `serde_json`'s parser were about a third of
//! the widget's WASM (issue 13's 130 KB budget), and the inbox decodes its frames and answers
//! this way too (`json/agent.rs`, `api.rs`, `records.rs`, `profile.rs`). The edge keeps serde; the
//! wire format is the one serde defines, and the tests below decode every fixture both ways and
//! compare. Like serde, a field that is present must have its type (or the whole value is
//! refused), a missing optional field takes its default, and unknown fields are ignored; unlike
//! serde, `null` counts as missing for every field (the edge never sends `null` for a required one).

use crate::api::{ApiError, Launcher, LauncherPosition, PrechatMode, VisitorSession};
use crate::chat_labels::{ChatLabels, Texts};
use crate::consent::{BannerText, Category, CategoryText, Choices, ConsentConfig, Lang};
use crate::consent_labels::{Label, Labels, WidgetLabels};
use crate::data_labels::DataLabels;
use crate::domain::{Author, ChatMessage, ClientMsgId, ConversationId, MessageBody, Party};
use crate::files::{Attachment, FileKind, SealedFile};
use crate::protocol::{ErrorCode, ServerMsg};

/// The frames only agents receive: the inbox's (its WASM then has no serde decoder for them).
#[cfg(any(test, feature = "agent-frames"))]
mod agent;
/// The inbox's HTTP answers.
#[cfg(any(test, feature = "agent-frames"))]
pub mod api;
/// The visitor profile beside a conversation.
#[cfg(any(test, feature = "agent-frames"))]
mod profile;
/// The inbox's audit log and consent records.
#[cfg(any(test, feature = "agent-frames"))]
mod records;

/// A parsed JSON value: a `JsValue` in the browser (see `client::json`), `serde_json::Value` in
/// tests.
pub trait Json: Sized {
    /// The field `key` of an object; `None` when it is missing or `null`, or this is no object.
    fn field(&self, key: &str) -> Option<Self>;
    fn string(&self) -> Option<String>;
    fn number(&self) -> Option<f64>;
    fn boolean(&self) -> Option<bool>;
    /// The elements of an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// The fields of an object, by name (`null` ones included); `None` for anything else.
    fn entries(&self) -> Option<Vec<(String, Self)>>;
}

/// A required field.
pub fn req<J: Json, T>(v: &J, key: &str, decode: impl Fn(&J) -> Option<T>) -> Option<T> {
    decode(&v.field(key)?)
}

/// An optional field: `Some(None)` when missing, `None` when present with the wrong type.
pub fn opt<J: Json, T>(v: &J, key: &str, decode: impl Fn(&J) -> Option<T>) -> Option<Option<T>> {
    match v.field(key) {
        None => Some(None),
        Some(x) => decode(&x).map(Some),
    }
}

/// A field with a default (`#[serde(default)]`).
pub fn or_default<J: Json, T: Default>(v: &J, key: &str, decode: impl Fn(&J) -> Option<T>) -> Option<T> {
    opt(v, key, decode).map(Option::unwrap_or_default)
}

fn string<J: Json>(v: &J) -> Option<String> {
    v.string()
}

fn boolean<J: Json>(v: &J) -> Option<bool> {
    v.boolean()
}

/// An integer in `min..=max` (JSON numbers arrive as `f64`; timestamps and sequence numbers
/// stay far below 2^53, where `f64` is exact).
fn integer<J: Json>(v: &J, min: f64, max: f64) -> Option<f64> {
    v.number().filter(|n| n.fract() == 0.0 && *n >= min && *n <= max)
}

fn u64_of<J: Json>(v: &J) -> Option<u64> {
    integer(v, 0.0, u64::MAX as f64).map(|n| n as u64)
}

fn u32_of<J: Json>(v: &J) -> Option<u32> {
    integer(v, 0.0, u32::MAX as f64).map(|n| n as u32)
}

fn i64_of<J: Json>(v: &J) -> Option<i64> {
    integer(v, i64::MIN as f64, i64::MAX as f64).map(|n| n as i64)
}

fn list<J: Json, T>(v: &J, decode: impl Fn(&J) -> Option<T>) -> Option<Vec<T>> {
    v.items()?.iter().map(decode).collect()
}

/// A string with one of `names`, by position.
fn name_of<J: Json>(v: &J, names: &[&str]) -> Option<usize> {
    let s = v.string()?;
    names.iter().position(|n| *n == s)
}

impl ServerMsg {
    /// A frame from the edge (see [`ServerMsg::decode`]); `None` where that gives an error.
    /// Frames only agents receive read as [`ServerMsg::Unknown`], as in the widget's serde build.
    pub fn from_json<J: Json>(v: &J) -> Option<ServerMsg> {
        let kind = req(v, "type", string)?;
        let protocol = opt(v, "protocol", u32_of)?;
        let conversation_id = opt(v, "conversation_id", conversation_id)?;
        let messages = opt(v, "messages", |m| list(m, ChatMessage::from_json))?;
        let files = opt(v, "files", string)?;
        let client_id = opt(v, "client_id", client_msg_id)?;
        let seq = opt(v, "seq", u64_of)?;
        let at = opt(v, "at", i64_of)?;
        // `message` is a chat message in `message` frames and a sentence in `error` frames.
        let message = opt(v, "message", |m| match m.string() {
            Some(text) => Some(Err(text)),
            None => ChatMessage::from_json(m).map(Ok),
        })?;
        let code = opt(v, "code", ErrorCode::from_json)?;
        let retry_after_s = opt(v, "retry_after_s", i64_of)?;
        let author = opt(v, "author", Author::from_json)?;
        let reader = opt(v, "reader", |r| name_of(r, &["visitor", "agent"]))?;
        let online = opt(v, "online", boolean)?;
        let msg = match (kind.as_str(), message) {
            ("welcome", _) => protocol.zip(conversation_id).map(|(protocol, conversation_id)| ServerMsg::Welcome {
                protocol,
                conversation_id,
                messages: messages.unwrap_or_default(),
                files,
            }),
            ("ack", _) => {
                client_id.zip(seq).zip(at).map(|((client_id, seq), at)| ServerMsg::Ack { client_id, seq, at })
            }
            ("message", Some(Ok(message))) => Some(ServerMsg::Message { message }),
            ("typing", _) => author.map(|author| ServerMsg::Typing { author }),
            ("read", _) => reader.zip(seq).map(|(reader, seq)| ServerMsg::Read {
                reader: if reader == 0 { Party::Visitor } else { Party::Agent },
                seq,
            }),
            ("error", Some(Err(message))) => {
                code.map(|code| ServerMsg::Error { code, message, client_id, retry_after_s })
            }
            ("availability", _) => online.map(|online| ServerMsg::Availability { online }),
            _ => None,
        };
        Some(msg.unwrap_or(ServerMsg::Unknown))
    }
}

fn conversation_id<J: Json>(v: &J) -> Option<ConversationId> {
    ConversationId::parse(&v.string()?).ok()
}

fn client_msg_id<J: Json>(v: &J) -> Option<ClientMsgId> {
    ClientMsgId::parse(&v.string()?).ok()
}

impl ChatMessage {
    pub fn from_json<J: Json>(v: &J) -> Option<ChatMessage> {
        Some(ChatMessage {
            seq: req(v, "seq", u64_of)?,
            client_id: req(v, "client_id", client_msg_id)?,
            author: req(v, "author", Author::from_json)?,
            body: req(v, "body", |b| MessageBody::parse(&b.string()?).ok())?,
            at: req(v, "at", i64_of)?,
            note: or_default(v, "note", boolean)?,
            file: opt(v, "file", attachment)?,
        })
    }
}

impl SealedFile {
    /// An upload's answer.
    pub fn from_json<J: Json>(v: &J) -> Option<SealedFile> {
        Some(SealedFile { file: attachment(v)?, seal: req(v, "seal", string)? })
    }
}

fn attachment<J: Json>(v: &J) -> Option<Attachment> {
    Some(Attachment {
        id: req(v, "id", string)?,
        name: req(v, "name", string)?,
        size: req(v, "size", u64_of)?,
        kind: req(v, "kind", |k| FileKind::from_code(&k.string()?))?,
    })
}

impl Author {
    pub fn from_json<J: Json>(v: &J) -> Option<Author> {
        let kind = req(v, "kind", string)?;
        let name = opt(v, "name", string)?;
        Some(match (kind.as_str(), name) {
            ("agent", Some(name)) => Author::Agent { name },
            _ => Author::Visitor,
        })
    }
}

/// [`ErrorCode`]s by their wire names, in declaration order.
const ERROR_CODES: [(ErrorCode, &str); 20] = [
    (ErrorCode::UnknownSite, "unknown_site"),
    (ErrorCode::OriginNotAllowed, "origin_not_allowed"),
    (ErrorCode::EmptyMessage, "empty_message"),
    (ErrorCode::MessageTooLong, "message_too_long"),
    (ErrorCode::MalformedFrame, "malformed_frame"),
    (ErrorCode::UnsupportedProtocol, "unsupported_protocol"),
    (ErrorCode::HelloRequired, "hello_required"),
    (ErrorCode::InvalidInput, "invalid_input"),
    (ErrorCode::Unauthorized, "unauthorized"),
    (ErrorCode::Forbidden, "forbidden"),
    (ErrorCode::InvalidCredentials, "invalid_credentials"),
    (ErrorCode::Conflict, "conflict"),
    (ErrorCode::InviteExpired, "invite_expired"),
    (ErrorCode::LinkExpired, "link_expired"),
    (ErrorCode::NotFound, "not_found"),
    (ErrorCode::TooLarge, "too_large"),
    (ErrorCode::UnsupportedFile, "unsupported_file"),
    (ErrorCode::RateLimited, "rate_limited"),
    (ErrorCode::PlanLimit, "plan_limit"),
    (ErrorCode::Internal, "internal"),
];

impl ErrorCode {
    /// The wire name (`not_found`); `unknown` for [`ErrorCode::Unknown`].
    pub fn name(self) -> &'static str {
        ERROR_CODES.iter().find(|(code, _)| *code == self).map_or("unknown", |(_, name)| name)
    }

    /// A code by its wire name; a name this build does not know is [`ErrorCode::Unknown`].
    pub fn from_json<J: Json>(v: &J) -> Option<ErrorCode> {
        let name = v.string()?;
        Some(ERROR_CODES.iter().find(|(_, n)| *n == name).map_or(ErrorCode::Unknown, |(code, _)| *code))
    }
}

impl ApiError {
    pub fn from_json<J: Json>(v: &J) -> Option<ApiError> {
        Some(ApiError {
            error: req(v, "error", ErrorCode::from_json)?,
            message: req(v, "message", string)?,
            retry_after_s: opt(v, "retry_after_s", i64_of)?,
        })
    }
}

impl VisitorSession {
    pub fn from_json<J: Json>(v: &J) -> Option<VisitorSession> {
        const PRECHAT: [PrechatMode; 3] = [PrechatMode::Off, PrechatMode::Optional, PrechatMode::Required];
        Some(VisitorSession {
            token: req(v, "token", string)?,
            conversation_id: req(v, "conversation_id", conversation_id)?,
            site_name: req(v, "site_name", string)?,
            greeting: req(v, "greeting", string)?,
            online: or_default(v, "online", boolean)?,
            offline_message: or_default(v, "offline_message", string)?,
            prechat: or_default(v, "prechat", |p| name_of(p, &["off", "optional", "required"]).map(|i| PRECHAT[i]))?,
            color: or_default(v, "color", string)?,
            contact_known: or_default(v, "contact_known", boolean)?,
            lang: opt(v, "lang", lang)?.unwrap_or(Lang::En),
            labels: opt(v, "labels", |l| {
                ChatLabels::from_list(list(l, |s| s.string().map(Label::Owned))?).map(Texts::keep)
            })?,
        })
    }
}

impl Choices {
    pub fn from_json<J: Json>(v: &J) -> Option<Choices> {
        Some(Choices {
            preferences: req(v, "preferences", boolean)?,
            analytics: req(v, "analytics", boolean)?,
            marketing: req(v, "marketing", boolean)?,
        })
    }
}

fn category_text<J: Json>(v: &J) -> Option<CategoryText> {
    Some(CategoryText { name: req(v, "name", string)?, description: req(v, "description", string)? })
}

/// The banner's words in one language (the widget's configuration, the inbox's settings).
fn banner_text<J: Json>(t: &J) -> Option<BannerText> {
    Some(BannerText {
        title: req(t, "title", string)?,
        text: req(t, "text", string)?,
        necessary: req(t, "necessary", category_text)?,
        preferences: req(t, "preferences", category_text)?,
        analytics: req(t, "analytics", category_text)?,
        marketing: req(t, "marketing", category_text)?,
    })
}

/// A consent category by its wire name.
fn category<J: Json>(c: &J) -> Option<Category> {
    name_of(c, &["preferences", "analytics", "marketing"]).map(|i| Category::ALL[i])
}

/// A banner language by its wire name.
pub(crate) fn lang<J: Json>(l: &J) -> Option<Lang> {
    name_of(l, &["en", "de", "fr", "es"]).map(|i| Lang::ALL[i])
}

fn launcher<J: Json>(v: &J) -> Option<Launcher> {
    let position = req(v, "position", |p| name_of(p, &["right", "left"]))?;
    Some(Launcher {
        color: req(v, "color", string)?,
        position: if position == 0 { LauncherPosition::Right } else { LauncherPosition::Left },
        text: req(v, "text", string)?,
    })
}

impl ConsentConfig {
    pub fn from_json<J: Json>(v: &J) -> Option<ConsentConfig> {
        Some(ConsentConfig {
            gpc: or_default(v, "gpc", boolean)?,
            policy_url: req(v, "policy_url", string)?,
            policy_version: req(v, "policy_version", u32_of)?,
            lifetime_days: req(v, "lifetime_days", u32_of)?,
            lang: req(v, "lang", lang)?,
            categories: req(v, "categories", |c| list(c, category))?,
            text: req(v, "text", banner_text)?,
            launcher: or_default(v, "launcher", launcher)?,
            banner: opt(v, "banner", string)?,
            labels: opt(v, "labels", WidgetLabels::from_json)?,
            // The page's script reads them; the widget, which decodes this, has its own words.
            launcher_labels: None,
        })
    }
}

/// The string fields `names`, all required, in that order (one loop rather than a call per
/// field: the labels are some thirty of them).
#[inline(never)]
fn strings<J: Json, const N: usize>(v: &J, names: &[&str; N]) -> Option<[Label; N]> {
    let mut out = Vec::with_capacity(N);
    for name in names {
        out.push(Label::Owned(v.field(name)?.string()?));
    }
    out.try_into().ok()
}

impl WidgetLabels {
    pub fn from_json<J: Json>(v: &J) -> Option<WidgetLabels> {
        let [accept_all, reject_all, customize, save, preferences, always_on, policy, notice, gpc, close, failed] =
            req(v, "consent", |c| {
                strings(
                    c,
                    &[
                        "accept_all",
                        "reject_all",
                        "customize",
                        "save",
                        "preferences",
                        "always_on",
                        "policy",
                        "notice",
                        "gpc",
                        "close",
                        "failed",
                    ],
                )
            })?;
        let consent = Labels {
            accept_all,
            reject_all,
            customize,
            save,
            preferences,
            always_on,
            policy,
            notice,
            gpc,
            close,
            failed,
        };
        let [title, nothing_held, download, download_hint, correct, name, email, save, saved, object, object_hint, restrict, restrict_hint, erase, erase_what, cannot_undo, erase_all, cancel, erased] =
            req(v, "data", |d| {
                strings(
                    d,
                    &[
                        "title",
                        "nothing_held",
                        "download",
                        "download_hint",
                        "correct",
                        "name",
                        "email",
                        "save",
                        "saved",
                        "object",
                        "object_hint",
                        "restrict",
                        "restrict_hint",
                        "erase",
                        "erase_what",
                        "cannot_undo",
                        "erase_all",
                        "cancel",
                        "erased",
                    ],
                )
            })?;
        let data = DataLabels {
            title,
            nothing_held,
            download,
            download_hint,
            correct,
            name,
            email,
            save,
            saved,
            object,
            object_hint,
            restrict,
            restrict_hint,
            erase,
            erase_what,
            cannot_undo,
            erase_all,
            cancel,
            erased,
        };
        Some(WidgetLabels { consent, data })
    }
}

/// For tests, here and in the crates that decode with [`Json`] (never linked into the widget).
impl Json for serde_json::Value {
    fn field(&self, key: &str) -> Option<Self> {
        self.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
    fn entries(&self) -> Option<Vec<(String, Self)>> {
        Some(self.as_object()?.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::PrechatMode;
    use serde::de::DeserializeOwned;
    use serde_json::Value;
    use std::fmt::Debug;

    /// Decodes `text` with serde and with [`Json`], and expects the same answer (both refusing it
    /// counts as the same).
    fn same<T: DeserializeOwned + PartialEq + Debug>(text: &str, lean: fn(&Value) -> Option<T>) {
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(lean(&value), serde_json::from_str::<T>(text).ok(), "{text}");
    }

    fn fixture(name: &str) -> String {
        let path = format!("{}/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap()
    }

    #[test]
    fn widget_frames_decode_as_serde_decodes_them() {
        for name in ["welcome", "ack", "message", "typing", "read", "error", "rate_limited", "availability"] {
            let text = fixture(&format!("server_{name}"));
            let lean = ServerMsg::from_json(&serde_json::from_str::<Value>(&text).unwrap());
            assert_ne!(lean, Some(ServerMsg::Unknown), "{name}");
            assert_eq!(lean, ServerMsg::decode(&text).ok(), "{name}");
        }
        for text in [
            r#"{"type":"brand_new","who":"x"}"#,
            r#"{"type":"error","code":"brand_new","message":"m"}"#,
            r#"{"type":"error","code":"internal","message":{"seq":1}}"#,
            r#"{"type":"error","code":7,"message":"m"}"#,
            r#"{"type":"message","message":"text"}"#,
            r#"{"type":"message","message":{"seq":1,"client_id":"c_0123456789ab","author":{"kind":"visitor"},"body":"x","at":5,"note":true}}"#,
            r#"{"type":"message","message":{"seq":1,"client_id":"bad id","author":{"kind":"visitor"},"body":"x","at":5}}"#,
            r#"{"type":"message","message":{"seq":1.5,"client_id":"c_0123456789ab","author":{"kind":"visitor"},"body":"x","at":5}}"#,
            r#"{"type":"message","message":{"seq":-1,"client_id":"c_0123456789ab","author":{"kind":"visitor"},"body":"x","at":5}}"#,
            r#"{"type":"message","message":{"seq":1,"client_id":"c_0123456789ab","author":{"kind":"agent"},"body":"x","at":5}}"#,
            r#"{"type":"message","message":{"seq":1,"client_id":"c_0123456789ab","author":{"kind":"visitor"},"body":"  ","at":5}}"#,
            r#"{"type":"typing","author":{"kind":"agent","name":"Dana"},"extra":[1,2]}"#,
            r#"{"type":"read","reader":"robot","seq":3}"#,
            r#"{"type":"read","reader":"visitor","seq":3}"#,
            r#"{"type":"ack","client_id":"c_0123456789ab","seq":2}"#,
            r#"{"type":"welcome","protocol":1,"conversation_id":"cv_0123456789abcdef"}"#,
            r#"{"type":"welcome","protocol":1,"conversation_id":"cv_0123456789abcdef","files":"/files/demo/cv_0123456789abcdef/1.x/"}"#,
            r#"{"type":"message","message":{"seq":1,"client_id":"c_0123456789ab","author":{"kind":"visitor"},"body":"x.png","at":5,"file":{"id":"f_0123456789","name":"x.png","size":120,"kind":"png"}}}"#,
            r#"{"type":"message","message":{"seq":1,"client_id":"c_0123456789ab","author":{"kind":"visitor"},"body":"x","at":5,"file":{"id":"f_0123456789","name":"x","size":120,"kind":"exe"}}}"#,
            r#"{"type":"message","message":{"seq":1,"client_id":"c_0123456789ab","author":{"kind":"visitor"},"body":"x","at":5,"file":{"id":"f_0123456789","name":"x","size":-1,"kind":"pdf"}}}"#,
            r#"{"type":"welcome","protocol":1,"conversation_id":"cv_0123456789abcdef","messages":[{"seq":1}]}"#,
            r#"{"kind":"welcome"}"#,
            r#"[1,2]"#,
            r#""welcome""#,
        ] {
            let lean = ServerMsg::from_json(&serde_json::from_str::<Value>(text).unwrap());
            assert_eq!(lean, ServerMsg::decode(text).ok(), "{text}");
        }
    }

    #[test]
    fn upload_receipts_decode_as_serde_decodes_them() {
        for text in [
            r#"{"id":"f_0123456789","name":"a.pdf","size":3,"kind":"pdf","seal":"abc"}"#,
            r#"{"id":"f_0123456789","name":"a.pdf","size":3,"kind":"pdf"}"#,
            r#"{"id":"f_0123456789","name":"a.pdf","size":3,"kind":"svg","seal":"abc"}"#,
        ] {
            same(text, SealedFile::from_json);
        }
    }

    #[test]
    fn agent_frames_are_unknown_to_the_widget() {
        for name in ["inbox", "conversations_updated", "details", "team"] {
            let text = fixture(&format!("server_{name}"));
            let lean = ServerMsg::from_json(&serde_json::from_str::<Value>(&text).unwrap());
            assert_eq!(lean, Some(ServerMsg::Unknown), "{name}");
        }
    }

    #[test]
    fn error_codes_have_serdes_names() {
        for (code, name) in ERROR_CODES {
            assert_eq!(serde_json::to_value(code).unwrap(), Value::from(name));
        }
        same(r#""internal""#, ErrorCode::from_json);
        same(r#""brand_new""#, ErrorCode::from_json);
    }

    #[test]
    fn bodies_decode_as_serde_decodes_them() {
        same(&fixture("api_error"), ApiError::from_json);
        same(r#"{"error":"rate_limited","message":"wait","retry_after_s":8}"#, ApiError::from_json);
        same(r#"{"error":"rate_limited"}"#, ApiError::from_json);
        same(&fixture("api_visitor_session"), VisitorSession::from_json);
        for prechat in [PrechatMode::Off, PrechatMode::Optional, PrechatMode::Required] {
            let mut session: Value = serde_json::from_str(&fixture("api_visitor_session")).unwrap();
            session["prechat"] = serde_json::to_value(prechat).unwrap();
            same(&session.to_string(), VisitorSession::from_json);
        }
        same(
            r#"{"token":"t","conversation_id":"cv_0123456789abcdef","site_name":"S","greeting":"G"}"#,
            VisitorSession::from_json,
        );
        same(r#"{"token":"t","conversation_id":"nope","site_name":"S","greeting":"G"}"#, VisitorSession::from_json);
        for lang in Lang::ALL {
            let mut session: Value = serde_json::from_str(&fixture("api_visitor_session")).unwrap();
            session["lang"] = serde_json::to_value(lang).unwrap();
            session["labels"] = serde_json::to_value(ChatLabels::of(lang).all().to_vec()).unwrap();
            same(&session.to_string(), VisitorSession::from_json);
            let decoded = VisitorSession::from_json(&session).unwrap();
            assert_eq!((decoded.lang, decoded.labels.as_deref()), (lang, Some(ChatLabels::of(lang))));
            session["labels"].as_array_mut().unwrap().pop();
            same(&session.to_string(), VisitorSession::from_json);
        }
        same(r#"{"preferences":true,"analytics":false,"marketing":true}"#, Choices::from_json);
        same(r#"{"preferences":true,"analytics":false}"#, Choices::from_json);
    }

    #[test]
    fn consent_configs_decode_as_serde_decodes_them() {
        let text = |name: &str| CategoryText { name: name.into(), description: format!("What {name} does.") };
        for (i, lang) in Lang::ALL.into_iter().enumerate() {
            let config = ConsentConfig {
                gpc: i % 2 == 0,
                policy_url: "https://shop.example/privacy".into(),
                policy_version: 3,
                lifetime_days: 365,
                lang,
                categories: Category::ALL[..i.min(3)].to_vec(),
                text: BannerText {
                    title: "Cookies".into(),
                    text: "We use cookies.".into(),
                    necessary: text("Necessary"),
                    preferences: text("Preferences"),
                    analytics: text("Analytics"),
                    marketing: text("Marketing"),
                },
                launcher: Launcher {
                    color: "#123456".into(),
                    position: if i % 2 == 0 { LauncherPosition::Left } else { LauncherPosition::Right },
                    text: "Chat".into(),
                },
                banner: (i == 1).then(|| "<div>banner</div>".into()),
                labels: (i >= 2).then(|| WidgetLabels::of(lang)),
                launcher_labels: None,
            };
            let json = serde_json::to_value(&config).unwrap();
            assert_eq!(ConsentConfig::from_json(&json), Some(config.clone()), "{lang:?}");
            // The launcher's words are the page script's: the widget passes over them.
            let with_launcher = ConsentConfig {
                launcher_labels: Some(crate::consent_labels::launcher_labels(lang).clone()),
                ..config.clone()
            };
            assert_eq!(ConsentConfig::from_json(&serde_json::to_value(&with_launcher).unwrap()), Some(config));
            let mut bare = json.clone();
            for key in ["gpc", "launcher", "banner", "labels"] {
                bare.as_object_mut().unwrap().remove(key);
            }
            same(&bare.to_string(), ConsentConfig::from_json);
            let mut wrong = json;
            wrong["lang"] = "xx".into();
            same(&wrong.to_string(), ConsentConfig::from_json);
        }
    }

    #[test]
    fn widget_labels_decode_as_serde_decodes_them() {
        for lang in Lang::ALL {
            let labels = WidgetLabels::of(lang);
            let json = serde_json::to_value(&labels).unwrap();
            // Every label lands in its own field (all of one language's words differ).
            assert_eq!(WidgetLabels::from_json(&json), Some(labels.clone()), "{lang:?}");
            same(&json.to_string(), WidgetLabels::from_json);
            for (part, key) in [("consent", "accept_all"), ("consent", "failed"), ("data", "title"), ("data", "erased")]
            {
                let mut missing = json.clone();
                missing[part].as_object_mut().unwrap().remove(key);
                same(&missing.to_string(), WidgetLabels::from_json);
                assert_eq!(WidgetLabels::from_json(&missing), None, "{lang:?} without {part}.{key}");
                let mut wrong = json.clone();
                wrong[part][key] = 3.into();
                same(&wrong.to_string(), WidgetLabels::from_json);
            }
        }
    }
}
