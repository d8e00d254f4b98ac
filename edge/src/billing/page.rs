//! The owners' billing page (`/billing/SITE`), written by the edge: the plan and its payment
//! status, this month's usage beside the plan's limits, the plans to choose from, and the billing
//! details printed on invoices. Plain HTML forms (no script), every value escaped here.

use super::{Account, BillingConfig, BillingDetails, Limits, Plan, Status};
use crate::consent_export::day;
use crate::ledger::document::{money, title};
use crate::ledger::{Document, Kind};
use crate::pages::escape_html as esc;
use crate::workspace::logic::usage::{next_month, UsageReport};
use shared::SiteId;
use std::fmt::Write;

/// What one rendering of the page shows.
pub struct PageView<'a> {
    pub site: &'a SiteId,
    pub workspace: &'a str,
    pub config: &'a BillingConfig,
    pub account: &'a Account,
    pub usage: &'a UsageReport,
    /// The retention period the workspace has now (days; `None`: until deleted).
    pub retention_days: Option<u32>,
    /// The workspace's invoices and credit notes, newest first.
    pub documents: &'a [Document],
    /// A line above everything: what just happened (a saved form, a finished checkout).
    pub notice: Option<&'a str>,
    /// A refused form: its error, and the values the owner typed (shown again, nothing lost).
    pub error: Option<(&'a str, &'a BillingDetails)>,
}

fn limit(n: Option<u32>) -> String {
    n.map_or("no limit".into(), |n| n.to_string())
}

/// `12 of 100`, or `12` with no limit.
fn of(used: u32, n: Option<u32>) -> String {
    n.map_or(used.to_string(), |n| format!("{used} of {n}"))
}

fn retention(days: Option<u32>) -> String {
    days.map_or("any period".into(), |d| format!("up to {d} days"))
}

fn status_line(view: &PageView<'_>, plan: &Plan) -> String {
    let s = &view.account.subscription;
    let free = esc(&view.config.free().name);
    let name = esc(&view.config.plan(&s.plan).name);
    match s.status {
        Status::Free => format!("<p class=\"status\">You are on the <strong>{free}</strong> plan.</p>"),
        Status::Active => {
            let renews = s.period_end.map(|at| format!(" · renews on {}", day(at))).unwrap_or_default();
            format!(
                "<p class=\"status\"><strong>{}</strong> · {} a month · <span class=\"ok\">active</span>{renews}</p>",
                esc(&plan.name),
                esc(&view.config.money(plan.price))
            )
        }
        Status::PastDue { grace_until } => format!(
            "<p class=\"status alert\" role=\"alert\"><strong>A payment failed.</strong> Your {name} plan stays active until \
             {}; after that the {free} plan's limits apply. Update your payment method to keep it. Nothing you have \
             stored will be removed.</p>",
            day(grace_until)
        ),
        Status::Downgraded => format!(
            "<p class=\"status alert\" role=\"alert\"><strong>Payment not received.</strong> The {free} plan's limits \
             apply until the {name} plan is paid. Nothing you have stored was removed.</p>"
        ),
    }
}

fn usage_table(view: &PageView<'_>, limits: &Limits) -> String {
    let u = &view.usage.usage;
    let mut rows = vec![
        ("Conversations started", of(u.conversations, limits.conversations)),
        ("Messages", u.messages.to_string()),
        ("Seats (members)", of(view.usage.seats, limits.seats)),
        ("Emails sent", if limits.email { u.emails.to_string() } else { format!("{} (not in this plan)", u.emails) }),
        (
            "Retention period",
            format!(
                "{} This plan allows {}.",
                crate::notice::retention_text(view.retention_days),
                retention(limits.retention_days)
            ),
        ),
    ];
    if shared::privacy::DataRegion::of(view.site) == shared::privacy::DataRegion::Eu {
        let included = if limits.eu_region { "in this plan" } else { "not in this plan: new chats cannot start" };
        rows.push(("Data region", format!("European Union ({included})")));
    }
    if u.refused > 0 {
        rows.push((
            "New chats refused",
            format!("{} (the allowance starts again on {})", u.refused, next_month(&view.usage.month)),
        ));
    }
    let mut t = format!("<table><caption>Usage in {} (UTC)</caption><tbody>", esc(&view.usage.month));
    for (what, value) in rows {
        let _ = write!(t, "<tr><th scope=\"row\">{what}</th><td>{}</td></tr>", esc(&value));
    }
    t.push_str("</tbody></table>");
    t
}

fn plans(view: &PageView<'_>, current: &Plan) -> String {
    let site = esc(view.site.as_str());
    let subscribed = view.account.subscription.customer.is_some() && view.account.subscription.status != Status::Free;
    let mut b = String::from(
        "<table><caption>What each plan includes</caption><thead><tr><th scope=\"col\">Plan</th><th scope=\"col\">Price a month</th>\
         <th scope=\"col\">Seats</th><th scope=\"col\">Conversations a month</th><th scope=\"col\">Retention</th>\
         <th scope=\"col\">Email</th><th scope=\"col\">EU data region</th><th scope=\"col\"><span class=\"sr\">Choose</span></th></tr></thead><tbody>",
    );
    for plan in &view.config.plans {
        let l = &plan.limits;
        let action = if plan.id == current.id {
            "<strong>Current plan</strong>".to_owned()
        } else if plan.price == 0 || subscribed {
            // Changing or ending a paid subscription happens at the processor (prorated there).
            "Change it under “Manage subscription”".to_owned()
        } else {
            format!(
                "<form method=\"post\" action=\"/billing/{site}/checkout\"><input type=\"hidden\" name=\"plan\" value=\"{}\">\
                 <button type=\"submit\">Choose {}</button></form>",
                esc(&plan.id),
                esc(&plan.name)
            )
        };
        let _ = write!(
            b,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{action}</td></tr>",
            esc(&plan.name),
            esc(&view.config.money(plan.price)),
            limit(l.seats),
            limit(l.conversations),
            esc(&retention(l.retention_days)),
            if l.email { "included" } else { "not included" },
            if l.eu_region { "included" } else { "not included" },
        );
    }
    b.push_str("</tbody></table>");
    if subscribed {
        let _ = write!(
            b,
            "<form method=\"post\" action=\"/billing/{site}/portal\"><button type=\"submit\">Manage subscription</button>\
             <span class=\"hint\">Change plan, update the payment method or cancel, at our payment processor.</span></form>"
        );
    }
    b
}

fn documents(view: &PageView<'_>) -> String {
    let site = esc(view.site.as_str());
    let mut b = String::from("<section aria-labelledby=\"invoices-title\"><h2 id=\"invoices-title\">Invoices</h2>");
    if view.documents.is_empty() {
        b.push_str("<p>No invoices yet: one is issued for every payment, numbered and kept here.</p></section>");
        return b;
    }
    b.push_str(
        "<table><caption>Invoices and credit notes, newest first</caption><thead><tr><th scope=\"col\">Number</th>\
         <th scope=\"col\">Date</th><th scope=\"col\">For</th><th scope=\"col\">Total</th><th scope=\"col\">Download</th></tr></thead><tbody>",
    );
    for d in view.documents {
        let what = match &d.kind {
            Kind::Invoice => {
                format!("{} plan, {} to {}", d.draft.plan, day(d.draft.period_start), day(d.draft.period_end))
            }
            Kind::CreditNote { of, .. } => format!("Cancels {of}"),
        };
        let (number, name) = (esc(&d.number), esc(&title(d)));
        let _ = write!(
            b,
            "<tr><th scope=\"row\"><a href=\"/billing/{site}/invoices/{number}\">{number}</a></th><td>{}</td><td>{}</td><td>{}</td>\
             <td><a href=\"/billing/{site}/invoices/{number}/pdf\" aria-label=\"{name} as PDF\">PDF</a></td></tr>",
            day(d.issued_at),
            esc(&what),
            esc(&money(d.draft.total, &d.draft.currency)),
        );
    }
    b.push_str("</tbody></table></section>");
    b
}

fn details_form(view: &PageView<'_>) -> String {
    let site = esc(view.site.as_str());
    let empty = BillingDetails::default();
    let (error, d) = match view.error {
        Some((error, typed)) => {
            (format!("<p class=\"alert\" role=\"alert\" id=\"details-error\">{}</p>", esc(error)), typed)
        }
        None => (String::new(), view.account.details.as_ref().unwrap_or(&empty)),
    };
    let described = if view.error.is_some() { " aria-describedby=\"details-error\"" } else { "" };
    format!(
        "<section id=\"details\" aria-labelledby=\"details-title\"><h2 id=\"details-title\">Billing details</h2>\
         <p>Printed on your invoices as the customer.</p>{error}\
         <form method=\"post\" action=\"/billing/{site}/details\"{described}>\
         <label for=\"company\">Company</label><input id=\"company\" name=\"company\" required maxlength=\"{}\" autocomplete=\"organization\" value=\"{}\">\
         <label for=\"address\">Address</label><textarea id=\"address\" name=\"address\" required rows=\"3\" maxlength=\"{}\" autocomplete=\"street-address\">{}</textarea>\
         <label for=\"vat_id\">VAT number <span class=\"hint\">(optional, EU format: DE123456789)</span></label>\
         <input id=\"vat_id\" name=\"vat_id\" maxlength=\"20\" value=\"{}\">\
         <label for=\"email\">Billing email</label><input id=\"email\" name=\"email\" type=\"email\" required autocomplete=\"email\" value=\"{}\">\
         <button type=\"submit\">Save billing details</button></form></section>",
        super::MAX_COMPANY_CHARS,
        esc(&d.company),
        super::MAX_ADDRESS_CHARS,
        esc(&d.address),
        esc(d.vat_id.as_deref().unwrap_or_default()),
        esc(&d.email),
    )
}

pub fn render(view: &PageView<'_>) -> String {
    let current = view.account.subscription.effective(view.config);
    let workspace = esc(view.workspace);
    let notice = view.notice.map(|n| format!("<p class=\"notice\" role=\"status\">{}</p>", esc(n))).unwrap_or_default();
    let body = format!(
        r##"<main>
<header><p><a href="/inbox">← Back to the inbox</a></p><h1>Billing</h1><p class="lede">{workspace}</p></header>
{notice}
<section aria-labelledby="plan-title"><h2 id="plan-title">Your plan</h2>{status}{usage}</section>
<section aria-labelledby="plans-title"><h2 id="plans-title">Plans</h2>{plans}
<p class="hint">Prices per month, in {currency}. Limits apply from the moment a plan changes; nothing you have stored is removed when a plan ends or shrinks.</p></section>
{documents}
{details}
</main>
<footer><p>Billed by {operator}. Billing records are kept for the legal retention period, also after a workspace is closed.</p></footer>"##,
        status = status_line(view, current),
        usage = usage_table(view, &current.limits),
        plans = plans(view, current),
        currency = esc(&view.config.currency),
        documents = documents(view),
        details = details_form(view),
        operator = esc(&view.config.operator.name),
    );
    crate::pages::document(&format!("Billing — {workspace}"), &["/notice.css", "/billing.css"], &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::tests::config;
    use crate::billing::Subscription;
    use crate::workspace::logic::usage::Usage;

    fn view_with(account: &Account, usage: &UsageReport, f: impl FnOnce(&PageView<'_>) -> String) -> String {
        let config = config();
        let site = SiteId::parse("demo").unwrap();
        f(&PageView {
            site: &site,
            workspace: "Demo <Shop>",
            config: &config,
            account,
            usage,
            retention_days: Some(30),
            documents: &[],
            notice: None,
            error: None,
        })
    }

    fn usage(conversations: u32, refused: u32) -> UsageReport {
        UsageReport {
            month: "2026-12".into(),
            usage: Usage { conversations, messages: 40, emails: 2, refused },
            seats: 2,
        }
    }

    #[test]
    fn the_page_shows_the_plan_its_usage_against_the_limits_and_escapes_what_owners_typed() {
        let account = Account { subscription: Subscription::free(&config()), details: None };
        let page = view_with(&account, &usage(3, 2), render);
        assert!(page.contains("Billing — Demo &lt;Shop&gt;"), "escaped");
        assert!(page.contains("You are on the <strong>Free</strong> plan."));
        assert!(page.contains("<th scope=\"row\">Conversations started</th><td>3 of 3</td>"));
        assert!(page.contains("<th scope=\"row\">Seats (members)</th><td>2 of 2</td>"));
        assert!(page.contains("2 (the allowance starts again on 2027-01-01)"));
        assert!(page.contains("2 (not in this plan)"), "emails on a plan without them");
        assert!(page.contains("action=\"/billing/demo/checkout\""));
        assert!(page.contains("<button type=\"submit\">Choose Team</button>"));
        assert!(!page.contains("Manage subscription</button>"), "nothing to manage yet");
    }

    #[test]
    fn a_failed_payment_is_said_with_its_date_and_a_way_to_fix_it() {
        let c = config();
        let subscription = Subscription {
            plan: "team".into(),
            status: Status::PastDue { grace_until: 1_796_601_600_000 },
            customer: Some("cus_1".into()),
            subscription: Some("sub_1".into()),
            period_end: None,
            newest_event: 0,
        };
        let account = Account { subscription, details: None };
        let page = view_with(&account, &usage(1, 0), render);
        assert!(page.contains("Your Team plan stays active until 2026-12-07"), "{page}");
        assert!(page.contains("Manage subscription</button>"));
        assert!(page.contains("<strong>Current plan</strong>"));
        assert_eq!(c.plan("team").limits.seats, Some(10));
        assert!(page.contains("2 of 10"), "the paid plan's limits hold in the grace period");
    }

    #[test]
    fn invoices_and_credit_notes_are_listed_with_their_downloads() {
        let account = Account { subscription: Subscription::free(&config()), details: None };
        let invoice = Document {
            number: "INV-000003".into(),
            issued_at: 1_796_083_300_000,
            kind: Kind::Invoice,
            draft: crate::ledger::logic::tests::draft("demo", "in_1"),
        };
        let note = Document {
            number: "CN-000001".into(),
            kind: Kind::CreditNote { of: "INV-000003".into(), reason: "twice".into() },
            ..invoice.clone()
        };
        let docs = [note, invoice];
        let page = view_with(&account, &usage(0, 0), |v| render(&PageView { documents: &docs, ..*v }));
        assert!(page.contains("<a href=\"/billing/demo/invoices/INV-000003\">INV-000003</a>"));
        assert!(page.contains("<td>Team plan, 2026-12-01 to 2027-01-01</td><td>34.51 EUR</td>"));
        assert!(page.contains("aria-label=\"Invoice INV-000003 as PDF\">PDF</a>"));
        assert!(page.contains("<td>Cancels INV-000003</td>"));
        assert!(view_with(&account, &usage(0, 0), render).contains("No invoices yet"));
    }

    #[test]
    fn a_refused_form_shows_the_error_and_keeps_what_was_typed() {
        let account = Account { subscription: Subscription::free(&config()), details: None };
        let typed = BillingDetails {
            company: "Shop \"A\"".into(),
            address: "Weg 1".into(),
            vat_id: Some("DE1".into()),
            email: "a@b.co".into(),
        };
        let page = view_with(&account, &usage(0, 0), |v| {
            render(&PageView { error: Some(("'DE1' is not an EU VAT number", &typed)), ..*v })
        });
        assert!(page.contains("role=\"alert\" id=\"details-error\">&#39;DE1&#39; is not an EU VAT number</p>"));
        assert!(page.contains("value=\"Shop &quot;A&quot;\""));
        assert!(page.contains("name=\"vat_id\" maxlength=\"20\" value=\"DE1\""));
    }
}
