//! The workspace's members and invite links. The account objects keep each agent's memberships
//! too (that is what a session is checked against); the router changes both.

use super::{InboxPeer, Workspace};
use crate::auth::{random_token, sha256_hex};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::now_ms;
use crate::team::{self, InviteRecord, INVITE_TTL_MS, MAX_OPEN_INVITES};
use crate::workspace::{NewInvite, NewMember};
use serde::Deserialize;
use shared::api::{Member, Role};
use shared::Email;

#[derive(Deserialize)]
struct MemberRow {
    email: String,
    name: String,
    role: String,
    joined_at: i64,
}

impl MemberRow {
    fn into_member(self) -> EdgeResult<Member> {
        Ok(Member {
            email: Email::parse(&self.email)?,
            name: self.name,
            role: serde_json::from_value(serde_json::Value::String(self.role))?,
            joined_at: self.joined_at,
        })
    }
}

fn role_text(role: Role) -> String {
    role.label().to_lowercase()
}

impl Workspace {
    pub(super) fn members(&self) -> EdgeResult<Vec<Member>> {
        let rows: Vec<MemberRow> =
            self.sql().exec("SELECT * FROM members ORDER BY joined_at, email", None)?.to_array()?;
        rows.into_iter().map(MemberRow::into_member).collect()
    }

    pub(super) fn member(&self, email: &Email) -> EdgeResult<Member> {
        let rows: Vec<MemberRow> =
            self.sql().exec("SELECT * FROM members WHERE email = ?", vec![email.as_str().into()])?.to_array()?;
        rows.into_iter().next().ok_or(EdgeError::NotFound)?.into_member()
    }

    pub(super) fn add_member(&self, m: &NewMember) -> EdgeResult<Member> {
        self.sql().exec(
            "INSERT INTO members (email, name, role, joined_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT(email) DO UPDATE SET name = excluded.name",
            vec![m.email.as_str().into(), m.name.as_str().into(), role_text(m.role).into(), now_ms().into()],
        )?;
        self.member(&m.email)
    }

    pub(super) fn change_role(&self, actor: &Email, email: &Email, role: Role) -> EdgeResult<Member> {
        let target = self.member(email)?;
        team::check_role_change(actor, &target, role)?;
        self.sql()
            .exec("UPDATE members SET role = ? WHERE email = ?", vec![role_text(role).into(), email.as_str().into()])?;
        self.member(email)
    }

    pub(super) fn remove_member(&self, actor: &Email, email: &Email) -> EdgeResult<()> {
        let target = self.member(email)?;
        team::check_removal(actor, &target)?;
        self.drop_member(email)
    }

    pub(super) fn drop_member(&self, email: &Email) -> EdgeResult<()> {
        self.sql().exec("DELETE FROM members WHERE email = ?", vec![email.as_str().into()])?;
        // A removed agent's open inbox stops receiving the workspace's conversations now.
        for ws in self.state.get_websockets() {
            if ws.deserialize_attachment::<InboxPeer>().ok().flatten().is_some_and(|p| &p.email == email) {
                let _ = ws.close(Some(4003), Some("removed from the workspace"));
            }
        }
        Ok(())
    }

    pub(super) fn create_invite(&self, role: Role) -> EdgeResult<NewInvite> {
        team::check_invite_role(role)?;
        let now = now_ms();
        let sql = self.sql();
        // Expired and used invites go; too many open ones means something is wrong.
        sql.exec("DELETE FROM invites WHERE created_at < ?", vec![(now - INVITE_TTL_MS).into()])?;
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let open: Count = sql.exec("SELECT COUNT(*) AS n FROM invites", None)?.one()?;
        if open.n >= MAX_OPEN_INVITES {
            return Err(EdgeError::RateLimited);
        }
        let token = random_token(24)?;
        let record = InviteRecord { role, expires_at: now + INVITE_TTL_MS, used: false };
        sql.exec(
            "INSERT INTO invites (token_hash, json, created_at) VALUES (?, ?, ?)",
            vec![sha256_hex(&token).into(), serde_json::to_string(&record)?.into(), now.into()],
        )?;
        Ok(NewInvite { token, role, expires_at: record.expires_at })
    }

    pub(super) fn invite(&self, token: &str) -> EdgeResult<Option<InviteRecord>> {
        #[derive(Deserialize)]
        struct Row {
            json: String,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec("SELECT json FROM invites WHERE token_hash = ?", vec![sha256_hex(token).into()])?
            .to_array()?;
        rows.first().map(|r| serde_json::from_str(&r.json)).transpose().map_err(Into::into)
    }

    /// Uses the invite up: a second redeem of the same link fails, however close in time.
    pub(super) fn redeem(&self, token: &str) -> EdgeResult<Role> {
        let invite = self.invite(token)?;
        let role = team::usable(invite.as_ref(), now_ms())?;
        let used = InviteRecord { used: true, ..invite.ok_or(EdgeError::InviteExpired)? };
        self.sql().exec(
            "UPDATE invites SET json = ? WHERE token_hash = ?",
            vec![serde_json::to_string(&used)?.into(), sha256_hex(token).into()],
        )?;
        Ok(role)
    }
}
