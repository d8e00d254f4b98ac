//! Email: `mime` writes a message, `account` words the mails agents receive about their account.
//! Mail leaves through the postbox of its address (`postbox`), never straight from a request.

pub mod account;
pub mod inbound;
pub mod mime;
pub mod notify;
pub mod visitor;

use crate::pages::escape_html;
use shared::consent::Lang;

/// The sender of every mail: `MAIL_FROM` in wrangler.toml (an address of a domain the deployment
/// sends from, as Email Service requires).
pub const DEFAULT_FROM: &str = "notifications@provixchat.com";

/// The plain and HTML bodies of a mail made of paragraphs and at most one button-like link.
/// Paragraphs are plain text; the HTML escapes them.
pub struct Body<'a> {
    pub paragraphs: Vec<String>,
    /// After the paragraphs: paragraphs with links.
    pub items: Vec<Item>,
    /// The action's label and URL.
    pub action: Option<(&'a str, &'a str)>,
    /// A last, smaller paragraph (why the mail came).
    pub footer: String,
    /// The language the mail is written in (the HTML part says so, for screen readers).
    pub lang: Lang,
}

/// The domain of an address (`MAIL_FROM`'s, for the reply addresses).
pub fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("localhost", |(_, d)| d)
}

/// A paragraph with links of its own (a waiting visitor in a digest: open it, answer by email).
pub struct Item {
    pub text: String,
    /// Each link's label and URL (`https:` or `mailto:`).
    pub links: Vec<(String, String)>,
}

impl Body<'_> {
    pub fn text(&self) -> String {
        let mut out = self.paragraphs.join("\n\n");
        for item in &self.items {
            out.push_str(&format!("\n\n{}", item.text));
            for (label, url) in &item.links {
                // The plain part shows an address, not a `mailto:` URL.
                out.push_str(&format!("\n{label}: {}", url.strip_prefix("mailto:").unwrap_or(url)));
            }
        }
        if let Some((label, url)) = self.action {
            out.push_str(&format!("\n\n{label}:\n{url}"));
        }
        out.push_str(&format!("\n\n-- \n{}\n", self.footer));
        out
    }

    pub fn html(&self) -> String {
        let mut out = format!(
            "<!doctype html><html lang=\"{}\"><body style=\"margin:0;padding:24px;background:#f4f5f7;\
             font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1b1f24\">\
             <div style=\"max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px\">",
            self.lang.code()
        );
        for p in &self.paragraphs {
            out.push_str(&format!(
                "<p style=\"margin:0 0 16px;white-space:pre-line;overflow-wrap:anywhere\">{}</p>",
                escape_html(p)
            ));
        }
        for item in &self.items {
            out.push_str(&format!(
                "<p style=\"margin:0 0 16px;white-space:pre-line;overflow-wrap:anywhere\">{}",
                escape_html(&item.text)
            ));
            for (label, url) in &item.links {
                out.push_str(&format!(
                    "<br><a href=\"{}\" style=\"color:#1d4ed8\">{}</a>",
                    escape_html(url),
                    escape_html(label)
                ));
            }
            out.push_str("</p>");
        }
        if let Some((label, url)) = self.action {
            let url = escape_html(url);
            out.push_str(&format!(
                "<p style=\"margin:24px 0\"><a href=\"{url}\" style=\"display:inline-block;background:#1d4ed8;\
                 color:#fff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600\">{}</a></p>\
                 <p style=\"margin:0 0 16px;font-size:14px;color:#4b5563\">Or paste this address into your browser: \
                 <span style=\"word-break:break-all\">{url}</span></p>",
                escape_html(label)
            ));
        }
        out.push_str(&format!(
            "<p style=\"margin:24px 0 0;font-size:13px;color:#4b5563;overflow-wrap:anywhere\">{}</p></div></body></html>",
            escape_html(&self.footer)
        ));
        out
    }
}
