//! What the edge says to a visitor, in their language, when it refuses them something they did
//! in the widget: a file (it comes to their chat as a notice), or the chat itself before it
//! starts (the widget shows it in place of the chat). The code stays the edge's; only the words
//! are the visitor's. Anything else keeps the edge's own words.

use crate::error::EdgeError;
use shared::api::ApiError;
use shared::consent::Lang;
use shared::files::MAX_FILE_BYTES;

/// A refused upload.
pub fn file(error: &EdgeError, lang: Lang) -> ApiError {
    let mb = MAX_FILE_BYTES / (1024 * 1024);
    let message = match (error, lang) {
        (EdgeError::TooLarge, Lang::En) => format!("This file is larger than {mb} MB."),
        (EdgeError::TooLarge, Lang::De) => format!("Diese Datei ist größer als {mb} MB."),
        (EdgeError::TooLarge, Lang::Fr) => format!("Ce fichier dépasse {mb} Mo."),
        (EdgeError::TooLarge, Lang::Es) => format!("Este archivo supera los {mb} MB."),
        (EdgeError::UnsupportedFile, Lang::En) => {
            "This kind of file cannot be sent: pictures (PNG, JPEG, GIF, WebP), PDF and plain text can.".into()
        }
        (EdgeError::UnsupportedFile, Lang::De) => {
            "Diese Art von Datei kann nicht gesendet werden, wohl aber Bilder (PNG, JPEG, GIF, WebP), PDF und reiner Text."
                .into()
        }
        (EdgeError::UnsupportedFile, Lang::Fr) => {
            "Ce type de fichier ne peut pas être envoyé ; les images (PNG, JPEG, GIF, WebP), les PDF et le texte brut, si."
                .into()
        }
        (EdgeError::UnsupportedFile, Lang::Es) => {
            "Este tipo de archivo no se puede enviar; las imágenes (PNG, JPEG, GIF, WebP), los PDF y el texto sin formato, sí."
                .into()
        }
        (EdgeError::RateLimited { .. }, lang) => too_many(lang),
        _ => return error.to_api_error(),
    };
    // A file's refusal is final: its bytes are not kept to send again.
    ApiError { error: error.code(), message, retry_after_s: None }
}

/// The chat refused before it starts (its session): too many attempts, or not available at all
/// (a site not set up for this page, a closed workspace…; what exactly is the site owner's to
/// know, not the visitor's).
pub fn chat(error: &EdgeError, lang: Lang) -> ApiError {
    let message = match (error, lang) {
        (EdgeError::RateLimited { .. }, lang) => too_many(lang),
        // The site's plan has no new conversations left this month: the visitor learns that it is
        // new chats that cannot start (not why), and that another way to reach the site remains.
        (EdgeError::PlanLimit(_), Lang::En) => {
            "The chat cannot take new conversations right now. Please contact the site another way.".into()
        }
        (EdgeError::PlanLimit(_), Lang::De) => {
            "Der Chat kann gerade keine neuen Gespräche annehmen. Bitte kontaktieren Sie die Website auf anderem Weg.".into()
        }
        (EdgeError::PlanLimit(_), Lang::Fr) => {
            "Le chat ne peut pas accepter de nouvelles conversations pour le moment. Veuillez contacter le site autrement."
                .into()
        }
        (EdgeError::PlanLimit(_), Lang::Es) => {
            "El chat no puede aceptar conversaciones nuevas en este momento. Contacte con el sitio por otra vía.".into()
        }
        (_, Lang::En) => "The chat is not available right now.".into(),
        (_, Lang::De) => "Der Chat ist gerade nicht verfügbar.".into(),
        (_, Lang::Fr) => "Le chat n’est pas disponible pour le moment.".into(),
        (_, Lang::Es) => "El chat no está disponible en este momento.".into(),
    };
    ApiError { error: error.code(), message, retry_after_s: error.retry_after_s() }
}

fn too_many(lang: Lang) -> String {
    match lang {
        Lang::En => "Too many at once: please try again in a few minutes.",
        Lang::De => "Zu viel auf einmal: Bitte versuchen Sie es in einigen Minuten erneut.",
        Lang::Fr => "Trop à la fois : veuillez réessayer dans quelques minutes.",
        Lang::Es => "Demasiado a la vez: inténtelo de nuevo en unos minutos.",
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each refusal has its own words in every language, and keeps its code.
    fn speaks_every_language(refuse: fn(&EdgeError, Lang) -> ApiError, error: &EdgeError) {
        let said: Vec<ApiError> = Lang::ALL.iter().map(|&lang| refuse(error, lang)).collect();
        let mut words: Vec<&str> = said.iter().map(|e| e.message.as_str()).collect();
        words.sort();
        words.dedup();
        assert_eq!(words.len(), Lang::ALL.len(), "one text per language: {said:?}");
        assert!(said.iter().all(|e| e.error == error.code()));
    }

    #[test]
    fn refusals_speak_the_visitors_language_and_keep_their_code() {
        let limited = EdgeError::RateLimited { retry_after_s: 60 };
        for error in [EdgeError::TooLarge, EdgeError::UnsupportedFile, EdgeError::RateLimited { retry_after_s: 60 }] {
            speaks_every_language(file, &error);
        }
        for error in [
            EdgeError::RateLimited { retry_after_s: 60 },
            EdgeError::Forbidden,
            EdgeError::NotFound,
            EdgeError::PlanLimit("3 conversations a month".into()),
        ] {
            speaks_every_language(chat, &error);
        }
        assert_eq!(file(&EdgeError::TooLarge, Lang::De).message, "Diese Datei ist größer als 5 MB.");
        let full = chat(&EdgeError::PlanLimit("the Free plan's 3 conversations this month are used".into()), Lang::En);
        assert!(full.message.starts_with("The chat cannot take new conversations"), "not the owner's plan: {full:?}");
        assert_eq!(file(&limited, Lang::En).retry_after_s, None, "a file is not sent again");
        assert_eq!(chat(&limited, Lang::En).retry_after_s, Some(60));
        assert_eq!(file(&EdgeError::Forbidden, Lang::De).message, EdgeError::Forbidden.public_message());
    }
}
