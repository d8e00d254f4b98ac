//! What a site owner tells their visitors (privacy policy §5, §10): the visitor-facing privacy
//! notice (`/privacy/SITE`) and the processor's record of processing (`/privacy/SITE/record`,
//! GDPR Art. 30(2)), both rendered per request from the workspace's current settings, so they
//! change when the settings do and never describe a chat other than the one running.
//!
//! Both pages are built from one list of [`Purpose`]s, so they cannot disagree. Pure HTML from
//! data; every setting value is escaped. `cargo test -p edge notice` checks them, including that
//! every browser storage key the loader and the widget use is listed.

use crate::consent_export::iso8601;
use crate::pages::escape_html as esc;
use crate::settings::WorkspaceConfig;
use shared::api::{BusinessHours, PrechatMode};
use shared::consent::{BannerText, Category, CategoryText, Lang};
use shared::privacy::DataRegion;
use shared::SiteId;
use std::fmt::Write;

/// CSP of both pages: no script at all, the stylesheet from our origin, nobody frames them.
pub const NOTICE_CSP: &str = "default-src 'none'; style-src 'self'; img-src data:; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'none'";

/// The one key the loader keeps in the site's own `localStorage` (`www/widget.js`, `www/api.js`).
pub const STORAGE_PREFIX: &str = "provixchat.";

/// Which switch of the banner a purpose runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    /// Always on: needed for the chat and to remember the decision.
    Necessary,
    /// Only with analytics consent, never when the visitor objected or restricted processing.
    Analytics,
    /// Sent by the site itself (`identify`, `setAttributes`) from its own account data.
    Site,
    /// Only when the visitor asks for it (replies by email).
    OnRequest,
}

/// One purpose of processing: what the chat keeps for it, under which switch and legal basis,
/// for how long. Texts are plain; the pages escape them.
struct Purpose {
    name: &'static str,
    gate: Gate,
    basis: &'static str,
    data: Vec<String>,
    when: String,
    device: String,
    retention: String,
}

/// A key the chat keeps in the visitor's browser.
pub struct StorageKey {
    pub name: String,
    pub kind: &'static str,
    pub place: String,
    pub holds: &'static str,
    pub lifetime: String,
}

pub fn storage_keys(site: &SiteId, config: &WorkspaceConfig) -> Vec<StorageKey> {
    vec![StorageKey {
        name: format!("{STORAGE_PREFIX}{site}"),
        kind: "localStorage",
        place: format!("the site's own pages ({})", domains(config)),
        holds: "Your cookie decision (the proof record) and the signed visitor token that links you to your chat. \
                Written only once you decide in the banner or send a first message.",
        lifetime: format!(
            "The decision inside holds {}, then the banner asks again. The entry itself stays until you clear this \
             site's data in your browser (localStorage has no expiry); the site's logout removes the token.",
            days(config.consent.lifetime_days)
        ),
    }]
}

/// How long conversations and page activity are kept.
pub fn retention_text(retention_days: Option<u32>) -> String {
    match retention_days {
        Some(d) => format!(
            "Conversations are deleted {} after their last message, and page activity {} after each visit.",
            days(d),
            days(d)
        ),
        None => "Conversations and page activity are kept until deleted by the site owner or at your request.".into(),
    }
}

fn days(n: u32) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

fn domains(config: &WorkspaceConfig) -> String {
    match config.allowed_domains.is_empty() {
        true => "no website set yet".into(),
        false => config.allowed_domains.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", "),
    }
}

fn has_analytics(config: &WorkspaceConfig) -> bool {
    config.consent.categories.contains(&Category::Analytics)
}

/// The banner's texts in the workspace's language (or English), and the language they are in.
fn banner(config: &WorkspaceConfig) -> Option<(Lang, &BannerText)> {
    let want = config.consent.language.unwrap_or(Lang::En);
    let texts = &config.consent.texts;
    [want, Lang::En]
        .iter()
        .find_map(|l| texts.get(l).map(|t| (*l, t)))
        .or_else(|| texts.iter().next().map(|(l, t)| (*l, t)))
}

fn gate_label(config: &WorkspaceConfig, gate: Gate) -> String {
    let named = |key: &str, text: Option<&CategoryText>| match text {
        Some(t) if !t.name.eq_ignore_ascii_case(key) => format!("{} ({key})", t.name),
        _ => capitalised(key),
    };
    let text = banner(config).map(|(_, t)| t);
    match gate {
        Gate::Necessary => format!("{} — always on", named("necessary", text.map(|t| &t.necessary))),
        Gate::Analytics => format!("{} — only with your consent", named("analytics", text.map(|t| &t.analytics))),
        Gate::Site => "Sent by the site for its signed-in users".into(),
        Gate::OnRequest => "Only when you ask for it (\"Email me the replies\")".into(),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn hours_text(h: &BusinessHours) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let days: Vec<&str> = h.days.iter().filter_map(|&d| DAYS.get(usize::from(d)).copied()).collect();
    let t = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
    format!("{} {}–{}, {}", days.join(", "), t(h.open), t(h.close), h.time_zone)
}

/// Everything the chat does with visitors' data on this site, per purpose.
fn purposes(site: &SiteId, config: &WorkspaceConfig) -> Vec<Purpose> {
    let chat = &config.chat;
    let key = format!("{STORAGE_PREFIX}{site}");
    let prechat = match chat.prechat {
        PrechatMode::Off => "The chat does not ask for your name or email to start.",
        PrechatMode::Optional => "Before the chat starts, a form asks for your name and email; both are optional.",
        PrechatMode::Required => "Before the chat starts, a form asks for your name and email; the chat needs them.",
    };
    let away = match &chat.business_hours {
        Some(h) => format!(" or outside business hours ({})", hours_text(h)),
        None => String::new(),
    };
    let kept = |what: &str, after: &str| match chat.retention_days {
        Some(d) => format!("{what} deleted {} after {after}.", days(d)),
        None => format!("{what} kept until deleted by the site owner or at your request."),
    };
    let mut out = vec![
        Purpose {
            name: "Live chat",
            gate: Gate::Necessary,
            basis: "Steps you ask for or a contract with the site (GDPR Art. 6(1)(b)); otherwise the site's legitimate \
                    interest in answering you (Art. 6(1)(f)).",
            data: vec![
                "The messages you and the site's team write, with their times and whether they were read.".into(),
                "Files you or the team send in the chat (pictures, PDFs, plain text; at most 5 MB each), with the name \
                 they were sent under, stored with the conversation in the site's data region and deleted with it. Only \
                 the conversation's parties can fetch them, by a link that expires within 12 hours."
                    .into(),
                format!("Your name and email, only when you give them. {prechat} When nobody is available{away}, the chat offers to take your email so the team can reply."),
                "Notes the site's team adds to your conversation, who it is assigned to, and any correction of your details (with who made it).".into(),
                "A random visitor id and conversation id, inside a visitor token the edge signs.".into(),
            ],
            when: "When you send a first message or give your details.".into(),
            device: format!("The visitor token, in {key}."),
            retention: format!("{} Your contact details stay on your profile until you or the site owner delete them.", kept("Conversations are", "their last message")),
        },
        Purpose {
            name: "Consent management",
            gate: Gate::Necessary,
            basis: "The site's legal obligation to prove consent (GDPR Art. 6(1)(c) with Art. 7(1)); storing the \
                    decision on your device is strictly necessary (ePrivacy Directive Art. 5(3)).",
            data: vec![
                "Your choice for each category, when you made it and when it expires, the policy version, how you chose (accept all, reject all or your own selection), the banner's language and whether your browser sent Global Privacy Control.".into(),
                "At the edge, the same record as proof for the site, with a SHA-256 hash of your visitor id instead of the id.".into(),
            ],
            when: "When you answer the cookie banner or change your choices.".into(),
            device: format!("The decision, in {key}."),
            retention: format!(
                "A decision holds {} (policy version {}); then the banner asks again. The proof is kept until your data is deleted.",
                days(config.consent.lifetime_days),
                config.consent.policy_version
            ),
        },
    ];
    if has_analytics(config) {
        let ip = match chat.store_ip {
            true => "Your IP address, truncated (IPv4 to /24, IPv6 to /48: the part that identifies your connection is removed).",
            false => "Your IP address is not stored.",
        };
        out.push(Purpose {
            name: "Visitor analytics",
            gate: Gate::Analytics,
            basis: "Your consent (GDPR Art. 6(1)(a); ePrivacy Directive Art. 5(3)), which you can withdraw at any time.",
            data: vec![
                "Page activity: the address and title of the pages you visit on the site and when, and where your first page came from — addresses without the part after # and with tracking and personal parameters (utm_*, gclid, fbclid, email, token …) stripped.".into(),
                "Browser, operating system and device class (computer, phone …), read from your browser's user agent.".into(),
                "Language, time zone and screen size class (small, medium or large).".into(),
                "A location estimate (country, region and city) from the network request's own metadata — no lookup with anyone else.".into(),
                ip.into(),
            ],
            when: "Only while your latest decision, for the current policy version, allows analytics — never after you chose \"Stop analytics\" or paused processing. The edge checks this itself, whatever the page sends.".into(),
            device: "Nothing more: the visitor token links your visits.".into(),
            retention: format!(
                "{} Browser, device, location{} are replaced on each visit and deleted when you stop analytics or delete your data.",
                kept("Page activity is", "each visit"),
                if chat.store_ip { " and IP address" } else { "" }
            ),
        });
    }
    out.push(Purpose {
        name: "Replies and transcripts by email",
        gate: Gate::OnRequest,
        basis: "Your request (GDPR Art. 6(1)(a)), which you withdraw with the \"Stop these emails\" link in every \
                email.",
        data: vec![
            "Your email address, what you asked for there (the team's replies, a transcript) and when, and the \
             language the emails are written in."
                .into(),
            "The team's replies you had not read in the chat, mailed to you; the conversation (without the team's \
             private notes) once it is resolved, if you asked for a transcript; your answers by email, kept as your \
             messages (their new text only, without what they quote)."
                .into(),
            "A log of the emails sent to you for this site (when, what kind, the subject, whether it went out).".into(),
        ],
        when: "Only after you tick \"Email me the replies\" or \"Email me a transcript\" and give your email; never \
               for a reply you already read in the chat."
            .into(),
        device: "Nothing.".into(),
        retention: format!(
            "Emails wait only until they are sent (retried for about a day). The log is kept 90 days. {} Deleting \
             your data deletes all of it.",
            kept("Your answers by email are, like every message,", "their conversation's last message")
        ),
    });
    out.push(Purpose {
        name: "Recognising signed-in users",
        gate: Gate::Site,
        basis: "The site's contract with you as a user (GDPR Art. 6(1)(b)) or its legitimate interest (Art. 6(1)(f)).",
        data: vec![
            match chat.identity_verification {
                true => "Your user id on the site, when the site tells the chat who you are (its identify call), verified with a signature the site computes on its server — nobody else can write as you.".into(),
                false => "Your user id on the site, when the site tells the chat who you are (its identify call); not verified, so the team sees it marked unverified.".into(),
            },
            "The name and email the site passes with it, and attributes it sets about you (for example your plan; at most 50).".into(),
        ],
        when: "When the site's own pages call the chat's identify or setAttributes — never while you paused processing.".into(),
        device: format!("Nothing more: a verified user id travels inside the signed visitor token in {key}."),
        retention: "Until you or the site owner delete your data.".into(),
    });
    out
}

fn region_text(site: &SiteId) -> &'static str {
    match DataRegion::of(site) {
        DataRegion::Eu => {
            "All of this is stored in the European Union (Cloudflare Durable Objects, jurisdiction \"eu\"). \
             Cloudflare's network may carry a request through the data centre nearest to you on its way there."
        }
        DataRegion::Global => {
            "This is stored wherever Cloudflare's network places it, usually near where the chat was first \
             used, which may be outside your country. Such transfers are protected by Cloudflare's Data Processing \
             Addendum, which includes the EU Standard Contractual Clauses."
        }
    }
}

/// A page of ours: the shell both pages share.
fn page(title: &str, lede: &str, body: &str, footer: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>{title}</title>
<link rel="stylesheet" href="/notice.css">
</head>
<body>
<main>
<header>
<h1>{title}</h1>
{lede}
</header>
{body}
</main>
<footer>{footer}</footer>
</body>
</html>
"#
    )
}

/// The site owner's own privacy policy, escaped for an attribute; `None` if they set none.
fn policy_href(config: &WorkspaceConfig) -> Option<String> {
    Some(esc(&config.consent.policy_url)).filter(|url| !url.is_empty())
}

/// `other`: the link to the other page, `(href, label)`.
fn footer(site: &SiteId, config: &WorkspaceConfig, now_ms: i64, other: (&str, &str)) -> String {
    let policy = policy_href(config)
        .map(|href| format!(r#" · <a href="{href}">{}'s privacy policy</a>"#, esc(&config.name)))
        .unwrap_or_default();
    format!(
        r#"<p>Generated from the site's current settings on {date} (UTC) · policy version {version} · <a href="{href}">{label}</a>{policy}</p>
<p>Provixchat · <a href="mailto:support@provixchat.com">support@provixchat.com</a> · site id <code>{site}</code></p>"#,
        date = &iso8601(now_ms)[..10],
        version = config.consent.policy_version,
        href = esc(other.0),
        label = other.1,
        site = esc(site.as_str()),
    )
}

fn list(items: &[String]) -> String {
    let mut out = String::from("<ul>");
    for i in items {
        let _ = write!(out, "<li>{}</li>", esc(i));
    }
    out + "</ul>"
}

/// `GET /privacy/SITE`: how the site uses visitors' data in the chat.
pub fn notice_page(site: &SiteId, config: &WorkspaceConfig, now_ms: i64) -> String {
    let name = esc(&config.name);
    let title = format!("How {name} uses your data in this chat");
    let lede = format!(
        "<p class=\"lede\">The chat on <strong>{}</strong> is run by {name} with Provixchat. This notice is generated \
         from the chat's current settings, so it says what the chat does on this site right now.</p>",
        esc(&domains(config))
    );
    let mut b = String::new();
    let policy = match policy_href(config) {
        Some(href) => format!(r#"Its own privacy policy: <a href="{href}">{href}</a>."#),
        None => "It has not linked its own privacy policy yet.".into(),
    };
    let _ = write!(
        b,
        "<section id=\"who\"><h2>Who is responsible</h2>\
         <p><strong>{name}</strong> (the website {domains}) decides why and how your data is used in this chat: it is the \
         <em>controller</em>. {policy}</p>\
         <p><strong>Provixchat</strong> runs the chat and the cookie banner for {name} and uses your data only on its \
         instructions: it is a <em>processor</em>.</p></section>",
        domains = esc(&domains(config)),
    );
    b.push_str("<section id=\"data\"><h2>What the chat records, and why</h2>");
    for p in purposes(site, config) {
        let _ = write!(
            b,
            "<section><h3>{}</h3><p class=\"gate\">{}</p>{}<p><strong>When:</strong> {}</p>\
             <p><strong>Legal basis:</strong> {}</p><p><strong>Kept:</strong> {}</p></section>",
            esc(p.name),
            esc(&gate_label(config, p.gate)),
            list(&p.data),
            esc(&p.when),
            esc(p.basis),
            esc(&p.retention),
        );
    }
    if !has_analytics(config) {
        b.push_str("<p>This site's banner has no analytics category: the chat records no page activity, device or location about you.</p>");
    }
    b.push_str("</section>");
    b.push_str(&storage_section("Stored on your device", site, config));
    let _ = write!(
        b,
        "<section id=\"retention\"><h2>How long it is kept</h2><p>{}</p><p>Your consent decision holds {}; \
         then the banner asks again.</p></section>",
        esc(&retention_text(config.chat.retention_days)),
        days(config.consent.lifetime_days)
    );
    let _ = write!(
        b,
        "<section id=\"region\"><h2>Where it is stored</h2><p><strong>Data region:</strong> {}.</p><p>{}</p></section>",
        esc(DataRegion::of(site).label()),
        esc(region_text(site))
    );
    b.push_str(&processors_section(config));
    b.push_str(&rights_section(config));
    b.push_str(&categories_section(config));
    page(&title, &lede, &b, &footer(site, config, now_ms, (&format!("/privacy/{site}/record"), "Record of processing")))
}

fn storage_section(heading: &str, site: &SiteId, config: &WorkspaceConfig) -> String {
    let mut tables = String::new();
    for k in storage_keys(site, config) {
        let rows = [
            ("Name", format!("<code>{}</code>", esc(&k.name))),
            ("Type", k.kind.into()),
            ("Where", esc(&k.place)),
            ("Purpose", esc(k.holds)),
            ("Lifetime", esc(&k.lifetime)),
        ];
        tables.push_str(&fact_table(&format!("Storage key {}", esc(&k.name)), &rows));
    }
    format!(
        "<section id=\"storage\"><h2>{heading}</h2><p>Every cookie and storage key the chat uses:</p>{tables}\
         <p>The chat sets <strong>no cookies</strong>, and the chat window itself stores nothing in your browser \
         (browsers block or partition storage in embedded windows). Nothing is stored before you decide in the \
         banner or write a first message.</p></section>"
    )
}

/// A table of facts about one thing: a header cell and a value (already HTML) per row.
fn fact_table(caption: &str, rows: &[(&str, String)]) -> String {
    let mut out = format!("<table><caption>{caption}</caption><tbody>");
    for (label, value) in rows {
        let _ = write!(out, "<tr><th scope=\"row\">{label}</th><td>{value}</td></tr>");
    }
    out + "</tbody></table>"
}

/// Who handles the data: the site, Provixchat, Cloudflare, and nobody else.
fn processors(config: &WorkspaceConfig) -> [(String, &'static str, &'static str); 4] {
    [
        (config.name.clone(), "Controller", "Decides what the chat is for; its team reads and answers your messages."),
        ("Provixchat".into(), "Processor", "Runs the chat, the team's inbox and the cookie banner for the site."),
        (
            "Cloudflare, Inc.".into(),
            "Sub-processor (hosting)",
            "Runs the chat's code (Workers), stores its data (Durable Objects) and delivers it over its network.",
        ),
        (
            "Cloudflare, Inc.".into(),
            "Sub-processor (email)",
            "Sends the replies you ask for by email, and receives your answers (Email Service, Email Routing).",
        ),
    ]
}

fn processors_section(config: &WorkspaceConfig) -> String {
    let mut rows = String::new();
    for (who, role, what) in processors(config) {
        let _ = write!(rows, "<tr><th scope=\"row\">{}</th><td>{role}</td><td>{what}</td></tr>", esc(&who));
    }
    format!(
        "<section id=\"processors\"><h2>Who handles it</h2><table><caption>Everyone who processes your chat data</caption>\
         <thead><tr><th scope=\"col\">Who</th><th scope=\"col\">Role</th><th scope=\"col\">What for</th></tr></thead>\
         <tbody>{rows}</tbody></table><p>Nobody else: no analytics, advertising or other third-party service \
         receives your data through the chat, and it is never sold.</p></section>"
    )
}

fn rights_section(config: &WorkspaceConfig) -> String {
    let name = esc(&config.name);
    let contact = match policy_href(config) {
        Some(href) => format!(r#"contact {name} (see <a href="{href}">its privacy policy</a>)"#),
        None => format!("contact {name}"),
    };
    format!(
        "<section id=\"rights\"><h2>Your rights, and how to use them</h2>\
         <p>You can use these yourself at any time: open the chat, choose <strong>Privacy choices</strong> (or the \
         site's cookie settings link, where it has one), then <strong>Your data</strong>.</p><ul>\
         <li><strong>Download my data</strong> — access and portability: a file with everything held about you: your \
         details, chats, consent history and page activity.</li>\
         <li><strong>Correct my details</strong> — your name and email.</li>\
         <li><strong>Delete my data</strong> — erasure of your details, consent history, page activity and every \
         conversation, at once. This cannot be undone. Cloudflare's point-in-time recovery keeps \
         copies of deleted storage for up to 30 days, then they are gone; they are never served or restored.</li>\
         <li><strong>Stop analytics</strong> — objection: deletes your page activity, device and location and never \
         records them again, whatever your cookie choices.</li>\
         <li><strong>Pause processing of my data</strong> — restriction: your data is kept but nothing new is recorded; \
         you can still chat.</li>\
         <li><strong>Change your cookie choices</strong> in the same place, as easily as you gave them.</li></ul>\
         <p>These work in the browser that holds your chat. From another browser, or after clearing this site's data, \
         {contact}: its team can find you by email or visitor id and act on your behalf.</p>\
         <p>You also have the right to complain to a data protection supervisory authority, in particular in the \
         country where you live or work (<a href=\"https://edpb.europa.eu/about-edpb/about-edpb/members_en\">EU \
         authorities</a>).</p></section>"
    )
}

fn categories_section(config: &WorkspaceConfig) -> String {
    let Some((lang, text)) = banner(config) else { return String::new() };
    let does = |c: Option<Category>| {
        match c {
        None => "Keeps your decision and the visitor token on the site and runs the chat.",
        Some(Category::Preferences) => "Nothing in the chat; the site's own scripts for preferences run only with it.",
        Some(Category::Analytics) => "Page activity, browser, device and location estimate (see above); the site's own analytics scripts run only with it.",
        Some(Category::Marketing) => "Nothing in the chat; the site's own advertising scripts, and Google's ad consent signals where the site uses Google tags, follow it.",
    }
    };
    let mut rows = String::new();
    let used = std::iter::once(None)
        .chain(Category::ALL.into_iter().filter(|c| config.consent.categories.contains(c)).map(Some));
    for c in used {
        let t = c.map_or(&text.necessary, |c| text.category(c));
        let _ = write!(
            rows,
            "<tr><th scope=\"row\" lang=\"{l}\">{}</th><td lang=\"{l}\">{}</td><td>{}</td></tr>",
            esc(&t.name),
            esc(&t.description),
            does(c),
            l = lang.code()
        );
    }
    format!(
        "<section id=\"categories\"><h2>The cookie banner's categories</h2><table><caption>As the banner describes \
         them, and what the chat does under each</caption><thead><tr><th scope=\"col\">Category</th>\
         <th scope=\"col\">The banner says</th><th scope=\"col\">What the chat does</th></tr></thead><tbody>{rows}</tbody>\
         </table><p>If your browser sends Global Privacy Control, analytics and marketing stay off unless you switch \
         them on.</p></section>"
    )
}

/// `GET /privacy/SITE/record`: the processor's record of processing for this workspace.
pub fn record_page(site: &SiteId, config: &WorkspaceConfig, now_ms: i64) -> String {
    record_with_billing(site, config, now_ms, false, &[])
}

/// The record, with the workspace's billing where the deployment bills: Provixchat's own
/// processing as controller, about the workspace (its owners), never about its visitors.
/// `endpoints`: the workspace's webhook endpoints, each a recipient the controller chose.
pub fn record_with_billing(
    site: &SiteId,
    config: &WorkspaceConfig,
    now_ms: i64,
    billing: bool,
    endpoints: &[crate::webhooks::Endpoint],
) -> String {
    let name = esc(&config.name);
    let title = format!("Record of processing — {name}");
    let lede = "<p class=\"lede\">Kept by Provixchat as processor (GDPR Art. 30(2)), generated from the workspace's \
                current settings.</p>";
    let policy = policy_href(config).map_or("not set".into(), |href| format!(r#"<a href="{href}">{href}</a>"#));
    let parties = [
        (
            "Controller",
            format!(
                "{name} — website {}; privacy policy {policy}; workspace <code>{}</code>",
                esc(&domains(config)),
                esc(site.as_str())
            ),
        ),
        ("Processor", r#"Provixchat — <a href="mailto:support@provixchat.com">support@provixchat.com</a>"#.into()),
        ("Sub-processor", "Cloudflare, Inc. — hosting: Workers, Durable Objects, network delivery".into()),
        (
            "Sub-processor (email)",
            "Cloudflare, Inc. — Email Service and Email Routing: replies visitors ask for by email, and their answers"
                .into(),
        ),
        ("Data subjects", "Visitors of the site&#39;s pages who use the chat or answer the cookie banner".into()),
        ("Data region", esc(DataRegion::of(site).label())),
    ];
    let mut b = format!(
        "<section id=\"parties\"><h2>Controller and processors</h2>{}</section>\
         <section id=\"purposes\"><h2>Processing per purpose</h2>",
        fact_table("Who is involved", &parties)
    );
    let transfers = esc(region_text(site));
    for p in purposes(site, config) {
        let rows: [(&str, String); 8] = [
            ("Data categories", list(&p.data)),
            ("Consent category", esc(&gate_label(config, p.gate))),
            ("Collected", esc(&p.when)),
            ("Legal basis (hint; the controller decides)", esc(p.basis)),
            ("Stored on the device", esc(&p.device)),
            ("Retention", esc(&p.retention)),
            ("Region and transfers", transfers.clone()),
            (
                "Processors",
                if endpoints.is_empty() {
                    "Provixchat (processor); Cloudflare, Inc. (sub-processor, hosting and email). No one else.".into()
                } else {
                    "Provixchat (processor); Cloudflare, Inc. (sub-processor, hosting and email); the controller's own \
                     systems listed under Recipients, for the events they receive."
                        .into()
                },
            ),
        ];
        b.push_str(&fact_table(&esc(p.name), &rows));
    }
    if !has_analytics(config) {
        b.push_str("<p>No visitor analytics: the banner has no analytics category.</p>");
    }
    b.push_str("</section>");
    b.push_str(&storage_section("Storage on visitors' devices", site, config));
    b.push_str(&recipients_section(endpoints));
    if billing {
        b.push_str(&billing_section());
    }
    b.push_str(&measures_section(config));
    page(&title, lede, &b, &footer(site, config, now_ms, (&format!("/privacy/{site}"), "Privacy notice for visitors")))
}

/// The controller's own systems that receive events by webhook: named by host (a URL's path and
/// query may hold the receiver's own secrets, and this page is public), with their events.
fn recipients_section(endpoints: &[crate::webhooks::Endpoint]) -> String {
    let intro = "<p>Systems of the controller (a helpdesk, a CRM) that receive events by webhook, chosen by the \
                 workspace's owners and admins. Each event carries only what it needs; nothing is sent about a visitor \
                 who paused processing; a visitor's erasure is sent as <code>contact.erased</code> so the recipient erases \
                 too.</p>";
    if endpoints.is_empty() {
        return format!(
            "<section id=\"recipients\"><h2>Recipients</h2>{intro}<p>None: no webhook endpoint is set.</p></section>"
        );
    }
    let rows: Vec<(String, String)> = endpoints
        .iter()
        .map(|e| {
            let host = crate::webhooks::address::check_url(&e.url, true).map(|t| t.host).unwrap_or_default();
            let kinds: Vec<&str> = e.kinds.iter().map(|k| k.name()).collect();
            let state = if e.disabled.is_some() { " (disabled)" } else { "" };
            (
                esc(&host),
                format!("{} — since {}{state}", esc(&kinds.join(", ")), crate::consent_export::day(e.created_at)),
            )
        })
        .collect();
    let rows: Vec<(&str, String)> = rows.iter().map(|(h, v)| (h.as_str(), v.clone())).collect();
    format!(
        "<section id=\"recipients\"><h2>Recipients</h2>{intro}{}</section>",
        fact_table("Webhook recipients", &rows)
    )
}

/// Billing of the workspace: Provixchat's processing as controller, towards the workspace's owners.
fn billing_section() -> String {
    let rows: [(&str, String); 7] = [
        ("Controller", "Provixchat, for its own billing of this workspace (not on the site owner's behalf)".into()),
        ("Data subjects", "The workspace's owners and the people named in its billing details; never its visitors".into()),
        (
            "Data categories",
            "Plan, subscription and payment status; billing details (company, address, VAT number, billing email);              invoices and credit notes; usage counts per month (no personal data)"
                .into(),
        ),
        ("Purpose and legal basis", "Subscriptions, invoices and payment status: contract (Art. 6(1)(b)); keeping invoices: legal obligation (Art. 6(1)(c))".into()),
        (
            "Retention",
            "Invoices, credit notes and the billing records behind them: the legal retention period for accounting records              (ten years), also after the workspace is closed. Erasing a visitor never reaches them."
                .into(),
        ),
        ("Recipients", "The payment processor (Stripe) for checkout, payment methods and subscriptions; Cloudflare, Inc. for hosting".into()),
        ("Access", "Only the workspace's owners see billing: its page, its invoices and its details".into()),
    ];
    format!(
        "<section id=\"billing\"><h2>Billing of this workspace</h2>{}</section>",
        fact_table("Billing records", &rows)
    )
}

/// Technical and organisational measures: what the code actually does, with this workspace's settings.
fn measures_section(config: &WorkspaceConfig) -> String {
    let chat = &config.chat;
    let retention = match chat.retention_days {
        Some(d) => format!(
            "Durable Object alarms delete conversations {0} after their last message and page activity {0} after each visit, each object on its own (no global sweep).",
            days(d)
        ),
        None => "No retention period is set: data is kept until deleted. The site owner can set one in the inbox settings.".into(),
    };
    let identity = match chat.identity_verification {
        true => "On: identify must carry an HMAC-SHA256 of the user id keyed with the workspace's secret; refusals are audited.",
        false => "Off: identities the site passes are shown to agents as unverified and never open another visitor's conversations.",
    };
    let ip = match chat.store_ip {
        true => "IP addresses truncated before storage (IPv4 /24, IPv6 /48)",
        false => "IP addresses not stored",
    };
    let measures: [(&str, String); 12] = [
        ("Encryption in transit", "HTTPS (TLS) for every page, API call and chat connection, on Cloudflare's network.".into()),
        ("Access control", "Only members of the workspace reach its data, with roles (owner, admin, agent) checked on every route; only owners and admins change settings, read logs and act on data-subject requests; a removed member loses access at once.".into()),
        ("Authentication", "Passwords hashed with Argon2id; sessions in a __Host- cookie (Secure, HttpOnly, SameSite=Strict) stored only as SHA-256 hashes; accounts locked for a growing time after five failed sign-ins.".into()),
        ("Rate limits", "Sign-ins and sign-ups per address, chat messages per connection, data requests per visitor; rate-limit trips are audited.".into()),
        ("Audit log", "Append-only per workspace: sign-ins, team changes, settings changes, exports, data-subject requests and erasures, refused identities; no route edits or deletes an entry.".into()),
        ("Consent proof log", "Every decision recorded with time, expiry, policy version, choices, method, banner language, Global Privacy Control and a SHA-256 of the visitor id; exportable as CSV.".into()),
        ("Data-subject requests", "Download, correct, delete, stop analytics and pause processing: by the visitor in the widget and by owners and admins in the inbox; each one audited. Erasure removes the visitor's data from every object and closes their chat connection; Durable Object point-in-time recovery keeps deleted storage for up to 30 days, and no restore may go back past an audited erasure.".into()),
        ("Retention", retention),
        ("Data minimisation", format!("Analytics only with consent, checked at the edge; tracking and personal parameters stripped from addresses; {ip}; location from request metadata without third-party lookups; Global Privacy Control honoured.")),
        ("Origin checks", "The chat runs only on the site's domains (origin checks and the Content-Security-Policy frame-ancestors); visitor and inbox requests are accepted only from the edge's own pages.".into()),
        ("Identity verification", identity.into()),
        ("Isolation", "Each workspace, conversation and visitor is its own Durable Object, addressed by site, so one workspace's ids never reach another's data.".into()),
    ];
    let rows: Vec<(&str, String)> = measures.into_iter().map(|(what, how)| (what, esc(&how))).collect();
    format!(
        "<section id=\"measures\"><h2>Technical and organisational measures</h2>{}</section>",
        fact_table("As implemented, with this workspace&#39;s settings", &rows)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat_settings::ChatSettings;

    fn site(id: &str) -> SiteId {
        SiteId::parse(id).unwrap()
    }

    fn config() -> WorkspaceConfig {
        WorkspaceConfig {
            name: "Shop & Co".into(),
            greeting: "Hi".into(),
            allowed_domains: vec![shared::AllowedDomain::parse("shop.example").unwrap()],
            consent: crate::consent_defaults::default_consent("https://shop.example/privacy"),
            chat: ChatSettings::default(),
        }
    }

    fn both(c: &WorkspaceConfig) -> [String; 2] {
        let s = site("shop-a1b2c3");
        [notice_page(&s, c, 0), record_page(&s, c, 0)]
    }

    #[test]
    fn every_setting_value_is_escaped() {
        let mut c = config();
        c.name = "<script>alert(1)</script>".into();
        c.consent.policy_url = "https://x.example/\"><script>".into();
        c.consent.texts.values_mut().for_each(|t| t.analytics.description = "<img src=x onerror=alert(1)>".into());
        c.chat.business_hours = Some(BusinessHours { time_zone: "<b>".into(), days: vec![0], open: 60, close: 120 });
        for page in both(&c) {
            assert!(!page.contains("<script"), "no script at all");
            assert!(!page.contains("<img") && !page.contains("<b>"));
            assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        }
        assert!(both(&c)[0].contains("&lt;img src=x onerror=alert(1)&gt;"), "the banner's own texts too");
        assert!(both(&config())[0].contains("How Shop &amp; Co uses your data in this chat"));
    }

    #[test]
    fn a_workspace_without_a_policy_link_says_so() {
        let mut c = config();
        c.consent.policy_url = String::new();
        let [notice, record] = both(&c);
        assert!(notice.contains("It has not linked its own privacy policy yet."));
        assert!(record.contains("privacy policy not set"));
        assert!(!notice.contains("href=\"\"") && !record.contains("href=\"\""));
    }

    #[test]
    fn retention_follows_the_setting() {
        let mut c = config();
        c.chat.retention_days = Some(90);
        for page in both(&c) {
            assert!(page.contains("Conversations are deleted 90 days after their last message"), "{page}");
        }
        c.chat.retention_days = Some(1);
        assert!(both(&c)[0].contains("deleted 1 day after"));
        c.chat.retention_days = None;
        for page in both(&c) {
            assert!(!page.contains("days after their last message"));
        }
        assert!(both(&c)[0].contains("kept until deleted by the site owner or at your request"));
    }

    #[test]
    fn webhook_endpoints_are_recipients_named_by_host() {
        let c = config();
        let none = record_page(&site("shop"), &c, 0);
        assert!(none.contains("None: no webhook endpoint is set.") && none.contains("No one else."));
        let endpoint = crate::webhooks::Endpoint {
            id: "0a1b2c3d4e5f".into(),
            url: "https://crm.example.com/hooks/in?key=s3cret".into(),
            kinds: vec![crate::webhooks::EventKind::MessageCreated, crate::webhooks::EventKind::ContactErased],
            created_at: 1_796_083_200_000,
            created_by: shared::Email::parse("olga@shop.example").unwrap(),
            disabled: None,
            previous_until: None,
        };
        let page = record_with_billing(&site("shop"), &c, 0, false, &[endpoint]);
        assert!(page.contains(
            "<th scope=\"row\">crm.example.com</th><td>message.created, contact.erased — since 2026-12-01</td>"
        ));
        assert!(!page.contains("s3cret") && !page.contains("/hooks/in"), "the public page names the host only");
        assert!(page.contains("systems listed under Recipients") && !page.contains("No one else."));
    }

    #[test]
    fn keeping_ip_addresses_changes_what_is_listed() {
        let mut c = config();
        for page in both(&c) {
            assert!(page.contains("IP address is not stored") || page.contains("IP addresses not stored"));
            assert!(!page.contains("truncated"));
        }
        c.chat.store_ip = true;
        for page in both(&c) {
            assert!(page.contains("Your IP address, truncated (IPv4 to /24"));
            assert!(!page.contains("not stored"));
        }
    }

    #[test]
    fn no_analytics_category_means_no_analytics_section() {
        let mut c = config();
        assert!(both(&c)
            .iter()
            .all(|p| p.contains("<h3>Visitor analytics</h3>") || p.contains("<caption>Visitor analytics</caption>")));
        c.consent.categories = vec![Category::Preferences, Category::Marketing];
        for page in both(&c) {
            assert!(!page.contains("Visitor analytics"));
            assert!(!page.contains("Page activity:"));
            assert!(page.contains("no analytics category"));
        }
    }

    #[test]
    fn the_region_is_named() {
        let c = config();
        let eu = notice_page(&site("shop-a1b2c3-eu"), &c, 0);
        assert!(eu.contains("<strong>Data region:</strong> European Union."));
        assert!(eu.contains("jurisdiction &quot;eu&quot;"));
        let global = notice_page(&site("shop-a1b2c3"), &c, 0);
        assert!(global.contains("Global (Cloudflare&#39;s network, nearest location)"));
        assert!(global.contains("Standard Contractual Clauses"));
        assert!(record_page(&site("shop-a1b2c3-eu"), &c, 0).contains("European Union"));
        assert!(
            !record_page(&site("shop"), &c, 0).contains("Billing of this workspace"),
            "a deployment without billing"
        );
        let billed = record_with_billing(&site("shop"), &c, 0, true, &[]);
        assert!(
            billed.contains("<h2>Billing of this workspace</h2>")
                && billed.contains("also after the workspace is closed")
        );
    }

    #[test]
    fn every_storage_key_is_listed() {
        let (s, c) = (site("shop-a1b2c3"), config());
        for page in both(&c) {
            for key in storage_keys(&s, &c) {
                assert!(page.contains(&format!("<code>{}</code>", key.name)), "{}", key.name);
            }
            assert!(page.contains("<code>provixchat.shop-a1b2c3</code>"));
            assert!(page.contains("no cookies"));
        }
    }

    /// The pages list one storage key and no cookies: this fails when the loader, the JS API or
    /// the widget starts to store anything else, so the notice is updated with it.
    #[test]
    fn the_code_stores_nothing_the_notice_does_not_list() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for file in ["www/widget.js", "www/api.js"] {
            let js = std::fs::read_to_string(root.join(file)).unwrap();
            let definition = js.lines().find(|l| l.contains("var key = ")).unwrap_or_default();
            assert!(definition.contains(&format!("'{STORAGE_PREFIX}' + ")), "{file}: {definition}");
            let uses = js.matches("localStorage.").count();
            let keyed = js.matches("localStorage.getItem(key)").count()
                + js.matches("localStorage.setItem(key,").count()
                + js.matches("localStorage.removeItem(key)").count();
            assert_eq!(uses, keyed, "{file}: every localStorage call uses the one key");
        }
        let mut sources = vec![];
        for dir in ["www", "widget/src", "client/src"] {
            collect(&root.join(dir), &mut sources);
        }
        for (path, text) in sources {
            let demo = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("demo"));
            for api in [
                "document.cookie",
                "sessionStorage",
                "indexedDB",
                "session_storage",
                "local_storage",
                "set_cookie",
                "caches.",
            ] {
                assert!(demo || !text.contains(api), "{} uses {api}: list it in the notice", path.display());
            }
        }
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "js" || e == "rs") {
                out.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }

    #[test]
    fn categories_come_in_the_workspace_language() {
        let mut c = config();
        c.consent.language = Some(Lang::De);
        let page = &both(&c)[0];
        assert!(page.contains(r#"<th scope="row" lang="de">Notwendig</th>"#));
        assert!(page.contains("Notwendig (necessary) — always on"));
        assert!(both(&config())[0].contains(r#"<th scope="row" lang="en">Necessary</th>"#));
    }

    #[test]
    fn settings_shape_the_chat_section() {
        let mut c = config();
        c.chat.prechat = PrechatMode::Required;
        c.chat.business_hours =
            Some(BusinessHours { time_zone: "Europe/Berlin".into(), days: vec![0, 4], open: 540, close: 1020 });
        c.chat.identity_verification = true;
        let page = &both(&c)[0];
        assert!(page.contains("the chat needs them"));
        assert!(page.contains("outside business hours (Mon, Fri 09:00–17:00, Europe/Berlin)"));
        assert!(page.contains("verified with a signature"));
    }

    #[test]
    fn replies_by_email_are_a_purpose_of_their_own_with_their_sub_processor() {
        for page in both(&config()) {
            assert!(page.contains("Replies and transcripts by email"));
            assert!(page.contains("Files you or the team send in the chat"), "files are listed with the chat's data");
            assert!(page.contains("Only when you ask for it"));
            assert!(page.contains("Sub-processor (email)"));
        }
        let notice = &both(&config())[0];
        assert!(notice.contains("Stop these emails"), "how to withdraw is said where the basis is");
    }

    #[test]
    fn pages_are_accessible_and_dated() {
        for page in both(&config()) {
            assert!(page.starts_with("<!doctype html>\n<html lang=\"en\">"));
            assert_eq!(page.matches("<h1>").count(), 1);
            for tag in ["section", "table", "ul", "p"] {
                assert_eq!(
                    page.matches(&format!("<{tag}>")).count() + page.matches(&format!("<{tag} ")).count(),
                    page.matches(&format!("</{tag}>")).count(),
                    "{tag} closed"
                );
            }
            assert!(!page.contains("<th>"));
            assert_eq!(
                page.matches("<th ").count(),
                page.matches("<th scope=").count(),
                "every header cell has a scope"
            );
            assert!(page.contains("Generated from the site's current settings on 1970-01-01 (UTC) · policy version 1"));
            assert!(page.contains(r#"<link rel="stylesheet" href="/notice.css">"#));
            assert!(page.contains("Cloudflare, Inc."));
        }
        let [notice, record] = both(&config());
        assert!(notice.contains(r#"<a href="/privacy/shop-a1b2c3/record">Record of processing</a>"#));
        assert!(notice.contains(r#"<a href="https://shop.example/privacy">"#));
        assert!(record.contains(r#"<a href="/privacy/shop-a1b2c3">"#));
        assert!(record.contains("Argon2id") && record.contains("Art. 30(2)"));
    }
}
