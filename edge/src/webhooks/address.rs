//! Where a delivery may go (server-side request forgery): in production only `https` to a host
//! whose every address is public, checked when the endpoint is saved and again before every
//! delivery (a name can be pointed elsewhere later). Loopback, private, link-local (cloud
//! metadata at 169.254.169.254), shared, documentation, multicast and reserved ranges are
//! refused, as are their IPv4-mapped and NAT64 forms. Redirects are not followed (the glue), so a
//! public receiver cannot bounce a delivery inward.
//!
//! Locally (`WEBHOOKS_LOOPBACK=on`, set by scripts/edge.mjs only) plain `http` and loopback
//! receivers are allowed and names are not resolved: the end-to-end tests' receiver listens on
//! 127.0.0.1.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Longest URL kept.
pub const MAX_URL: usize = 2_000;

/// A URL that passed the rules: its host, and the address when the host is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub ip: Option<IpAddr>,
}

/// Checks `url` against the rules; `local` is the loopback setting. The error says why, in words
/// for the settings page. Parsed here rather than with the `url` crate: its internationalised
/// domain tables would cost the worker ~60 KB gzip, and a receiver's name can be written in
/// ASCII (punycode).
pub fn check_url(url: &str, local: bool) -> Result<Target, String> {
    let url = url.trim();
    if url.len() > MAX_URL {
        return Err(format!("the URL is longer than {MAX_URL} characters"));
    }
    let invalid = || "the URL is not a valid URL".to_owned();
    if url.chars().any(|c| !c.is_ascii_graphic()) {
        return Err("the URL must be plain ASCII without spaces (write an international name in punycode)".into());
    }
    let (scheme, rest) = url.split_once("://").ok_or_else(invalid)?;
    let plain = match scheme.to_ascii_lowercase().as_str() {
        "https" => false,
        "http" if local => true,
        _ => return Err("the URL must start with https://".into()),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("the URL must not hold a user name or password".into());
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']').ok_or_else(invalid)?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if port.is_some_and(|p| p.parse::<u16>().map_or(true, |p| p == 0)) {
        return Err(invalid());
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let target = if authority.starts_with('[') {
        let ip: std::net::Ipv6Addr = host.parse().map_err(|_| invalid())?;
        Target { host, ip: Some(IpAddr::V6(ip)) }
    } else if host.rsplit('.').next().is_some_and(numeric_label) {
        // A name's last label is never a number: this is an address, and only its usual spelling
        // (four decimal numbers) is taken, not 2130706433 or 0x7f.1 that browsers also read.
        let ip: Ipv4Addr = host.parse().map_err(|_| format!("write the address {host} as four numbers (a.b.c.d)"))?;
        Target { host, ip: Some(IpAddr::V4(ip)) }
    } else if !host.is_empty()
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        Target { host, ip: None }
    } else {
        return Err(invalid());
    };
    if local && is_loopback(&target) {
        return Ok(target);
    }
    if plain {
        return Err("the URL must start with https:// (plain http only to this machine, in local runs)".into());
    }
    match target.ip {
        Some(ip) if !is_public(ip) => Err(format!("{ip} is not a public address")),
        Some(_) => Ok(target),
        None if internal_name(&target.host) => Err(format!("{} is not a public host name", target.host)),
        None => Ok(target),
    }
}

/// Digits, or `0x` and hex digits: how an address's part is written.
fn numeric_label(label: &str) -> bool {
    let hex = label.strip_prefix("0x").filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    (!label.is_empty() && label.bytes().all(|b| b.is_ascii_digit())) || hex.is_some()
}

fn is_loopback(target: &Target) -> bool {
    match target.ip {
        Some(ip) => ip.is_loopback(),
        None => target.host == "localhost",
    }
}

/// Names that never lead to the public internet.
fn internal_name(host: &str) -> bool {
    const SUFFIXES: [&str; 6] = [".localhost", ".local", ".internal", ".home.arpa", ".lan", ".intranet"];
    !host.contains('.') || host == "localhost" || SUFFIXES.iter().any(|s| host.ends_with(s))
}

/// Whether `ip` is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                    // "this network"
        || a == 10                              // private
        || a == 127                             // loopback
        || (a == 100 && (64..128).contains(&b)) // shared (carrier-grade NAT)
        || (a == 169 && b == 254)               // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b))  // private
        || (a == 192 && b == 0 && c == 0)       // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)       // documentation
        || (a == 192 && b == 88 && c == 99)     // 6to4 relay
        || (a == 192 && b == 168)               // private
        || (a == 198 && (b == 18 || b == 19))   // benchmarking
        || (a == 198 && b == 51 && c == 100)    // documentation
        || (a == 203 && b == 0 && c == 113)     // documentation
        || a >= 224) // multicast, reserved, broadcast
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return public_v4(v4);
    }
    // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return public_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || s[0..6] == [0, 0, 0, 0, 0, 0]  // IPv4-compatible (deprecated)
        || (s[0] & 0xfe00) == 0xfc00      // unique local (AWS metadata fd00:ec2::254 too)
        || (s[0] & 0xffc0) == 0xfe80      // link-local
        || (s[0] & 0xff00) == 0xff00      // multicast
        || (s[0] == 0x2001 && s[1] == 0xdb8) // documentation
        || (s[0] == 0x100 && s[1..4] == [0, 0, 0]) // discard
        || s[0] == 0x2002) // 6to4: an IPv4 address inside, not worth the risk
}

/// The addresses in a DNS-over-HTTPS JSON answer (`application/dns-json`: A and AAAA records).
pub fn dns_answers(json: &str) -> Vec<IpAddr> {
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(rename = "type")]
        kind: u16,
        data: String,
    }
    #[derive(serde::Deserialize)]
    struct Reply {
        #[serde(rename = "Answer", default)]
        answer: Vec<Answer>,
    }
    // `from_slice`, the edge's one JSON reader (see README, "Edge size").
    let Ok(reply) = serde_json::from_slice::<Reply>(json.as_bytes()) else { return vec![] };
    reply.answer.into_iter().filter(|a| a.kind == 1 || a.kind == 28).filter_map(|a| a.data.parse().ok()).collect()
}

/// Whether a host that resolved to `addresses` may be called: at least one address, all public.
pub fn resolved_ok(host: &str, addresses: &[IpAddr]) -> Result<(), String> {
    match addresses.iter().find(|ip| !is_public(**ip)) {
        _ if addresses.is_empty() => Err(format!("{host} does not resolve")),
        Some(ip) => Err(format!("{host} resolves to {ip}, not a public address")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_to_public_hosts_in_production() {
        for ok in ["https://hooks.example.com/in", "https://93.184.215.14:8443/x?y=1", "https://[2606:4700::1111]/"] {
            assert!(check_url(ok, false).is_ok(), "{ok}");
        }
        let refused = [
            ("http://hooks.example.com/", "https://"),
            ("ftp://hooks.example.com/", "https://"),
            ("https://user:pw@hooks.example.com/", "user name"),
            ("https://localhost/", "not a public host"),
            ("https://app.localhost/", "not a public host"),
            ("https://metadata.google.internal/", "not a public host"),
            ("https://printer.local/", "not a public host"),
            ("https://intranet/", "not a public host"),
            ("https://127.0.0.1/", "not a public address"),
            ("https://169.254.169.254/latest/meta-data", "not a public address"),
            ("https://10.1.2.3/", "not a public address"),
            ("https://172.16.0.1/", "not a public address"),
            ("https://192.168.1.1/", "not a public address"),
            ("https://100.64.0.1/", "not a public address"),
            ("https://0.0.0.0/", "not a public address"),
            ("https://[::1]/", "not a public address"),
            ("https://[::ffff:127.0.0.1]/", "not a public address"),
            ("https://[64:ff9b::a9fe:a9fe]/", "not a public address"),
            ("https://[fd00:ec2::254]/", "not a public address"),
            ("https://[fe80::1]/", "not a public address"),
            ("not a url", "plain ASCII"),
            ("hooks.example.com/in", "not a valid URL"),
        ];
        for (url, why) in refused {
            let err = check_url(url, false).unwrap_err();
            assert!(err.contains(why), "{url}: {err}");
        }
        assert!(check_url(&format!("https://a.example/{}", "x".repeat(MAX_URL)), false).is_err());
        // Integer, short and hex spellings of an address are addresses too, and refused.
        for odd in
            ["https://2130706433/", "https://0x7f.1/", "https://127.1/", "https://0177.0.0.1/", "https://8.8.8.08/"]
        {
            assert!(check_url(odd, false).unwrap_err().contains("four numbers"), "{odd}");
        }
        for bad in [
            "https://",
            "https://a..b/",
            "https://h_st.example/",
            "https://h.example:0/",
            "https://h.example:99999/",
            "https://[::1/",
            "https://bücher.example/",
            "https://a b.example/",
            "https//h.example/",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
        assert_eq!(check_url("HTTPS://Hooks.Example.COM.:8443/x?y#z", false).unwrap().host, "hooks.example.com");
    }

    #[test]
    fn the_local_setting_allows_plain_http_to_loopback_only() {
        for ok in ["http://127.0.0.1:9999/hook", "http://localhost:1/", "https://[::1]:8443/"] {
            assert!(check_url(ok, true).is_ok(), "{ok}");
        }
        assert!(check_url("http://10.0.0.1/", true).is_err(), "private stays refused");
        assert!(
            check_url("http://hooks.example.com/", true).unwrap_err().contains("https://"),
            "plain http to loopback only"
        );
        assert!(check_url("https://hooks.example.com/", true).is_ok());
        assert!(check_url("http://169.254.169.254/", true).is_err());
        assert!(check_url("ftp://127.0.0.1/", true).is_err());
        assert!(check_url("http://127.0.0.1/", false).is_err(), "not without the setting");
    }

    #[test]
    fn a_name_must_resolve_to_public_addresses_only() {
        let answer = r#"{"Status":0,"Answer":[{"name":"h.example.","type":5,"data":"x.example."},
            {"name":"x.example.","type":1,"data":"93.184.215.14"},{"name":"x.example.","type":28,"data":"2606:2800::1"}]}"#;
        let ips = dns_answers(answer);
        assert_eq!(ips.len(), 2, "the CNAME is not an address");
        assert!(resolved_ok("h.example", &ips).is_ok());
        let rebound = dns_answers(r#"{"Answer":[{"type":1,"data":"93.184.215.14"},{"type":1,"data":"10.0.0.5"}]}"#);
        assert!(resolved_ok("h.example", &rebound).unwrap_err().contains("10.0.0.5"), "one private address is enough");
        assert!(resolved_ok("h.example", &dns_answers(r#"{"Status":3}"#)).unwrap_err().contains("does not resolve"));
        assert!(dns_answers("<html>").is_empty());
    }
}
