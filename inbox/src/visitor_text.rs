//! Text the visitor pane derives from a [`VisitorProfile`]: one-line location and device, labels
//! for screen classes and consent, shortened page addresses, attribute values, and the check an
//! agent's contact edit passes before it is sent. Pure, so `cargo test -p inbox` checks it natively.

use shared::consent::{Choices, Method};
use shared::domain::visitor_name;
use shared::visitor::{ContactEdit, DeviceInfo, Location, ScreenClass};
use shared::Email;

/// "Berlin, Brandenburg, DE": the parts the edge knew, most precise first, without repeating a
/// city that is its own region ("Hamburg, Hamburg"). `None` when nothing is known.
pub fn location_line(l: &Location) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in [&l.city, &l.region, &l.country].into_iter().flatten() {
        let part = part.trim();
        if !part.is_empty() && !parts.iter().any(|p| p.eq_ignore_ascii_case(part)) {
            parts.push(part);
        }
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// What kind of device the edge's category means, in words an agent uses.
pub fn device_category(category: &str) -> &str {
    match category {
        "pc" => "Desktop",
        "smartphone" => "Phone",
        "mobilephone" => "Mobile phone",
        "appliance" => "TV or appliance",
        "crawler" => "Bot",
        "misc" | "" => "",
        other => other,
    }
}

/// "Chrome 156 · Linux · Desktop", leaving out what is unknown. `None` when nothing is known.
pub fn device_line(d: &DeviceInfo) -> Option<String> {
    let parts: Vec<&str> = [d.browser.trim(), d.os.trim(), device_category(d.category.trim())]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// The screen class with what it usually is, since the class alone says little.
pub fn screen_label(s: ScreenClass) -> &'static str {
    match s {
        ScreenClass::Small => "Small (phone)",
        ScreenClass::Medium => "Medium (tablet, small laptop)",
        ScreenClass::Large => "Large (desktop)",
    }
}

/// How a consent decision was made, as the banner's buttons said it.
pub fn consent_method(m: Method) -> &'static str {
    match m {
        Method::AcceptAll => "Accept all",
        Method::RejectAll => "Reject all",
        Method::Custom => "Custom",
    }
}

/// The optional categories a decision allowed, in lower case ("analytics, marketing").
pub fn allowed_categories(c: &Choices) -> Vec<&'static str> {
    [(c.preferences, "preferences"), (c.analytics, "analytics"), (c.marketing, "marketing")]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
}

/// One line for a decision: "Allowed analytics, marketing" or "Necessary only".
pub fn consent_summary(c: &Choices) -> String {
    let allowed = allowed_categories(c);
    if allowed.is_empty() {
        "Necessary only".to_owned()
    } else {
        format!("Allowed {}", allowed.join(", "))
    }
}

/// A page address without what an agent does not need to read: the scheme, a `www.`, the
/// fragment and a lone trailing slash ("https://www.shop.example/cart/#top" → "shop.example/cart").
/// The query stays: it often says what was searched for.
pub fn short_url(url: &str) -> String {
    let url = url.trim();
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let rest = rest.split('#').next().unwrap_or(rest);
    match rest.split_once('?') {
        Some((path, query)) => format!("{}?{query}", path.trim_end_matches('/')),
        None => rest.trim_end_matches('/').to_owned(),
    }
}

/// An attribute's value as text: strings without quotes, numbers and booleans as written.
pub fn attribute_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".to_owned(),
        other => other.to_string(),
    }
}

/// Who made a contact change, as the pane says it.
pub fn edited_by(by: &str) -> String {
    if by == "visitor" {
        "The visitor".to_owned()
    } else {
        by.to_owned()
    }
}

/// What a contact change set: "Name: Ana Lima · Email: ana@example.com".
pub fn contact_change(e: &ContactEdit) -> String {
    let parts: Vec<String> =
        [e.name.as_ref().map(|n| format!("Name: {n}")), e.email.as_ref().map(|m| format!("Email: {m}"))]
            .into_iter()
            .flatten()
            .collect();
    if parts.is_empty() {
        "Contact details".to_owned()
    } else {
        parts.join(" · ")
    }
}

/// What "Save contact" sends: only the fields that changed (the edge keeps omitted ones), each
/// validated as the edge will. `Ok((None, None))` means nothing changed. A field that had a value
/// cannot be emptied: the frame can only set details, so an empty box would silently keep it.
pub fn contact_change_to_send(
    name: &str,
    email: &str,
    current_name: Option<&str>,
    current_email: Option<&Email>,
) -> Result<(Option<String>, Option<String>), String> {
    let (name, email) = (name.trim(), email.trim());
    let name = match (name.is_empty(), current_name) {
        (true, Some(_)) => return Err("A name can be changed but not removed.".into()),
        (true, None) => None,
        (false, _) => {
            let name = visitor_name(name).map_err(|_| "Enter a name of up to 80 characters.".to_owned())?;
            (current_name != Some(name.as_str())).then_some(name)
        }
    };
    let email = match (email.is_empty(), current_email) {
        (true, Some(_)) => return Err("An email can be changed but not removed.".into()),
        (true, None) => None,
        (false, _) => {
            let email = Email::parse(email).map_err(|_| "Enter an email address like name@example.com.".to_owned())?;
            (current_email != Some(&email)).then(|| email.to_string())
        }
    };
    Ok((name, email))
}

/// How long ago something in a history happened ("just now", "5 min ago"), or `None` past a
/// week, when the date says more. Histories repeat the same day on every line otherwise.
pub fn age(now_ms: i64, at_ms: i64) -> Option<String> {
    crate::inbox_state::text::ago(now_ms, at_ms).map(|a| {
        if a == "now" {
            "just now".to_owned()
        } else {
            format!("{a} ago")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(city: Option<&str>, region: Option<&str>, country: Option<&str>) -> Location {
        let s = |v: Option<&str>| v.map(str::to_owned);
        Location { city: s(city), region: s(region), country: s(country) }
    }

    #[test]
    fn locations_read_most_precise_first_without_repeats() {
        assert_eq!(
            location_line(&location(Some("Potsdam"), Some("Brandenburg"), Some("DE"))).as_deref(),
            Some("Potsdam, Brandenburg, DE")
        );
        assert_eq!(
            location_line(&location(Some("Hamburg"), Some("Hamburg"), Some("DE"))).as_deref(),
            Some("Hamburg, DE")
        );
        assert_eq!(location_line(&location(None, Some(" "), Some("FR"))).as_deref(), Some("FR"));
        assert_eq!(location_line(&Location::default()), None);
    }

    #[test]
    fn devices_name_browser_system_and_kind() {
        let d = |b: &str, o: &str, c: &str| DeviceInfo { browser: b.into(), os: o.into(), category: c.into() };
        assert_eq!(device_line(&d("Chrome 156", "Linux", "pc")).as_deref(), Some("Chrome 156 · Linux · Desktop"));
        assert_eq!(device_line(&d("Safari 18", "iPhone", "smartphone")).as_deref(), Some("Safari 18 · iPhone · Phone"));
        assert_eq!(device_line(&d("", "Android", "misc")).as_deref(), Some("Android"));
        assert_eq!(
            device_line(&d("Firefox 140", "", "robot")).as_deref(),
            Some("Firefox 140 · robot"),
            "an unknown kind shows as sent"
        );
        assert_eq!(device_line(&d("", "", "")), None);
    }

    #[test]
    fn consent_lines_say_what_was_allowed() {
        assert_eq!(consent_summary(&Choices::none()), "Necessary only");
        assert_eq!(consent_summary(&Choices::all()), "Allowed preferences, analytics, marketing");
        let analytics = Choices { analytics: true, ..Choices::none() };
        assert_eq!(consent_summary(&analytics), "Allowed analytics");
        assert_eq!(consent_method(Method::RejectAll), "Reject all");
        assert_eq!(screen_label(ScreenClass::Small), "Small (phone)");
    }

    #[test]
    fn page_addresses_lose_scheme_www_fragment_and_trailing_slash() {
        assert_eq!(short_url("https://www.shop.example/cart/#top"), "shop.example/cart");
        assert_eq!(short_url("https://shop.example/"), "shop.example");
        assert_eq!(short_url("http://shop.example/search/?q=shoes#r"), "shop.example/search?q=shoes");
        assert_eq!(short_url("shop.example/a"), "shop.example/a");
    }

    #[test]
    fn ages_read_as_time_ago() {
        let now = 10_000_000_000;
        assert_eq!(age(now, now - 1_000).as_deref(), Some("just now"));
        assert_eq!(age(now, now - 3 * 60_000).as_deref(), Some("3 min ago"));
        assert_eq!(age(now, now - 9 * 86_400_000), None);
    }

    #[test]
    fn attributes_show_plain_values() {
        assert_eq!(attribute_text(&serde_json::json!("Pro")), "Pro");
        assert_eq!(attribute_text(&serde_json::json!(42.5)), "42.5");
        assert_eq!(attribute_text(&serde_json::json!(true)), "true");
        assert_eq!(attribute_text(&serde_json::Value::Null), "—");
    }

    #[test]
    fn contact_changes_say_who_and_what() {
        let email = Email::parse("ana@example.com").ok();
        let e = ContactEdit { at: 1, by: "visitor".into(), name: Some("Ana".into()), email };
        assert_eq!(edited_by(&e.by), "The visitor");
        assert_eq!(edited_by("dana@demo.example"), "dana@demo.example");
        assert_eq!(contact_change(&e), "Name: Ana · Email: ana@example.com");
        assert_eq!(contact_change(&ContactEdit { name: None, email: None, ..e }), "Contact details");
    }

    #[test]
    fn contact_edits_send_only_valid_changes() {
        let ana = Email::parse("ana@example.com").ok();
        assert_eq!(contact_change_to_send(" Ana Lima ", "", None, None), Ok((Some("Ana Lima".into()), None)));
        assert_eq!(
            contact_change_to_send("Ana", "ANA@example.com", Some("Ana"), ana.as_ref()),
            Ok((None, None)),
            "nothing changed"
        );
        assert_eq!(
            contact_change_to_send("Ana", "ana@new.example", Some("Ana"), ana.as_ref()),
            Ok((None, Some("ana@new.example".into())))
        );
        assert!(contact_change_to_send("Ana", "not-an-email", None, None).is_err());
        assert!(contact_change_to_send(&"x".repeat(81), "", None, None).is_err());
        assert!(contact_change_to_send("", "ana@example.com", Some("Ana"), ana.as_ref()).is_err(), "cannot be emptied");
        assert!(contact_change_to_send("Ana", "", Some("Ana"), ana.as_ref()).is_err());
    }
}
