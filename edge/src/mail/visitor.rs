//! The mail a visitor receives when they asked for the team's replies by email: the replies they
//! have not read, from the site (named in the sender and the subject), a reply address that
//! brings their answer back into the conversation, and a one-click "stop". Nothing else: no
//! tracking, no advertising, nothing they did not ask for.

use super::mime::{readable_time, Mail};
use super::Body;
use crate::conversation::logic::email::ReplyMail;
use shared::Author;

/// Who sends and where the links point.
pub struct Links<'a> {
    /// `MAIL_FROM`; replies go to `reply+TOKEN@` its domain.
    pub from: &'a str,
    /// The edge's public origin (`PUBLIC_ORIGIN`).
    pub origin: &'a str,
    /// The conversation's reply token (`auth::reply_token`).
    pub token: &'a str,
    /// The site's name, as its workspace calls it.
    pub workspace: &'a str,
}

impl Links<'_> {
    /// The address a reply to the mail goes to.
    pub fn reply_to(&self) -> String {
        let domain = self.from.rsplit_once('@').map_or("localhost", |(_, d)| d);
        format!("reply+{}@{domain}", self.token)
    }
}

pub fn replies(links: &Links, mail: &ReplyMail) -> Mail {
    let mut paragraphs = vec![format!("{} answered your message:", links.workspace)];
    for m in &mail.messages {
        let who = match &m.author {
            Author::Agent { name } => name.as_str(),
            Author::Visitor => "You",
        };
        paragraphs.push(format!("{who} · {}\n{}", readable_time(m.at), m.body.as_str()));
    }
    paragraphs.push("Reply to this email to answer: your reply reaches the team in the same conversation.".into());
    let stop = format!("{}/api/v1/mail/stop/{}", links.origin, links.token);
    let body = Body {
        paragraphs,
        action: None,
        footer: format!(
            "You get this email because you asked {} to email you their replies. Stop these emails: {stop}",
            links.workspace
        ),
    };
    Mail {
        from_name: format!("{} via Provixchat", links.workspace),
        from: links.from.into(),
        to: mail.to.as_str().into(),
        reply_to: Some(links.reply_to()),
        subject: format!("{} replied to your message", links.workspace),
        text: body.text(),
        html: body.html(),
        unsubscribe: Some(stop),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{ChatMessage, ClientMsgId, Email, MessageBody};

    #[test]
    fn a_reply_mail_names_the_site_carries_the_replies_and_a_way_back_and_out() {
        let message = ChatMessage {
            seq: 3,
            client_id: ClientMsgId::parse("c_0123456789ab").unwrap(),
            author: Author::Agent { name: "Dana".into() },
            body: MessageBody::parse("Yes, the <blue> vase ships tomorrow.").unwrap(),
            at: 1_796_576_489_000,
            note: false,
        };
        let mail = ReplyMail { to: Email::parse("ana@example.com").unwrap(), messages: vec![message] };
        let links = Links {
            from: "notifications@provixchat.test",
            origin: "https://chat.example",
            token: "abc.def",
            workspace: "Ceramics Studio",
        };
        let m = replies(&links, &mail);
        assert_eq!(m.subject, "Ceramics Studio replied to your message");
        assert_eq!(m.from_name, "Ceramics Studio via Provixchat");
        assert_eq!(m.reply_to.as_deref(), Some("reply+abc.def@provixchat.test"));
        assert_eq!(m.unsubscribe.as_deref(), Some("https://chat.example/api/v1/mail/stop/abc.def"));
        assert!(m.text.contains("Dana · 6 Dec 2026, 17:01 UTC\nYes, the <blue> vase ships tomorrow."));
        assert!(m.html.contains("Yes, the &lt;blue&gt; vase"));
    }
}
