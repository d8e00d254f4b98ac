//! Billing: the plans an operator offers (configuration, not code), each workspace's subscription
//! and payment status, and its billing details. Off unless the operator configures it (`BILLING`,
//! a JSON [`BillingConfig`]): a self-hosted deployment without it has no limits and no billing
//! pages.
//!
//! One billing object per workspace (`Billing`, named by the site id) keeps its subscription, the
//! payment processor's events it has applied and its billing details. It is not the workspace
//! object on purpose: billing records are kept for the legal retention period even after the
//! workspace is closed and purged, and erasing a visitor never reaches them. Usage (conversations,
//! messages, emails per month) is counted by the workspace object itself, where those happen.
//!
//! `logic` decides over a storage trait (tested natively): which plan's limits hold, what each
//! processor event changes (applied once, in the order the processor created them), the grace
//! period after a failed payment and the downgrade at its end. `processor` speaks Stripe's
//! documented API and webhook signatures; `page` renders the owners' billing page.

pub mod logic;
#[cfg(target_arch = "wasm32")]
mod object;
pub mod page;
pub mod processor;
#[cfg(target_arch = "wasm32")]
mod store;
#[cfg(target_arch = "wasm32")]
pub use object::Billing;

use crate::error::{EdgeError, EdgeResult};
use serde::{Deserialize, Serialize};
use shared::SiteId;

/// The operator's billing configuration (`BILLING`), if any: `None` turns billing off.
#[cfg(target_arch = "wasm32")]
pub fn configured(env: &worker::Env) -> EdgeResult<Option<BillingConfig>> {
    match env.var("BILLING").map(|v| v.to_string()) {
        Ok(json) if !json.trim().is_empty() => Ok(Some(BillingConfig::parse(&json)?)),
        _ => Ok(None),
    }
}

/// The billing object of a workspace (binding `SUBSCRIPTION`).
#[cfg(target_arch = "wasm32")]
pub fn object(env: &worker::Env, site: &SiteId) -> EdgeResult<worker::Stub> {
    Ok(env.durable_object("SUBSCRIPTION")?.get_by_name(site.as_str())?)
}

/// What a plan allows. `None` is no limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Members of the workspace (owners, admins and agents).
    #[serde(default)]
    pub seats: Option<u32>,
    /// Conversations started in a calendar month (UTC).
    #[serde(default)]
    pub conversations: Option<u32>,
    /// The longest retention period an owner may choose (days).
    #[serde(default)]
    pub retention_days: Option<u32>,
    /// Whether the workspace's team is emailed (digests, replies and transcripts to visitors).
    #[serde(default = "yes")]
    pub email: bool,
    /// Whether a workspace in the EU data region takes new conversations on this plan. A
    /// workspace's region is fixed when it is created (its objects live in that jurisdiction), so
    /// an EU workspace on a plan without it keeps everything and goes on with what has started,
    /// and new chats start once it is on a plan that has it.
    #[serde(default = "yes")]
    pub eu_region: bool,
}

fn yes() -> bool {
    true
}

impl Default for Limits {
    /// No limit on anything, email included.
    fn default() -> Self {
        Limits { seats: None, conversations: None, retention_days: None, email: true, eu_region: true }
    }
}

/// One plan, as the operator configures it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Stable id (`free`, `team`): what subscriptions name.
    pub id: String,
    pub name: String,
    /// Price per month in the currency's smallest unit (cents); 0 for the free plan.
    pub price: u64,
    /// The processor's price id for a paid plan (Stripe `price_…`).
    #[serde(default)]
    pub processor_price: Option<String>,
    /// What it allows; left out, no limits at all.
    #[serde(default)]
    pub limits: Limits,
}

/// Who bills: printed on every invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    pub name: String,
    /// Postal address, lines separated by `\n`.
    pub address: String,
    #[serde(default)]
    pub vat_id: Option<String>,
    pub email: String,
}

/// The operator's billing configuration (`BILLING`, JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingConfig {
    pub operator: Operator,
    /// ISO 4217 code, upper case (`EUR`).
    pub currency: String,
    /// Days a workspace keeps its plan after a failed payment before it falls back to the free
    /// plan.
    pub grace_days: u32,
    /// The free plan first, then the paid ones.
    pub plans: Vec<Plan>,
}

impl BillingConfig {
    /// Parses and checks the operator's configuration: unique plan ids, the first plan free, every
    /// paid plan with a processor price.
    pub fn parse(json: &str) -> EdgeResult<BillingConfig> {
        let config: BillingConfig = serde_json::from_slice(json.as_bytes())
            .map_err(|e| EdgeError::Internal(format!("BILLING is not valid: {e}")))?;
        let bad = |why: &str| Err(EdgeError::Internal(format!("BILLING: {why}")));
        match config.plans.first() {
            Some(free) if free.price == 0 => {}
            _ => return bad("the first plan must be the free plan (price 0)"),
        }
        for (i, plan) in config.plans.iter().enumerate() {
            if config.plans[..i].iter().any(|p| p.id == plan.id) {
                return bad("plan ids must be unique");
            }
            if i > 0 && (plan.price == 0 || plan.processor_price.is_none()) {
                return bad("every plan after the first needs a price and a processor_price");
            }
        }
        if config.currency.len() != 3 || !config.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return bad("currency must be an ISO 4217 code such as EUR");
        }
        Ok(config)
    }

    pub fn free(&self) -> &Plan {
        &self.plans[0]
    }

    /// A plan by id; the free plan for an id the configuration no longer has (a plan the
    /// operator removed ends as the free plan, never as no limits at all).
    pub fn plan(&self, id: &str) -> &Plan {
        self.plans.iter().find(|p| p.id == id).unwrap_or(self.free())
    }

    /// The paid plan sold at the processor's price `price`.
    pub fn by_price(&self, price: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.processor_price.as_deref() == Some(price))
    }

    /// `29.00 EUR`.
    pub fn money(&self, cents: u64) -> String {
        format!("{}.{:02} {}", cents / 100, cents % 100, self.currency)
    }
}

/// Where a workspace's subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No paid subscription: the free plan.
    Free,
    /// Paid and current.
    Active,
    /// A payment failed: the plan holds until `grace_until` (ms), then the free plan's limits.
    PastDue { grace_until: i64 },
    /// The grace period ended unpaid: the free plan's limits until a payment succeeds.
    Downgraded,
}

/// A workspace's subscription as its billing object keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// The plan subscribed to (the free plan's id when none).
    pub plan: String,
    pub status: Status,
    /// The processor's customer and subscription ids.
    pub customer: Option<String>,
    pub subscription: Option<String>,
    /// When the paid period ends (ms).
    pub period_end: Option<i64>,
    /// When the processor created the newest event applied (ms): older ones change nothing.
    pub newest_event: i64,
}

impl Subscription {
    pub fn free(config: &BillingConfig) -> Self {
        Subscription {
            plan: config.free().id.clone(),
            status: Status::Free,
            customer: None,
            subscription: None,
            period_end: None,
            newest_event: 0,
        }
    }

    /// The plan whose limits hold now: the subscribed one while paid or in its grace period.
    pub fn effective<'c>(&self, config: &'c BillingConfig) -> &'c Plan {
        match self.status {
            Status::Active | Status::PastDue { .. } => config.plan(&self.plan),
            Status::Free | Status::Downgraded => config.free(),
        }
    }
}

/// A subscription's state at the processor, as its events report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessorStatus {
    /// `active`, `trialing`.
    Active,
    /// `past_due`, `unpaid`: a payment failed.
    PastDue,
    /// `canceled`, `incomplete_expired`: over.
    Ended,
    /// `incomplete`, `paused` and anything newer: nothing to change yet.
    Other,
}

/// What a processor event says, once its signature is checked and its shape read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The hosted checkout finished: `plan` is subscribed.
    CheckoutCompleted { customer: String, subscription: String, plan: String },
    /// The subscription was created or changed (plan, status, period).
    SubscriptionChanged {
        customer: String,
        subscription: String,
        status: ProcessorStatus,
        /// The processor's price of its first item.
        price: Option<String>,
        period_end: Option<i64>,
    },
    /// The subscription was cancelled for good.
    SubscriptionEnded { subscription: String },
    /// A renewal's payment failed.
    PaymentFailed { subscription: String },
    /// A payment succeeded; `paid` says for what (an invoice is issued for it).
    PaymentSucceeded { subscription: String, paid: Option<Paid> },
}

/// A paid invoice of the processor's: what Provixchat's own invoice for it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    /// The processor's invoice id (`in_…`): one invoice of ours per payment.
    pub invoice: String,
    /// ISO 4217, upper case.
    pub currency: String,
    /// Smallest unit: before tax, the tax, and what was paid.
    pub subtotal: i64,
    pub tax: i64,
    pub total: i64,
    /// The paid period (ms).
    pub period_start: i64,
    pub period_end: i64,
}

/// A processor event for one workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The processor's event id (`evt_…`): applied once.
    pub id: String,
    /// When the processor created it (ms).
    pub created: i64,
    pub site: SiteId,
    pub kind: EventKind,
}

/// The owner's billing details, printed on invoices as the customer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BillingDetails {
    pub company: String,
    /// Postal address, lines separated by `\n`.
    pub address: String,
    /// EU VAT identification number, for reverse charge (optional).
    pub vat_id: Option<String>,
    /// Where invoices and payment notices go.
    pub email: String,
}

/// Longest company name and address (characters).
pub const MAX_COMPANY_CHARS: usize = 120;
pub const MAX_ADDRESS_CHARS: usize = 400;

impl BillingDetails {
    /// Trims and checks what an owner typed: a company, an address, an email, and a VAT id of
    /// the EU's format (country prefix and its length), normalised to upper case without spaces.
    pub fn validate(self) -> EdgeResult<BillingDetails> {
        let company = crate::settings::bounded("the company name", &self.company, MAX_COMPANY_CHARS)?;
        let address = self.address.replace("\r\n", "\n");
        let address = crate::settings::bounded("the address", &address, MAX_ADDRESS_CHARS)?;
        let email = shared::Email::parse(self.email.trim())
            .map_err(|_| EdgeError::Invalid("the billing email is not an email address".into()))?;
        let vat_id = match self.vat_id.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => Some(vat_id(v).ok_or_else(|| {
                EdgeError::Invalid(format!(
                    "'{}' is not an EU VAT number (a country code such as DE, then its digits)",
                    v.chars().take(40).collect::<String>()
                ))
            })?),
        };
        Ok(BillingDetails { company, address, vat_id, email: email.as_str().to_owned() })
    }
}

/// An EU VAT identification number in its country's format (the prefix and the length and kind
/// of what follows, as the EU's VIES documents them), normalised; `None` if it is not one.
/// Whether it is registered is the tax office's to say, not the format's.
pub fn vat_id(raw: &str) -> Option<String> {
    let v: String =
        raw.chars().filter(|c| !c.is_whitespace() && *c != '-' && *c != '.').collect::<String>().to_uppercase();
    let (country, rest) = (v.get(..2)?, v.get(2..)?);
    let digits = |n: &[usize]| n.contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_digit());
    let alnum = |n: &[usize]| n.contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric());
    let ok = match country {
        "AT" => rest.len() == 9 && rest.starts_with('U') && rest[1..].bytes().all(|b| b.is_ascii_digit()),
        "BE" => digits(&[10]),
        "BG" => digits(&[9, 10]),
        "CY" => alnum(&[9]),
        "CZ" => digits(&[8, 9, 10]),
        "DE" | "EE" | "PT" => digits(&[9]),
        "DK" | "FI" | "HU" | "LU" | "MT" | "SI" => digits(&[8]),
        "EL" | "GR" => digits(&[9]),
        "ES" | "FR" | "IE" | "NL" => alnum(&[8, 9, 11, 12, 14]),
        "HR" | "IT" | "LV" => digits(&[11]),
        "LT" => digits(&[9, 12]),
        "PL" | "SK" => digits(&[10]),
        "RO" => digits(&[2, 3, 4, 5, 6, 7, 8, 9, 10]),
        "SE" => digits(&[12]),
        _ => false,
    };
    ok.then_some(v)
}

/// What the billing page shows of a workspace: its subscription, the plan that holds, the
/// details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub subscription: Subscription,
    pub details: Option<BillingDetails>,
}

crate::requests! {
    /// What a workspace's billing object is asked, by the router.
    pub enum BillingRequest handled by BillingCalls {
        /// The subscription and billing details.
        account: GetAccount {} -> Account;
        /// The plan whose limits hold now (the free plan unless paid or in grace).
        plan: GetPlan {} -> Plan;
        /// A processor event as it came (its signature checked by the router), read here: applied
        /// once, in order. Answers whether it changed anything.
        apply: Apply { body: String } -> bool;
        /// New billing details, validated.
        set_details: SetDetails { details: BillingDetails } -> BillingDetails;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn config() -> BillingConfig {
        BillingConfig::parse(
            r#"{"operator":{"name":"Provixchat GmbH","address":"Hauptstr. 1\n10115 Berlin","vat_id":"DE123456789","email":"billing@provixchat.test"},
                "currency":"EUR","grace_days":7,
                "plans":[{"id":"free","name":"Free","price":0,"limits":{"seats":2,"conversations":3,"retention_days":30,"email":false,"eu_region":false}},
                         {"id":"team","name":"Team","price":2900,"processor_price":"price_team","limits":{"seats":10,"conversations":1000,"retention_days":365}}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn plans_come_from_configuration_and_are_checked() {
        let c = config();
        assert_eq!(c.free().limits.seats, Some(2));
        assert!(!c.free().limits.email);
        assert!(c.plan("team").limits.email, "email on unless a plan says otherwise");
        assert!(!c.free().limits.eu_region && c.plan("team").limits.eu_region);
        assert_eq!(c.plan("gone").id, "free", "a removed plan ends as the free plan");
        assert_eq!(c.by_price("price_team").map(|p| p.id.as_str()), Some("team"));
        assert_eq!(c.money(2900), "29.00 EUR");
        let paid_first = r#"{"operator":{"name":"a","address":"b","email":"c@d.e"},"currency":"EUR","grace_days":7,
            "plans":[{"id":"team","name":"Team","price":2900,"processor_price":"p"}]}"#;
        assert!(BillingConfig::parse(paid_first).is_err());
        let no_price = r#"{"operator":{"name":"a","address":"b","email":"c@d.e"},"currency":"EUR","grace_days":7,
            "plans":[{"id":"free","name":"Free","price":0},{"id":"team","name":"Team","price":2900}]}"#;
        assert!(BillingConfig::parse(no_price).is_err());
        assert!(BillingConfig::parse("{").is_err());
    }

    #[test]
    fn vat_ids_are_checked_for_their_countrys_format() {
        assert_eq!(vat_id("de 123 456 789").as_deref(), Some("DE123456789"));
        assert_eq!(vat_id("ATU12345678").as_deref(), Some("ATU12345678"));
        assert_eq!(vat_id("FR 40 303 265 045").as_deref(), Some("FR40303265045"));
        assert_eq!(vat_id("NL123456789B01").as_deref(), Some("NL123456789B01"));
        for bad in ["DE12345678", "DE1234567890", "US123456789", "AT12345678", "X", "", "DEabcdefghi"] {
            assert_eq!(vat_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn billing_details_are_trimmed_and_validated() {
        let d = BillingDetails {
            company: "  Demo Shop GmbH ".into(),
            address: "Weg 2\r\n10115 Berlin".into(),
            vat_id: Some("de123456789".into()),
            email: "owner@demo.test".into(),
        }
        .validate()
        .unwrap();
        assert_eq!((d.company.as_str(), d.address.as_str()), ("Demo Shop GmbH", "Weg 2\n10115 Berlin"));
        assert_eq!(d.vat_id.as_deref(), Some("DE123456789"));
        let blank_vat = BillingDetails { vat_id: Some("  ".into()), ..d.clone() }.validate().unwrap();
        assert_eq!(blank_vat.vat_id, None);
        assert!(BillingDetails { vat_id: Some("DE12".into()), ..d.clone() }.validate().is_err());
        assert!(BillingDetails { email: "nope".into(), ..d.clone() }.validate().is_err());
        assert!(BillingDetails { company: " ".into(), ..d }.validate().is_err());
    }
}
