//! One outgoing email as the `send_email` binding takes it: an RFC 5322 message with a plain-text
//! and an HTML part (multipart/alternative), quoted-printable so any language survives 7-bit
//! transport and the text stays readable in a raw dump. Pure: the id and the time come in.

use shared::consent::Lang;

/// An email ready to be written out. Header values are cleaned of line breaks when written, so
/// nothing a visitor or agent typed can add a header.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mail {
    /// The sender's display name ("Acme via Provixchat").
    pub from_name: String,
    /// The sender's address (the deployment's `MAIL_FROM`).
    pub from: String,
    pub to: String,
    /// Where replies go, when they should come back to us (a signed address).
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// A one-click unsubscribe URL (RFC 8058): List-Unsubscribe and List-Unsubscribe-Post.
    pub unsubscribe: Option<String>,
}

/// The message, CRLF line ends throughout. `id` is unique per message (a random token);
/// `now` (ms since the epoch) is its Date.
pub fn render(mail: &Mail, id: &str, now: i64) -> String {
    let domain = mail.from.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let boundary = format!("=_pvx_{id}");
    let mut out = String::new();
    let mut header = |name: &str, value: &str| {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push_str("\r\n");
    };
    header("From", &mailbox(&mail.from_name, &mail.from));
    header("To", &clean(&mail.to));
    if let Some(reply_to) = &mail.reply_to {
        header("Reply-To", &clean(reply_to));
    }
    header("Subject", &encode_words(&mail.subject));
    header("Date", &rfc5322_date(now));
    header("Message-ID", &format!("<{}@{}>", clean(id), clean(domain)));
    if let Some(url) = &mail.unsubscribe {
        header("List-Unsubscribe", &format!("<{}>", clean(url)));
        header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    }
    // Automated mail: no out-of-office replies back to us (RFC 3834).
    header("Auto-Submitted", "auto-generated");
    header("MIME-Version", "1.0");
    header("Content-Type", &format!("multipart/alternative; boundary=\"{boundary}\""));
    out.push_str("\r\n");
    for (kind, body) in [("text/plain", &mail.text), ("text/html", &mail.html)] {
        out.push_str(&format!("--{boundary}\r\n"));
        out.push_str(&format!("Content-Type: {kind}; charset=utf-8\r\n"));
        out.push_str("Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        out.push_str(&quoted_printable(body));
        out.push_str("\r\n");
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

/// A header value on one line: line breaks (and other controls) become spaces.
fn clean(value: &str) -> String {
    value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// `"Name" <address>`, the name encoded when it is not plain ASCII.
fn mailbox(name: &str, address: &str) -> String {
    let name = clean(name);
    let address = clean(address);
    if name.is_empty() {
        return address;
    }
    if name.is_ascii() {
        let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{quoted}\" <{address}>")
    } else {
        format!("{} <{address}>", encode_words(&name))
    }
}

/// A header text as is when it is ASCII, else as RFC 2047 encoded words (base64, UTF-8), each at
/// most 75 characters and never splitting a character, folded onto continuation lines.
fn encode_words(text: &str) -> String {
    use base64::Engine;
    let text = clean(text);
    if text.is_ascii() {
        return text;
    }
    // 45 bytes of UTF-8 → 60 characters of base64 + 12 of `=?UTF-8?B?…?=`: 72, under 75.
    const MAX_BYTES: usize = 45;
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > MAX_BYTES {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    words.push(chunk);
    words
        .iter()
        .map(|w| format!("=?UTF-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(w)))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// Quoted-printable (RFC 2045 §6.7): CRLF line ends, lines of at most 76 characters with soft
/// breaks that never split an `=XX`, and a space or tab before a line end encoded.
fn quoted_printable(text: &str) -> String {
    let normalised = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(normalised.len() + normalised.len() / 8);
    for (i, line) in normalised.split('\n').enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        let bytes = line.as_bytes();
        let mut width = 0;
        for (j, &b) in bytes.iter().enumerate() {
            let last = j + 1 == bytes.len();
            let literal = (b == b' ' || b == b'\t') && !last || (33..=126).contains(&b) && b != b'=';
            let piece = if literal { (b as char).to_string() } else { format!("={b:02X}") };
            // Keep room for the soft break's `=`.
            if width + piece.len() > 75 {
                out.push_str("=\r\n");
                width = 0;
            }
            width += piece.len();
            out.push_str(&piece);
        }
    }
    out
}

/// `Sun, 06 Dec 2026 17:01:29 +0000`.
pub fn rfc5322_date(now: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let secs = now.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{}, {d:02} {} {y} {:02}:{:02}:{:02} +0000",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `6 Dec 2026, 17:01 UTC`: a time as a mail's reader reads it.
pub fn readable_time(now: i64) -> String {
    readable_time_in(now, Lang::En)
}

/// A time as a reader of `lang` writes it: `6 Dec 2026`, `6. Dez. 2026`, `6 déc. 2026`,
/// `6 dic 2026`, with a 24-hour UTC time (the visitor's time zone is not kept for mail).
pub fn readable_time_in(now: i64, lang: Lang) -> String {
    let (months, day_dot) = match lang {
        Lang::En => (["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], ""),
        Lang::De => {
            (["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."], ".")
        }
        Lang::Fr => {
            (["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."], "")
        }
        Lang::Es => (["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"], ""),
    };
    let secs = now.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!("{d}{day_dot} {} {y}, {:02}:{:02} UTC", months[(m - 1) as usize], rem / 3600, rem % 3600 / 60)
}

/// Year, month (1–12) and day of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> Mail {
        Mail {
            from_name: "Acme via Provixchat".into(),
            from: "notifications@provixchat.test".into(),
            to: "ana@example.com".into(),
            reply_to: None,
            subject: "Reset your password".into(),
            text: "Hello".into(),
            html: "<p>Hello</p>".into(),
            unsubscribe: None,
        }
    }

    /// Decodes quoted-printable the way a mail reader does (for the round trips below).
    fn decode_qp(text: &str) -> String {
        let joined = text.replace("=\r\n", "").replace("\r\n", "\n");
        let bytes = joined.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' {
                out.push(u8::from_str_radix(&joined[i + 1..i + 3], 16).expect("hex"));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn dates_follow_rfc_5322() {
        assert_eq!(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc5322_date(1_796_576_489_000), "Sun, 06 Dec 2026 17:01:29 +0000");
        assert_eq!(rfc5322_date(951_782_400_000), "Tue, 29 Feb 2000 00:00:00 +0000");
        assert_eq!(readable_time(1_796_576_489_000), "6 Dec 2026, 17:01 UTC");
        assert_eq!(readable_time_in(1_796_576_489_000, Lang::De), "6. Dez. 2026, 17:01 UTC");
        assert_eq!(readable_time_in(1_772_366_400_000, Lang::Fr), "1 mars 2026, 12:00 UTC");
        assert_eq!(readable_time_in(1_772_366_400_000, Lang::Es), "1 mar 2026, 12:00 UTC");
    }

    #[test]
    fn quoted_printable_round_trips_any_text_in_short_lines() {
        let texts = [
            "plain",
            "Grüße aus Köln — 100 % = sicher",
            "trailing space \nand tab\t\nend",
            &"é".repeat(200),
            &"a=b ".repeat(60),
            "line one\r\nline two\n\nafter a blank line",
        ];
        for text in texts {
            let encoded = quoted_printable(text);
            assert!(encoded.is_ascii());
            assert!(encoded.split("\r\n").all(|l| l.len() <= 76), "{encoded}");
            assert!(!encoded.split("\r\n").any(|l| l.ends_with(' ') || l.ends_with('\t')));
            assert_eq!(decode_qp(&encoded), text.replace("\r\n", "\n"), "{text}");
        }
    }

    #[test]
    fn non_ascii_headers_become_encoded_words_that_never_split_a_character() {
        let subject = "Réinitialisez votre mot de passe — ünïcödé ".repeat(3);
        let encoded = encode_words(&subject);
        use base64::Engine;
        let decoded: String = encoded
            .split("\r\n ")
            .map(|w| {
                assert!(w.len() <= 75, "{w}");
                let b64 = w.strip_prefix("=?UTF-8?B?").and_then(|w| w.strip_suffix("?=")).expect("a word");
                String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).expect("b64")).expect("utf-8")
            })
            .collect();
        assert_eq!(decoded, subject);
        assert_eq!(encode_words("Plain subject"), "Plain subject");
    }

    #[test]
    fn nothing_typed_can_add_a_header() {
        let mut m = mail();
        m.subject = "Hi\r\nBcc: victim@example.com".into();
        m.from_name = "Acme\"\r\nX-Evil: 1".into();
        let raw = render(&m, "abc", 0);
        let head = raw.split("\r\n\r\n").next().expect("headers");
        assert!(!head.lines().any(|l| l.starts_with("Bcc") || l.starts_with("X-Evil")), "{head}");
        assert!(head.contains("From: \"Acme\\\"  X-Evil: 1\" <notifications@provixchat.test>"), "{head}");
    }

    #[test]
    fn a_message_has_what_mail_readers_and_the_binding_need() {
        let mut m = mail();
        m.reply_to = Some("r+abc@provixchat.test".into());
        m.unsubscribe = Some("https://chat.example/api/mail/unsubscribe/t".into());
        let raw = render(&m, "abc", 0);
        for line in [
            "From: \"Acme via Provixchat\" <notifications@provixchat.test>",
            "To: ana@example.com",
            "Reply-To: r+abc@provixchat.test",
            "Message-ID: <abc@provixchat.test>",
            "List-Unsubscribe: <https://chat.example/api/mail/unsubscribe/t>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "Content-Type: multipart/alternative; boundary=\"=_pvx_abc\"",
        ] {
            assert!(raw.contains(&format!("{line}\r\n")), "{line} in {raw}");
        }
        assert!(raw.ends_with("--=_pvx_abc--\r\n"));
        assert_eq!(raw.matches("--=_pvx_abc\r\n").count(), 2);
        assert!(!raw.contains("List-Unsubscribe") || m.unsubscribe.is_some());
        assert!(!render(&mail(), "x", 0).contains("List-Unsubscribe"));
    }
}
