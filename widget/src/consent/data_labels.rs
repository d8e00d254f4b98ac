//! The words of "Your data" (the visitor's own data-subject requests), in every banner language:
//! the privacy choices show in the visitor's language, and so does this part of them.

use shared::consent::Lang;

pub struct DataLabels {
    pub title: &'static str,
    pub nothing_held: &'static str,
    pub download: &'static str,
    pub download_hint: &'static str,
    pub correct: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub object: &'static str,
    pub object_hint: &'static str,
    pub restrict: &'static str,
    pub restrict_hint: &'static str,
    pub erase: &'static str,
    pub erase_what: &'static str,
    pub cannot_undo: &'static str,
    pub erase_all: &'static str,
    pub cancel: &'static str,
    pub erased: &'static str,
}

pub fn data_labels(lang: Lang) -> &'static DataLabels {
    match lang {
        Lang::En => &EN,
        Lang::De => &DE,
        Lang::Fr => &FR,
        Lang::Es => &ES,
    }
}

const EN: DataLabels = DataLabels {
    title: "Your data",
    nothing_held: "We hold no personal data about you on this site.",
    download: "Download my data",
    download_hint: "A file with everything this site holds about you: your details, chats, consent history and page activity.",
    correct: "Correct my details",
    name: "Name",
    email: "Email",
    save: "Save details",
    saved: "Saved:",
    object: "Stop analytics",
    object_hint: "Deletes the pages you visited, your device and location, and never records them again, whatever your cookie choices.",
    restrict: "Pause processing of my data",
    restrict_hint: "Your data is kept, but nothing new is recorded about you. You can still chat.",
    erase: "Delete my data",
    erase_what: "This deletes your details, your consent history, the pages you visited and every conversation, messages included.",
    cannot_undo: "This cannot be undone.",
    erase_all: "Delete everything",
    cancel: "Cancel",
    erased: "Your data has been deleted.",
};

const DE: DataLabels = DataLabels {
    title: "Ihre Daten",
    nothing_held: "Wir speichern auf dieser Website keine personenbezogenen Daten über Sie.",
    download: "Meine Daten herunterladen",
    download_hint: "Eine Datei mit allem, was diese Website über Sie speichert: Ihre Angaben, Chats, Einwilligungen und besuchten Seiten.",
    correct: "Meine Angaben berichtigen",
    name: "Name",
    email: "E-Mail",
    save: "Angaben speichern",
    saved: "Gespeichert:",
    object: "Statistik beenden",
    object_hint: "Löscht die besuchten Seiten, Ihr Gerät und Ihren Standort und erfasst sie nie wieder, unabhängig von Ihrer Cookie-Auswahl.",
    restrict: "Verarbeitung meiner Daten pausieren",
    restrict_hint: "Ihre Daten bleiben erhalten, aber es wird nichts Neues über Sie erfasst. Sie können weiter chatten.",
    erase: "Meine Daten löschen",
    erase_what: "Gelöscht werden Ihre Angaben, Ihre Einwilligungen, die besuchten Seiten und alle Unterhaltungen samt Nachrichten.",
    cannot_undo: "Das kann nicht rückgängig gemacht werden.",
    erase_all: "Alles löschen",
    cancel: "Abbrechen",
    erased: "Ihre Daten wurden gelöscht.",
};

const FR: DataLabels = DataLabels {
    title: "Vos données",
    nothing_held: "Nous ne détenons aucune donnée personnelle vous concernant sur ce site.",
    download: "Télécharger mes données",
    download_hint: "Un fichier avec tout ce que ce site détient sur vous : vos coordonnées, vos conversations, vos choix de consentement et les pages visitées.",
    correct: "Corriger mes informations",
    name: "Nom",
    email: "E-mail",
    save: "Enregistrer mes informations",
    saved: "Enregistré :",
    object: "Arrêter la mesure d'audience",
    object_hint: "Supprime les pages visitées, votre appareil et votre localisation, et ne les enregistre plus jamais, quels que soient vos choix de cookies.",
    restrict: "Suspendre le traitement de mes données",
    restrict_hint: "Vos données sont conservées, mais plus rien de nouveau n'est enregistré à votre sujet. Vous pouvez toujours discuter.",
    erase: "Supprimer mes données",
    erase_what: "Cela supprime vos coordonnées, vos choix de consentement, les pages visitées et toutes vos conversations, messages compris.",
    cannot_undo: "Cette action est irréversible.",
    erase_all: "Tout supprimer",
    cancel: "Annuler",
    erased: "Vos données ont été supprimées.",
};

const ES: DataLabels = DataLabels {
    title: "Tus datos",
    nothing_held: "No guardamos ningún dato personal tuyo en este sitio.",
    download: "Descargar mis datos",
    download_hint: "Un archivo con todo lo que este sitio guarda sobre ti: tus datos de contacto, conversaciones, historial de consentimiento y páginas visitadas.",
    correct: "Corregir mis datos",
    name: "Nombre",
    email: "Correo electrónico",
    save: "Guardar mis datos",
    saved: "Guardado:",
    object: "Detener la analítica",
    object_hint: "Borra las páginas que visitaste, tu dispositivo y tu ubicación, y no vuelve a registrarlos, sean cuales sean tus opciones de cookies.",
    restrict: "Pausar el tratamiento de mis datos",
    restrict_hint: "Tus datos se conservan, pero no se registra nada nuevo sobre ti. Puedes seguir chateando.",
    erase: "Eliminar mis datos",
    erase_what: "Se eliminan tus datos de contacto, tu historial de consentimiento, las páginas visitadas y todas las conversaciones, mensajes incluidos.",
    cannot_undo: "Esta acción no se puede deshacer.",
    erase_all: "Eliminar todo",
    cancel: "Cancelar",
    erased: "Tus datos se han eliminado.",
};

#[cfg(test)]
mod tests {
    use super::*;

    fn all(l: &DataLabels) -> [&'static str; 19] {
        [
            l.title,
            l.nothing_held,
            l.download,
            l.download_hint,
            l.correct,
            l.name,
            l.email,
            l.save,
            l.saved,
            l.object,
            l.object_hint,
            l.restrict,
            l.restrict_hint,
            l.erase,
            l.erase_what,
            l.cannot_undo,
            l.erase_all,
            l.cancel,
            l.erased,
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
            let names = [l.download, l.save, l.erase, l.erase_all, l.cancel, l.object, l.restrict];
            for (i, a) in names.iter().enumerate() {
                assert!(names[i + 1..].iter().all(|b| a != b), "{lang:?}: {a:?} twice");
            }
        }
    }
}
