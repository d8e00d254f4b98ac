//! The chat side of a workspace's settings (look of the launcher, greeting, hours, pre-chat form,
//! retention, saved replies): kept in the workspace's config, validated here, and turned into
//! what the widget, the loader and the inbox each need.

use crate::error::{EdgeError, EdgeResult};
use crate::settings::{bounded, WorkspaceConfig, MAX_GREETING_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use serde::{Deserialize, Serialize};
use shared::api::{
    BusinessHours, CannedResponse, Greeting, Launcher, LauncherPosition, PrechatMode, WorkspaceSettings,
};
use shared::consent::ConsentSettings;
use shared::consent::Lang;
use shared::AllowedDomain;

/// Longest launcher text, in characters: it must fit beside a 56 px button on a phone.
pub const MAX_LAUNCHER_CHARS: usize = 30;
/// Most saved replies a workspace keeps, and the longest shortcut.
pub const MAX_CANNED: usize = 100;
pub const MAX_SHORTCUT_CHARS: usize = 30;
/// Retention may be set from a day to five years; `None` keeps conversations.
pub const MAX_RETENTION_DAYS: u32 = 1825;
/// Most allowed domains per workspace.
pub const MAX_DOMAINS: usize = 50;

pub const DEFAULT_COLOR: &str = "#1f5eff";
pub const DEFAULT_OFFLINE: &str = "We're away right now. Leave your email and we'll reply as soon as we're back.";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatSettings {
    pub color: String,
    pub position: LauncherPosition,
    pub launcher_text: String,
    pub team_name: String,
    pub business_hours: Option<BusinessHours>,
    pub offline_message: String,
    pub prechat: PrechatMode,
    pub retention_days: Option<u32>,
    pub canned_responses: Vec<CannedResponse>,
    pub identity_verification: bool,
    /// The key sites sign user ids with for `identify`; made on first request (see `workspace`).
    pub identity_secret: String,
    /// When the identity secret was last replaced (ms): verified visitor tokens issued before
    /// vouched with the old one and no longer count.
    pub identity_rotated_at: Option<i64>,
    pub store_ip: bool,
    /// The greeting and offline message per language (`WorkspaceSettings::translations`).
    #[serde(default)]
    pub translations: Vec<Greeting>,
}

impl Default for ChatSettings {
    fn default() -> Self {
        Self {
            color: DEFAULT_COLOR.into(),
            position: LauncherPosition::Right,
            launcher_text: String::new(),
            team_name: String::new(),
            business_hours: None,
            offline_message: DEFAULT_OFFLINE.into(),
            prechat: PrechatMode::Off,
            retention_days: None,
            canned_responses: vec![],
            identity_verification: false,
            identity_secret: String::new(),
            identity_rotated_at: None,
            store_ip: false,
            translations: vec![],
        }
    }
}

impl WorkspaceConfig {
    /// The settings as the inbox edits them, with the site's data region (read-only).
    pub fn settings(&self, site: &shared::SiteId) -> WorkspaceSettings {
        let c = &self.chat;
        WorkspaceSettings {
            name: self.name.clone(),
            greeting: self.greeting.clone(),
            allowed_domains: self.allowed_domains.iter().map(|d| d.as_str().to_owned()).collect(),
            color: c.color.clone(),
            position: c.position,
            launcher_text: c.launcher_text.clone(),
            team_name: c.team_name.clone(),
            business_hours: c.business_hours.clone(),
            offline_message: c.offline_message.clone(),
            prechat: c.prechat,
            // One language setting: the consent banner's fixed language is the widget's.
            language: self.consent.language,
            retention_days: c.retention_days,
            canned_responses: c.canned_responses.clone(),
            identity_verification: c.identity_verification,
            store_ip: c.store_ip,
            data_region: shared::privacy::DataRegion::of(site),
            translations: c.translations.clone(),
        }
    }

    /// Applies settings from the inbox, checking every field; consent settings are kept.
    pub fn with_settings(&self, s: WorkspaceSettings) -> EdgeResult<WorkspaceConfig> {
        if s.allowed_domains.len() > MAX_DOMAINS {
            return Err(EdgeError::Invalid(format!("at most {MAX_DOMAINS} allowed domains")));
        }
        let allowed_domains =
            s.allowed_domains.iter().map(|d| AllowedDomain::parse(&site_domain(d))).collect::<Result<Vec<_>, _>>()?;
        if !is_hex_color(&s.color) {
            return Err(EdgeError::Invalid("the colour must look like #1f5eff".into()));
        }
        let launcher_text = optional("the launcher text", &s.launcher_text, MAX_LAUNCHER_CHARS)?;
        let team_name = optional("the team name", &s.team_name, MAX_NAME_CHARS)?;
        if let Some(hours) = &s.business_hours {
            check_hours(hours)?;
        }
        if s.retention_days.is_some_and(|d| !(1..=MAX_RETENTION_DAYS).contains(&d)) {
            return Err(EdgeError::Invalid(format!("retention must be 1-{MAX_RETENTION_DAYS} days, or keep")));
        }
        if s.canned_responses.len() > MAX_CANNED {
            return Err(EdgeError::Invalid(format!("at most {MAX_CANNED} saved replies")));
        }
        let mut canned: Vec<CannedResponse> = Vec::with_capacity(s.canned_responses.len());
        for c in &s.canned_responses {
            let shortcut = c.shortcut.trim().trim_start_matches('/').to_lowercase();
            let valid = !shortcut.is_empty()
                && shortcut.chars().count() <= MAX_SHORTCUT_CHARS
                && shortcut.chars().all(|ch| ch.is_alphanumeric() || ch == '-' || ch == '_');
            if !valid {
                return Err(EdgeError::Invalid(format!(
                    "saved reply shortcuts are 1-{MAX_SHORTCUT_CHARS} letters, digits, - or _ ('{}')",
                    c.shortcut
                )));
            }
            if canned.iter().any(|o| o.shortcut == shortcut) {
                return Err(EdgeError::Invalid(format!("the shortcut /{shortcut} is used twice")));
            }
            let text = bounded("a saved reply", &c.text, shared::domain::MAX_MESSAGE_CHARS)?;
            canned.push(CannedResponse { shortcut, text });
        }
        let mut translations: Vec<Greeting> = Vec::with_capacity(s.translations.len());
        for t in &s.translations {
            if translations.iter().any(|o| o.lang == t.lang) {
                return Err(EdgeError::Invalid(format!("two greetings in {}", t.lang.code())));
            }
            let greeting = optional("a translated greeting", &t.greeting, MAX_GREETING_CHARS)?;
            let offline_message = optional("a translated offline message", &t.offline_message, MAX_TEXT_CHARS)?;
            // A language with neither text is no translation.
            if !greeting.is_empty() || !offline_message.is_empty() {
                translations.push(Greeting { lang: t.lang, greeting, offline_message });
            }
        }
        Ok(WorkspaceConfig {
            name: bounded("the workspace name", &s.name, MAX_NAME_CHARS)?,
            greeting: bounded("the greeting", &s.greeting, MAX_GREETING_CHARS)?,
            allowed_domains,
            consent: ConsentSettings { language: s.language, ..self.consent.clone() },
            chat: ChatSettings {
                color: s.color.to_lowercase(),
                position: s.position,
                launcher_text,
                team_name,
                business_hours: s.business_hours,
                offline_message: bounded("the offline message", &s.offline_message, MAX_TEXT_CHARS)?,
                prechat: s.prechat,
                retention_days: s.retention_days,
                canned_responses: canned,
                identity_verification: s.identity_verification,
                identity_secret: self.chat.identity_secret.clone(),
                identity_rotated_at: self.chat.identity_rotated_at,
                store_ip: s.store_ip,
                translations,
            },
        })
    }

    /// What the loader needs to draw the launcher before any WASM loads.
    pub fn launcher(&self) -> Launcher {
        Launcher { color: self.chat.color.clone(), position: self.chat.position, text: self.chat.launcher_text.clone() }
    }

    /// The greeting and offline message visitors read in `lang`: the owner's translation where
    /// they wrote one, their main texts otherwise.
    pub fn greetings_in(&self, lang: Lang) -> (String, String) {
        let t = self.chat.translations.iter().find(|t| t.lang == lang);
        let pick = |translated: Option<&String>, main: &String| {
            translated.filter(|text| !text.is_empty()).unwrap_or(main).clone()
        };
        (pick(t.map(|t| &t.greeting), &self.greeting), pick(t.map(|t| &t.offline_message), &self.chat.offline_message))
    }

    /// The name visitors see in the widget's header.
    pub fn display_name(&self) -> &str {
        if self.chat.team_name.is_empty() {
            &self.name
        } else {
            &self.chat.team_name
        }
    }
}

/// A site address as an owner types it ("https://shop.example/", "Shop.Example") reduced to the
/// host an allowed domain names.
pub fn site_domain(input: &str) -> String {
    let s = input.trim().to_lowercase();
    let s = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")).unwrap_or(&s);
    s.split(['/', '?', '#']).next().unwrap_or_default().to_owned()
}

/// A text the owner may leave empty; when given, it holds as [`bounded`] texts do.
fn optional(what: &'static str, s: &str, max: usize) -> EdgeResult<String> {
    match s.trim() {
        "" => Ok(String::new()),
        given => bounded(what, given, max),
    }
}

fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

fn check_hours(h: &BusinessHours) -> EdgeResult<()> {
    let tz_ok = !h.time_zone.is_empty()
        && h.time_zone.len() <= 64
        && h.time_zone.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
    if !tz_ok {
        return Err(EdgeError::Invalid(format!("'{}' is not a time zone", h.time_zone)));
    }
    // Seven at most: a list of the same day thousands of times long would be kept as sent.
    if h.days.is_empty() || h.days.len() > 7 || h.days.iter().any(|d| *d > 6) {
        return Err(EdgeError::Invalid("business hours need at least one day (0 = Monday … 6 = Sunday)".into()));
    }
    if h.open >= h.close || h.close > 24 * 60 {
        return Err(EdgeError::Invalid("business hours must open before they close, within the day".into()));
    }
    Ok(())
}

/// Whether `hours` are open on `weekday` (0 = Monday) at `minute` after midnight, local time.
pub fn is_open(hours: &BusinessHours, weekday: u8, minute: u16) -> bool {
    hours.days.contains(&weekday) && (hours.open..hours.close).contains(&minute)
}

/// Minutes from `minute` on `weekday` (local time) to the next minute at which `hours` open or
/// close; `None` when they never change (open round the clock every day).
pub fn minutes_to_change(hours: &BusinessHours, weekday: u8, minute: u16) -> Option<u32> {
    let now = is_open(hours, weekday, minute);
    // Within a day the state can change only where it opens or closes, or at midnight (a day
    // open until 24:00 followed by a closed one): the first of those minutes, within the next
    // week, whose state differs from now's is the change.
    (0..=7u32)
        .flat_map(|day| [0, hours.open, hours.close].map(move |m| (day, m)))
        .filter(|(_, m)| *m < 24 * 60)
        .filter_map(|(day, m)| {
            let ahead = (day * 24 * 60 + u32::from(m)).checked_sub(u32::from(minute)).filter(|a| *a > 0)?;
            let weekday = ((u32::from(weekday) + day) % 7) as u8;
            (is_open(hours, weekday, m) != now).then_some(ahead)
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> shared::SiteId {
        shared::SiteId::parse("demo").unwrap()
    }

    fn config() -> WorkspaceConfig {
        WorkspaceConfig {
            name: "Demo".into(),
            greeting: "Hi".into(),
            allowed_domains: vec![],
            consent: crate::consent_defaults::default_consent("https://shop.example/privacy"),
            chat: ChatSettings::default(),
        }
    }

    fn hours(days: &[u8], open: u16, close: u16) -> BusinessHours {
        BusinessHours { time_zone: "Europe/Berlin".into(), days: days.to_vec(), open, close }
    }

    #[test]
    fn settings_round_trip_and_are_normalised() {
        let mut s = config().settings(&site());
        s.allowed_domains = vec!["https://Shop.Example/".into(), "*.shop.example".into()];
        s.color = "#ABCDEF".into();
        s.canned_responses = vec![CannedResponse { shortcut: "/Hours".into(), text: " We're open 9-5. ".into() }];
        s.business_hours = Some(hours(&[0, 1, 2, 3, 4], 9 * 60, 17 * 60));
        s.retention_days = Some(365);
        let c = config().with_settings(s).unwrap();
        assert_eq!(c.settings(&site()).allowed_domains, ["shop.example", "*.shop.example"]);
        assert_eq!(c.chat.color, "#abcdef");
        assert_eq!(
            c.chat.canned_responses,
            [CannedResponse { shortcut: "hours".into(), text: "We're open 9-5.".into() }]
        );
        assert_eq!(c.consent, config().consent, "consent settings are not touched");
        let mut german = c.settings(&site());
        german.language = Some(shared::consent::Lang::De);
        assert_eq!(
            c.with_settings(german).unwrap().consent.language,
            Some(shared::consent::Lang::De),
            "one language setting"
        );
        assert_eq!(c.clone().with_settings(c.settings(&site())).unwrap(), c);
    }

    #[test]
    fn bad_settings_are_refused_with_a_reason() {
        let cases: Vec<Box<dyn Fn(&mut WorkspaceSettings)>> = vec![
            Box::new(|s| s.color = "blue".into()),
            Box::new(|s| s.allowed_domains = vec!["not a domain".into()]),
            Box::new(|s| s.name = " ".into()),
            Box::new(|s| s.launcher_text = "x".repeat(MAX_LAUNCHER_CHARS + 1)),
            Box::new(|s| s.retention_days = Some(0)),
            Box::new(|s| s.business_hours = Some(hours(&[], 60, 120))),
            Box::new(|s| s.business_hours = Some(hours(&[7], 60, 120))),
            Box::new(|s| s.business_hours = Some(hours(&[0], 120, 60))),
            Box::new(|s| {
                s.business_hours = Some(BusinessHours { time_zone: "<script>".into(), ..hours(&[0], 60, 120) })
            }),
            Box::new(|s| s.canned_responses = vec![CannedResponse { shortcut: "a b".into(), text: "x".into() }]),
            Box::new(|s| {
                let c = CannedResponse { shortcut: "hi".into(), text: "x".into() };
                s.canned_responses = vec![c.clone(), c];
            }),
            Box::new(|s| s.offline_message = String::new()),
            Box::new(|s| s.business_hours = Some(hours(&[0; 8], 60, 120))),
            Box::new(|s| s.team_name = "Support \u{202E}ecnaniF".into()),
            Box::new(|s| s.launcher_text = "\u{2066}Chat".into()),
            Box::new(|s| {
                let g = Greeting { lang: Lang::De, greeting: "Hallo".into(), offline_message: String::new() };
                s.translations = vec![g.clone(), g];
            }),
            Box::new(|s| {
                let long = "x".repeat(MAX_GREETING_CHARS + 1);
                s.translations = vec![Greeting { lang: Lang::Fr, greeting: long, offline_message: String::new() }];
            }),
        ];
        for (i, change) in cases.iter().enumerate() {
            let mut s = config().settings(&site());
            change(&mut s);
            assert!(config().with_settings(s).is_err(), "case {i} should be refused");
        }
    }

    #[test]
    fn visitors_read_the_owners_translation_in_their_language_else_the_main_texts() {
        let mut s = config().settings(&site());
        s.greeting = "Hi!".into();
        s.offline_message = "We're away.".into();
        s.translations = vec![
            Greeting { lang: Lang::De, greeting: " Hallo! ".into(), offline_message: String::new() },
            Greeting { lang: Lang::Fr, greeting: " ".into(), offline_message: " ".into() },
        ];
        let c = config().with_settings(s).unwrap();
        assert_eq!(c.chat.translations.len(), 1, "a language with no text is no translation");
        assert_eq!(c.greetings_in(Lang::De), ("Hallo!".to_owned(), "We're away.".to_owned()));
        assert_eq!(c.greetings_in(Lang::Fr), ("Hi!".to_owned(), "We're away.".to_owned()));
        assert_eq!(c.greetings_in(Lang::En), ("Hi!".to_owned(), "We're away.".to_owned()));
    }

    #[test]
    fn site_addresses_become_domains() {
        assert_eq!(site_domain(" https://Shop.example/path?x=1 "), "shop.example");
        assert_eq!(site_domain("shop.example"), "shop.example");
        assert_eq!(site_domain("http://127.0.0.1:8787/"), "127.0.0.1:8787");
    }

    #[test]
    fn the_next_change_of_business_hours() {
        let weekdays = hours(&[0, 1, 2, 3, 4], 9 * 60, 17 * 60);
        // Monday 08:00 → opens at 09:00; 09:00 → closes at 17:00; Friday 17:00 → Monday 09:00.
        assert_eq!(minutes_to_change(&weekdays, 0, 8 * 60), Some(60));
        assert_eq!(minutes_to_change(&weekdays, 0, 9 * 60), Some(8 * 60));
        assert_eq!(minutes_to_change(&weekdays, 0, 16 * 60 + 59), Some(1));
        assert_eq!(minutes_to_change(&weekdays, 4, 17 * 60), Some(2 * 24 * 60 + 16 * 60));
        // Saturday, Sunday: closed until Monday.
        assert_eq!(minutes_to_change(&weekdays, 6, 23 * 60 + 59), Some(9 * 60 + 1));
        // Open until midnight, then a closed day: the change is at midnight.
        let late = hours(&[2], 20 * 60, 24 * 60);
        assert_eq!(minutes_to_change(&late, 2, 23 * 60), Some(60));
        // Open until midnight every day from midnight: the same state all week, once a week.
        assert_eq!(minutes_to_change(&hours(&[0, 1, 2, 3, 4, 5, 6], 0, 24 * 60), 3, 720), None);
        // One day a week: closes on it, reopens seven days after it opened.
        let monday = hours(&[0], 60, 120);
        assert_eq!(minutes_to_change(&monday, 0, 120), Some(7 * 24 * 60 - 60));
        // Every answer is a real change, and nothing changes before it (brute force, each minute).
        for h in [&weekdays, &late, &monday] {
            for start in (0..7 * 24 * 60).step_by(37) {
                let (wd, m) = ((start / (24 * 60)) as u8, (start % (24 * 60)) as u16);
                let at = |ahead: u32| {
                    let t = start + ahead;
                    is_open(h, ((t / (24 * 60)) % 7) as u8, (t % (24 * 60)) as u16)
                };
                let change = minutes_to_change(h, wd, m).unwrap();
                assert!((1..change).all(|a| at(a) == at(0)) && at(change) != at(0), "{h:?} at {start}");
            }
        }
    }

    #[test]
    fn business_hours() {
        let h = hours(&[0, 1, 2, 3, 4], 9 * 60, 17 * 60);
        assert!(is_open(&h, 0, 9 * 60));
        assert!(!is_open(&h, 0, 17 * 60), "closing time is closed");
        assert!(!is_open(&h, 5, 12 * 60), "Saturday");
    }

    #[test]
    fn the_team_name_replaces_the_workspace_name_when_set() {
        let mut c = config();
        assert_eq!(c.display_name(), "Demo");
        c.chat.team_name = "Demo Support".into();
        assert_eq!(c.display_name(), "Demo Support");
    }
}
