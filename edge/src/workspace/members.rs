//! The workspace's members and invite links. The account objects keep each agent's memberships
//! too (that is what a session is checked against); the router changes both.

use super::{InboxPeer, Workspace};
use crate::auth::{random_token, sha256_hex};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{json, now_ms, read_json};
use crate::team::{self, InviteRecord, INVITE_TTL_MS, MAX_OPEN_INVITES};
use serde::{Deserialize, Serialize};
use shared::api::{ChangeRoleRequest, InvitePreview, Member, Role};
use shared::{AgentRef, Email};
use worker::{Method, Request, Response};

/// `POST /members`: add (or re-add) a member.
#[derive(Serialize, Deserialize)]
pub struct NewMember {
    pub email: Email,
    pub name: String,
    pub role: Role,
}

/// `PUT`/`DELETE /members/{email}` carry who asks, so the object applies the member rules.
#[derive(Serialize, Deserialize)]
pub struct MemberChange {
    pub actor: Email,
    #[serde(default)]
    pub role: Option<Role>,
}

/// An invite token, as the router passes it in (`/invites/preview`, `/invites/redeem`).
#[derive(Serialize, Deserialize)]
pub struct Token {
    pub token: String,
}

/// `POST /invites` answer: the token, shown once to whoever created it.
#[derive(Serialize, Deserialize)]
pub struct NewInvite {
    pub token: String,
    pub role: Role,
    pub expires_at: i64,
}

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

    fn member(&self, email: &Email) -> EdgeResult<Member> {
        let rows: Vec<MemberRow> =
            self.sql().exec("SELECT * FROM members WHERE email = ?", vec![email.as_str().into()])?.to_array()?;
        rows.into_iter().next().ok_or(EdgeError::NotFound)?.into_member()
    }

    fn add_member(&self, m: &NewMember) -> EdgeResult<Member> {
        self.sql().exec(
            "INSERT INTO members (email, name, role, joined_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT(email) DO UPDATE SET name = excluded.name",
            vec![m.email.as_str().into(), m.name.as_str().into(), role_text(m.role).into(), now_ms().into()],
        )?;
        self.member(&m.email)
    }

    fn change_member(&self, email: &Email, change: &MemberChange) -> EdgeResult<Option<Member>> {
        let target = self.member(email)?;
        match change.role {
            Some(role) => {
                team::check_role_change(&change.actor, &target, role)?;
                self.sql().exec(
                    "UPDATE members SET role = ? WHERE email = ?",
                    vec![role_text(role).into(), email.as_str().into()],
                )?;
                Ok(Some(self.member(email)?))
            }
            None => {
                team::check_removal(&change.actor, &target)?;
                self.drop_member(email)?;
                Ok(None)
            }
        }
    }

    fn drop_member(&self, email: &Email) -> EdgeResult<()> {
        self.sql().exec("DELETE FROM members WHERE email = ?", vec![email.as_str().into()])?;
        // A removed agent's open inbox stops receiving the workspace's conversations now.
        for ws in self.state.get_websockets() {
            if ws.deserialize_attachment::<InboxPeer>().ok().flatten().is_some_and(|p| &p.email == email) {
                let _ =
                    ws.close(Some(shared::CloseCode::RemovedFromWorkspace.code()), Some("removed from the workspace"));
            }
        }
        Ok(())
    }

    fn create_invite(&self, role: Role) -> EdgeResult<NewInvite> {
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

    fn invite(&self, token: &str) -> EdgeResult<Option<InviteRecord>> {
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
    fn redeem(&self, token: &str) -> EdgeResult<Role> {
        let invite = self.invite(token)?;
        let role = team::usable(invite.as_ref(), now_ms())?;
        let used = InviteRecord { used: true, ..invite.ok_or(EdgeError::InviteExpired)? };
        self.sql().exec(
            "UPDATE invites SET json = ? WHERE token_hash = ?",
            vec![serde_json::to_string(&used)?.into(), sha256_hex(token).into()],
        )?;
        Ok(role)
    }

    pub(super) async fn members_route(&self, mut req: Request, segments: &[&str]) -> EdgeResult<Response> {
        match (req.method(), segments) {
            (Method::Get, ["team"]) => {
                let team: Vec<AgentRef> =
                    self.members()?.into_iter().map(|m| AgentRef { email: m.email, name: m.name }).collect();
                json(&team, 200)
            }
            (Method::Get, ["members"]) => json(&self.members()?, 200),
            (Method::Post, ["members"]) => {
                let member = self.add_member(&read_json(&mut req).await?)?;
                self.broadcast(&self.team_frame(None)?);
                json(&member, 201)
            }
            // A member who closed their account leaves (owners close their workspace first).
            (Method::Post, ["members", email, "leave"]) => {
                let email = Email::parse(email).map_err(|_| EdgeError::NotFound)?;
                if self.member(&email)?.role == shared::api::Role::Owner {
                    return Err(EdgeError::Conflict("the owner closes the workspace instead".into()));
                }
                self.drop_member(&email)?;
                self.broadcast(&self.team_frame(None)?);
                json(&true, 200)
            }
            (Method::Put | Method::Delete, ["members", email]) => {
                let email = Email::parse(email).map_err(|_| EdgeError::NotFound)?;
                let mut change: MemberChange = read_json(&mut req).await?;
                if req.method() == Method::Delete {
                    change.role = None;
                } else if change.role.is_none() {
                    return Err(EdgeError::Invalid("give the new role".into()));
                }
                let member = self.change_member(&email, &change)?;
                self.broadcast(&self.team_frame(None)?);
                json(&member, 200)
            }
            (Method::Post, ["invites"]) => {
                let body: ChangeRoleRequest = read_json(&mut req).await?;
                json(&self.create_invite(body.role)?, 201)
            }
            (Method::Post, ["invites", "preview"]) => {
                let Token { token } = read_json(&mut req).await?;
                let invite = self.invite(&token)?;
                let role = team::usable(invite.as_ref(), now_ms())?;
                let expires_at = invite.map_or(0, |i| i.expires_at);
                json(&InvitePreview { workspace_name: self.config()?.name, role, expires_at }, 200)
            }
            (Method::Post, ["invites", "redeem"]) => {
                let Token { token } = read_json(&mut req).await?;
                json(&self.redeem(&token)?, 200)
            }
            _ => Err(EdgeError::NotFound),
        }
    }
}
