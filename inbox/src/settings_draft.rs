//! The settings form's draft: the workspace settings being edited plus what only the form needs,
//! changed by [`Edit`]s through `use_reducer`. Pure, so `cargo test -p inbox` checks it natively.

use crate::forms::{domains_text, parse_domains};
use shared::api::{BusinessHours, Greeting, WorkspaceSettings};
use shared::consent::Lang;
use std::rc::Rc;

/// The settings form while it is edited: the settings plus the domains as typed (parsed only on
/// save, so a half-typed line is not rewritten under the cursor) and the business hours last
/// shown, so unticking and re-ticking "Set business hours" does not lose them.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub settings: WorkspaceSettings,
    pub domains: String,
    pub last_hours: Option<BusinessHours>,
}

impl Draft {
    pub fn new(settings: WorkspaceSettings) -> Self {
        Draft {
            domains: domains_text(&settings.allowed_domains),
            last_hours: settings.business_hours.clone(),
            settings,
        }
    }

    /// What "Save settings" sends.
    pub fn to_settings(&self) -> WorkspaceSettings {
        WorkspaceSettings { allowed_domains: parse_domains(&self.domains), ..self.settings.clone() }
    }

    /// The owner's greeting and offline message in `lang`, empty where not written.
    pub fn translation(&self, lang: Lang) -> Greeting {
        let found = self.settings.translations.iter().find(|g| g.lang == lang).cloned();
        found.unwrap_or(Greeting { lang, greeting: String::new(), offline_message: String::new() })
    }

    /// Writes `lang`'s translation with `set` (the edge drops a language left with no text).
    pub fn set_translation(&mut self, lang: Lang, set: impl FnOnce(&mut Greeting)) {
        let list = &mut self.settings.translations;
        let i = list.iter().position(|g| g.lang == lang).unwrap_or_else(|| {
            list.push(Greeting { lang, greeting: String::new(), offline_message: String::new() });
            list.len() - 1
        });
        set(&mut list[i]);
    }

    /// Ticks or unticks "Set business hours"; ticking brings back the last hours or `fallback`.
    pub fn set_hours_enabled(&mut self, on: bool, fallback: impl FnOnce() -> BusinessHours) {
        if on {
            self.settings.business_hours = Some(self.last_hours.clone().unwrap_or_else(fallback));
        } else {
            self.last_hours = self.settings.business_hours.take().or(self.last_hours.take());
        }
    }
}

/// A change to the draft. A closure rather than one action per field: the form has many fields
/// and each change is a line; applying it to the newest state means fast typing never loses one.
pub struct Edit(pub Box<dyn FnOnce(&mut Draft)>);

impl Edit {
    pub fn new(f: impl FnOnce(&mut Draft) + 'static) -> Self {
        Edit(Box::new(f))
    }
}

impl yew::Reducible for Draft {
    type Action = Edit;
    fn reduce(self: Rc<Self>, edit: Edit) -> Rc<Self> {
        let mut next = (*self).clone();
        (edit.0)(&mut next);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::default_hours;
    use shared::api::{LauncherPosition, PrechatMode};

    fn settings() -> WorkspaceSettings {
        WorkspaceSettings {
            name: "Shop".into(),
            greeting: "Hi".into(),
            allowed_domains: vec!["shop.example".into(), "www.shop.example".into()],
            color: "#1f5eff".into(),
            position: LauncherPosition::Right,
            launcher_text: String::new(),
            team_name: String::new(),
            business_hours: None,
            offline_message: String::new(),
            prechat: PrechatMode::Off,
            language: None,
            retention_days: Some(365),
            canned_responses: vec![],
            identity_verification: false,
            translations: vec![],
            store_ip: false,
            data_region: Default::default(),
        }
    }

    #[test]
    fn draft_keeps_typed_domains_and_hours() {
        let mut d = Draft::new(settings());
        assert_eq!(d.domains, "shop.example\nwww.shop.example");
        d.domains = "new.example\n".into();
        assert_eq!(d.to_settings().allowed_domains, ["new.example"]);
        d.set_hours_enabled(true, || default_hours("Europe/Berlin".into()));
        let mut hours = d.settings.business_hours.clone().expect("ticked");
        assert_eq!(hours.days, [0, 1, 2, 3, 4]);
        hours.open = 600;
        d.settings.business_hours = Some(hours.clone());
        d.set_hours_enabled(false, || unreachable!());
        assert_eq!(d.to_settings().business_hours, None);
        d.set_hours_enabled(true, || default_hours("UTC".into()));
        assert_eq!(d.settings.business_hours, Some(hours), "re-ticking restores what was there");
    }

    #[test]
    fn identity_and_ip_choices_survive_the_draft() {
        let d = Draft::new(WorkspaceSettings { identity_verification: true, store_ip: true, ..settings() });
        let saved = d.to_settings();
        assert!(saved.identity_verification && saved.store_ip);
        let mut d = Draft::new(saved);
        d.settings.store_ip = false;
        let saved = d.to_settings();
        assert!(saved.identity_verification, "one choice does not change the other");
        assert!(!saved.store_ip);
    }

    #[test]
    fn edits_apply_to_the_newest_draft() {
        use yew::Reducible;
        let d = Rc::new(Draft::new(settings()));
        let d = d.reduce(Edit::new(|d| d.settings.name.push('1')));
        let d = d.reduce(Edit::new(|d| d.settings.name.push('2')));
        assert_eq!(d.settings.name, "Shop12");
    }

    #[test]
    fn translations_are_written_per_language_without_touching_the_others() {
        let mut d = Draft::new(settings());
        assert_eq!(d.translation(Lang::De).greeting, "");
        d.set_translation(Lang::De, |g| g.greeting = "Hallo!".into());
        d.set_translation(Lang::Fr, |g| g.offline_message = "Absents.".into());
        d.set_translation(Lang::De, |g| g.offline_message = "Gleich zurück.".into());
        assert_eq!(d.settings.translations.len(), 2);
        let de = d.translation(Lang::De);
        assert_eq!((de.greeting.as_str(), de.offline_message.as_str()), ("Hallo!", "Gleich zurück."));
        assert_eq!(d.translation(Lang::Fr).greeting, "");
        assert_eq!(d.to_settings().translations, d.settings.translations);
    }
}
