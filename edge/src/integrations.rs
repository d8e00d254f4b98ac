//! The owners' and admins' Integrations page (`/integrations/SITE`), written by the edge like
//! the billing page: the workspace's API tokens (name, scopes, who made it, expiry, last use),
//! a form to make one (its token shown once, on the answer to that form) and a button to revoke
//! each; and the webhook endpoints (`webhooks`). Plain HTML forms, no script; every value escaped
//! here.

pub mod webhooks;

use crate::consent_export::{day, day_start};
use crate::pages::escape_html as esc;
use crate::workspace::logic::tokens::{ApiToken, Scope, TokenRequest};
use std::fmt::Write;

/// What one rendering shows.
pub struct IntegrationsView<'a> {
    pub workspace: &'a str,
    pub site: &'a str,
    pub tokens: &'a [ApiToken],
    pub now: i64,
    /// A token just made: shown this once.
    pub created: Option<&'a str>,
    pub notice: Option<&'a str>,
    /// A refused form: why, and what was typed (shown again, nothing lost).
    pub error: Option<(&'a str, &'a TokenForm)>,
    pub endpoints: &'a [crate::webhooks::Endpoint],
    /// A new endpoint's signing secret: shown this once.
    pub secret: Option<&'a str>,
    /// A refused endpoint form, as `error`.
    pub hook_error: Option<(&'a str, &'a webhooks::HookForm)>,
}

/// The "make a token" form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenForm {
    pub name: String,
    pub scopes: Vec<Scope>,
    /// `YYYY-MM-DD`, or empty for no expiry.
    pub expires: String,
}

impl TokenForm {
    /// From the form's fields (`scope` once per ticked box).
    pub fn from_fields(fields: &[(String, String)]) -> TokenForm {
        let mut form = TokenForm::default();
        for (key, value) in fields {
            match key.as_str() {
                "name" => form.name = value.clone(),
                "scope" => form.scopes.extend(Scope::from_name(value)),
                "expires" => form.expires = value.trim().to_owned(),
                _ => {}
            }
        }
        form
    }

    /// The request it makes: an expiry date ends at the start of that day (UTC).
    pub fn request(&self) -> Result<TokenRequest, String> {
        let expires_at = match self.expires.as_str() {
            "" => None,
            day => Some(day_start(day).ok_or("the expiry date is not a date (YYYY-MM-DD)")?),
        };
        Ok(TokenRequest { name: self.name.clone(), scopes: self.scopes.clone(), expires_at })
    }
}

/// What each scope lets a tool do, as the form explains it.
fn scope_hint(scope: Scope) -> &'static str {
    match scope {
        Scope::ConversationsRead => "list and read conversations and their messages",
        Scope::MessagesWrite => "send messages as a member or a named bot, set status and assignee",
        Scope::ContactsRead => "read visitors' contact details",
        Scope::ContactsWrite => "correct and erase visitors' contact details",
        Scope::ConsentRead => "export consent records",
    }
}

fn token_rows(view: &IntegrationsView<'_>) -> String {
    if view.tokens.is_empty() {
        return "<p>No tokens yet.</p>".into();
    }
    let mut rows = String::new();
    for t in view.tokens {
        let scopes: Vec<&str> = t.scopes.iter().map(|s| s.name()).collect();
        let state = match (t.revoked_at, t.expires_at) {
            (Some(at), _) => format!("Revoked {}", day(at)),
            (None, Some(at)) if at <= view.now => format!("Expired {}", day(at)),
            (None, Some(at)) => format!("Works until {}", day(at)),
            (None, None) => "Works until revoked".into(),
        };
        let revoke = if t.active(view.now) {
            format!(
                "<form method=\"post\" action=\"/integrations/{site}/tokens/{id}/revoke\"><button type=\"submit\" \
                 class=\"secondary\" aria-label=\"Revoke {name}\">Revoke</button></form>",
                site = esc(view.site),
                id = esc(&t.id),
                name = esc(&t.name),
            )
        } else {
            String::new()
        };
        let _ = write!(
            rows,
            "<tr><th scope=\"row\">{name}</th><td>{scopes}</td><td>{by}, {made}</td><td>{state}</td><td>{used}</td><td>{revoke}</td></tr>",
            name = esc(&t.name),
            scopes = esc(&scopes.join(", ")),
            by = esc(t.created_by.as_str()),
            made = day(t.created_at),
            used = t.last_used_at.map_or("Never".into(), day),
        );
    }
    format!(
        "<table><caption class=\"sr\">API tokens</caption><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Scopes</th>\
         <th scope=\"col\">Made by</th><th scope=\"col\">State</th><th scope=\"col\">Last used</th><th scope=\"col\"><span class=\"sr\">Actions</span></th></tr></thead>\
         <tbody>{rows}</tbody></table>"
    )
}

/// A refused form's alert and what was typed, or no alert and `empty`.
pub fn refused<'a, F>(error: Option<(&str, &'a F)>, empty: &'a F) -> (String, &'a F) {
    match error {
        Some((message, typed)) => (format!("<p class=\"alert\" role=\"alert\">{}</p>", esc(message)), typed),
        None => (String::new(), empty),
    }
}

/// One check box per `(value, hint, checked)`, all named `name`, labelled by the value and its hint.
pub fn check_boxes<'a>(name: &str, items: impl IntoIterator<Item = (&'a str, &'a str, bool)>) -> String {
    let mut boxes = String::new();
    for (value, hint, checked) in items {
        let _ = write!(
            boxes,
            "<label class=\"check\"><input type=\"checkbox\" name=\"{name}\" value=\"{value}\"{checked}>\
             <span><code>{value}</code>: {hint}</span></label>",
            checked = if checked { " checked" } else { "" },
        );
    }
    boxes
}

fn create_form(view: &IntegrationsView<'_>) -> String {
    let empty = TokenForm::default();
    let (error, typed) = refused(view.error, &empty);
    let boxes = check_boxes("scope", Scope::ALL.map(|s| (s.name(), scope_hint(s), typed.scopes.contains(&s))));
    format!(
        r#"<form method="post" action="/integrations/{site}/tokens" class="stack">{error}
<label for="token-name">Name</label><input id="token-name" name="name" maxlength="60" required value="{name}" placeholder="Helpdesk sync">
<fieldset><legend>Scopes</legend>{boxes}</fieldset>
<label for="token-expires">Expires on (optional)</label><input id="token-expires" name="expires" type="date" value="{expires}">
<button type="submit">Create token</button></form>"#,
        site = esc(view.site),
        name = esc(&typed.name),
        expires = esc(&typed.expires),
    )
}

pub fn render(view: &IntegrationsView<'_>) -> String {
    let workspace = esc(view.workspace);
    let notice = view.notice.map(|n| format!("<p class=\"notice\" role=\"status\">{}</p>", esc(n))).unwrap_or_default();
    let created = view
        .created
        .map(|token| {
            format!(
                "<div class=\"notice\" role=\"status\"><p><strong>Your new token.</strong> Copy it now: it is not shown again.</p>\
                 <label for=\"new-token\">Token</label><input id=\"new-token\" readonly value=\"{}\" class=\"token\"></div>",
                esc(token)
            )
        })
        .unwrap_or_default();
    let body = format!(
        r#"<main>
<header><p><a href="/inbox">← Back to the inbox</a></p><h1>Integrations</h1><p class="lede">{workspace}</p></header>
{notice}{created}
<section aria-labelledby="tokens-title"><h2 id="tokens-title">API tokens</h2>
<p class="hint">Your own tools (a helpdesk, a CRM, scripts) use the REST API with a token: <code>Authorization: Bearer pvx_…</code>. Give each tool its own token with only the scopes it needs; revoking one stops it at its next request.</p>
{tokens}</section>
<section aria-labelledby="new-title"><h2 id="new-title">New token</h2>{form}</section>
{hooks}
</main>"#,
        tokens = token_rows(view),
        form = create_form(view),
        hooks = webhooks::section(view.site, view.endpoints, view.secret, view.hook_error),
    );
    crate::pages::document(&format!("Integrations — {workspace}"), &["/notice.css", "/billing.css"], &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::Email;

    const NOW: i64 = 1_796_083_200_000; // 2026-12-01

    fn token(name: &str, revoked_at: Option<i64>, expires_at: Option<i64>) -> ApiToken {
        ApiToken {
            id: "0a1b2c3d".into(),
            name: name.into(),
            scopes: vec![Scope::ConversationsRead, Scope::MessagesWrite],
            created_at: NOW - 86_400_000,
            created_by: Email::parse("olga@shop.example").unwrap(),
            expires_at,
            last_used_at: None,
            revoked_at,
        }
    }

    fn page(tokens: &[ApiToken], created: Option<&str>, error: Option<(&str, &TokenForm)>) -> String {
        render(&IntegrationsView {
            workspace: "Shop <1>",
            site: "shop",
            tokens,
            now: NOW,
            created,
            notice: None,
            error,
            endpoints: &[],
            secret: None,
            hook_error: None,
        })
    }

    #[test]
    fn the_form_reads_ticked_scopes_and_a_date() {
        let fields: Vec<(String, String)> =
            [("name", "Sync"), ("scope", "messages:write"), ("scope", "nonsense"), ("expires", "2027-01-31")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let form = TokenForm::from_fields(&fields);
        assert_eq!(form.scopes, [Scope::MessagesWrite]);
        assert_eq!(form.request().unwrap().expires_at, Some(1_801_353_600_000), "2027-01-31T00:00Z");
        assert_eq!(TokenForm { expires: String::new(), ..form.clone() }.request().unwrap().expires_at, None);
        for bad in ["2027-02-30", "2027-13-01", "tomorrow", "2027-01"] {
            assert!(TokenForm { expires: bad.into(), ..form.clone() }.request().is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_are_listed_with_their_state_and_only_working_ones_can_be_revoked() {
        let html = page(
            &[
                token("Works <b>", None, None),
                token("Old", Some(NOW - 1), None),
                token("Ends", None, Some(NOW + 86_400_000)),
            ],
            None,
            None,
        );
        assert!(html.contains("<th scope=\"row\">Works &lt;b&gt;</th><td>conversations:read, messages:write</td>"));
        assert!(html.contains("Revoked 2026-11-30") && html.contains("Works until 2026-12-02"));
        assert_eq!(html.matches(">Revoke</button>").count(), 2, "not the revoked one");
        assert!(html.contains("aria-label=\"Revoke Works &lt;b&gt;\""));
        assert!(page(&[], None, None).contains("No tokens yet."));
    }

    #[test]
    fn a_new_token_is_shown_once_and_a_refused_form_keeps_what_was_typed() {
        let html = page(&[], Some("pvx_shop_0a1b2c3d_00ff"), None);
        assert!(html.contains("value=\"pvx_shop_0a1b2c3d_00ff\"") && html.contains("not shown again"));
        let typed =
            TokenForm { name: "My \"tool\"".into(), scopes: vec![Scope::ConsentRead], expires: "2027-01-01".into() };
        let html = page(&[], None, Some(("choose at least one scope", &typed)));
        assert!(html.contains("role=\"alert\">choose at least one scope</p>"));
        assert!(html.contains("value=\"My &quot;tool&quot;\"") && html.contains("value=\"2027-01-01\""));
        assert!(html.contains("value=\"consent:read\" checked>"));
        assert!(!html.contains("value=\"contacts:read\" checked"));
    }
}
