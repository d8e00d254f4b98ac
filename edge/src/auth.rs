//! Credentials: signed visitor tokens, agent password hashes and session secrets. Pure functions,
//! tested natively; the secrets they use come from the environment.

use crate::error::{EdgeError, EdgeResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use shared::{ConversationId, SiteId, VisitorId};

type HmacSha256 = Hmac<Sha256>;

/// Random bytes from the platform (WebCrypto on workerd), base64url encoded.
pub fn random_token(bytes: usize) -> EdgeResult<String> {
    Ok(B64.encode(random_bytes(bytes)?))
}

/// Random bytes from the platform, as lowercase hex (API tokens: no `_` or `-` to split on).
pub fn random_hex(bytes: usize) -> EdgeResult<String> {
    Ok(random_bytes(bytes)?.iter().map(|b| format!("{b:02x}")).collect())
}

pub fn random_bytes(n: usize) -> EdgeResult<Vec<u8>> {
    let mut buf = vec![0u8; n];
    getrandom::getrandom(&mut buf).map_err(|e| EdgeError::Internal(format!("getrandom: {e}")))?;
    Ok(buf)
}

/// A random id with a readable prefix (`vs_…`, `cv_…`): 16 random bytes, base64url.
pub fn random_id(prefix: &str) -> EdgeResult<String> {
    Ok(format!("{prefix}{}", random_token(16)?))
}

/// What a visitor token proves: this browser is visitor `visitor_id` of `site`, and its
/// conversation is `conversation_id`. Issued by the edge, so a visitor cannot choose another
/// visitor's conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorToken {
    pub site: SiteId,
    pub visitor_id: VisitorId,
    pub conversation_id: ConversationId,
    /// The site's user id, when `identify` proved it with the identity HMAC: the conversation is
    /// then bound to it, and only a token carrying it opens that conversation.
    pub verified_id: Option<String>,
    /// When the edge issued it (ms since the epoch). Every visit issues it anew, so only a
    /// browser away for longer than [`VISITOR_TOKEN_TTL_MS`] loses it; a verified one issued
    /// before the identity secret was rotated no longer vouches for its user.
    pub issued_at: i64,
}

/// How long a visitor token is honoured after it was issued: about six months without a visit.
pub const VISITOR_TOKEN_TTL_MS: i64 = 183 * 24 * 3600 * 1000;
/// How far ahead of the edge's clock an issue time may be (clocks of the edge's machines differ).
const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

impl VisitorToken {
    fn payload(&self) -> String {
        let (site, visitor, conversation, at) = (&self.site, &self.visitor_id, &self.conversation_id, self.issued_at);
        match &self.verified_id {
            None => format!("v3.{site}.{visitor}.{conversation}.{at}"),
            Some(id) => format!("v3.{site}.{visitor}.{conversation}.{at}.{}", B64.encode(id)),
        }
    }

    /// `v3.SITE.VISITOR.CONVERSATION.ISSUED_AT[.USER].SIGNATURE` (the verified user's id
    /// base64url-encoded), the signature an HMAC-SHA256 of the rest.
    pub fn sign(&self, secret: &[u8]) -> String {
        let payload = self.payload();
        format!("{payload}.{}", B64.encode(hmac(secret, payload.as_bytes())))
    }

    /// Checks the signature in constant time and the lifetime at `now`, and parses the token.
    /// Tokens of earlier formats had no issue time: they are refused, and the visitor starts
    /// afresh.
    pub fn verify(token: &str, secret: &[u8], now: i64) -> EdgeResult<Self> {
        let (payload, signature) = token.rsplit_once('.').ok_or(EdgeError::Unauthorized)?;
        let signature = B64.decode(signature).map_err(|_| EdgeError::Unauthorized)?;
        let mut mac = HmacSha256::new_from_slice(secret).map_err(|_| EdgeError::Unauthorized)?;
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature).map_err(|_| EdgeError::Unauthorized)?;
        let parts: Vec<&str> = payload.split('.').collect();
        let (site, visitor, conversation, at, verified_id) = match parts.as_slice() {
            ["v3", site, visitor, conversation, at] => (site, visitor, conversation, at, None),
            ["v3", site, visitor, conversation, at, user] => {
                let user =
                    B64.decode(user).ok().and_then(|b| String::from_utf8(b).ok()).ok_or(EdgeError::Unauthorized)?;
                (site, visitor, conversation, at, Some(user))
            }
            _ => return Err(EdgeError::Unauthorized),
        };
        let issued_at: i64 = at.parse().map_err(|_| EdgeError::Unauthorized)?;
        if issued_at > now + CLOCK_SKEW_MS || now - issued_at > VISITOR_TOKEN_TTL_MS {
            return Err(EdgeError::Unauthorized);
        }
        Ok(Self {
            site: SiteId::parse(site)?,
            visitor_id: VisitorId::parse(visitor)?,
            conversation_id: ConversationId::parse(conversation)?,
            verified_id,
            issued_at,
        })
    }

    /// Whether its verified user still counts: a token issued before the site's identity secret
    /// was rotated (`rotated_at`) vouched with a secret that may have leaked.
    pub fn verified_current(&self, rotated_at: Option<i64>) -> bool {
        self.verified_id.is_some() && rotated_at.is_none_or(|at| self.issued_at >= at)
    }
}

/// Refuses a token that does not carry the verified user its visitor is bound to (`bound`: the
/// user id a verified `identify` gave the visitor, if any).
pub fn require_bound(token: &VisitorToken, bound: Option<&str>) -> EdgeResult<()> {
    match bound {
        Some(user) if token.verified_id.as_deref() != Some(user) => Err(EdgeError::Unauthorized),
        _ => Ok(()),
    }
}

/// Text as base64url (for ids that must pass where only ASCII may, as in headers).
pub fn b64(s: &str) -> String {
    B64.encode(s)
}

pub fn unb64(s: &str) -> Option<String> {
    B64.decode(s).ok().and_then(|b| String::from_utf8(b).ok())
}

/// The token of a conversation's reply address (`reply+TOKEN@domain`) and of its "stop" link:
/// the site and conversation and 10 bytes of their HMAC, so a reply finds its conversation and
/// nobody can make an address for another one. Base32 in lower case: mail systems may change
/// the case of an address's local part, and it is shorter than hex.
pub fn reply_token(secret: &[u8], site: &shared::SiteId, id: &shared::ConversationId) -> String {
    ids_token(secret, site, id, |ids| format!("reply:{ids}"))
}

/// `base32(SITE/ID).base32(MAC)`, the MAC over what `signed` makes of `SITE/ID`.
fn ids_token(
    secret: &[u8],
    site: &shared::SiteId,
    id: &shared::ConversationId,
    signed: impl FnOnce(&str) -> String,
) -> String {
    let ids = format!("{site}/{id}");
    let mac = hmac(secret, signed(&ids).as_bytes());
    format!("{}.{}", base32(ids.as_bytes()), base32(&mac[..10]))
}

/// The site and conversation of a [`reply_token`], if its MAC is right (any case).
pub fn check_reply_token(secret: &[u8], token: &str) -> Option<(shared::SiteId, shared::ConversationId)> {
    let (site, id, token) = reply_token_ids(token)?;
    let expected = reply_token(secret, &site, &id);
    same_in_constant_time(&expected, &token).then_some((site, id))
}

/// The token of the address a member answers a conversation with by email (`team+TOKEN@`, in
/// their digest): as long as a visitor's, its MAC also covers the member's address, so it works
/// only from them and cannot be turned into a visitor's.
pub fn team_reply_token(
    secret: &[u8],
    site: &shared::SiteId,
    id: &shared::ConversationId,
    member: &shared::Email,
) -> String {
    ids_token(secret, site, id, |ids| format!("team:{ids}:{member}"))
}

/// The site and conversation of a [`team_reply_token`] sent by `from`, if its MAC is right.
pub fn check_team_reply_token(
    secret: &[u8],
    token: &str,
    from: &shared::Email,
) -> Option<(shared::SiteId, shared::ConversationId)> {
    let (site, id, token) = reply_token_ids(token)?;
    let expected = team_reply_token(secret, &site, &id, from);
    same_in_constant_time(&expected, &token).then_some((site, id))
}

/// The ids a reply token names (unchecked), and the token in lower case.
fn reply_token_ids(token: &str) -> Option<(shared::SiteId, shared::ConversationId, String)> {
    let token = token.to_ascii_lowercase();
    let (ids, _) = token.split_once('.')?;
    let ids = String::from_utf8(from_base32(ids)?).ok()?;
    let (site, id) = ids.split_once('/')?;
    Some((shared::SiteId::parse(site).ok()?, shared::ConversationId::parse(id).ok()?, token))
}

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// RFC 4648 base32, lower case, without padding.
fn base32(bytes: &[u8]) -> String {
    let (mut out, mut buffer, mut bits) = (String::new(), 0u32, 0);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn from_base32(text: &str) -> Option<Vec<u8>> {
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0);
    for c in text.bytes() {
        let value = BASE32.iter().position(|&b| b == c)? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// The token of a one-click unsubscribe link for `email`'s notifications: the address
/// (base64url) and its HMAC, so the link works without a session and nobody can make one for
/// another address.
pub fn unsubscribe_token(secret: &[u8], email: &str) -> String {
    let mac = hmac(secret, format!("unsubscribe:{email}").as_bytes());
    format!("{}.{}", B64.encode(email), B64.encode(mac))
}

/// The address an [`unsubscribe_token`] stands for, if its HMAC is right.
pub fn check_unsubscribe_token(secret: &[u8], token: &str) -> Option<String> {
    let (email, _) = token.split_once('.')?;
    let email = String::from_utf8(B64.decode(email).ok()?).ok()?;
    let expected = unsubscribe_token(secret, &email);
    same_in_constant_time(&expected, token).then_some(email)
}

/// The seal on an upload's receipt: an HMAC over the conversation and everything the edge found
/// the file to be, so a message can carry only a file the edge stored for its conversation, as it
/// stored it (a client cannot rename, resize or retype it on the way).
pub fn file_seal(secret: &[u8], conversation: &ConversationId, file: &shared::files::Attachment) -> String {
    let data = format!("file:{conversation}:{}:{}:{}:{}", file.id, file.size, file.kind.code(), file.name);
    B64.encode(&hmac(secret, data.as_bytes())[..18])
}

/// Whether `seal` is [`file_seal`]'s for this conversation and file.
pub fn check_file_seal(
    secret: &[u8],
    conversation: &ConversationId,
    file: &shared::files::Attachment,
    seal: &str,
) -> bool {
    same_in_constant_time(&file_seal(secret, conversation, file), seal)
}

/// How long a conversation's file link works: a socket gets a fresh one with each `welcome`.
pub const FILE_LINK_TTL_MS: i64 = 12 * 3600 * 1000;

/// The token of a conversation's file links, `EXPIRES.MAC`: only the parties of the
/// conversation receive it (in `welcome`), and it stops working at `expires` (ms).
pub fn files_token(secret: &[u8], site: &str, conversation: &ConversationId, expires: i64) -> String {
    let mac = hmac(secret, format!("files:{site}/{conversation}:{expires}").as_bytes());
    format!("{expires}.{}", B64.encode(&mac[..18]))
}

/// Whether `token` opens the files of this conversation at `now`: refused if it was not made
/// for them, expired (`LinkExpired`) if it was but its time is over.
pub fn check_files_token(
    secret: &[u8],
    site: &str,
    conversation: &ConversationId,
    token: &str,
    now: i64,
) -> EdgeResult<()> {
    let expires = token.split_once('.').and_then(|(e, _)| e.parse::<i64>().ok()).ok_or(EdgeError::Forbidden)?;
    if !same_in_constant_time(&files_token(secret, site, conversation, expires), token) {
        return Err(EdgeError::Forbidden);
    }
    if expires <= now {
        return Err(EdgeError::LinkExpired);
    }
    Ok(())
}

/// Whether two tokens are equal, compared in constant time: a guess learns nothing from how long
/// its refusal took.
pub(crate) fn same_in_constant_time(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

pub(crate) fn hmac(secret: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// A visitor's pseudonymous reference in a site: `sha256(SITE:VISITOR_ID)`, as their consent
/// records carry it (the workspace never keeps the id beside it).
pub fn visitor_hash(site: impl std::fmt::Display, visitor: impl std::fmt::Display) -> String {
    sha256_hex(&format!("{site}:{visitor}"))
}

/// SHA-256 as lowercase hex: how session secrets are stored, so a copy of the database holds no
/// usable session.
pub fn sha256_hex(data: &str) -> String {
    Sha256::digest(data.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane), as a PHC string.
pub fn hash_password(password: &str) -> EdgeResult<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| EdgeError::Internal(format!("getrandom: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| EdgeError::Internal(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| EdgeError::Internal(format!("argon2: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(phc).is_ok_and(|hash| argon2().verify_password(password.as_bytes(), &hash).is_ok())
}

fn argon2() -> argon2::Argon2<'static> {
    let params = argon2::Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// Name of the agent session cookie. `__Host-` makes the browser insist on Secure, Path=/ and no
/// Domain, so no subdomain can plant or read it.
pub const SESSION_COOKIE: &str = "__Host-pvx_session";

/// The cookie value names the account (its email, base64url) and carries the session secret.
pub fn session_cookie_value(email: &str, secret: &str) -> String {
    format!("{}.{secret}", B64.encode(email))
}

/// Splits a session cookie value into (email, secret).
pub fn parse_session_cookie(value: &str) -> Option<(String, String)> {
    let (email, secret) = value.split_once('.')?;
    let email = String::from_utf8(B64.decode(email).ok()?).ok()?;
    (!secret.is_empty()).then(|| (email, secret.to_owned()))
}

/// Finds one cookie in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').filter_map(|kv| kv.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn token() -> VisitorToken {
        VisitorToken {
            site: SiteId::parse("demo").unwrap(),
            visitor_id: VisitorId::parse("vs_abcdefgh").unwrap(),
            conversation_id: ConversationId::parse("cv_abcdefgh").unwrap(),
            verified_id: None,
            issued_at: NOW,
        }
    }

    #[test]
    fn a_file_seal_holds_for_its_conversation_and_file_only() {
        use shared::files::{Attachment, FileKind};
        let (a, b) = (ConversationId::parse("cv_aaaaaaaa").unwrap(), ConversationId::parse("cv_bbbbbbbb").unwrap());
        let file = Attachment { id: "f_12345678".into(), name: "bill.pdf".into(), size: 2_000, kind: FileKind::Pdf };
        let seal = file_seal(b"k", &a, &file);
        assert!(check_file_seal(b"k", &a, &file, &seal));
        assert!(!check_file_seal(b"k", &b, &file, &seal), "another conversation");
        assert!(!check_file_seal(b"other", &a, &file, &seal), "another key");
        for changed in [
            Attachment { name: "bill.html".into(), ..file.clone() },
            Attachment { size: 1, ..file.clone() },
            Attachment { kind: FileKind::Text, ..file.clone() },
            Attachment { id: "f_87654321".into(), ..file.clone() },
        ] {
            assert!(!check_file_seal(b"k", &a, &changed, &seal), "{changed:?}");
        }
    }

    #[test]
    fn a_files_token_opens_its_conversation_until_it_expires() {
        let site = "demo";
        let (a, b) = (ConversationId::parse("cv_aaaaaaaa").unwrap(), ConversationId::parse("cv_bbbbbbbb").unwrap());
        let token = files_token(b"k", site, &a, NOW + 1_000);
        assert!(check_files_token(b"k", site, &a, &token, NOW).is_ok());
        assert!(matches!(check_files_token(b"k", site, &a, &token, NOW + 1_000), Err(EdgeError::LinkExpired)));
        let refused = |site: &str, c: &ConversationId, t: &str| {
            matches!(check_files_token(b"k", site, c, t, NOW), Err(EdgeError::Forbidden))
        };
        assert!(refused(site, &b, &token), "another conversation");
        assert!(refused("shop", &a, &token), "another site");
        let (_, mac) = token.split_once('.').unwrap();
        assert!(refused(site, &a, &format!("{}.{mac}", NOW + 999_999)), "a later expiry");
        for junk in ["", ".", "x.y", "123"] {
            assert!(refused(site, &a, junk), "{junk:?}");
        }
    }

    #[test]
    fn verified_tokens_carry_their_user_and_cannot_lose_it() {
        let verified = VisitorToken { verified_id: Some("user.42@shop".into()), ..token() };
        let signed = verified.sign(b"k");
        assert!(signed.starts_with("v3.demo."));
        assert_eq!(VisitorToken::verify(&signed, b"k", NOW).unwrap(), verified);
        // Dropping the user part breaks the signature: an unverified token cannot be made from it.
        let (payload, sig) = signed.rsplit_once('.').unwrap();
        let without = format!("{}.{sig}", payload.rsplit_once('.').unwrap().0);
        assert!(VisitorToken::verify(&without, b"k", NOW).is_err());
    }

    #[test]
    fn visitor_tokens_verify_only_with_their_secret() {
        let signed = token().sign(b"secret-one");
        assert_eq!(VisitorToken::verify(&signed, b"secret-one", NOW).unwrap(), token());
        assert!(VisitorToken::verify(&signed, b"secret-two", NOW).is_err());
    }

    #[test]
    fn tampered_tokens_are_refused() {
        let signed = token().sign(b"k");
        let other_conversation = signed.replace("cv_abcdefgh", "cv_zzzzzzzz");
        assert!(VisitorToken::verify(&other_conversation, b"k", NOW).is_err());
        let younger = signed.replace(&NOW.to_string(), &(NOW + 1).to_string());
        assert!(VisitorToken::verify(&younger, b"k", NOW).is_err(), "the issue time is signed");
        for bad in ["", "v1", "v1.demo.vs_abcdefgh.cv_abcdefgh", "garbage.sig"] {
            assert!(VisitorToken::verify(bad, b"k", NOW).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_token_lives_its_lifetime_from_its_issue_and_no_longer() {
        let signed = token().sign(b"k");
        assert!(VisitorToken::verify(&signed, b"k", NOW + VISITOR_TOKEN_TTL_MS).is_ok());
        assert!(VisitorToken::verify(&signed, b"k", NOW + VISITOR_TOKEN_TTL_MS + 1).is_err());
        // One issued in the future (beyond clock skew) is not ours to honour.
        assert!(VisitorToken::verify(&signed, b"k", NOW - CLOCK_SKEW_MS - 1).is_err());
        // Tokens from before issue times existed are refused (the visitor starts afresh).
        let payload = "v1.demo.vs_abcdefgh.cv_abcdefgh";
        let old = format!("{payload}.{}", B64.encode(hmac(b"k", payload.as_bytes())));
        assert!(VisitorToken::verify(&old, b"k", NOW).is_err());
    }

    #[test]
    fn rotating_the_identity_secret_retires_verified_tokens_issued_before() {
        let verified = VisitorToken { verified_id: Some("u1".into()), ..token() };
        assert!(verified.verified_current(None));
        assert!(verified.verified_current(Some(NOW)), "issued at the rotation: with the new secret");
        assert!(!verified.verified_current(Some(NOW + 1)));
        assert!(!token().verified_current(None), "an anonymous token vouches for nobody");
    }

    #[test]
    fn a_token_speaks_for_a_bound_visitor_only_with_the_bound_user() {
        let anonymous = token();
        let verified = VisitorToken { verified_id: Some("u1".into()), ..token() };
        assert!(require_bound(&anonymous, None).is_ok());
        assert!(matches!(require_bound(&anonymous, Some("u1")), Err(EdgeError::Unauthorized)));
        assert!(require_bound(&verified, Some("u1")).is_ok());
        assert!(matches!(require_bound(&verified, Some("u2")), Err(EdgeError::Unauthorized)));
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn passwords_hash_and_verify() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("correct horse battery", &phc));
        assert!(!verify_password("correct horse batterY", &phc));
        assert!(!verify_password("anything", "not a hash"));
        assert_ne!(phc, hash_password("correct horse battery").unwrap(), "salted");
    }

    #[test]
    fn session_cookies_round_trip() {
        let v = session_cookie_value("agent@demo.test", "s3cr3t");
        assert_eq!(parse_session_cookie(&v), Some(("agent@demo.test".into(), "s3cr3t".into())));
        assert_eq!(parse_session_cookie("nodot"), None);
        assert_eq!(parse_session_cookie("YQ."), None);
        let header = format!("theme=dark; {SESSION_COOKIE}={v}; other=1");
        assert_eq!(cookie(&header, SESSION_COOKIE), Some(v.as_str()));
        assert_eq!(cookie("a=1", SESSION_COOKIE), None);
    }

    #[test]
    fn random_ids_are_valid_ids() {
        let id = random_id("cv_").unwrap();
        assert!(ConversationId::parse(&id).is_ok(), "{id}");
        assert_ne!(id, random_id("cv_").unwrap());
    }

    #[test]
    fn unsubscribe_tokens_name_their_address_and_cannot_be_forged() {
        let token = unsubscribe_token(b"secret", "ana@example.com");
        assert_eq!(check_unsubscribe_token(b"secret", &token).as_deref(), Some("ana@example.com"));
        assert_eq!(check_unsubscribe_token(b"other secret", &token), None);
        let (_, mac) = token.split_once('.').unwrap();
        let forged = format!("{}.{mac}", B64.encode("bo@example.com"));
        assert_eq!(check_unsubscribe_token(b"secret", &forged), None);
        assert_eq!(check_unsubscribe_token(b"secret", "garbage"), None);
    }

    #[test]
    fn reply_tokens_find_their_conversation_in_any_case_and_cannot_be_forged() {
        let site = shared::SiteId::parse("demo").unwrap();
        let id = shared::ConversationId::parse("cv_AbC123xyz").unwrap();
        let token = reply_token(b"secret", &site, &id);
        assert!(token.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.'), "{token}");
        assert_eq!(from_base32(&base32(b"any bytes \x00\xff")).unwrap(), b"any bytes \x00\xff");
        assert_eq!(check_reply_token(b"secret", &token), Some((site.clone(), id.clone())));
        assert_eq!(check_reply_token(b"secret", &token.to_uppercase()), Some((site.clone(), id.clone())));
        assert_eq!(check_reply_token(b"other", &token), None);
        let other = reply_token(b"secret", &site, &shared::ConversationId::parse("cv_other12345").unwrap());
        let (ids, _) = other.split_once('.').unwrap();
        let (_, mac) = token.split_once('.').unwrap();
        assert_eq!(check_reply_token(b"secret", &format!("{ids}.{mac}")), None, "a MAC for another conversation");
        assert_eq!(check_reply_token(b"secret", "zz.00"), None);
    }

    #[test]
    fn a_team_reply_token_works_only_from_its_member_and_is_no_visitors_token() {
        let site = shared::SiteId::parse("demo").unwrap();
        let id = shared::ConversationId::parse("cv_AbC123xyz").unwrap();
        let dana = shared::Email::parse("dana@example.com").unwrap();
        let token = team_reply_token(b"secret", &site, &id, &dana);
        assert_eq!(check_team_reply_token(b"secret", &token.to_uppercase(), &dana), Some((site.clone(), id.clone())));
        let eve = shared::Email::parse("eve@example.com").unwrap();
        assert_eq!(check_team_reply_token(b"secret", &token, &eve), None, "from someone else");
        assert_eq!(check_reply_token(b"secret", &token), None, "not a visitor's");
        assert_eq!(check_team_reply_token(b"secret", &reply_token(b"secret", &site, &id), &dana), None);
    }
}
