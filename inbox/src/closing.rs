//! Closing an account or a workspace: when it will be deleted, what the pages say about it, and
//! the rule that arms "Close workspace". Pure, so `cargo test -p inbox` checks it natively; the
//! day itself is written by the browser (`client::day`) in the agent's language and time zone.

use shared::api::{Me, Role};
use shared::privacy::CLOSURE_GRACE_DAYS;
use shared::SiteId;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// When something closed at `now_ms` will be deleted: the edge keeps it the grace period first.
/// Only for saying so before closing; afterwards the edge's own `deleted_at` is the truth.
pub fn deletion_at(now_ms: i64) -> i64 {
    now_ms + i64::from(CLOSURE_GRACE_DAYS) * DAY_MS
}

/// Whether what was typed names the workspace, so "Close workspace" may be pressed. Surrounding
/// spaces are forgiven (a pasted id often has one), as the edge forgives them; case is not, since
/// ids are lowercase and a near-miss should not arm a button that deletes everything.
pub fn confirms(typed: &str, site: &SiteId) -> bool {
    typed.trim() == site.as_str()
}

/// The label of the confirmation field.
pub fn confirm_label(site: &SiteId) -> String {
    format!("Type the workspace id ({site}) to confirm")
}

/// What closing the account does, before it is done; `day` is the deletion day in words and
/// `owned` the workspace the agent owns, if any, which has to be closed first.
pub fn account_consequences(day: &str, owned: Option<&str>) -> Vec<String> {
    let mut texts = vec![
        "You leave every workspace you belong to now, and every device is signed out.".to_owned(),
        "You cannot sign in again: the account is kept, unreachable, for a while in case this was a mistake."
            .to_owned(),
        format!("Everything about your account (name, email, password, sessions, security log) is deleted on {day}."),
    ];
    if let Some(name) = owned {
        texts.push(format!("You own “{name}”: close it first, in its Settings."));
    }
    texts
}

/// The workspace the agent owns, if any: their account cannot be closed before it is.
pub fn owned_workspace(me: &Me) -> Option<&str> {
    me.workspaces.iter().find(|w| w.role == Role::Owner).map(|w| w.name.as_str())
}

/// What closing the workspace does, before it is done; `day` is the deletion day in words.
pub fn workspace_consequences(day: &str) -> [String; 3] {
    [
        "The chat widget stops on your site immediately, and visitors can no longer reach you.".into(),
        "Every member loses access to the workspace at once; their own accounts stay.".into(),
        format!("All conversations, visitor profiles, consent records and the audit log are deleted on {day}."),
    ]
}

/// Said on the sign-in screen once the account is closed.
pub fn account_closed(day: &str) -> String {
    format!("Your account is closed and will be deleted on {day}.")
}

/// Said once the workspace is closed, also after the inbox has moved on without it.
pub fn workspace_closed(name: &str, day: &str) -> String {
    format!("Closed “{name}”. Everything will be deleted on {day}.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::WorkspaceRef;
    use shared::Email;

    fn site() -> SiteId {
        SiteId::parse("atelier-a1b2c3").unwrap()
    }

    #[test]
    fn only_the_exact_id_arms_the_button() {
        assert!(confirms("atelier-a1b2c3", &site()));
        assert!(confirms("  atelier-a1b2c3\n", &site()), "a pasted id with spaces");
        for typed in ["", "atelier", "Atelier-A1B2C3", "atelier-a1b2c", "atelier-a1b2c34", "atelier a1b2c3"] {
            assert!(!confirms(typed, &site()), "{typed:?} must not arm it");
        }
        assert_eq!(confirm_label(&site()), "Type the workspace id (atelier-a1b2c3) to confirm");
    }

    #[test]
    fn only_an_owned_workspace_stands_in_the_way() {
        let workspace = |name: &str, role| WorkspaceRef {
            id: SiteId::parse(&format!("{name}-a1b2c3")).unwrap(),
            name: name.into(),
            role,
        };
        let mut me = Me {
            name: "Cleo".into(),
            email: Email::parse("cleo@shop.example").unwrap(),
            workspaces: vec![],
            email_verified: true,
            notify: Default::default(),
            billing: false,
        };
        assert_eq!(owned_workspace(&me), None);
        me.workspaces = vec![workspace("shop", Role::Agent), workspace("atelier", Role::Admin)];
        assert_eq!(owned_workspace(&me), None);
        me.workspaces.push(workspace("studio", Role::Owner));
        assert_eq!(owned_workspace(&me), Some("studio"));
    }

    #[test]
    fn deletion_is_the_grace_period_away() {
        let now = 1_764_000_000_000;
        assert_eq!(deletion_at(now) - now, 14 * DAY_MS);
        assert_eq!(CLOSURE_GRACE_DAYS, 14, "the texts below assume the edge's grace period");
    }

    #[test]
    fn the_deletion_day_is_said_in_every_text() {
        let day = "Wed, 9 Dec 2026";
        assert_eq!(account_closed(day), "Your account is closed and will be deleted on Wed, 9 Dec 2026.");
        assert_eq!(
            workspace_closed("Atelier", day),
            "Closed “Atelier”. Everything will be deleted on Wed, 9 Dec 2026."
        );
        assert!(account_consequences(day, None)[2].ends_with("deleted on Wed, 9 Dec 2026."));
        assert!(!account_consequences(day, None).iter().any(|t| t.contains("close it first")));
        assert_eq!(
            account_consequences(day, Some("Atelier"))[3],
            "You own “Atelier”: close it first, in its Settings."
        );
        let workspace = workspace_consequences(day);
        assert!(workspace[0].contains("stops on your site immediately"));
        assert!(workspace[2].contains("consent records and the audit log are deleted on Wed, 9 Dec 2026."));
    }
}
