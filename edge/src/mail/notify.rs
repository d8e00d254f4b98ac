//! The digest an agent receives about visitors waiting for an answer: which conversations, the
//! latest message of each, a link to the inbox, and a one-click unsubscribe.

use super::mime::{readable_time, Mail};
use super::Body;
use crate::workspace::logic::notify::Digest;

/// Where the digest's links point and who sends it.
pub struct Links<'a> {
    /// `MAIL_FROM`.
    pub from: &'a str,
    /// The edge's public origin (`PUBLIC_ORIGIN`).
    pub origin: &'a str,
    /// The recipient's one-click unsubscribe token.
    pub unsubscribe_token: &'a str,
}

pub fn digest(links: &Links, digest: &Digest) -> Mail {
    let n = digest.items.len() + digest.more;
    let subject = match n {
        1 => format!("{}: a visitor is waiting for an answer", digest.workspace),
        n => format!("{}: {n} visitors are waiting for an answer", digest.workspace),
    };
    let mut paragraphs = vec![format!("Nobody has answered these visitors on {} yet:", digest.workspace)];
    for item in &digest.items {
        paragraphs.push(format!("{} · {}\n“{}”", item.visitor_name, readable_time(item.last_at), item.preview));
    }
    if digest.more > 0 {
        paragraphs.push(format!("…and {} more.", digest.more));
    }
    let inbox = format!("{}/inbox", links.origin);
    let unsubscribe = format!("{}/api/v1/mail/unsubscribe/{}", links.origin, links.unsubscribe_token);
    let body = Body {
        paragraphs,
        action: Some(("Open the inbox", &inbox)),
        footer: format!(
            "You get this email because your Provixchat account asks to hear about waiting visitors. \
             Choose when in the inbox (Account), or stop these emails: {unsubscribe}"
        ),
    };
    Mail {
        from_name: format!("{} via Provixchat", digest.workspace),
        from: links.from.into(),
        to: digest.to.as_str().into(),
        reply_to: None,
        subject,
        text: body.text(),
        html: body.html(),
        unsubscribe: Some(unsubscribe),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::logic::notify::Waiting;
    use shared::{ConversationId, Email};

    #[test]
    fn a_digest_lists_who_waits_links_the_inbox_and_unsubscribes_in_one_click() {
        let waiting = |name: &str, text: &str| Waiting {
            id: ConversationId::parse("cv_0123456789abcdefghijkl").unwrap(),
            visitor_name: name.into(),
            preview: text.into(),
            since: 1_796_576_489_000,
            last_at: 1_796_576_489_000,
        };
        let d = Digest {
            to: Email::parse("ana@example.com").unwrap(),
            workspace: "Acme <Shop>".into(),
            items: vec![waiting("Visitor 4F2A", "Is the <b>blue</b> one in stock?"), waiting("Bo", "Hello?")],
            more: 3,
        };
        let links =
            Links { from: "notifications@provixchat.test", origin: "https://chat.example", unsubscribe_token: "t.k" };
        let mail = digest(&links, &d);
        assert_eq!(mail.subject, "Acme <Shop>: 5 visitors are waiting for an answer");
        assert_eq!(mail.from_name, "Acme <Shop> via Provixchat");
        assert!(mail.text.contains("Visitor 4F2A · 6 Dec 2026, 17:01 UTC\n“Is the <b>blue</b> one in stock?”"));
        assert!(mail.text.contains("…and 3 more."));
        assert!(mail.html.contains("Is the &lt;b&gt;blue&lt;/b&gt; one in stock?"), "what a visitor typed is escaped");
        assert_eq!(mail.unsubscribe.as_deref(), Some("https://chat.example/api/v1/mail/unsubscribe/t.k"));
        assert!(mail.text.contains("https://chat.example/inbox"));
    }
}
