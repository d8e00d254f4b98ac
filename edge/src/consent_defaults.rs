//! The consent settings a new workspace starts with: four categories (necessary always on) and
//! banner texts in English, German, French and Spanish, which the site owner can change.

use shared::consent::{BannerText, Category, CategoryText, ConsentSettings, Lang};
use std::collections::BTreeMap;

fn t(name: &str, description: &str) -> CategoryText {
    CategoryText { name: name.into(), description: description.into() }
}

fn banner(
    title: &str,
    text: &str,
    necessary: CategoryText,
    [preferences, analytics, marketing]: [CategoryText; 3],
) -> BannerText {
    BannerText { title: title.into(), text: text.into(), necessary, preferences, analytics, marketing }
}

pub fn default_consent(policy_url: &str) -> ConsentSettings {
    let texts = BTreeMap::from([
        (
            Lang::En,
            banner(
                "We value your privacy",
                "We use cookies and similar technologies. Necessary ones keep the site working; others help us remember your preferences, measure visits and show relevant ads — only if you allow them. You can change your choice at any time.",
                t("Necessary", "Needed for the site and the chat to work, and to remember this choice. Always on."),
                [
                    t("Preferences", "Remember settings such as language or region."),
                    t("Analytics", "Count visits and see which pages are used, so we can improve the site."),
                    t("Marketing", "Show ads that match your interests and measure their effect."),
                ],
            ),
        ),
        (
            Lang::De,
            banner(
                "Ihre Privatsphäre ist uns wichtig",
                "Wir verwenden Cookies und ähnliche Technologien. Notwendige halten die Website in Betrieb; andere merken sich Ihre Einstellungen, messen Besuche und zeigen passende Werbung – nur wenn Sie zustimmen. Sie können Ihre Wahl jederzeit ändern.",
                t("Notwendig", "Erforderlich, damit Website und Chat funktionieren und diese Wahl gespeichert bleibt. Immer aktiv."),
                [
                    t("Präferenzen", "Speichern Einstellungen wie Sprache oder Region."),
                    t("Statistik", "Zählen Besuche und zeigen, welche Seiten genutzt werden, damit wir die Website verbessern können."),
                    t("Marketing", "Zeigen Werbung, die zu Ihren Interessen passt, und messen ihre Wirkung."),
                ],
            ),
        ),
        (
            Lang::Fr,
            banner(
                "Votre vie privée compte",
                "Nous utilisons des cookies et des technologies similaires. Les cookies nécessaires font fonctionner le site ; les autres mémorisent vos préférences, mesurent les visites et affichent des publicités pertinentes — seulement si vous l'acceptez. Vous pouvez modifier votre choix à tout moment.",
                t("Nécessaires", "Indispensables au fonctionnement du site et du chat, et pour mémoriser ce choix. Toujours actifs."),
                [
                    t("Préférences", "Mémorisent des réglages comme la langue ou la région."),
                    t("Mesure d'audience", "Comptent les visites et montrent les pages consultées pour améliorer le site."),
                    t("Marketing", "Affichent des publicités adaptées à vos centres d'intérêt et mesurent leur effet."),
                ],
            ),
        ),
        (
            Lang::Es,
            banner(
                "Respetamos tu privacidad",
                "Usamos cookies y tecnologías similares. Las necesarias hacen que el sitio funcione; las demás recuerdan tus preferencias, miden las visitas y muestran anuncios relevantes, solo si lo permites. Puedes cambiar tu elección en cualquier momento.",
                t("Necesarias", "Imprescindibles para que el sitio y el chat funcionen y para recordar esta elección. Siempre activas."),
                [
                    t("Preferencias", "Recuerdan ajustes como el idioma o la región."),
                    t("Analítica", "Cuentan las visitas y muestran qué páginas se usan para mejorar el sitio."),
                    t("Marketing", "Muestran anuncios acordes a tus intereses y miden su efecto."),
                ],
            ),
        ),
    ]);
    ConsentSettings {
        policy_url: policy_url.into(),
        policy_version: 1,
        lifetime_days: 365,
        language: None,
        categories: Category::ALL.to_vec(),
        texts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_names_every_category() {
        let settings = default_consent("https://example.com/privacy");
        for lang in Lang::ALL {
            let text = settings.text(lang).unwrap();
            assert_eq!(settings.texts.get(&lang), Some(text), "{lang:?} has its own text");
            for c in Category::ALL {
                assert!(!text.category(c).description.is_empty(), "{lang:?} {c:?}");
            }
        }
        assert_eq!(settings.lifetime_days, 365, "twelve months by default");
    }
}
