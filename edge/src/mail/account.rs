//! The mails an agent receives about their own account: a password reset link, the link that
//! confirms their address, an alert on a sign-in from a new device, and an invite. Account mail
//! is transactional: it carries no unsubscribe link, and nothing but what the agent needs to act.

use super::mime::Mail;
use super::Body;
use crate::postbox::MailKind;
use shared::consent::Lang;

/// Where mail comes from and where its links point.
pub struct Sender {
    /// `MAIL_FROM`.
    pub from: String,
    /// The edge's own origin (`https://chat.example`), for links into the inbox.
    pub origin: String,
}

/// "an agent", "an admin": how an invite names the role it gives.
pub fn role_phrase(role: shared::api::Role) -> &'static str {
    match role {
        shared::api::Role::Owner => "the owner",
        shared::api::Role::Admin => "an admin",
        shared::api::Role::Agent => "an agent",
    }
}

const FOOTER: &str = "Provixchat sends this email about your own account. It holds no advertising.";

impl Sender {
    fn mail(&self, to: &str, subject: String, body: Body) -> Mail {
        Mail {
            from_name: "Provixchat".into(),
            from: self.from.clone(),
            to: to.into(),
            reply_to: None,
            subject,
            text: body.text(),
            html: body.html(),
            unsubscribe: None,
        }
    }

    /// The reset link's token goes in the fragment, so no server log or `Referer` sees it.
    pub fn password_reset(&self, to: &str, token: &str, valid_minutes: i64) -> (MailKind, Mail) {
        let url = format!("{}/inbox#reset={token}", self.origin);
        let body = Body {
            paragraphs: vec![
                format!("Someone asked to reset the password of the Provixchat account {to}."),
                format!(
                    "If it was you, choose a new password within {valid_minutes} minutes. The link works once, \
                     and every device signed in to your account is signed out."
                ),
                "If it was not you, ignore this email: your password stays as it is.".into(),
            ],
            action: Some(("Choose a new password", &url)),
            lang: Lang::En,
            items: vec![],
            footer: FOOTER.into(),
        };
        (MailKind::PasswordReset, self.mail(to, "Reset your Provixchat password".into(), body))
    }

    pub fn verify_email(&self, to: &str, token: &str, valid_hours: i64) -> (MailKind, Mail) {
        let url = format!("{}/inbox#verify={token}", self.origin);
        let body = Body {
            paragraphs: vec![
                format!(
                    "Confirm that {to} is your address, so Provixchat can send you password resets and notifications."
                ),
                format!(
                    "The link works for {valid_hours} hours. If you did not sign up for Provixchat, ignore this email."
                ),
            ],
            action: Some(("Confirm my address", &url)),
            lang: Lang::En,
            items: vec![],
            footer: FOOTER.into(),
        };
        (MailKind::VerifyEmail, self.mail(to, "Confirm your email address for Provixchat".into(), body))
    }

    /// `device` and `place` as the security log shows them; `when` in UTC.
    pub fn new_device(&self, to: &str, device: &str, when: &str) -> (MailKind, Mail) {
        let url = format!("{}/inbox#forgot", self.origin);
        let body = Body {
            paragraphs: vec![
                format!("Your Provixchat account {to} was just signed in to from a device it had not used before:"),
                format!("{device}, {when}"),
                "If this was you, there is nothing to do.".into(),
                "If it was not, choose a new password now: every device is then signed out. Your account's \
                 settings list its sessions and its security log."
                    .into(),
            ],
            action: Some(("Reset my password", &url)),
            lang: Lang::En,
            items: vec![],
            footer: FOOTER.into(),
        };
        (MailKind::NewDevice, self.mail(to, "New sign-in to your Provixchat account".into(), body))
    }

    pub fn invite(
        &self,
        to: &str,
        inviter: &str,
        workspace: &str,
        role: &str,
        url: &str,
        valid_days: i64,
    ) -> (MailKind, Mail) {
        let body = Body {
            paragraphs: vec![
                format!("{inviter} invited you to answer chats for {workspace} on Provixchat, as {role}."),
                format!("The invite works once, for {valid_days} days. If you did not expect it, ignore this email."),
            ],
            action: Some(("Accept the invite", url)),
            lang: Lang::En,
            items: vec![],
            footer: "Provixchat sends this email because a member of the workspace entered your address.".into(),
        };
        let subject = format!("{inviter} invited you to {workspace} on Provixchat");
        (MailKind::Invite, self.mail(to, subject, body))
    }

    /// To a workspace's owners: one of its webhook endpoints failed for about three days and no
    /// longer receives events until someone enables it again.
    pub fn webhook_disabled(
        &self,
        to: &str,
        workspace: &str,
        endpoint_url: &str,
        reason: &str,
        page: &str,
    ) -> (MailKind, Mail) {
        let body = Body {
            paragraphs: vec![
                format!("The webhook endpoint {endpoint_url} of {workspace} was disabled: {reason}."),
                "Events are not sent to it until an owner or admin enables it again on the Integrations page; \
                 what waited for it is sent then, and each failed delivery can be sent again from its log."
                    .into(),
            ],
            action: Some(("Open Integrations", page)),
            lang: Lang::En,
            items: vec![],
            footer: "Provixchat sends this email to the owners of the workspace.".into(),
        };
        (MailKind::WebhookDisabled, self.mail(to, format!("A webhook endpoint of {workspace} was disabled"), body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> Sender {
        Sender { from: "notifications@provixchat.test".into(), origin: "https://chat.example".into() }
    }

    #[test]
    fn a_reset_mail_carries_its_link_in_the_fragment_and_says_what_happens() {
        let (kind, mail) = sender().password_reset("ana@example.com", "abc.def", 30);
        assert_eq!(kind, MailKind::PasswordReset);
        assert!(mail.text.contains("https://chat.example/inbox#reset=abc.def"));
        assert!(mail.html.contains("href=\"https://chat.example/inbox#reset=abc.def\""));
        assert!(mail.text.contains("30 minutes") && mail.text.contains("signed out"));
        assert_eq!(mail.unsubscribe, None, "account mail is transactional");
    }

    #[test]
    fn what_a_member_typed_is_escaped_in_the_html() {
        let (_, mail) = sender().invite(
            "bo@example.com",
            "<b>Ana</b>",
            "Acme & Co",
            "agent",
            "https://chat.example/inbox#invite=x",
            7,
        );
        assert!(mail.html.contains("&lt;b&gt;Ana&lt;/b&gt;") && mail.html.contains("Acme &amp; Co"));
        assert!(!mail.html.contains("<b>Ana"));
        assert_eq!(mail.subject, "<b>Ana</b> invited you to Acme & Co on Provixchat");
    }

    #[test]
    fn a_new_device_alert_names_the_device_and_how_to_lock_others_out() {
        let (kind, mail) = sender().new_device("ana@example.com", "Firefox on Linux · DE", "6 Dec 2026, 17:01 UTC");
        assert_eq!(kind, MailKind::NewDevice);
        assert!(mail.text.contains("Firefox on Linux · DE, 6 Dec 2026, 17:01 UTC"));
        assert!(mail.text.contains("https://chat.example/inbox#forgot"));
    }
}
