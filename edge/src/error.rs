//! The edge's one error type. Every failure on a request path becomes an `EdgeError`, which maps
//! once to an HTTP status and an [`ErrorCode`] (for HTTP bodies and socket frames alike). 5xx
//! answers say nothing about the cause; the cause goes to the log.

use shared::{api::ApiError, DomainError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum EdgeError {
    #[error("no site '{0}'")]
    UnknownSite(String),
    #[error("{0}")]
    OriginNotAllowed(String),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("the request body is not valid: {0}")]
    MalformedBody(String),
    /// A well-formed request with a value that fails validation; the text says which and why.
    #[error("{0}")]
    Invalid(String),
    #[error("this client speaks protocol {0}; reload to get the current version")]
    UnsupportedProtocol(u32),
    #[error("sign in first")]
    Unauthorized,
    #[error("you do not have access to this")]
    Forbidden,
    /// An agent blocked this visitor from the chat.
    #[error("the chat is not available to you")]
    Blocked,
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("not found")]
    NotFound,
    #[error("too many requests; try again in {retry_after_s} s")]
    RateLimited { retry_after_s: i64 },
    #[error("too many failed sign-ins; try again in {} minute(s)", (.retry_after_s + 59) / 60)]
    LockedOut { retry_after_s: i64 },
    #[error("{0}")]
    Conflict(String),
    #[error("this invite link has expired, was used already or was withdrawn")]
    InviteExpired,
    #[error("this link has expired or was used already; ask for a new one")]
    LinkExpired,
    #[error("the file is larger than {} MB", shared::files::MAX_FILE_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("this kind of file cannot be sent: pictures (PNG, JPEG, GIF, WebP), PDF and plain text can")]
    UnsupportedFile,
    /// The workspace's plan does not allow it; the text says what the plan allows.
    #[error("{0}")]
    PlanLimit(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// An error a Durable Object answered, passed on unchanged.
    #[error("{}", .0.message)]
    Relayed(ApiError),
}

pub type EdgeResult<T> = Result<T, EdgeError>;

/// A problem's title: the same for every occurrence of its code (the detail says what happened).
fn title(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::UnknownSite => "Unknown workspace",
        ErrorCode::OriginNotAllowed => "Origin not allowed",
        ErrorCode::EmptyMessage => "Empty message",
        ErrorCode::MessageTooLong => "Message too long",
        ErrorCode::MalformedFrame => "Malformed request",
        ErrorCode::UnsupportedProtocol => "Unsupported protocol",
        ErrorCode::HelloRequired => "Hello required",
        ErrorCode::InvalidInput => "Invalid input",
        ErrorCode::Unauthorized => "Missing or invalid token",
        ErrorCode::Forbidden => "Not allowed",
        ErrorCode::InvalidCredentials => "Invalid credentials",
        ErrorCode::Conflict => "Conflict",
        ErrorCode::InviteExpired => "Invite expired",
        ErrorCode::LinkExpired => "Link expired",
        ErrorCode::NotFound => "Not found",
        ErrorCode::TooLarge => "Too large",
        ErrorCode::UnsupportedFile => "Unsupported file",
        ErrorCode::RateLimited => "Too many requests",
        ErrorCode::PlanLimit => "Not in the plan",
        ErrorCode::Internal | ErrorCode::Unknown => "Internal error",
    }
}

/// Problem details (RFC 9457, `application/problem+json`), the REST API's one error shape:
/// `type` names the problem (one per code), `code` is the same code as everywhere else.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: ErrorCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<i64>,
}

impl EdgeError {
    pub fn code(&self) -> ErrorCode {
        match self {
            EdgeError::UnknownSite(_) => ErrorCode::UnknownSite,
            EdgeError::OriginNotAllowed(_) => ErrorCode::OriginNotAllowed,
            EdgeError::Domain(e) => e.into(),
            EdgeError::MalformedBody(_) => ErrorCode::MalformedFrame,
            EdgeError::Invalid(_) => ErrorCode::InvalidInput,
            EdgeError::UnsupportedProtocol(_) => ErrorCode::UnsupportedProtocol,
            EdgeError::Unauthorized => ErrorCode::Unauthorized,
            EdgeError::Forbidden | EdgeError::Blocked => ErrorCode::Forbidden,
            EdgeError::InvalidCredentials => ErrorCode::InvalidCredentials,
            EdgeError::NotFound => ErrorCode::NotFound,
            EdgeError::RateLimited { .. } | EdgeError::LockedOut { .. } => ErrorCode::RateLimited,
            EdgeError::Conflict(_) => ErrorCode::Conflict,
            EdgeError::InviteExpired => ErrorCode::InviteExpired,
            EdgeError::LinkExpired => ErrorCode::LinkExpired,
            EdgeError::TooLarge => ErrorCode::TooLarge,
            EdgeError::UnsupportedFile => ErrorCode::UnsupportedFile,
            EdgeError::PlanLimit(_) => ErrorCode::PlanLimit,
            EdgeError::Internal(_) => ErrorCode::Internal,
            EdgeError::Relayed(e) => e.error,
        }
    }

    /// The HTTP status of each code: the one mapping, used for every answer.
    pub fn status(&self) -> u16 {
        match self.code() {
            ErrorCode::UnknownSite | ErrorCode::NotFound => 404,
            ErrorCode::OriginNotAllowed | ErrorCode::Forbidden => 403,
            ErrorCode::Unauthorized | ErrorCode::InvalidCredentials => 401,
            ErrorCode::RateLimited => 429,
            // Payment Required: what is refused is allowed on another plan.
            ErrorCode::PlanLimit => 402,
            ErrorCode::Conflict => 409,
            ErrorCode::InviteExpired | ErrorCode::LinkExpired => 410,
            ErrorCode::TooLarge => 413,
            ErrorCode::UnsupportedFile => 415,
            ErrorCode::Internal | ErrorCode::Unknown => 500,
            ErrorCode::EmptyMessage
            | ErrorCode::MessageTooLong
            | ErrorCode::MalformedFrame
            | ErrorCode::UnsupportedProtocol
            | ErrorCode::HelloRequired
            | ErrorCode::InvalidInput => 400,
        }
    }

    /// What the client is told: the error's own text, except for internal errors.
    pub fn public_message(&self) -> String {
        match self {
            EdgeError::Internal(_) => "something went wrong on our side; please try again".into(),
            other => other.to_string(),
        }
    }

    /// An error answered by a Durable Object, so the router passes it on unchanged. Internal
    /// errors stay internal (the object logged the cause).
    pub fn from_api(e: ApiError) -> Self {
        match e.error {
            ErrorCode::Internal | ErrorCode::Unknown => EdgeError::Internal(e.message),
            _ => EdgeError::Relayed(e),
        }
    }

    /// When a refused client may try again (seconds), for `Retry-After` and the error's body.
    pub fn retry_after_s(&self) -> Option<i64> {
        match self {
            EdgeError::RateLimited { retry_after_s } | EdgeError::LockedOut { retry_after_s } => Some(*retry_after_s),
            EdgeError::Relayed(e) => e.retry_after_s,
            _ => None,
        }
    }

    /// The REST API's answer for this error: problem details (RFC 9457) with our typed code.
    pub fn to_problem(&self) -> Problem {
        let code = self.code();
        let api = self.to_api_error();
        Problem {
            kind: format!("urn:provixchat:problem:{}", code.name()),
            title: title(code).to_owned(),
            status: self.status(),
            detail: api.message,
            code,
            retry_after_s: api.retry_after_s,
        }
    }

    pub fn to_api_error(&self) -> ApiError {
        ApiError { error: self.code(), message: self.public_message(), retry_after_s: self.retry_after_s() }
    }
}

#[cfg(target_arch = "wasm32")]
impl From<worker::Error> for EdgeError {
    fn from(e: worker::Error) -> Self {
        EdgeError::Internal(e.to_string())
    }
}

impl From<serde_json::Error> for EdgeError {
    fn from(e: serde_json::Error) -> Self {
        EdgeError::MalformedBody(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes() {
        let cases = [
            (EdgeError::UnknownSite("x".into()), 404, ErrorCode::UnknownSite),
            (EdgeError::OriginNotAllowed("x".into()), 403, ErrorCode::OriginNotAllowed),
            (EdgeError::Domain(DomainError::EmptyMessage), 400, ErrorCode::EmptyMessage),
            (EdgeError::Domain(DomainError::MessageTooLong { max: 1 }), 400, ErrorCode::MessageTooLong),
            (EdgeError::MalformedBody("x".into()), 400, ErrorCode::MalformedFrame),
            (EdgeError::Invalid("x".into()), 400, ErrorCode::InvalidInput),
            (EdgeError::Conflict("x".into()), 409, ErrorCode::Conflict),
            (EdgeError::InviteExpired, 410, ErrorCode::InviteExpired),
            (EdgeError::Unauthorized, 401, ErrorCode::Unauthorized),
            (EdgeError::InvalidCredentials, 401, ErrorCode::InvalidCredentials),
            (EdgeError::RateLimited { retry_after_s: 8 }, 429, ErrorCode::RateLimited),
            (EdgeError::LockedOut { retry_after_s: 90 }, 429, ErrorCode::RateLimited),
            (EdgeError::PlanLimit("x".into()), 402, ErrorCode::PlanLimit),
            (EdgeError::Internal("db exploded".into()), 500, ErrorCode::Internal),
        ];
        for (err, status, code) in cases {
            assert_eq!(err.status(), status, "{err:?}");
            assert_eq!(err.code(), code, "{err:?}");
        }
    }

    #[test]
    fn the_rest_api_answers_problem_details_with_the_same_codes() {
        let limited = EdgeError::RateLimited { retry_after_s: 8 }.to_problem();
        assert_eq!(
            serde_json::to_value(&limited).unwrap(),
            serde_json::json!({
                "type": "urn:provixchat:problem:rate_limited",
                "title": "Too many requests",
                "status": 429,
                "detail": "too many requests; try again in 8 s",
                "code": "rate_limited",
                "retry_after_s": 8,
            })
        );
        let hidden = EdgeError::Internal("db exploded".into()).to_problem();
        assert_eq!((hidden.status, hidden.detail.contains("db")), (500, false), "the cause stays in the log");
        // Every code has its own type, named as on the wire.
        for (code, name) in [(ErrorCode::NotFound, "not_found"), (ErrorCode::PlanLimit, "plan_limit")] {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!((code.name(), wire.as_str()), (name, Some(name)));
        }
    }

    #[test]
    fn errors_survive_a_hop_through_an_object() {
        for e in [EdgeError::UnknownSite("no site 'x'".into()), EdgeError::InvalidCredentials, EdgeError::NotFound] {
            let back = EdgeError::from_api(e.to_api_error());
            assert_eq!((back.status(), back.code()), (e.status(), e.code()));
            assert_eq!(back.public_message(), e.public_message());
        }
    }

    #[test]
    fn internal_details_stay_in_the_log() {
        let e = EdgeError::Internal("SQLITE_CORRUPT at page 7".into());
        assert!(!e.public_message().contains("SQLITE"));
        assert!(!e.to_api_error().message.contains("SQLITE"));
    }
}
