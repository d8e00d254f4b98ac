//! A reply by email, read: the token in the address it was sent to, its Message-ID, and the new
//! text in it — the plain-text part (or the HTML one without its tags), decoded, with the quoted
//! history and the signature cut off. Pure and bounded: it reads what a mail client writes and
//! refuses the rest (`None`) rather than guessing.

use base64::Engine;

/// Longest text kept from a reply (the chat's own limit applies after).
const MAX_TEXT: usize = 20_000;
/// How deep nested multiparts are followed.
const MAX_DEPTH: usize = 4;

/// Who a reply address is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyAddress<'a> {
    /// `reply+TOKEN@domain`: the visitor's answer to the mail they asked for.
    Visitor(&'a str),
    /// `team+TOKEN@domain`: a member's answer to a digest.
    Team(&'a str),
}

/// The token of a reply address (any case).
pub fn reply_address(to: &str) -> Option<ReplyAddress<'_>> {
    let local = to.trim().trim_start_matches('<').split('@').next()?;
    let (prefix, token) = local.split_once('+')?;
    if token.is_empty() {
        return None;
    }
    match prefix.to_ascii_lowercase().as_str() {
        "reply" => Some(ReplyAddress::Visitor(token)),
        "team" => Some(ReplyAddress::Team(token)),
        _ => None,
    }
}

/// A header's value (unfolded), the first of its name (any case).
pub fn header(raw: &str, name: &str) -> Option<String> {
    let (head, _) = split_head(raw);
    headers(head).into_iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

/// What the sender wrote above what they quoted, if the message has readable text.
pub fn reply_text(raw: &str) -> Option<String> {
    let text = part_text(raw, 0)?;
    let trimmed = trim_quoted(&text);
    (!trimmed.is_empty()).then(|| trimmed.chars().take(MAX_TEXT).collect())
}

fn split_head(raw: &str) -> (&str, &str) {
    let raw = raw.trim_start_matches(['\r', '\n']);
    match raw.find("\r\n\r\n").map(|i| (i, 4)).or_else(|| raw.find("\n\n").map(|i| (i, 2))) {
        Some((i, n)) => (&raw[..i], &raw[i + n..]),
        None => (raw, ""),
    }
}

/// Header lines, continuation lines joined.
fn headers(head: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    out
}

/// A parameter of a header value (`boundary="x"`, `charset=utf-8`).
fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The readable text of an entity: its text/plain part, else its text/html part untagged.
fn part_text(entity: &str, depth: usize) -> Option<String> {
    let (head, body) = split_head(entity);
    let hs = headers(head);
    let get = |n: &str| hs.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.as_str());
    let kind = get("content-type").unwrap_or("text/plain");
    let mime = kind.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let encoding = get("content-transfer-encoding").unwrap_or("7bit").trim().to_ascii_lowercase();
    if mime.starts_with("multipart/") {
        if depth >= MAX_DEPTH {
            return None;
        }
        let boundary = param(kind, "boundary")?;
        let parts = split_parts(body, &boundary);
        let plain = parts.iter().find_map(|p| {
            let (h, _) = split_head(p);
            let is_plain = headers(h)
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .is_none_or(|(_, v)| v.to_ascii_lowercase().starts_with("text/plain"));
            is_plain.then(|| part_text(p, depth + 1)).flatten()
        });
        return plain.or_else(|| parts.iter().find_map(|p| part_text(p, depth + 1)));
    }
    let bytes = match encoding.as_str() {
        "quoted-printable" => decode_qp(body),
        "base64" => {
            let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD.decode(clean).ok()?
        }
        _ => body.as_bytes().to_vec(),
    };
    let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
    match mime.as_str() {
        "text/plain" => Some(text),
        "text/html" => Some(untag(&text)),
        _ => None,
    }
}

/// The parts of a multipart body between `--boundary` lines.
fn split_parts<'a>(body: &'a str, boundary: &str) -> Vec<&'a str> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    // Skip the preamble.
    let Some(start) = rest.find(&delimiter) else { return parts };
    rest = &rest[start + delimiter.len()..];
    while !rest.starts_with("--") {
        let Some(end) = rest.find(&delimiter) else { break };
        parts.push(rest[..end].trim_start_matches(['\r', '\n']).trim_end_matches(['\r', '\n']));
        rest = &rest[end + delimiter.len()..];
    }
    parts
}

fn decode_qp(body: &str) -> Vec<u8> {
    let joined = body.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// HTML as text: tags dropped (block ends become line breaks), the usual entities decoded.
fn untag(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name = tag.trim_start_matches('/').split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                if matches!(name.as_str(), "br" | "p" | "div" | "blockquote" | "li" | "tr") {
                    out.push('\n');
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    out.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

/// The new text of a reply: everything above the first line that starts the quoted history (a
/// `>` line, an "On … wrote:" line in the four languages, possibly wrapped onto the next line,
/// an Outlook header block) or the signature (`-- `), trimmed.
fn trim_quoted(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let attribution = |l: &str| {
        let l = l.trim().to_lowercase();
        l.ends_with(':') && ["wrote", "schrieb", "a écrit", "escribió"].iter().any(|w| l.contains(w))
    };
    let opens = |l: &str| {
        let l = l.trim().to_lowercase();
        ["on ", "am ", "le ", "el "].iter().any(|p| l.starts_with(p))
    };
    let end = (0..lines.len())
        .find(|&i| {
            let line = lines[i];
            let t = line.trim();
            let lower = t.to_lowercase();
            t.starts_with('>')
                || line == "-- "
                || t == "--"
                || lower.starts_with("-----original message-----")
                || (lower.starts_with("from:") && lower.contains('@'))
                || (opens(t) && (attribution(t) || lines.get(i + 1).is_some_and(|next| attribution(next))))
        })
        .unwrap_or(lines.len());
    lines[..end].join("\n").trim().to_owned()
}

#[cfg(test)]
mod tests;
