//! The mail a visitor receives when they asked for it, in their language: the team's replies
//! they have not read, or the transcript of a resolved conversation. From the site (named in the
//! sender and the subject), with a reply address that brings their answer back into the
//! conversation and a one-click "stop". Nothing else: no tracking, no advertising, nothing they
//! did not ask for.

use super::mime::{readable_time_in, Mail};
use super::Body;
use crate::conversation::logic::email::ReplyMail;
use shared::consent::Lang;
use shared::Author;

/// Who sends, where the links point, and in which language.
pub struct Links<'a> {
    /// `MAIL_FROM`; replies go to `reply+TOKEN@` its domain.
    pub from: &'a str,
    /// The edge's public origin (`PUBLIC_ORIGIN`).
    pub origin: &'a str,
    /// The conversation's reply token (`auth::reply_token`).
    pub token: &'a str,
    /// The site's name, as its workspace calls it.
    pub workspace: &'a str,
    pub lang: Lang,
}

impl Links<'_> {
    /// The address a reply to the mail goes to.
    pub fn reply_to(&self) -> String {
        format!("reply+{}@{}", self.token, super::domain_of(self.from))
    }

    /// The one-click "stop" (its page speaks the mail's language).
    fn stop(&self) -> String {
        format!("{}/api/v1/mail/stop/{}?lang={}", self.origin, self.token, self.lang.code())
    }
}

/// Provixchat's words in a visitor's mail and on its "stop" page, in one language. `{site}` is the
/// site's name, `{stop}` the stop link.
pub struct Words {
    pub replies_subject: &'static str,
    pub replies_intro: &'static str,
    pub replies_footer: &'static str,
    pub transcript_subject: &'static str,
    pub transcript_intro: &'static str,
    pub transcript_footer: &'static str,
    /// The visitor, as the author of their own messages.
    pub you: &'static str,
    pub answer_hint: &'static str,
    pub stop_title: &'static str,
    pub stop_question: &'static str,
    pub stop_button: &'static str,
    pub stop_done: &'static str,
}

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::De => &DE,
        Lang::Fr => &FR,
        Lang::Es => &ES,
    }
}

static EN: Words = Words {
    replies_subject: "{site} replied to your message",
    replies_intro: "{site} answered your message:",
    replies_footer: "You get this email because you asked {site} to email you their replies. Stop these emails: {stop}",
    transcript_subject: "Your conversation with {site}",
    transcript_intro: "Here is your conversation with {site}, as you asked:",
    transcript_footer: "You get this email because you asked {site} for a transcript of your conversation. \
                        Stop these emails: {stop}",
    you: "You",
    answer_hint: "Reply to this email to answer: your reply reaches the team in the same conversation.",
    stop_title: "Emails about your conversation",
    stop_question: "Stop the emails about your conversation with this site?",
    stop_button: "Stop these emails",
    stop_done: "Done: this conversation will email you nothing more.",
};

static DE: Words = Words {
    replies_subject: "{site} hat auf Ihre Nachricht geantwortet",
    replies_intro: "{site} hat auf Ihre Nachricht geantwortet:",
    replies_footer: "Sie erhalten diese E-Mail, weil Sie {site} gebeten haben, Ihnen die Antworten zu mailen. \
                     Diese E-Mails abbestellen: {stop}",
    transcript_subject: "Ihr Gespräch mit {site}",
    transcript_intro: "Hier ist Ihr Gespräch mit {site}, wie gewünscht:",
    transcript_footer: "Sie erhalten diese E-Mail, weil Sie {site} um ein Protokoll Ihres Gesprächs gebeten haben. \
                        Diese E-Mails abbestellen: {stop}",
    you: "Sie",
    answer_hint: "Antworten Sie einfach auf diese E-Mail: Ihre Antwort erreicht das Team im selben Gespräch.",
    stop_title: "E-Mails zu Ihrem Gespräch",
    stop_question: "Keine E-Mails mehr zu Ihrem Gespräch mit dieser Website erhalten?",
    stop_button: "Diese E-Mails abbestellen",
    stop_done: "Erledigt: Zu diesem Gespräch erhalten Sie keine E-Mails mehr.",
};

static FR: Words = Words {
    replies_subject: "{site} a répondu à votre message",
    replies_intro: "{site} a répondu à votre message :",
    replies_footer: "Vous recevez cet e-mail car vous avez demandé à {site} de vous envoyer ses réponses par \
                     e-mail. Ne plus recevoir ces e-mails : {stop}",
    transcript_subject: "Votre conversation avec {site}",
    transcript_intro: "Voici votre conversation avec {site}, comme demandé :",
    transcript_footer: "Vous recevez cet e-mail car vous avez demandé à {site} une transcription de votre \
                        conversation. Ne plus recevoir ces e-mails : {stop}",
    you: "Vous",
    answer_hint: "Répondez à cet e-mail : votre réponse parvient à l'équipe dans la même conversation.",
    stop_title: "E-mails sur votre conversation",
    stop_question: "Ne plus recevoir d'e-mails sur votre conversation avec ce site ?",
    stop_button: "Ne plus recevoir ces e-mails",
    stop_done: "C'est fait : cette conversation ne vous enverra plus d'e-mails.",
};

static ES: Words = Words {
    replies_subject: "{site} ha respondido a tu mensaje",
    replies_intro: "{site} ha respondido a tu mensaje:",
    replies_footer: "Recibes este correo porque pediste a {site} que te enviara sus respuestas por correo. \
                     Dejar de recibir estos correos: {stop}",
    transcript_subject: "Tu conversación con {site}",
    transcript_intro: "Aquí tienes tu conversación con {site}, como pediste:",
    transcript_footer: "Recibes este correo porque pediste a {site} una transcripción de tu conversación. \
                        Dejar de recibir estos correos: {stop}",
    you: "Tú",
    answer_hint: "Responde a este correo: tu respuesta llega al equipo en la misma conversación.",
    stop_title: "Correos sobre tu conversación",
    stop_question: "¿Dejar de recibir correos sobre tu conversación con este sitio?",
    stop_button: "Dejar de recibir estos correos",
    stop_done: "Hecho: esta conversación no te enviará más correos.",
};

/// The replies the visitor has not read.
pub fn replies(links: &Links, mail: &ReplyMail) -> Mail {
    let w = words(links.lang);
    visitor_mail(links, mail, w.replies_subject, w.replies_intro, w.replies_footer)
}

/// The whole conversation, once resolved.
pub fn transcript(links: &Links, mail: &ReplyMail) -> Mail {
    let w = words(links.lang);
    visitor_mail(links, mail, w.transcript_subject, w.transcript_intro, w.transcript_footer)
}

fn visitor_mail(links: &Links, mail: &ReplyMail, subject: &str, intro: &str, footer: &str) -> Mail {
    let w = words(links.lang);
    let fill = |text: &str| text.replace("{site}", links.workspace).replace("{stop}", &links.stop());
    let mut paragraphs = vec![fill(intro)];
    for m in &mail.messages {
        let who = match &m.author {
            Author::Agent { name } => name.as_str(),
            Author::Visitor => w.you,
        };
        paragraphs.push(format!("{who} · {}\n{}", readable_time_in(m.at, links.lang), m.body.as_str()));
    }
    paragraphs.push(w.answer_hint.into());
    let body = Body { paragraphs, items: vec![], action: None, footer: fill(footer), lang: links.lang };
    Mail {
        from_name: format!("{} via Provixchat", links.workspace),
        from: links.from.into(),
        to: mail.to.as_str().into(),
        reply_to: Some(links.reply_to()),
        subject: fill(subject),
        text: body.text(),
        html: body.html(),
        unsubscribe: Some(links.stop()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{ChatMessage, ClientMsgId, Email, MessageBody};

    fn message(seq: u64, author: Author, body: &str) -> ChatMessage {
        ChatMessage {
            seq,
            client_id: ClientMsgId::parse(&format!("c_{seq:012}")).unwrap(),
            author,
            body: MessageBody::parse(body).unwrap(),
            at: 1_796_576_489_000,
            note: false,
            file: None,
        }
    }

    fn links(lang: Lang) -> Links<'static> {
        Links {
            from: "notifications@provixchat.test",
            origin: "https://chat.example",
            token: "abc.def",
            workspace: "Ceramics Studio",
            lang,
        }
    }

    #[test]
    fn a_reply_mail_names_the_site_carries_the_replies_and_a_way_back_and_out() {
        let dana = Author::Agent { name: "Dana".into() };
        let mail = ReplyMail {
            to: Email::parse("ana@example.com").unwrap(),
            messages: vec![message(3, dana, "Yes, the <blue> vase ships tomorrow.")],
            lang: None,
        };
        let m = replies(&links(Lang::En), &mail);
        assert_eq!(m.subject, "Ceramics Studio replied to your message");
        assert_eq!(m.from_name, "Ceramics Studio via Provixchat");
        assert_eq!(m.reply_to.as_deref(), Some("reply+abc.def@provixchat.test"));
        assert_eq!(m.unsubscribe.as_deref(), Some("https://chat.example/api/v1/mail/stop/abc.def?lang=en"));
        assert!(m.text.contains("Dana · 6 Dec 2026, 17:01 UTC\nYes, the <blue> vase ships tomorrow."));
        assert!(m.html.contains("Yes, the &lt;blue&gt; vase"));
    }

    #[test]
    fn a_transcript_carries_both_sides_in_the_visitors_language() {
        let mail = ReplyMail {
            to: Email::parse("ana@example.com").unwrap(),
            messages: vec![
                message(1, Author::Visitor, "Ist die Vase vorrätig?"),
                message(2, Author::Agent { name: "Dana".into() }, "Ja."),
            ],
            lang: Some(Lang::De),
        };
        let m = transcript(&links(Lang::De), &mail);
        assert_eq!(m.subject, "Ihr Gespräch mit Ceramics Studio");
        assert!(m.text.starts_with("Hier ist Ihr Gespräch mit Ceramics Studio, wie gewünscht:"), "{}", m.text);
        assert!(m.text.contains("Sie · 6. Dez. 2026, 17:01 UTC\nIst die Vase vorrätig?"), "{}", m.text);
        assert!(m.text.contains("Dana · 6. Dez. 2026, 17:01 UTC\nJa."));
        assert!(m.text.contains("abbestellen: https://chat.example/api/v1/mail/stop/abc.def?lang=de"));
        assert!(m.html.starts_with("<!doctype html><html lang=\"de\">"));
    }

    #[test]
    fn every_language_fills_every_text_with_the_site_and_the_stop_link() {
        for lang in Lang::ALL {
            let w = words(lang);
            for text in [w.replies_subject, w.replies_intro, w.transcript_subject, w.transcript_intro] {
                assert!(text.contains("{site}"), "{lang:?}: {text}");
            }
            for text in [w.replies_footer, w.transcript_footer] {
                assert!(text.contains("{site}") && text.contains("{stop}"), "{lang:?}: {text}");
            }
            for text in [w.you, w.answer_hint, w.stop_title, w.stop_question, w.stop_button, w.stop_done] {
                assert!(!text.trim().is_empty(), "{lang:?}");
            }
        }
    }
}
