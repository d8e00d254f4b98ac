//! Provixchat's own words around the site owner's banner text, in every banner language: the one
//! table the edge reads, both to draw the banner on the host page (`edge/src/banner.rs`) and to
//! send the widget's privacy choices their words in the visitor's language ([`WidgetLabels`], with
//! the consent configuration). The widget embeds none of these tables: it shows what it is sent.

use crate::consent::Lang;
use crate::data_labels::{data_labels, DataLabels};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A label: borrowed from the tables here on the edge, owned where it was decoded (the widget).
pub type Label = Cow<'static, str>;

/// A table entry (`Cow::Borrowed`, usable in a `static`).
pub(crate) const fn t(text: &'static str) -> Label {
    Cow::Borrowed(text)
}

/// The words of the privacy choices, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    pub accept_all: Label,
    pub reject_all: Label,
    pub customize: Label,
    pub save: Label,
    pub preferences: Label,
    pub always_on: Label,
    pub policy: Label,
    /// The link to the visitor-facing notice the edge generates from the site's settings.
    pub notice: Label,
    pub gpc: Label,
    pub close: Label,
    pub failed: Label,
}

/// Every word of the widget's privacy choices in one language, as the edge sends them with the
/// consent configuration (`consent-config?labels=1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetLabels {
    /// The choices themselves (the banner's words too).
    pub consent: Labels,
    /// "Your data", the visitor's own requests.
    pub data: DataLabels,
}

impl WidgetLabels {
    pub fn of(lang: Lang) -> WidgetLabels {
        WidgetLabels { consent: labels(lang).clone(), data: data_labels(lang).clone() }
    }
}

/// The launcher's words on the host page, in one language: set by the page's script (`api.js`)
/// from the consent configuration, which carries them for the loader only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LauncherLabels {
    /// The launcher's name while the chat is closed ("Open chat").
    pub open: Label,
    /// Its name while the chat is open.
    pub close: Label,
    /// Added to `open` while replies wait: "{n} unread".
    pub unread: Label,
    /// The page title's flash while the page is hidden: "(2) New message".
    pub new_message: Label,
}

pub fn launcher_labels(lang: Lang) -> &'static LauncherLabels {
    match lang {
        Lang::En => &LAUNCHER_EN,
        Lang::De => &LAUNCHER_DE,
        Lang::Fr => &LAUNCHER_FR,
        Lang::Es => &LAUNCHER_ES,
    }
}

static LAUNCHER_EN: LauncherLabels = LauncherLabels {
    open: t("Open chat"),
    close: t("Close chat"),
    unread: t("{n} unread"),
    new_message: t("New message"),
};
static LAUNCHER_DE: LauncherLabels = LauncherLabels {
    open: t("Chat öffnen"),
    close: t("Chat schließen"),
    unread: t("{n} ungelesen"),
    new_message: t("Neue Nachricht"),
};
static LAUNCHER_FR: LauncherLabels = LauncherLabels {
    open: t("Ouvrir le chat"),
    close: t("Fermer le chat"),
    unread: t("{n} non lus"),
    new_message: t("Nouveau message"),
};
static LAUNCHER_ES: LauncherLabels = LauncherLabels {
    open: t("Abrir el chat"),
    close: t("Cerrar el chat"),
    unread: t("{n} sin leer"),
    new_message: t("Nuevo mensaje"),
};

pub fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::En => &EN,
        Lang::De => &DE,
        Lang::Fr => &FR,
        Lang::Es => &ES,
    }
}

static EN: Labels = Labels {
    accept_all: t("Accept all"),
    reject_all: t("Reject all"),
    customize: t("Customize"),
    save: t("Save choices"),
    preferences: t("Privacy choices"),
    always_on: t("Always on"),
    policy: t("Privacy policy"),
    notice: t("How this site uses your data"),
    gpc: t("Your browser sends a Global Privacy Control signal, so analytics and marketing stay off unless you switch them on."),
    close: t("Close"),
    failed: t("Your choice could not be saved. Please try again."),
};

static DE: Labels = Labels {
    accept_all: t("Alle akzeptieren"),
    reject_all: t("Alle ablehnen"),
    customize: t("Anpassen"),
    save: t("Auswahl speichern"),
    preferences: t("Datenschutz-Einstellungen"),
    always_on: t("Immer aktiv"),
    policy: t("Datenschutzerklärung"),
    notice: t("Wie diese Website Ihre Daten nutzt"),
    gpc: t("Ihr Browser sendet das Signal Global Privacy Control: Statistik und Marketing bleiben aus, solange Sie sie nicht einschalten."),
    close: t("Schließen"),
    failed: t("Ihre Auswahl konnte nicht gespeichert werden. Bitte versuchen Sie es erneut."),
};

static FR: Labels = Labels {
    accept_all: t("Tout accepter"),
    reject_all: t("Tout refuser"),
    customize: t("Personnaliser"),
    save: t("Enregistrer mes choix"),
    preferences: t("Choix de confidentialité"),
    always_on: t("Toujours actifs"),
    policy: t("Politique de confidentialité"),
    notice: t("Comment ce site utilise vos données"),
    gpc: t("Votre navigateur envoie le signal Global Privacy Control : la mesure d'audience et le marketing restent désactivés sauf si vous les activez."),
    close: t("Fermer"),
    failed: t("Votre choix n'a pas pu être enregistré. Veuillez réessayer."),
};

static ES: Labels = Labels {
    accept_all: t("Aceptar todo"),
    reject_all: t("Rechazar todo"),
    customize: t("Personalizar"),
    save: t("Guardar selección"),
    preferences: t("Opciones de privacidad"),
    always_on: t("Siempre activas"),
    policy: t("Política de privacidad"),
    notice: t("Cómo usa este sitio tus datos"),
    gpc: t("Tu navegador envía la señal Global Privacy Control: la analítica y el marketing siguen desactivados salvo que los actives."),
    close: t("Cerrar"),
    failed: t("No se pudo guardar tu elección. Inténtalo de nuevo."),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launcher_has_its_words_in_every_language() {
        let en = launcher_labels(Lang::En);
        for lang in Lang::ALL {
            let l = launcher_labels(lang);
            let words = [&l.open, &l.close, &l.unread, &l.new_message];
            assert!(words.iter().all(|w| !w.trim().is_empty()), "{lang:?}");
            assert!(l.unread.contains("{n}"), "{lang:?}: the count goes in the words");
            if lang != Lang::En {
                assert!(l.open != en.open && l.close != en.close && l.new_message != en.new_message, "{lang:?}");
            }
        }
    }

    #[test]
    fn every_language_has_every_label_and_its_own_words() {
        for lang in Lang::ALL {
            let l = labels(lang);
            for text in [
                &l.accept_all,
                &l.reject_all,
                &l.customize,
                &l.save,
                &l.preferences,
                &l.always_on,
                &l.policy,
                &l.notice,
                &l.gpc,
                &l.close,
                &l.failed,
            ] {
                assert!(!text.trim().is_empty(), "{lang:?}");
            }
            if lang != Lang::En {
                assert_ne!(l.accept_all, EN.accept_all, "{lang:?} is translated");
            }
        }
    }
}
