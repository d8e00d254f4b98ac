//! Pure conversions between what the admin forms show and what the API carries: the allowed
//! domains textarea, the snippet, the invite token in the URL hash, `HH:MM` times, weekdays,
//! retention choices, saved replies, path segments and labels. Kept out of the components so
//! `cargo test -p inbox` checks them natively.

use shared::api::{
    AuditAction, AuditActor, BusinessHours, CannedResponse, LauncherPosition, PrechatMode, Role, SecurityEventKind,
};
use shared::consent::Lang;
use shared::privacy::DataRegion;
use shared::{ConversationId, SiteId};

/// One domain per line in the textarea; commas also separate, since people paste lists. Order
/// is kept and repeats dropped. Spaces inside a line are left alone so that the edge refuses
/// "my shop.example" by name instead of the form quietly saving "my" and "shop.example".
pub fn parse_domains(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in text.split(['\n', ',']).map(str::trim).filter(|d| !d.is_empty()) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(d)) {
            out.push(d.to_owned());
        }
    }
    out
}

/// The textarea's text for a list of domains.
pub fn domains_text(domains: &[String]) -> String {
    domains.join("\n")
}

/// The line a site owner pastes into their pages.
pub fn snippet(origin: &str, site: &SiteId) -> String {
    format!(r#"<script src="{}/widget.js" data-site="{site}" defer></script>"#, origin.trim_end_matches('/'))
}

/// What a link into the inbox asks for, by its hash: links in invites and account emails carry
/// their token there, where no server log or `Referer` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashLink {
    /// `#invite=TOKEN`: join a workspace.
    Invite(String),
    /// `#reset=TOKEN`: choose a new password.
    Reset(String),
    /// `#verify=TOKEN`: confirm the account's address.
    Verify(String),
    /// `#forgot`: ask for a reset link (from the new-device alert).
    Forgot,
    /// `#open=SITE/ID`: a conversation (from a digest), once signed in.
    Open(SiteId, ConversationId),
}

/// The link a hash holds, if any.
pub fn hash_link(hash: &str) -> Option<HashLink> {
    let parts = || hash.trim_start_matches('#').split('&');
    let token = |key: &str| {
        parts()
            .find_map(|part| part.strip_prefix(key)?.strip_prefix('='))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    token("invite")
        .map(HashLink::Invite)
        .or_else(|| token("reset").map(HashLink::Reset))
        .or_else(|| token("verify").map(HashLink::Verify))
        .or_else(|| parts().any(|p| p == "forgot").then_some(HashLink::Forgot))
        .or_else(|| {
            let (site, id) =
                token("open")?.split_once('/').map(|(s, i)| (SiteId::parse(s), ConversationId::parse(i)))?;
            Some(HashLink::Open(site.ok()?, id.ok()?))
        })
}

/// Minutes after midnight as `<input type="time">` writes them.
pub fn minutes_to_hhmm(minutes: u16) -> String {
    let m = minutes.min(24 * 60 - 1);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// `HH:MM` (seconds, if the browser adds them, are ignored) to minutes after midnight.
pub fn hhmm_to_minutes(text: &str) -> Option<u16> {
    let mut parts = text.trim().split(':');
    let h: u16 = parts.next()?.parse().ok()?;
    let m: u16 = parts.next()?.parse().ok()?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Weekday labels in the order the API numbers them (0 = Monday).
pub const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `days` with `day` switched on or off, sorted and without repeats.
pub fn toggle_day(days: &[u8], day: u8, on: bool) -> Vec<u8> {
    let mut next: Vec<u8> = days.iter().copied().filter(|&d| d != day).collect();
    if on {
        next.push(day);
    }
    next.sort_unstable();
    next
}

/// Monday to Friday, nine to five, in the agent's own time zone: where most teams start.
pub fn default_hours(time_zone: String) -> BusinessHours {
    BusinessHours { time_zone, days: vec![0, 1, 2, 3, 4], open: 9 * 60, close: 17 * 60 }
}

/// The retention choices the form offers; `None` keeps conversations.
pub const RETENTION: [(Option<u32>, &str); 6] = [
    (Some(30), "30 days"),
    (Some(90), "90 days"),
    (Some(365), "1 year"),
    (Some(730), "2 years"),
    (Some(1825), "5 years"),
    (None, "Keep"),
];

/// `(value, label)` options for "Delete conversations after". A value set some other way (say
/// through the API) is listed too, so opening the form never silently changes it.
pub fn retention_options(current: Option<u32>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        RETENTION.iter().map(|(days, label)| (retention_value(*days), (*label).to_owned())).collect();
    if !RETENTION.iter().any(|(d, _)| *d == current) {
        if let Some(days) = current {
            out.insert(0, (days.to_string(), format!("{days} days")));
        }
    }
    out
}

/// The option value for a retention: the number of days, or `keep`.
pub fn retention_value(days: Option<u32>) -> String {
    days.map_or_else(|| "keep".to_owned(), |d| d.to_string())
}

pub fn retention_from_value(value: &str) -> Option<u32> {
    value.parse().ok()
}

/// The retention period as the settings page states the policy (and the visitor notice repeats it).
pub fn retention_policy(days: Option<u32>) -> String {
    match days {
        Some(1) => "Conversations and page activity older than 1 day are deleted automatically.".to_owned(),
        Some(days) => format!("Conversations and page activity older than {days} days are deleted automatically."),
        None => "Kept until deleted.".to_owned(),
    }
}

/// `(region, option value, name, hint)` for the sign-up form's "Data location".
pub const REGIONS: [(DataRegion, &str, &str, &str); 2] = [
    (DataRegion::Global, "global", "Global", "Stored where Cloudflare's network places it, near your first visitors."),
    // Not "processed in the EU": requests still pass through the nearest Cloudflare location.
    (DataRegion::Eu, "eu", "European Union", "Stored in the EU only (Durable Object jurisdiction)."),
];

/// The region of a "Data location" option; anything unknown is the default, global.
pub fn region_from_value(value: &str) -> DataRegion {
    REGIONS.iter().find(|(_, v, _, _)| *v == value).map_or(DataRegion::Global, |(r, _, _, _)| *r)
}

pub fn position_value(p: LauncherPosition) -> &'static str {
    match p {
        LauncherPosition::Right => "right",
        LauncherPosition::Left => "left",
    }
}

pub fn position_from_value(value: &str) -> LauncherPosition {
    if value == "left" {
        LauncherPosition::Left
    } else {
        LauncherPosition::Right
    }
}

/// `(mode, option value, label)` for "Pre-chat form".
pub const PRECHAT: [(PrechatMode, &str, &str); 3] = [
    (PrechatMode::Off, "off", "Off"),
    (PrechatMode::Optional, "optional", "Optional"),
    (PrechatMode::Required, "required", "Required"),
];

pub fn prechat_from_value(value: &str) -> PrechatMode {
    PRECHAT.iter().find(|(_, v, _)| *v == value).map_or(PrechatMode::Off, |(m, _, _)| *m)
}

/// Each language in its own name, as a speaker looks for it.
pub fn language_label(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "English",
        Lang::De => "Deutsch",
        Lang::Fr => "Français",
        Lang::Es => "Español",
    }
}

/// `""` follows the visitor's browser.
pub fn language_from_value(value: &str) -> Option<Lang> {
    Lang::ALL.into_iter().find(|l| l.code() == value)
}

/// A security log entry as the account owner reads it.
pub fn security_label(kind: SecurityEventKind) -> &'static str {
    match kind {
        SecurityEventKind::SignIn => "Signed in",
        SecurityEventKind::NewDevice => "Signed in from a new device",
        SecurityEventKind::SignInFailed => "Failed sign-in attempt",
        SecurityEventKind::LockedOut => "Sign-in locked after failed attempts",
        // Not "Password changed": that is the confirmation's wording, shown on the same page.
        SecurityEventKind::PasswordChanged => "Changed the password",
        SecurityEventKind::SessionRevoked => "Session signed out",
        SecurityEventKind::PasswordResetRequested => "Password reset link emailed",
        SecurityEventKind::PasswordReset => "Reset the password by email link",
        SecurityEventKind::EmailVerified => "Confirmed the email address",
    }
}

/// What an audit entry's actor did, as the audit log's "What" column says it.
pub fn audit_label(action: AuditAction) -> &'static str {
    match action {
        AuditAction::SignIn => "Signed in",
        AuditAction::SignInFailed => "Failed sign-in",
        AuditAction::LockedOut => "Locked out",
        AuditAction::InviteCreated => "Created an invite",
        AuditAction::InviteAccepted => "Joined by invite",
        AuditAction::RoleChanged => "Changed a role",
        AuditAction::MemberRemoved => "Removed a member",
        AuditAction::SettingsChanged => "Changed settings",
        AuditAction::ConsentSettingsChanged => "Changed consent settings",
        AuditAction::ConsentLogExported => "Exported the consent log",
        AuditAction::AuditLogExported => "Exported the audit log",
        AuditAction::IdentityRefused => "Refused an identity",
        AuditAction::IdentitySecretRotated => "Made a new identity secret",
        AuditAction::DataExported => "Exported a visitor's data",
        AuditAction::DataCorrected => "Corrected a visitor's details",
        AuditAction::DataErased => "Erased a visitor's data",
        AuditAction::ProcessingRestricted => "Restricted processing",
        AuditAction::ProcessingResumed => "Lifted a restriction",
        AuditAction::AnalyticsObjected => "Recorded an objection to analytics",
        AuditAction::AnalyticsObjectionWithdrawn => "Withdrew an objection",
        AuditAction::RetentionDeleted => "Retention deleted data",
        AuditAction::RateLimited => "Rate limit reached",
        AuditAction::VisitorBlocked => "Blocked a visitor",
        AuditAction::VisitorUnblocked => "Unblocked a visitor",
        AuditAction::Billing => "Billing",
        AuditAction::Api => "API",
        // Written by a newer edge than this page knows.
        AuditAction::Unknown => "Other",
    }
}

/// The audit log filter's choice: an option's value is its index in [`AuditAction::ALL`];
/// anything else (the "All" option's empty value) shows every action.
pub fn audit_filter(value: &str) -> Option<AuditAction> {
    value.parse::<usize>().ok().and_then(|i| AuditAction::ALL.get(i).copied())
}

/// Who an audit entry names: an agent's email as it is; the site's own page (such as a refused
/// identity) and the visitor (their own data request) in words; anything else as written.
pub fn audit_actor(actor: &AuditActor) -> &str {
    match actor {
        AuditActor::Site => "The website",
        AuditActor::Visitor => "The visitor",
        other => other.as_str(),
    }
}

/// A value as one URL path segment. Characters a path allows (RFC 3986 `pchar`, which includes
/// `@` and `+`) stay as they are, since the edge matches `/members/{email}` on the raw path;
/// anything else, such as `/`, `?`, `#`, `%` or a space, is percent-encoded.
pub fn path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A role in a sentence: "an admin", "an agent", "the owner".
pub fn role_phrase(role: Role) -> &'static str {
    match role {
        Role::Owner => "the owner",
        Role::Admin => "an admin",
        Role::Agent => "an agent",
    }
}

/// `replies` with a new saved reply, or why not. A leading `/` is dropped, since agents type it
/// anyway; shortcuts are single words so the composer can match them while typing.
pub fn add_saved_reply(replies: &[CannedResponse], shortcut: &str, text: &str) -> Result<Vec<CannedResponse>, String> {
    let shortcut = shortcut.trim().trim_start_matches('/').to_lowercase();
    let text = text.trim();
    if shortcut.is_empty() {
        return Err("Enter a shortcut, for example pricing.".into());
    }
    if shortcut.chars().any(char::is_whitespace) {
        return Err("A shortcut is one word, without spaces.".into());
    }
    if text.is_empty() {
        return Err("Enter the reply text.".into());
    }
    if replies.iter().any(|r| r.shortcut == shortcut) {
        return Err(format!("There is already a saved reply /{shortcut}."));
    }
    let mut next = replies.to_vec();
    next.push(CannedResponse { shortcut, text: text.to_owned() });
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_split_on_lines_and_commas_without_repeats() {
        assert_eq!(
            parse_domains(" shop.example\n\nwww.shop.example, a.example\r\nSHOP.example\n"),
            ["shop.example", "www.shop.example", "a.example"]
        );
        assert_eq!(parse_domains("not a domain"), ["not a domain"], "the edge names the bad line");
        assert!(parse_domains(" \n ").is_empty());
        let list = vec!["a.example".to_owned(), "b.example".to_owned()];
        assert_eq!(parse_domains(&domains_text(&list)), list, "the textarea round-trips");
    }

    #[test]
    fn snippet_names_the_site_and_the_inbox_origin() {
        assert_eq!(
            snippet("https://chat.example/", &SiteId::parse("shop").unwrap()),
            r#"<script src="https://chat.example/widget.js" data-site="shop" defer></script>"#
        );
    }

    #[test]
    fn links_only_from_their_hashes() {
        let invite = |t: &str| Some(HashLink::Invite(t.into()));
        assert_eq!(hash_link("#invite=abc_DEF-1"), invite("abc_DEF-1"));
        assert_eq!(hash_link("#x=1&invite=tok"), invite("tok"));
        assert_eq!(hash_link("invite=tok"), invite("tok"));
        assert_eq!(hash_link("#invite="), None);
        assert_eq!(hash_link("#other=tok"), None);
        assert_eq!(hash_link("#inviter=tok"), None);
        assert_eq!(hash_link(""), None);
        assert_eq!(hash_link("#reset=YWRh.s3cr3t"), Some(HashLink::Reset("YWRh.s3cr3t".into())));
        assert_eq!(hash_link("#verify=YWRh.x"), Some(HashLink::Verify("YWRh.x".into())));
        let (site, id) = (SiteId::parse("demo").unwrap(), ConversationId::parse("cv_AbC123xyz").unwrap());
        assert_eq!(hash_link("#open=demo/cv_AbC123xyz"), Some(HashLink::Open(site, id)));
        assert_eq!(hash_link("#open=demo"), None);
        assert_eq!(hash_link("#open=demo/not an id"), None);
        assert_eq!(hash_link("#forgot"), Some(HashLink::Forgot));
        assert_eq!(hash_link("#forgotten"), None);
        assert_eq!(hash_link("#reset="), None);
    }

    #[test]
    fn times_round_trip_and_refuse_nonsense() {
        assert_eq!(minutes_to_hhmm(9 * 60 + 5), "09:05");
        assert_eq!(minutes_to_hhmm(0), "00:00");
        assert_eq!(minutes_to_hhmm(5000), "23:59", "never an impossible time in the input");
        assert_eq!(hhmm_to_minutes("17:30"), Some(17 * 60 + 30));
        assert_eq!(hhmm_to_minutes("08:00:00"), Some(480));
        assert_eq!(hhmm_to_minutes("24:00"), None);
        assert_eq!(hhmm_to_minutes("9"), None);
        assert_eq!(hhmm_to_minutes(""), None);
        for m in [0, 59, 60, 719, 1439] {
            assert_eq!(hhmm_to_minutes(&minutes_to_hhmm(m)), Some(m));
        }
    }

    #[test]
    fn days_toggle_sorted() {
        assert_eq!(toggle_day(&[0, 4], 2, true), [0, 2, 4]);
        assert_eq!(toggle_day(&[0, 2, 4], 2, true), [0, 2, 4], "no repeats");
        assert_eq!(toggle_day(&[0, 2, 4], 0, false), [2, 4]);
    }

    #[test]
    fn retention_options_keep_an_unusual_value() {
        let standard = retention_options(Some(90));
        assert_eq!(standard.len(), 6);
        assert_eq!(standard[5], ("keep".to_owned(), "Keep".to_owned()));
        assert_eq!(retention_options(None).len(), 6);
        let odd = retention_options(Some(180));
        assert_eq!(odd[0], ("180".to_owned(), "180 days".to_owned()));
        assert_eq!(retention_from_value("keep"), None);
        assert_eq!(retention_from_value(&retention_value(Some(730))), Some(730));
    }

    #[test]
    fn retention_is_stated_in_words() {
        assert_eq!(
            retention_policy(Some(30)),
            "Conversations and page activity older than 30 days are deleted automatically."
        );
        assert_eq!(
            retention_policy(Some(1)),
            "Conversations and page activity older than 1 day are deleted automatically."
        );
        assert_eq!(retention_policy(None), "Kept until deleted.");
        for (days, _) in RETENTION {
            assert_eq!(retention_policy(retention_from_value(&retention_value(days))), retention_policy(days));
        }
    }

    #[test]
    fn select_values_round_trip() {
        for p in [LauncherPosition::Left, LauncherPosition::Right] {
            assert_eq!(position_from_value(position_value(p)), p);
        }
        for (m, value, _) in PRECHAT {
            assert_eq!(prechat_from_value(value), m);
        }
        assert_eq!(prechat_from_value("nonsense"), PrechatMode::Off);
        assert_eq!(language_from_value("de"), Some(Lang::De));
        assert_eq!(language_from_value(""), None);
        for (region, value, _, _) in REGIONS {
            assert_eq!(region_from_value(value), region);
        }
        assert_eq!(region_from_value("mars"), DataRegion::Global);
    }

    #[test]
    fn path_segments_keep_emails_readable() {
        assert_eq!(path_segment("ada+team@shop.example"), "ada+team@shop.example");
        assert_eq!(path_segment("a/b?c#d e%"), "a%2Fb%3Fc%23d%20e%25");
        assert_eq!(path_segment("zoë"), "zo%C3%AB");
    }

    #[test]
    fn words_for_roles_and_security_events() {
        assert_eq!(role_phrase(Role::Admin), "an admin");
        assert_eq!(role_phrase(Role::Agent), "an agent");
        assert_eq!(security_label(SecurityEventKind::NewDevice), "Signed in from a new device");
        assert!(
            !security_label(SecurityEventKind::PasswordChanged).contains("Password changed"),
            "the log line must not read like the confirmation beside it"
        );
    }

    #[test]
    fn languages_in_their_own_names_and_days_from_monday() {
        assert_eq!(language_label(Lang::De), "Deutsch");
        assert_eq!(language_label(Lang::Fr), "Français");
        assert_eq!(DAYS.len(), 7);
        assert_eq!(DAYS[0], "Mon", "the API numbers the days from Monday");
    }

    #[test]
    fn audit_actions_read_as_what_was_done() {
        assert_eq!(audit_label(AuditAction::SignInFailed), "Failed sign-in");
        assert_eq!(audit_label(AuditAction::InviteAccepted), "Joined by invite");
        assert_eq!(audit_label(AuditAction::ConsentLogExported), "Exported the consent log");
        assert_eq!(audit_label(AuditAction::DataErased), "Erased a visitor's data");
        assert_eq!(audit_label(AuditAction::ProcessingResumed), "Lifted a restriction");
        assert_eq!(audit_label(AuditAction::RateLimited), "Rate limit reached");
        let written: AuditAction = serde_json::from_str(r#""analytics_objection_withdrawn""#).expect("known");
        assert_eq!(audit_label(written), "Withdrew an objection");
        let unknown: AuditAction = serde_json::from_str(r#""api_key_rotated""#).expect("tolerated");
        assert_eq!(audit_label(unknown), "Other", "a newer edge's action still has a label");
        let mut labels: Vec<_> = AuditAction::ALL.iter().map(|&a| audit_label(a)).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), AuditAction::ALL.len(), "the filter's choices are told apart");
    }

    #[test]
    fn audit_filter_and_actor() {
        assert_eq!(audit_filter(""), None);
        assert_eq!(audit_filter("0"), Some(AuditAction::SignIn));
        assert_eq!(audit_filter("10"), Some(AuditAction::AuditLogExported));
        assert_eq!(audit_filter("13"), Some(AuditAction::DataExported));
        assert_eq!(audit_filter("24"), Some(AuditAction::Billing));
        assert_eq!(audit_filter("25"), Some(AuditAction::Api));
        assert_eq!(audit_filter("26"), Some(AuditAction::Unknown), "\"Other\" stays last");
        assert_eq!(audit_filter("27"), None);
        for (i, &action) in AuditAction::ALL.iter().enumerate() {
            assert_eq!(audit_filter(&i.to_string()), Some(action));
        }
        assert_eq!(audit_actor(&"site".into()), "The website");
        assert_eq!(audit_actor(&"visitor".into()), "The visitor");
        assert_eq!(audit_actor(&"ada@shop.example".into()), "ada@shop.example");
        assert_eq!(audit_actor(&"retention".into()), "retention", "shown as the edge wrote it");
    }

    #[test]
    fn saved_replies_are_checked() {
        let one = add_saved_reply(&[], " /Pricing ", " Our plans… ").expect("valid");
        assert_eq!(one, [CannedResponse { shortcut: "pricing".into(), text: "Our plans…".into() }]);
        assert!(add_saved_reply(&one, "pricing", "again").is_err(), "shortcuts are unique");
        assert!(add_saved_reply(&one, "", "text").is_err());
        assert!(add_saved_reply(&one, "two words", "text").is_err());
        assert!(add_saved_reply(&one, "hours", "  ").is_err());
    }
}
