//! Provixchat's own words around the site owner's banner text, in every banner language: the one
//! table both the edge (which draws the banner on the host page, `edge/src/banner.rs`) and the
//! widget (the privacy choices) read.

use crate::consent::Lang;

pub struct Labels {
    pub accept_all: &'static str,
    pub reject_all: &'static str,
    pub customize: &'static str,
    pub save: &'static str,
    pub preferences: &'static str,
    pub always_on: &'static str,
    pub policy: &'static str,
    /// The link to the visitor-facing notice the edge generates from the site's settings.
    pub notice: &'static str,
    pub gpc: &'static str,
    pub close: &'static str,
    pub failed: &'static str,
}

pub fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::En => &EN,
        Lang::De => &DE,
        Lang::Fr => &FR,
        Lang::Es => &ES,
    }
}

const EN: Labels = Labels {
    accept_all: "Accept all",
    reject_all: "Reject all",
    customize: "Customize",
    save: "Save choices",
    preferences: "Privacy choices",
    always_on: "Always on",
    policy: "Privacy policy",
    notice: "How this site uses your data",
    gpc: "Your browser sends a Global Privacy Control signal, so analytics and marketing stay off unless you switch them on.",
    close: "Close",
    failed: "Your choice could not be saved. Please try again.",
};

const DE: Labels = Labels {
    accept_all: "Alle akzeptieren",
    reject_all: "Alle ablehnen",
    customize: "Anpassen",
    save: "Auswahl speichern",
    preferences: "Datenschutz-Einstellungen",
    always_on: "Immer aktiv",
    policy: "Datenschutzerklärung",
    notice: "Wie diese Website Ihre Daten nutzt",
    gpc: "Ihr Browser sendet das Signal Global Privacy Control: Statistik und Marketing bleiben aus, solange Sie sie nicht einschalten.",
    close: "Schließen",
    failed: "Ihre Auswahl konnte nicht gespeichert werden. Bitte versuchen Sie es erneut.",
};

const FR: Labels = Labels {
    accept_all: "Tout accepter",
    reject_all: "Tout refuser",
    customize: "Personnaliser",
    save: "Enregistrer mes choix",
    preferences: "Choix de confidentialité",
    always_on: "Toujours actifs",
    policy: "Politique de confidentialité",
    notice: "Comment ce site utilise vos données",
    gpc: "Votre navigateur envoie le signal Global Privacy Control : la mesure d'audience et le marketing restent désactivés sauf si vous les activez.",
    close: "Fermer",
    failed: "Votre choix n'a pas pu être enregistré. Veuillez réessayer.",
};

const ES: Labels = Labels {
    accept_all: "Aceptar todo",
    reject_all: "Rechazar todo",
    customize: "Personalizar",
    save: "Guardar selección",
    preferences: "Opciones de privacidad",
    always_on: "Siempre activas",
    policy: "Política de privacidad",
    notice: "Cómo usa este sitio tus datos",
    gpc: "Tu navegador envía la señal Global Privacy Control: la analítica y el marketing siguen desactivados salvo que los actives.",
    close: "Cerrar",
    failed: "No se pudo guardar tu elección. Inténtalo de nuevo.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_label_and_its_own_words() {
        for lang in Lang::ALL {
            let l = labels(lang);
            for text in [
                l.accept_all,
                l.reject_all,
                l.customize,
                l.save,
                l.preferences,
                l.always_on,
                l.policy,
                l.notice,
                l.gpc,
                l.close,
                l.failed,
            ] {
                assert!(!text.trim().is_empty(), "{lang:?}");
            }
            if lang != Lang::En {
                assert_ne!(l.accept_all, EN.accept_all, "{lang:?} is translated");
            }
        }
    }
}
