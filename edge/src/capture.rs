//! The rules of visitor data capture, pure so `cargo test` proves them: what counts as analytics
//! consent, what is left of a page address, of an IP address and of custom attributes, and the
//! identity check for `Provixchat.identify`.

use crate::error::{EdgeError, EdgeResult};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use shared::consent::ConsentRecord;
use shared::visitor::{MAX_ATTRIBUTES, MAX_ATTRIBUTE_KEY_CHARS, MAX_ATTRIBUTE_VALUE_CHARS, MAX_URL_CHARS};
use std::collections::BTreeMap;

/// Whether the visitor's latest decision, for the site's current policy version and not expired,
/// allows analytics. No decision means no.
pub fn analytics_allowed(history: &[ConsentRecord], policy_version: u32, now: i64) -> bool {
    history.iter().max_by_key(|r| r.at).is_some_and(|r| {
        r.decision.policy_version == policy_version && r.expires_at > now && r.decision.choices.analytics
    })
}

/// Query parameters that track campaigns and clicks or carry personal data: never stored.
const DROPPED_PARAMS: &[&str] = &[
    "gclid",
    "gbraid",
    "wbraid",
    "dclid",
    "fbclid",
    "msclkid",
    "yclid",
    "igshid",
    "twclid",
    "ttclid",
    "li_fat_id",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "ref_src",
    "email",
    "e-mail",
    "mail",
    "name",
    "first_name",
    "last_name",
    "phone",
    "tel",
    "address",
    "token",
    "access_token",
    "auth",
    "password",
    "pass",
    "pwd",
    "session",
    "sessionid",
    "sid",
    "key",
    "api_key",
    "apikey",
    "code",
    "state",
    "otp",
    "ssn",
];

fn dropped(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_") || name.starts_with("pk_") || DROPPED_PARAMS.contains(&name.as_str())
}

/// A page address as stored: no fragment, no tracking or personal query parameters, at most
/// [`MAX_URL_CHARS`]. Anything that is not an http(s) address is refused.
pub fn strip_url(url: &str) -> EdgeResult<String> {
    let url = url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(EdgeError::Invalid("the page address must be http(s)".into()));
    }
    let url = url.split('#').next().unwrap_or_default();
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| !dropped(p.split('=').next().unwrap_or_default()))
        .collect();
    let stripped = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
    Ok(stripped.chars().take(MAX_URL_CHARS).collect())
}

/// An IP address with its host part removed: IPv4 to /24, IPv6 to /48.
pub fn truncate_ip(ip: &str) -> Option<String> {
    if let Ok(v4) = ip.parse::<std::net::Ipv4Addr>() {
        let [a, b, c, _] = v4.octets();
        return Some(format!("{a}.{b}.{c}.0"));
    }
    let v6 = ip.parse::<std::net::Ipv6Addr>().ok()?;
    let s = v6.segments();
    Some(format!("{:x}:{:x}:{:x}::", s[0], s[1], s[2]))
}

/// Merges new custom attributes into `current`: `null` removes a key; strings, numbers and
/// booleans are kept; the limits hold for the result.
pub fn merge_attributes(
    current: &BTreeMap<String, serde_json::Value>,
    new: &BTreeMap<String, serde_json::Value>,
) -> EdgeResult<BTreeMap<String, serde_json::Value>> {
    let mut out = current.clone();
    for (key, value) in new {
        let key_ok = !key.trim().is_empty() && key.chars().count() <= MAX_ATTRIBUTE_KEY_CHARS;
        if !key_ok {
            return Err(EdgeError::Invalid(format!("attribute names are 1-{MAX_ATTRIBUTE_KEY_CHARS} characters")));
        }
        match value {
            serde_json::Value::Null => {
                out.remove(key);
            }
            serde_json::Value::String(s) if s.chars().count() > MAX_ATTRIBUTE_VALUE_CHARS => {
                return Err(EdgeError::Invalid(format!("'{key}' is over {MAX_ATTRIBUTE_VALUE_CHARS} characters")));
            }
            serde_json::Value::String(_) | serde_json::Value::Number(_) | serde_json::Value::Bool(_) => {
                out.insert(key.clone(), value.clone());
            }
            _ => return Err(EdgeError::Invalid(format!("'{key}' must be a string, a number or true/false"))),
        }
    }
    if out.len() > MAX_ATTRIBUTES {
        return Err(EdgeError::Invalid(format!("at most {MAX_ATTRIBUTES} attributes per visitor")));
    }
    Ok(out)
}

/// Longest user id `identify` accepts.
pub const MAX_USER_ID_CHARS: usize = 128;

/// Whether `hash` is the hex HMAC-SHA256 of `user_id` keyed with `secret`, compared in
/// constant time.
pub fn identity_hash_ok(secret: &str, user_id: &str, hash: &str) -> bool {
    let Some(given) = decode_hex(hash.trim()) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(user_id.as_bytes());
    mac.verify_slice(&given).is_ok()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::consent::{Choices, Decision, Lang, Method};

    fn record(at: i64, analytics: bool, version: u32) -> ConsentRecord {
        ConsentRecord {
            at,
            expires_at: at + 1000,
            visitor_hash: "h".into(),
            decision: Decision {
                policy_version: version,
                choices: Choices { preferences: false, analytics, marketing: false },
                method: Method::Custom,
                lang: Lang::En,
                gpc: false,
            },
        }
    }

    #[test]
    fn analytics_needs_a_current_grant() {
        assert!(!analytics_allowed(&[], 1, 0), "no decision, no capture");
        assert!(analytics_allowed(&[record(10, true, 1)], 1, 20));
        assert!(!analytics_allowed(&[record(10, true, 1), record(15, false, 1)], 1, 20), "the latest decision counts");
        assert!(!analytics_allowed(&[record(10, true, 1)], 2, 20), "an older policy version does not");
        assert!(!analytics_allowed(&[record(10, true, 1)], 1, 2000), "nor an expired one");
    }

    #[test]
    fn tracking_and_personal_parameters_are_stripped() {
        let url =
            "https://shop.example/p/vase?utm_source=news&color=blue&gclid=abc&Email=a%40b.c&fbclid=x&size=2#reviews";
        assert_eq!(strip_url(url).unwrap(), "https://shop.example/p/vase?color=blue&size=2");
        assert_eq!(strip_url("https://shop.example/?utm_medium=x").unwrap(), "https://shop.example/");
        assert_eq!(strip_url("https://shop.example/a?token=secret&pk_campaign=y").unwrap(), "https://shop.example/a");
        assert!(strip_url("javascript:alert(1)").is_err());
        assert_eq!(
            strip_url(&format!("https://x.example/{}", "a".repeat(3000))).unwrap().chars().count(),
            MAX_URL_CHARS
        );
    }

    #[test]
    fn ip_addresses_lose_their_host_part() {
        assert_eq!(truncate_ip("203.0.113.77").as_deref(), Some("203.0.113.0"));
        assert_eq!(truncate_ip("2001:db8:85a3:8d3:1319:8a2e:370:7348").as_deref(), Some("2001:db8:85a3::"));
        assert_eq!(truncate_ip("not an ip"), None);
    }

    #[test]
    fn attributes_are_limited_and_null_removes() {
        let json = |s: &str| serde_json::from_str::<BTreeMap<String, serde_json::Value>>(s).unwrap();
        let merged =
            merge_attributes(&json(r#"{"plan":"free","seats":1}"#), &json(r#"{"plan":"pro","seats":null,"vip":true}"#))
                .unwrap();
        assert_eq!(merged, json(r#"{"plan":"pro","vip":true}"#));
        assert!(merge_attributes(&BTreeMap::new(), &json(r#"{"nested":{"a":1}}"#)).is_err());
        assert!(merge_attributes(&BTreeMap::new(), &json(r#"{"":"x"}"#)).is_err());
        let long = format!(r#"{{"bio":"{}"}}"#, "x".repeat(MAX_ATTRIBUTE_VALUE_CHARS + 1));
        assert!(merge_attributes(&BTreeMap::new(), &json(&long)).is_err());
        let many: BTreeMap<String, serde_json::Value> =
            (0..=MAX_ATTRIBUTES).map(|i| (format!("k{i}"), serde_json::json!(i))).collect();
        assert!(merge_attributes(&BTreeMap::new(), &many).is_err());
    }

    #[test]
    fn identity_hashes_follow_rfc_4231() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert!(identity_hash_ok("Jefe", "what do ya want for nothing?", expected));
        assert!(identity_hash_ok("Jefe", "what do ya want for nothing?", &expected.to_uppercase()));
        assert!(!identity_hash_ok("Jefe", "what do ya want for nothing!", expected));
        assert!(!identity_hash_ok("other", "what do ya want for nothing?", expected));
        assert!(!identity_hash_ok("Jefe", "what do ya want for nothing?", "not hex"));
        assert!(!identity_hash_ok("Jefe", "what do ya want for nothing?", ""));
    }
}
