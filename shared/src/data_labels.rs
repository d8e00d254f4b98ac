//! The words of "Your data" (the visitor's own data-subject requests), in every banner language:
//! the privacy choices show in the visitor's language, and so does this part of them. The edge
//! sends the widget one language's (`consent_labels::WidgetLabels`).

use crate::consent::Lang;
use crate::consent_labels::{t, Label};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataLabels {
    pub title: Label,
    pub nothing_held: Label,
    pub download: Label,
    pub download_hint: Label,
    pub correct: Label,
    pub name: Label,
    pub email: Label,
    pub save: Label,
    pub saved: Label,
    pub object: Label,
    pub object_hint: Label,
    pub restrict: Label,
    pub restrict_hint: Label,
    pub erase: Label,
    pub erase_what: Label,
    pub cannot_undo: Label,
    pub erase_all: Label,
    pub cancel: Label,
    pub erased: Label,
}

pub fn data_labels(lang: Lang) -> &'static DataLabels {
    match lang {
        Lang::En => &EN,
        Lang::De => &DE,
        Lang::Fr => &FR,
        Lang::Es => &ES,
    }
}

static EN: DataLabels = DataLabels {
    title: t("Your data"),
    nothing_held: t("We hold no personal data about you on this site."),
    download: t("Download my data"),
    download_hint: t("A file with everything this site holds about you: your details, chats, consent history and page activity."),
    correct: t("Correct my details"),
    name: t("Name"),
    email: t("Email"),
    save: t("Save details"),
    saved: t("Saved:"),
    object: t("Stop analytics"),
    object_hint: t("Deletes the pages you visited, your device and location, and never records them again, whatever your cookie choices."),
    restrict: t("Pause processing of my data"),
    restrict_hint: t("Your data is kept, but nothing new is recorded about you. You can still chat."),
    erase: t("Delete my data"),
    erase_what: t("This deletes your details, your consent history, the pages you visited and every conversation, messages included."),
    cannot_undo: t("This cannot be undone."),
    erase_all: t("Delete everything"),
    cancel: t("Cancel"),
    erased: t("Your data has been deleted."),
};

static DE: DataLabels = DataLabels {
    title: t("Ihre Daten"),
    nothing_held: t("Wir speichern auf dieser Website keine personenbezogenen Daten über Sie."),
    download: t("Meine Daten herunterladen"),
    download_hint: t("Eine Datei mit allem, was diese Website über Sie speichert: Ihre Angaben, Chats, Einwilligungen und besuchten Seiten."),
    correct: t("Meine Angaben berichtigen"),
    name: t("Name"),
    email: t("E-Mail"),
    save: t("Angaben speichern"),
    saved: t("Gespeichert:"),
    object: t("Statistik beenden"),
    object_hint: t("Löscht die besuchten Seiten, Ihr Gerät und Ihren Standort und erfasst sie nie wieder, unabhängig von Ihrer Cookie-Auswahl."),
    restrict: t("Verarbeitung meiner Daten pausieren"),
    restrict_hint: t("Ihre Daten bleiben erhalten, aber es wird nichts Neues über Sie erfasst. Sie können weiter chatten."),
    erase: t("Meine Daten löschen"),
    erase_what: t("Gelöscht werden Ihre Angaben, Ihre Einwilligungen, die besuchten Seiten und alle Unterhaltungen samt Nachrichten."),
    cannot_undo: t("Das kann nicht rückgängig gemacht werden."),
    erase_all: t("Alles löschen"),
    cancel: t("Abbrechen"),
    erased: t("Ihre Daten wurden gelöscht."),
};

static FR: DataLabels = DataLabels {
    title: t("Vos données"),
    nothing_held: t("Nous ne détenons aucune donnée personnelle vous concernant sur ce site."),
    download: t("Télécharger mes données"),
    download_hint: t("Un fichier avec tout ce que ce site détient sur vous : vos coordonnées, vos conversations, vos choix de consentement et les pages visitées."),
    correct: t("Corriger mes informations"),
    name: t("Nom"),
    email: t("E-mail"),
    save: t("Enregistrer mes informations"),
    saved: t("Enregistré :"),
    object: t("Arrêter la mesure d'audience"),
    object_hint: t("Supprime les pages visitées, votre appareil et votre localisation, et ne les enregistre plus jamais, quels que soient vos choix de cookies."),
    restrict: t("Suspendre le traitement de mes données"),
    restrict_hint: t("Vos données sont conservées, mais plus rien de nouveau n'est enregistré à votre sujet. Vous pouvez toujours discuter."),
    erase: t("Supprimer mes données"),
    erase_what: t("Cela supprime vos coordonnées, vos choix de consentement, les pages visitées et toutes vos conversations, messages compris."),
    cannot_undo: t("Cette action est irréversible."),
    erase_all: t("Tout supprimer"),
    cancel: t("Annuler"),
    erased: t("Vos données ont été supprimées."),
};

static ES: DataLabels = DataLabels {
    title: t("Tus datos"),
    nothing_held: t("No guardamos ningún dato personal tuyo en este sitio."),
    download: t("Descargar mis datos"),
    download_hint: t("Un archivo con todo lo que este sitio guarda sobre ti: tus datos de contacto, conversaciones, historial de consentimiento y páginas visitadas."),
    correct: t("Corregir mis datos"),
    name: t("Nombre"),
    email: t("Correo electrónico"),
    save: t("Guardar mis datos"),
    saved: t("Guardado:"),
    object: t("Detener la analítica"),
    object_hint: t("Borra las páginas que visitaste, tu dispositivo y tu ubicación, y no vuelve a registrarlos, sean cuales sean tus opciones de cookies."),
    restrict: t("Pausar el tratamiento de mis datos"),
    restrict_hint: t("Tus datos se conservan, pero no se registra nada nuevo sobre ti. Puedes seguir chateando."),
    erase: t("Eliminar mis datos"),
    erase_what: t("Se eliminan tus datos de contacto, tu historial de consentimiento, las páginas visitadas y todas las conversaciones, mensajes incluidos."),
    cannot_undo: t("Esta acción no se puede deshacer."),
    erase_all: t("Eliminar todo"),
    cancel: t("Cancelar"),
    erased: t("Tus datos se han eliminado."),
};

#[cfg(test)]
mod tests {
    use super::*;

    fn all(l: &DataLabels) -> [&str; 19] {
        [
            &l.title,
            &l.nothing_held,
            &l.download,
            &l.download_hint,
            &l.correct,
            &l.name,
            &l.email,
            &l.save,
            &l.saved,
            &l.object,
            &l.object_hint,
            &l.restrict,
            &l.restrict_hint,
            &l.erase,
            &l.erase_what,
            &l.cannot_undo,
            &l.erase_all,
            &l.cancel,
            &l.erased,
        ]
    }

    #[test]
    fn every_language_has_every_label_and_its_own_words() {
        for lang in Lang::ALL {
            let l = data_labels(lang);
            assert!(all(l).iter().all(|t| !t.trim().is_empty()), "{lang:?}");
            if lang != Lang::En {
                // Names and short words may coincide ("Name"); the sentences may not.
                for (text, en) in all(l).into_iter().zip(all(&EN)).filter(|(_, en)| en.len() > 12) {
                    assert_ne!(text, en, "{lang:?} is translated");
                }
            }
        }
    }

    #[test]
    fn the_buttons_of_one_language_have_distinct_names() {
        // Every action must be found by its name alone (screen readers, keyboard, the e2e tests).
        for lang in Lang::ALL {
            let l = data_labels(lang);
            let names = [&l.download, &l.save, &l.erase, &l.erase_all, &l.cancel, &l.object, &l.restrict];
            for (i, a) in names.iter().enumerate() {
                assert!(names[i + 1..].iter().all(|b| a != b), "{lang:?}: {a:?} twice");
            }
        }
    }
}
