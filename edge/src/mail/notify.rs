//! The digest an agent receives about visitors waiting for an answer: which conversations, the
//! latest message of each with a link that opens it in the inbox and an address that answers it
//! by email, and a one-click unsubscribe.

use super::mime::{readable_time, Mail};
use super::{Body, Item};
use crate::workspace::logic::notify::Digest;
use shared::consent::Lang;

/// Where the digest's links point and who sends it.
pub struct Links<'a> {
    /// `MAIL_FROM`.
    pub from: &'a str,
    /// The edge's public origin (`PUBLIC_ORIGIN`).
    pub origin: &'a str,
    /// The recipient's one-click unsubscribe token.
    pub unsubscribe_token: &'a str,
    pub site: &'a shared::SiteId,
    /// The address that answers a conversation by email as the recipient (`team+TOKEN@…`).
    pub answer_address: &'a dyn Fn(&shared::ConversationId) -> String,
}

pub fn digest(links: &Links, digest: &Digest) -> Mail {
    let n = digest.items.len() + digest.more;
    let subject = match n {
        1 => format!("{}: a visitor is waiting for an answer", digest.workspace),
        n => format!("{}: {n} visitors are waiting for an answer", digest.workspace),
    };
    let paragraphs = vec![format!("Nobody has answered these visitors on {} yet:", digest.workspace)];
    let items = digest.items.iter().map(|item| Item {
        text: format!("{} · {}\n“{}”", item.visitor_name, readable_time(item.last_at), item.preview),
        links: vec![
            ("Open the conversation".into(), format!("{}/inbox#open={}/{}", links.origin, links.site, item.id)),
            ("Answer by email".into(), format!("mailto:{}", (links.answer_address)(&item.id))),
        ],
    });
    let mut items: Vec<Item> = items.collect();
    if digest.more > 0 {
        items.push(Item { text: format!("…and {} more.", digest.more), links: vec![] });
    }
    // About one visitor, a plain reply answers them.
    let reply_to = match digest.items.as_slice() {
        [only] if digest.more == 0 => {
            let hint = "Reply to this email to answer them: your reply reaches them as your message.";
            items.push(Item { text: hint.into(), links: vec![] });
            Some((links.answer_address)(&only.id))
        }
        _ => None,
    };
    let inbox = format!("{}/inbox", links.origin);
    let unsubscribe = format!("{}/api/v1/mail/unsubscribe/{}", links.origin, links.unsubscribe_token);
    let body = Body {
        paragraphs,
        action: Some(("Open the inbox", &inbox)),
        items,
        lang: Lang::En,
        footer: format!(
            "You get this email because your Provixchat account asks to hear about waiting visitors. \
             Choose when in the inbox (Account), or stop these emails: {unsubscribe}"
        ),
    };
    Mail {
        from_name: format!("{} via Provixchat", digest.workspace),
        from: links.from.into(),
        to: digest.to.as_str().into(),
        reply_to,
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
    use shared::{ConversationId, Email, SiteId};

    #[test]
    fn a_digest_lists_who_waits_links_each_conversation_and_unsubscribes_in_one_click() {
        let waiting = |name: &str, text: &str| Waiting {
            id: ConversationId::parse(&format!("cv_0123456789abcdefghij{}", name.len())).unwrap(),
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
        let site = SiteId::parse("acme").unwrap();
        let links = Links {
            from: "notifications@provixchat.test",
            origin: "https://chat.example",
            unsubscribe_token: "t.k",
            site: &site,
            answer_address: &|id| format!("team+{id}@provixchat.test"),
        };
        let mail = digest(&links, &d);
        assert_eq!(mail.subject, "Acme <Shop>: 5 visitors are waiting for an answer");
        assert_eq!(mail.from_name, "Acme <Shop> via Provixchat");
        assert!(mail.text.contains("Visitor 4F2A · 6 Dec 2026, 17:01 UTC\n“Is the <b>blue</b> one in stock?”"));
        assert!(mail.text.contains("…and 3 more."));
        assert!(mail.html.contains("Is the &lt;b&gt;blue&lt;/b&gt; one in stock?"), "what a visitor typed is escaped");
        assert_eq!(mail.unsubscribe.as_deref(), Some("https://chat.example/api/v1/mail/unsubscribe/t.k"));
        assert!(mail.text.contains("https://chat.example/inbox"));
        assert!(mail.text.contains(
            "Bo · 6 Dec 2026, 17:01 UTC\n“Hello?”\nOpen the conversation: \
             https://chat.example/inbox#open=acme/cv_0123456789abcdefghij2\n\
             Answer by email: team+cv_0123456789abcdefghij2@provixchat.test"
        ));
        assert!(mail.html.contains("href=\"mailto:team+cv_0123456789abcdefghij2@provixchat.test\""));
        assert_eq!(mail.reply_to, None, "a reply to a digest of several could not say whom it answers");

        let one = Digest { items: vec![waiting("Bo", "Hello?")], more: 0, ..d };
        let mail = digest(&links, &one);
        assert_eq!(mail.reply_to.as_deref(), Some("team+cv_0123456789abcdefghij2@provixchat.test"));
        assert!(mail.text.contains("Reply to this email to answer them"));
    }
}
