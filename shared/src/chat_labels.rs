//! Provixchat's own words in the chat panel — header, messages, composer, the pre-chat and offline
//! forms — in every banner language: one table per language, which the edge sends the widget with
//! the visitor's session (in the language the banner would speak to them). The widget embeds only
//! the English one, shown until the session answers; the inbox shows English.
//!
//! `{name}`, `{email}`, `{who}`, `{why}`, `{s}`, `{over}` and `{max}` are filled in where shown.

use crate::consent::Lang;
use crate::consent_labels::{t, Label};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatLabels {
    /// The panel's name for screen readers: "Chat with {name}".
    pub chat_with: Label,
    pub online: Label,
    pub away: Label,
    pub connecting: Label,
    pub reconnecting: Label,
    pub ended: Label,
    pub privacy: Label,
    pub close_chat: Label,
    /// "We'll reply to {email}."
    pub reply_to: Label,
    // The message list.
    pub messages: Label,
    pub you: Label,
    pub visitor: Label,
    pub sending: Label,
    pub sent: Label,
    pub seen: Label,
    /// "Not sent: {why}"
    pub not_sent: Label,
    /// "Sending in {s} s (you're writing quickly)"
    pub waiting: Label,
    /// "{who} is typing…"
    pub typing: Label,
    /// What screen readers hear when the viewer's newest message was stored, read, or refused
    /// ("{why}"); worded apart from the words under the message, which say it to the eye.
    pub said_sent: Label,
    pub said_seen: Label,
    pub said_failed: Label,
    // The composer.
    pub message: Label,
    pub placeholder: Label,
    pub send: Label,
    /// The composer's button to attach a file.
    pub attach: Label,
    pub keys: Label,
    /// "{over} characters over the {max}-character limit"
    pub over_limit: Label,
    // The pre-chat and offline forms.
    pub before_we_start: Label,
    pub your_name: Label,
    pub your_email: Label,
    pub email_replies: Label,
    pub email_transcript: Label,
    pub start_chat: Label,
    pub skip: Label,
    pub save_email: Label,
    pub need_name: Label,
    pub need_email: Label,
    pub bad_email: Label,
    pub long_name: Label,
    pub mail_needs_email: Label,
    /// The disclosure that offers both mails while the chat is live.
    pub mail_options: Label,
}

impl ChatLabels {
    /// The English words, the widget's until the session brings the visitor's, and the inbox's.
    pub fn english() -> &'static ChatLabels {
        &EN
    }

    pub fn of(lang: Lang) -> &'static ChatLabels {
        match lang {
            Lang::En => &EN,
            Lang::De => &DE,
            Lang::Fr => &FR,
            Lang::Es => &ES,
        }
    }

    /// Every label in declaration order, for completeness checks and the JSON decoder.
    pub fn all(&self) -> [&Label; 41] {
        [
            &self.chat_with,
            &self.online,
            &self.away,
            &self.connecting,
            &self.reconnecting,
            &self.ended,
            &self.privacy,
            &self.close_chat,
            &self.reply_to,
            &self.messages,
            &self.you,
            &self.visitor,
            &self.sending,
            &self.sent,
            &self.seen,
            &self.not_sent,
            &self.waiting,
            &self.typing,
            &self.said_sent,
            &self.said_seen,
            &self.said_failed,
            &self.message,
            &self.placeholder,
            &self.send,
            &self.attach,
            &self.keys,
            &self.over_limit,
            &self.before_we_start,
            &self.your_name,
            &self.your_email,
            &self.email_replies,
            &self.email_transcript,
            &self.start_chat,
            &self.skip,
            &self.save_email,
            &self.need_name,
            &self.need_email,
            &self.bad_email,
            &self.long_name,
            &self.mail_needs_email,
            &self.mail_options,
        ]
    }

    /// The labels in the order of [`Self::all`]; `None` unless there are exactly as many.
    pub fn from_list(list: Vec<Label>) -> Option<ChatLabels> {
        let [chat_with, online, away, connecting, reconnecting, ended, privacy, close_chat, reply_to, messages, you, visitor, sending, sent, seen, not_sent, waiting, typing, said_sent, said_seen, said_failed, message, placeholder, send, attach, keys, over_limit, before_we_start, your_name, your_email, email_replies, email_transcript, start_chat, skip, save_email, need_name, need_email, bad_email, long_name, mail_needs_email, mail_options] =
            <[Label; 41]>::try_from(list).ok()?;
        Some(ChatLabels {
            chat_with,
            online,
            away,
            connecting,
            reconnecting,
            ended,
            privacy,
            close_chat,
            reply_to,
            messages,
            you,
            visitor,
            sending,
            sent,
            seen,
            not_sent,
            waiting,
            typing,
            said_sent,
            said_seen,
            said_failed,
            message,
            placeholder,
            send,
            attach,
            keys,
            over_limit,
            before_we_start,
            your_name,
            your_email,
            email_replies,
            email_transcript,
            start_chat,
            skip,
            save_email,
            need_name,
            need_email,
            bad_email,
            long_name,
            mail_needs_email,
            mail_options,
        })
    }
}

static EN: ChatLabels = ChatLabels {
    chat_with: t("Chat with {name}"),
    online: t("Online"),
    away: t("Away"),
    connecting: t("Connecting…"),
    reconnecting: t("Reconnecting…"),
    ended: t("Conversation ended"),
    privacy: t("Privacy choices"),
    close_chat: t("Close chat"),
    reply_to: t("We'll reply to {email}."),
    messages: t("Messages"),
    you: t("You"),
    visitor: t("Visitor"),
    sending: t("Sending…"),
    sent: t("Sent"),
    seen: t("Seen"),
    not_sent: t("Not sent: {why}"),
    waiting: t("Sending in {s} s (you're writing quickly)"),
    typing: t("{who} is typing…"),
    said_sent: t("Your message was sent"),
    said_seen: t("Your message was seen"),
    said_failed: t("Your message was not sent: {why}"),
    message: t("Message"),
    placeholder: t("Write a message…"),
    send: t("Send"),
    attach: t("Attach a file"),
    keys: t("Enter to send · Shift+Enter for a new line"),
    over_limit: t("{over} characters over the {max}-character limit"),
    before_we_start: t("Before we start"),
    your_name: t("Your name"),
    your_email: t("Your email"),
    email_replies: t("Email me the replies"),
    email_transcript: t("Email me a transcript"),
    start_chat: t("Start chat"),
    skip: t("Skip"),
    save_email: t("Save email"),
    need_name: t("Please enter your name."),
    need_email: t("Please enter your email."),
    bad_email: t("Please enter an email address like name@example.com."),
    long_name: t("Your name can have up to 80 characters."),
    mail_needs_email: t("Enter your email to get these emails."),
    mail_options: t("Email me the replies or a transcript"),
};

/// The inbox's words in the chat components it shares with the widget (the message list and the
/// composer), in English: only the labels those components read, and none of the widget's own
/// forms, so the inbox carries these strings and not the widget's whole table (about 0.3 KB gzip).
/// Every word here is the English table's (tested).
static AGENT: ChatLabels = ChatLabels {
    chat_with: t(""),
    online: t("Online"),
    away: t(""),
    connecting: t(""),
    reconnecting: t(""),
    ended: t(""),
    privacy: t(""),
    close_chat: t(""),
    reply_to: t(""),
    messages: t("Messages"),
    you: t("You"),
    visitor: t("Visitor"),
    sending: t("Sending…"),
    sent: t("Sent"),
    seen: t("Seen"),
    not_sent: t("Not sent: {why}"),
    waiting: t("Sending in {s} s (you're writing quickly)"),
    typing: t("{who} is typing…"),
    said_sent: t("Your message was sent"),
    said_seen: t("Your message was seen"),
    said_failed: t("Your message was not sent: {why}"),
    message: t("Message"),
    placeholder: t("Write a message…"),
    send: t("Send"),
    attach: t("Attach a file"),
    keys: t("Enter to send · Shift+Enter for a new line"),
    over_limit: t("{over} characters over the {max}-character limit"),
    before_we_start: t(""),
    your_name: t(""),
    your_email: t(""),
    email_replies: t(""),
    email_transcript: t(""),
    start_chat: t(""),
    skip: t(""),
    save_email: t(""),
    need_name: t(""),
    need_email: t(""),
    bad_email: t(""),
    long_name: t(""),
    mail_needs_email: t(""),
    mail_options: t(""),
};

static DE: ChatLabels = ChatLabels {
    chat_with: t("Chat mit {name}"),
    online: t("Online"),
    away: t("Abwesend"),
    connecting: t("Verbindung wird hergestellt…"),
    reconnecting: t("Verbindung wird wiederhergestellt…"),
    ended: t("Gespräch beendet"),
    privacy: t("Datenschutz-Einstellungen"),
    close_chat: t("Chat schließen"),
    reply_to: t("Wir antworten an {email}."),
    messages: t("Nachrichten"),
    you: t("Sie"),
    visitor: t("Besucher"),
    sending: t("Wird gesendet…"),
    sent: t("Gesendet"),
    seen: t("Gelesen"),
    not_sent: t("Nicht gesendet: {why}"),
    waiting: t("Wird in {s} s gesendet (Sie schreiben sehr schnell)"),
    typing: t("{who} schreibt…"),
    said_sent: t("Ihre Nachricht wurde gesendet"),
    said_seen: t("Ihre Nachricht wurde gelesen"),
    said_failed: t("Ihre Nachricht wurde nicht gesendet: {why}"),
    message: t("Nachricht"),
    placeholder: t("Nachricht schreiben…"),
    send: t("Senden"),
    attach: t("Datei anhängen"),
    keys: t("Enter zum Senden · Umschalt+Enter für eine neue Zeile"),
    over_limit: t("{over} Zeichen über der Grenze von {max} Zeichen"),
    before_we_start: t("Bevor es losgeht"),
    your_name: t("Ihr Name"),
    your_email: t("Ihre E-Mail-Adresse"),
    email_replies: t("Antworten per E-Mail erhalten"),
    email_transcript: t("Gesprächsprotokoll per E-Mail erhalten"),
    start_chat: t("Chat starten"),
    skip: t("Überspringen"),
    save_email: t("E-Mail speichern"),
    need_name: t("Bitte geben Sie Ihren Namen ein."),
    need_email: t("Bitte geben Sie Ihre E-Mail-Adresse ein."),
    bad_email: t("Bitte geben Sie eine E-Mail-Adresse wie name@example.com ein."),
    long_name: t("Ihr Name darf höchstens 80 Zeichen lang sein."),
    mail_needs_email: t("Geben Sie Ihre E-Mail-Adresse ein, um diese E-Mails zu erhalten."),
    mail_options: t("Antworten oder Protokoll per E-Mail"),
};

static FR: ChatLabels = ChatLabels {
    chat_with: t("Discussion avec {name}"),
    online: t("En ligne"),
    away: t("Absent"),
    connecting: t("Connexion…"),
    reconnecting: t("Reconnexion…"),
    ended: t("Conversation terminée"),
    privacy: t("Choix de confidentialité"),
    close_chat: t("Fermer la discussion"),
    reply_to: t("Nous répondrons à {email}."),
    messages: t("Messages"),
    you: t("Vous"),
    visitor: t("Visiteur"),
    sending: t("Envoi…"),
    sent: t("Envoyé"),
    seen: t("Lu"),
    not_sent: t("Non envoyé : {why}"),
    waiting: t("Envoi dans {s} s (vous écrivez vite)"),
    typing: t("{who} écrit…"),
    said_sent: t("Votre message a été envoyé"),
    said_seen: t("Votre message a été lu"),
    said_failed: t("Votre message n’a pas été envoyé : {why}"),
    message: t("Message"),
    placeholder: t("Écrivez un message…"),
    send: t("Envoyer"),
    attach: t("Joindre un fichier"),
    keys: t("Entrée pour envoyer · Maj+Entrée pour aller à la ligne"),
    over_limit: t("{over} caractères au-delà de la limite de {max} caractères"),
    before_we_start: t("Avant de commencer"),
    your_name: t("Votre nom"),
    your_email: t("Votre e-mail"),
    email_replies: t("Recevoir les réponses par e-mail"),
    email_transcript: t("Recevoir la transcription par e-mail"),
    start_chat: t("Démarrer la discussion"),
    skip: t("Passer"),
    save_email: t("Enregistrer l'e-mail"),
    need_name: t("Veuillez saisir votre nom."),
    need_email: t("Veuillez saisir votre e-mail."),
    bad_email: t("Veuillez saisir une adresse e-mail comme nom@exemple.fr."),
    long_name: t("Votre nom peut compter jusqu'à 80 caractères."),
    mail_needs_email: t("Saisissez votre e-mail pour recevoir ces e-mails."),
    mail_options: t("Réponses ou transcription par e-mail"),
};

static ES: ChatLabels = ChatLabels {
    chat_with: t("Chat con {name}"),
    online: t("En línea"),
    away: t("Ausente"),
    connecting: t("Conectando…"),
    reconnecting: t("Reconectando…"),
    ended: t("Conversación terminada"),
    privacy: t("Opciones de privacidad"),
    close_chat: t("Cerrar chat"),
    reply_to: t("Te responderemos a {email}."),
    messages: t("Mensajes"),
    you: t("Tú"),
    visitor: t("Visitante"),
    sending: t("Enviando…"),
    sent: t("Enviado"),
    seen: t("Visto"),
    not_sent: t("No enviado: {why}"),
    waiting: t("Se enviará en {s} s (escribes muy rápido)"),
    typing: t("{who} está escribiendo…"),
    said_sent: t("Tu mensaje se ha enviado"),
    said_seen: t("Tu mensaje se ha leído"),
    said_failed: t("Tu mensaje no se ha enviado: {why}"),
    message: t("Mensaje"),
    placeholder: t("Escribe un mensaje…"),
    send: t("Enviar"),
    attach: t("Adjuntar un archivo"),
    keys: t("Intro para enviar · Mayús+Intro para una nueva línea"),
    over_limit: t("{over} caracteres por encima del límite de {max}"),
    before_we_start: t("Antes de empezar"),
    your_name: t("Tu nombre"),
    your_email: t("Tu correo electrónico"),
    email_replies: t("Enviarme las respuestas por correo"),
    email_transcript: t("Enviarme la transcripción por correo"),
    start_chat: t("Empezar el chat"),
    skip: t("Omitir"),
    save_email: t("Guardar correo"),
    need_name: t("Escribe tu nombre."),
    need_email: t("Escribe tu correo electrónico."),
    bad_email: t("Escribe una dirección como nombre@ejemplo.com."),
    long_name: t("Tu nombre puede tener hasta 80 caracteres."),
    mail_needs_email: t("Escribe tu correo para recibir estos correos."),
    mail_options: t("Respuestas o transcripción por correo"),
};

/// The chat's words as components hold them: a table that lives as long as the page (the
/// English one, or one the edge sent, kept for good: [`Texts::keep`]). Copied and compared as a
/// reference, which keeps Yew's prop comparisons small.
#[derive(Debug, Clone, Copy)]
pub struct Texts(pub &'static ChatLabels);

impl Texts {
    /// The inbox's labels (see [`AGENT`]).
    pub fn agent() -> Texts {
        Texts(&AGENT)
    }

    /// Keeps `labels` for the page's lifetime. A widget receives one table per chat session, so
    /// what is kept stays a few kilobytes however long the page lives.
    pub fn keep(labels: ChatLabels) -> Texts {
        Texts(Box::leak(Box::new(labels)))
    }
}

impl Default for Texts {
    fn default() -> Texts {
        Texts(&EN)
    }
}

impl std::ops::Deref for Texts {
    type Target = ChatLabels;
    fn deref(&self) -> &ChatLabels {
        self.0
    }
}

impl PartialEq for Texts {
    /// The same table. (This crate's own tests, which compare two decoders' results, compare the
    /// words: there two decoders make two tables.)
    fn eq(&self, other: &Texts) -> bool {
        std::ptr::eq(self.0, other.0) || (cfg!(test) && self.0 == other.0)
    }
}

impl Eq for Texts {}

/// Serde for [`ChatLabels`] as a list of strings (`VisitorSession::labels`).
pub mod as_list {
    use super::{ChatLabels, Label, Texts};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(labels: &Option<Texts>, s: S) -> Result<S::Ok, S::Error> {
        match labels {
            Some(l) => s.collect_seq(l.all()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Texts>, D::Error> {
        match Option::<Vec<Label>>::deserialize(d)? {
            None => Ok(None),
            Some(list) => ChatLabels::from_list(list)
                .map(|l| Some(Texts::keep(l)))
                .ok_or_else(|| serde::de::Error::custom("a chat label is missing or extra")),
        }
    }
}

/// Fills `{key}` in a label (by characters: no substring search code in the WASM).
pub fn fill(label: &str, key: &str, value: &str) -> String {
    let mut out = String::with_capacity(label.len() + value.len());
    let mut rest = label;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        match after.split_once('}') {
            Some((k, tail)) if k == key => {
                out.push_str(value);
                rest = tail;
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inbox_says_what_the_widget_says_in_english() {
        for (agent, en) in AGENT.all().iter().zip(EN.all()) {
            assert!(agent.is_empty() || agent == &en, "{agent} / {en}");
        }
        assert_eq!(AGENT.send, "Send");
        assert!(AGENT.your_email.is_empty(), "none of the widget's forms");
    }

    #[test]
    fn every_language_has_every_label_with_the_same_placeholders() {
        let placeholders = |text: &str| {
            let mut found: Vec<String> =
                text.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(k, _)| k.to_owned())).collect();
            found.sort();
            found
        };
        let english = ChatLabels::english().all();
        for lang in Lang::ALL {
            let labels = ChatLabels::of(lang).all();
            for (i, (text, en)) in labels.iter().zip(english).enumerate() {
                assert!(!text.trim().is_empty(), "{lang:?} label {i}");
                assert_eq!(placeholders(text), placeholders(en), "{lang:?}: {text}");
            }
        }
    }

    #[test]
    fn a_list_in_order_makes_the_labels_again_and_only_a_complete_one() {
        let de = ChatLabels::of(Lang::De);
        let list: Vec<Label> = de.all().into_iter().cloned().collect();
        assert_eq!(ChatLabels::from_list(list.clone()).as_ref(), Some(de));
        assert_eq!(ChatLabels::from_list(list[1..].to_vec()), None);
        assert_eq!(fill(&de.typing, "who", "Dana"), "Dana schreibt…");
        assert_eq!(fill("{over} of {max}", "max", "5"), "{over} of 5");
        assert_eq!(fill("{a {b} c", "b", "x"), "{a x c");
    }
}
