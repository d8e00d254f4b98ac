//! Who may do what in a workspace: the role checks for the inbox's routes, the rules for changing
//! members, invite links, and who counts as available. Pure, so `cargo test` covers every rule.

use crate::error::{EdgeError, EdgeResult};
use shared::api::{Member, Role};
use shared::{AgentPresence, AgentRef, Email};

/// How long an invite link works.
pub const INVITE_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
/// Most open invites a workspace keeps (an owner clicking "Create" in a loop stops here).
pub const MAX_OPEN_INVITES: i64 = 50;

/// What a member wants to do, for [`require`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read and answer conversations, see the team and the settings.
    Chat,
    /// Change settings, consent settings, invite and manage members, read and export the consent log.
    Manage,
}

/// The one role check of the inbox's routes.
pub fn require(role: Role, action: Action) -> EdgeResult<()> {
    match (role, action) {
        (_, Action::Chat) | (Role::Owner | Role::Admin, Action::Manage) => Ok(()),
        (Role::Agent, Action::Manage) => Err(EdgeError::Forbidden),
    }
}

/// Whether `actor` may give `target` the role `new`. Nobody becomes or stops being the owner
/// here, and nobody changes their own role (an admin cannot lock themselves out, or in).
pub fn check_role_change(actor: &Email, target: &Member, new: Role) -> EdgeResult<()> {
    if target.role == Role::Owner || new == Role::Owner {
        return Err(EdgeError::Invalid("the owner's role cannot be given or taken here".into()));
    }
    if &target.email == actor {
        return Err(EdgeError::Invalid("you cannot change your own role".into()));
    }
    Ok(())
}

/// Whether `actor` may remove `target`: never the owner, never themselves.
pub fn check_removal(actor: &Email, target: &Member) -> EdgeResult<()> {
    if target.role == Role::Owner {
        return Err(EdgeError::Invalid("the owner cannot be removed".into()));
    }
    if &target.email == actor {
        return Err(EdgeError::Invalid("you cannot remove yourself".into()));
    }
    Ok(())
}

/// Nobody is invited as owner.
pub fn check_invite_role(role: Role) -> EdgeResult<()> {
    if role == Role::Owner {
        return Err(EdgeError::Invalid("invite admins or agents; a workspace has one owner".into()));
    }
    Ok(())
}

/// An invite as the workspace keeps it (the token itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InviteRecord {
    pub role: Role,
    pub expires_at: i64,
    pub used: bool,
}

/// The role an invite gives, if it can still be used at `now`.
pub fn usable(invite: Option<&InviteRecord>, now: i64) -> EdgeResult<Role> {
    match invite {
        Some(i) if !i.used && now < i.expires_at => Ok(i.role),
        _ => Err(EdgeError::InviteExpired),
    }
}

/// The team as the inbox shows it: every member, available if one of their inbox sockets is
/// open and not set to away.
pub fn presence(members: &[Member], available: &[Email]) -> Vec<AgentPresence> {
    members
        .iter()
        .map(|m| AgentPresence {
            agent: AgentRef { email: m.email.clone(), name: m.name.clone() },
            online: available.contains(&m.email),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(email: &str, role: Role) -> Member {
        Member { email: Email::parse(email).unwrap(), name: email.into(), role, joined_at: 0 }
    }

    fn email(s: &str) -> Email {
        Email::parse(s).unwrap()
    }

    #[test]
    fn agents_chat_and_managers_manage() {
        for role in [Role::Owner, Role::Admin, Role::Agent] {
            assert!(require(role, Action::Chat).is_ok());
        }
        assert!(require(Role::Owner, Action::Manage).is_ok());
        assert!(require(Role::Admin, Action::Manage).is_ok());
        assert!(matches!(require(Role::Agent, Action::Manage), Err(EdgeError::Forbidden)));
    }

    #[test]
    fn the_owner_stays_and_nobody_edits_themselves() {
        let admin = email("admin@x.co");
        let owner = member("owner@x.co", Role::Owner);
        let agent = member("agent@x.co", Role::Agent);
        assert!(check_role_change(&admin, &owner, Role::Agent).is_err());
        assert!(check_role_change(&admin, &agent, Role::Owner).is_err());
        assert!(check_role_change(&admin, &agent, Role::Admin).is_ok());
        assert!(check_role_change(&admin, &member("admin@x.co", Role::Admin), Role::Agent).is_err());
        assert!(check_removal(&admin, &owner).is_err());
        assert!(check_removal(&admin, &member("admin@x.co", Role::Admin)).is_err());
        assert!(check_removal(&admin, &agent).is_ok());
        assert!(check_invite_role(Role::Owner).is_err());
        assert!(check_invite_role(Role::Agent).is_ok());
    }

    #[test]
    fn invites_work_once_and_until_they_expire() {
        let open = InviteRecord { role: Role::Agent, expires_at: 1000, used: false };
        assert_eq!(usable(Some(&open), 999).unwrap(), Role::Agent);
        assert!(matches!(usable(Some(&open), 1000), Err(EdgeError::InviteExpired)));
        assert!(usable(Some(&InviteRecord { used: true, ..open }), 1).is_err());
        assert!(usable(None, 1).is_err());
    }

    #[test]
    fn presence_marks_available_members() {
        let team = presence(&[member("a@x.co", Role::Owner), member("b@x.co", Role::Agent)], &[email("b@x.co")]);
        assert_eq!(team.iter().map(|p| p.online).collect::<Vec<_>>(), [false, true]);
    }
}
