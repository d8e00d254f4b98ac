//! The workspace's members and invite links, under the team's rules (`crate::team`). The account
//! objects keep each agent's memberships too (that is what a session is checked against); the
//! router changes both.

use super::{Effect, InboxPeer, Workspace, WorkspaceStore};
use crate::auth::sha256_hex;
use crate::conversation::Ending;
use crate::error::{EdgeError, EdgeResult};
use crate::team::{self, InviteRecord, INVITE_TTL_MS, MAX_OPEN_INVITES};
use crate::workspace::{NewInvite, NewMember};
use shared::api::{InvitePreview, Member, Role};
use shared::{AgentRef, CloseCode, Email};

impl<S: WorkspaceStore> Workspace<'_, S> {
    pub fn members(&self) -> EdgeResult<Vec<Member>> {
        self.store.members()
    }

    /// The members as conversations need them, to check an assignment.
    pub fn team(&self) -> EdgeResult<Vec<AgentRef>> {
        Ok(self.members()?.into_iter().map(|m| AgentRef { email: m.email, name: m.name }).collect())
    }

    fn member(&self, email: &Email) -> EdgeResult<Member> {
        self.store.member(email)?.ok_or(EdgeError::NotFound)
    }

    /// Adds a member. Adding one again (an account that joins twice) updates only their name:
    /// their role and the date they joined stay.
    pub fn add_member(&mut self, new: &NewMember, peers: &[InboxPeer]) -> EdgeResult<Member> {
        let member = match self.store.member(&new.email)? {
            Some(known) => Member { name: new.name.clone(), ..known },
            None => Member { email: new.email.clone(), name: new.name.clone(), role: new.role, joined_at: self.now },
        };
        self.store.put_member(&member)?;
        self.tell_team(peers)?;
        Ok(member)
    }

    /// A member who closed their account leaves; the owner closes the workspace instead.
    pub fn leave(&mut self, email: &Email, peers: &[InboxPeer]) -> EdgeResult<()> {
        if self.member(email)?.role == Role::Owner {
            return Err(EdgeError::Conflict("the owner closes the workspace instead".into()));
        }
        self.drop_member(email)?;
        self.tell_team(peers)
    }

    pub fn change_role(&mut self, actor: &Email, email: &Email, role: Role, peers: &[InboxPeer]) -> EdgeResult<Member> {
        let target = self.member(email)?;
        team::check_role_change(actor, &target, role)?;
        let member = Member { role, ..target };
        self.store.put_member(&member)?;
        self.tell_team(peers)?;
        Ok(member)
    }

    pub fn remove_member(&mut self, actor: &Email, email: &Email, peers: &[InboxPeer]) -> EdgeResult<()> {
        team::check_removal(actor, &self.member(email)?)?;
        self.drop_member(email)?;
        self.tell_team(peers)
    }

    /// A removed agent's open inbox and conversations stop receiving anything now.
    fn drop_member(&mut self, email: &Email) -> EdgeResult<()> {
        self.store.drop_member(email)?;
        let reason = "removed from the workspace";
        self.effects.push(Effect::Close {
            email: Some(email.clone()),
            sessions: None,
            code: CloseCode::RemovedFromWorkspace,
            reason,
        });
        self.end_conversation_access(Ending::Member { email: email.clone() })
    }

    /// A new invite link, with the token `fresh` makes (only its hash is kept). Expired and used
    /// invites go first; too many open ones means something is wrong.
    pub fn create_invite(&mut self, role: Role, fresh: impl FnOnce() -> EdgeResult<String>) -> EdgeResult<NewInvite> {
        team::check_invite_role(role)?;
        self.store.drop_invites_created_before(self.now - INVITE_TTL_MS)?;
        if self.store.open_invites()? as i64 >= MAX_OPEN_INVITES {
            // Open invites expire within days; an hour is a fair time to look again.
            return Err(EdgeError::RateLimited { retry_after_s: 3600 });
        }
        let token = fresh()?;
        let invite = InviteRecord { role, expires_at: self.now + INVITE_TTL_MS, used: false };
        self.store.add_invite(&sha256_hex(&token), &invite, self.now)?;
        Ok(NewInvite { token, role, expires_at: invite.expires_at })
    }

    pub fn preview_invite(&self, token: &str) -> EdgeResult<InvitePreview> {
        let invite = self.store.invite(&sha256_hex(token))?;
        let role = team::usable(invite.as_ref(), self.now)?;
        let expires_at = invite.map_or(0, |i| i.expires_at);
        Ok(InvitePreview { workspace_name: self.config()?.name, role, expires_at })
    }

    /// Uses the invite up: a second redeem of the same link fails, however close in time.
    pub fn redeem_invite(&mut self, token: &str) -> EdgeResult<Role> {
        let hash = sha256_hex(token);
        let invite = self.store.invite(&hash)?;
        let role = team::usable(invite.as_ref(), self.now)?;
        let used = InviteRecord { used: true, ..invite.ok_or(EdgeError::InviteExpired)? };
        self.store.update_invite(&hash, &used)?;
        Ok(role)
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory::Memory;
    use super::*;
    use shared::ServerMsg;

    fn email(name: &str) -> Email {
        Email::parse(&format!("{name}@example.com")).unwrap()
    }

    fn add(store: &mut Memory, name: &str, role: Role, now: i64) -> Member {
        let mut ws = Workspace::new(store, "demo", now, 1_000);
        ws.add_member(&NewMember { email: email(name), name: name.into(), role }, &[]).unwrap()
    }

    fn team() -> Memory {
        let mut store = Memory::open();
        add(&mut store, "owner", Role::Owner, 1);
        add(&mut store, "admin", Role::Admin, 2);
        add(&mut store, "agent", Role::Agent, 3);
        store
    }

    #[test]
    fn adding_again_keeps_the_role_and_the_join_date_and_tells_the_team() {
        let mut store = team();
        let mut ws = Workspace::new(&mut store, "demo", 99, 1_000);
        let peers = [InboxPeer { email: email("agent"), greeted: true, away: false, session: None }];
        let again = NewMember { email: email("agent"), name: "Agent Smith".into(), role: Role::Admin };
        let member = ws.add_member(&again, &peers).unwrap();
        assert_eq!((member.role, member.joined_at, member.name.as_str()), (Role::Agent, 3, "Agent Smith"));
        let [Effect::Broadcast(ServerMsg::Team { agents })] = ws.effects.as_slice() else { panic!("{:?}", ws.effects) };
        assert_eq!(agents.len(), 3);
        assert_eq!(
            ws.members().unwrap().iter().map(|m| m.role).collect::<Vec<_>>(),
            [Role::Owner, Role::Admin, Role::Agent]
        );
    }

    #[test]
    fn roles_change_and_members_go_under_the_team_rules() {
        let mut store = team();
        let mut ws = Workspace::new(&mut store, "demo", 99, 1_000);
        assert_eq!(ws.change_role(&email("admin"), &email("agent"), Role::Admin, &[]).unwrap().role, Role::Admin);
        assert!(ws.change_role(&email("admin"), &email("owner"), Role::Agent, &[]).is_err());
        assert!(ws.change_role(&email("admin"), &email("admin"), Role::Agent, &[]).is_err());
        assert!(matches!(
            ws.change_role(&email("admin"), &email("nobody"), Role::Agent, &[]),
            Err(EdgeError::NotFound)
        ));
        assert!(ws.remove_member(&email("admin"), &email("owner"), &[]).is_err());
        assert!(ws.remove_member(&email("admin"), &email("admin"), &[]).is_err());
        ws.effects.clear();
        ws.remove_member(&email("admin"), &email("agent"), &[]).unwrap();
        let close = Effect::Close {
            email: Some(email("agent")),
            sessions: None,
            code: CloseCode::RemovedFromWorkspace,
            reason: "removed from the workspace",
        };
        assert_eq!(ws.effects[0], close);
        assert!(ws.members().unwrap().iter().all(|m| m.email != email("agent")));
    }

    #[test]
    fn a_member_may_leave_but_not_the_owner() {
        let mut store = team();
        let mut ws = Workspace::new(&mut store, "demo", 99, 1_000);
        assert!(matches!(ws.leave(&email("owner"), &[]), Err(EdgeError::Conflict(_))));
        assert!(ws.effects.is_empty());
        ws.leave(&email("admin"), &[]).unwrap();
        assert!(
            matches!(&ws.effects[0], Effect::Close { email: Some(e), code: CloseCode::RemovedFromWorkspace, .. } if *e == email("admin"))
        );
        assert!(matches!(ws.leave(&email("admin"), &[]), Err(EdgeError::NotFound)));
    }

    #[test]
    fn an_invite_works_once_until_it_expires_and_open_invites_are_capped() {
        let mut store = Memory::open();
        let mut ws = Workspace::new(&mut store, "demo", 1_000, 1_000);
        assert!(ws.create_invite(Role::Owner, || Ok("never".into())).is_err());
        let invite = ws.create_invite(Role::Agent, || Ok("token-1".into())).unwrap();
        assert_eq!(invite.expires_at, 1_000 + INVITE_TTL_MS);
        assert_eq!(ws.preview_invite("token-1").unwrap().workspace_name, "Demo Shop");
        assert!(matches!(ws.preview_invite("token-2"), Err(EdgeError::InviteExpired)));
        assert_eq!(ws.redeem_invite("token-1").unwrap(), Role::Agent);
        assert!(matches!(ws.redeem_invite("token-1"), Err(EdgeError::InviteExpired)), "a redeem works once");
        assert!(ws.preview_invite("token-1").is_err());

        ws.create_invite(Role::Admin, || Ok("token-late".into())).unwrap();
        let mut late = Workspace::new(&mut store, "demo", 1_000 + INVITE_TTL_MS, 1_000);
        assert!(matches!(late.redeem_invite("token-late"), Err(EdgeError::InviteExpired)), "the TTL is over");
        for i in 0..MAX_OPEN_INVITES - 2 {
            late.create_invite(Role::Agent, || Ok(format!("t{i}"))).unwrap();
        }
        // Two from the first moment are still open (TTL not yet past their creation + TTL).
        assert!(matches!(
            late.create_invite(Role::Agent, || Ok("one-too-many".into())),
            Err(EdgeError::RateLimited { .. })
        ));
        // Once the old ones are past their TTL they are cleared and make room.
        let mut later = Workspace::new(&mut store, "demo", 1_001 + INVITE_TTL_MS, 1_000);
        assert!(later.create_invite(Role::Agent, || Ok("room-again".into())).is_ok());
    }
}
