use super::*;

const GMAIL: &str = "Received: by mail.example\r\nFrom: Ana <ana@example.com>\r\nTo: reply+abc.def@provixchat.test\r\n\
Subject: Re: Ceramics Studio replied to your message\r\nMessage-ID: <CAF=xyz@mail.gmail.com>\r\nContent-Type: multipart/alternative;\r\n boundary=\"000b\"\r\n\r\n\
--000b\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
Great, I'll take it =E2=80=94 thanks!\r\n\r\nAna\r\n\r\nOn Sun, Dec 6, 2026 at 5:01 PM Ceramics Studio via Provixchat <\r\nnotifications@provixchat.test> wrote:\r\n\r\n> Dana =C2=B7 6 Dec 2026\r\n> Yes, it ships tomorrow.\r\n\r\n\
--000b\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n\r\n<div>Great, I'll take it</div>\r\n--000b--\r\n";

#[test]
fn a_gmail_reply_gives_its_new_text_only() {
    assert_eq!(reply_text(GMAIL).as_deref(), Some("Great, I'll take it — thanks!\n\nAna"));
    assert_eq!(header(GMAIL, "message-id").as_deref(), Some("<CAF=xyz@mail.gmail.com>"));
    assert_eq!(header(GMAIL, "Content-Type").as_deref(), Some("multipart/alternative; boundary=\"000b\""));
}

#[test]
fn plain_base64_html_and_signatures() {
    let plain = "From: a@b.c\nSubject: x\n\nJust this.\n-- \nAna Smith\nCEO\n";
    assert_eq!(reply_text(plain).as_deref(), Some("Just this."));
    let b64 = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nSGFsbG8sIHdpZSBnZWh0J3M/\r\n";
    assert_eq!(reply_text(b64).as_deref(), Some("Hallo, wie geht's?"));
    let html = "Content-Type: text/html\r\n\r\n<p>Yes &amp; no</p><blockquote>old</blockquote>";
    assert_eq!(reply_text(html).as_deref(), Some("Yes & no\n\nold"));
    let german = "Content-Type: text/plain\n\nDanke!\n\nAm 6. Dez. 2026 um 17:01 schrieb Ceramics Studio:\n> alt\n";
    assert_eq!(reply_text(german).as_deref(), Some("Danke!"));
    let outlook = "Content-Type: text/plain\n\nOk.\n\n-----Original Message-----\nFrom: x@y.z\n";
    assert_eq!(reply_text(outlook).as_deref(), Some("Ok."));
}

#[test]
fn nothing_new_or_nothing_readable_is_none() {
    assert_eq!(reply_text("Content-Type: text/plain\n\n> only quoted\n"), None);
    assert_eq!(reply_text("Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"), None);
    let deep = "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a--\n";
    assert_eq!(reply_text(deep), None);
    assert_eq!(reply_text(""), None);
}

#[test]
fn reply_addresses_carry_their_token() {
    use ReplyAddress::{Team, Visitor};
    assert_eq!(reply_address("reply+abc.def@provixchat.test"), Some(Visitor("abc.def")));
    assert_eq!(reply_address("REPLY+ABC.DEF@provixchat.test"), Some(Visitor("ABC.DEF")));
    assert_eq!(reply_address("<reply+x@y>"), Some(Visitor("x")));
    assert_eq!(reply_address("Team+x.y@provixchat.test"), Some(Team("x.y")));
    assert_eq!(reply_address("support@provixchat.test"), None);
    assert_eq!(reply_address("other+x@provixchat.test"), None);
    assert_eq!(reply_address("reply+@x"), None);
    assert_eq!(reply_address("rep"), None);
}
