//! Text the inbox derives for its views: how old a conversation looks in the list, and which
//! saved replies a message starting with `/` asks for. Pure, so they are tested natively.

use shared::api::CannedResponse;

/// How long ago `at` was, as the list shows it ("now", "5 min", "3 h", "2 d"), or `None` when it
/// is over a week ago (the list then shows the date).
pub fn ago(now_ms: i64, at_ms: i64) -> Option<String> {
    let minutes = (now_ms - at_ms).max(0) / 60_000;
    match minutes {
        0 => Some("now".into()),
        1..=59 => Some(format!("{minutes} min")),
        60..=1439 => Some(format!("{} h", minutes / 60)),
        1440..=10_079 => Some(format!("{} d", minutes / 1440)),
        _ => None,
    }
}

/// The saved replies a message beginning with `/` asks for: those whose shortcut starts with
/// what follows the slash (all of them for a lone `/`). Nothing unless the text is a single
/// word starting with `/`, so a message that merely contains a slash is left alone.
pub fn saved_replies_for<'a>(text: &str, replies: &'a [CannedResponse]) -> Vec<&'a CannedResponse> {
    let Some(typed) = text.strip_prefix('/') else { return Vec::new() };
    if typed.contains(char::is_whitespace) {
        return Vec::new();
    }
    let typed = typed.to_lowercase();
    replies.iter().filter(|r| r.shortcut.trim_start_matches('/').to_lowercase().starts_with(&typed)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_a_chat_app() {
        let now = 10_000_000_000;
        assert_eq!(ago(now, now - 30_000).as_deref(), Some("now"));
        assert_eq!(ago(now, now + 5_000).as_deref(), Some("now"), "a clock slightly ahead is not the future");
        assert_eq!(ago(now, now - 5 * 60_000).as_deref(), Some("5 min"));
        assert_eq!(ago(now, now - 3 * 3_600_000).as_deref(), Some("3 h"));
        assert_eq!(ago(now, now - 2 * 86_400_000).as_deref(), Some("2 d"));
        assert_eq!(ago(now, now - 8 * 86_400_000), None);
    }

    #[test]
    fn saved_replies_match_by_shortcut_after_a_leading_slash() {
        let replies = [
            CannedResponse { shortcut: "shipping".into(), text: "We ship worldwide.".into() },
            CannedResponse { shortcut: "/refund".into(), text: "Refunds take 5 days.".into() },
            CannedResponse { shortcut: "Shop-hours".into(), text: "9 to 5.".into() },
        ];
        let shortcuts =
            |text: &str| saved_replies_for(text, &replies).iter().map(|r| r.shortcut.clone()).collect::<Vec<_>>();
        assert_eq!(shortcuts("/").len(), 3);
        assert_eq!(shortcuts("/sh"), ["shipping", "Shop-hours"]);
        assert_eq!(shortcuts("/REF"), ["/refund"]);
        assert!(shortcuts("/sh more words").is_empty());
        assert!(shortcuts("see /sh").is_empty());
        assert!(shortcuts("/nothing").is_empty());
    }
}
