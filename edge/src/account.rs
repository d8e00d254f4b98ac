//! The account Durable Object (one per agent email): password hash, workspace memberships and
//! sessions. Session secrets are stored only as SHA-256 hashes.

use crate::auth::{hash_password, random_token, sha256_hex, verify_password};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{create_schema, json, now_ms, read_json, respond};
use crate::lockout::Lockout;
use crate::settings::{Membership, NewAccount};
use serde::{Deserialize, Serialize};
use shared::{
    api::{Me, WorkspaceRef},
    Email, SiteId,
};
use worker::{durable_object, DurableObject, Env, Method, Request, Response, SqlStorage, State};

/// How long a session lasts without signing in again.
pub const SESSION_TTL_MS: i64 = 14 * 24 * 3600 * 1000;

#[durable_object]
pub struct Account {
    state: State,
    #[allow(dead_code)]
    env: Env,
}

/// `PUT /account`: create or update the account and add a membership.
#[derive(Serialize, Deserialize)]
pub struct UpsertAccount {
    pub account: NewAccount,
    pub membership: Membership,
}

/// A session secret, as the router passes it in.
#[derive(Serialize, Deserialize)]
pub struct Secret {
    pub secret: String,
}

/// `POST /sign-in`.
#[derive(Serialize, Deserialize)]
pub struct Password {
    pub password: String,
}

#[derive(Deserialize)]
struct AccountRow {
    email: String,
    name: String,
    password_hash: String,
}

impl Account {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn account(&self) -> EdgeResult<Option<AccountRow>> {
        let rows: Vec<AccountRow> = self.sql().exec("SELECT * FROM account WHERE id = 1", None)?.to_array()?;
        Ok(rows.into_iter().next())
    }

    fn upsert(&self, up: UpsertAccount) -> EdgeResult<()> {
        let hash = hash_password(&up.account.password)?;
        let sql = self.sql();
        sql.exec(
            "INSERT OR REPLACE INTO account (id, email, name, password_hash) VALUES (1, ?, ?, ?)",
            vec![up.account.email.as_str().into(), up.account.name.as_str().into(), hash.into()],
        )?;
        let m = up.membership;
        sql.exec(
            "INSERT OR REPLACE INTO memberships (site, name, role) VALUES (?, ?, ?)",
            vec![m.site.as_str().into(), m.name.into(), m.role.into()],
        )?;
        Ok(())
    }

    fn lockout(&self) -> EdgeResult<Lockout> {
        #[derive(Deserialize)]
        struct Row {
            json: String,
        }
        let rows: Vec<Row> = self.sql().exec("SELECT json FROM lockout WHERE id = 1", None)?.to_array()?;
        Ok(match rows.first() {
            Some(row) => serde_json::from_str(&row.json)?,
            None => Lockout::default(),
        })
    }

    fn save_lockout(&self, lockout: &Lockout) -> EdgeResult<()> {
        let text = serde_json::to_string(lockout)?;
        self.sql().exec("INSERT OR REPLACE INTO lockout (id, json) VALUES (1, ?)", vec![text.into()])?;
        Ok(())
    }

    /// Checks the password and opens a session. Repeated failures lock the account for a while
    /// (see `lockout`), unknown accounts included, and an unknown account costs the same hashing
    /// work as a wrong password, so neither timing nor answers tell which emails have accounts.
    fn sign_in(&self, password: &str) -> EdgeResult<Secret> {
        let now = now_ms();
        let mut lockout = self.lockout()?;
        if let Err(ms) = lockout.check(now) {
            return Err(EdgeError::LockedOut { retry_after_s: (ms + 999) / 1000 });
        }
        let ok = match self.account()? {
            Some(account) => verify_password(password, &account.password_hash),
            None => {
                let _ = hash_password(password);
                false
            }
        };
        if !ok {
            lockout.failed(now);
            self.save_lockout(&lockout)?;
            return Err(EdgeError::InvalidCredentials);
        }
        if lockout != Lockout::default() {
            lockout.succeeded();
            self.save_lockout(&lockout)?;
        }
        let secret = random_token(32)?;
        self.sql().exec(
            "INSERT INTO sessions (secret_hash, created_at, expires_at) VALUES (?, ?, ?)",
            vec![sha256_hex(&secret).into(), now.into(), (now + SESSION_TTL_MS).into()],
        )?;
        Ok(Secret { secret })
    }

    fn session(&self, secret: &str) -> EdgeResult<Me> {
        #[derive(Deserialize)]
        struct Session {
            expires_at: i64,
        }
        let sessions: Vec<Session> = self
            .sql()
            .exec("SELECT expires_at FROM sessions WHERE secret_hash = ?", vec![sha256_hex(secret).into()])?
            .to_array()?;
        let live = sessions.first().is_some_and(|s| s.expires_at > now_ms());
        let account = self.account()?.filter(|_| live).ok_or(EdgeError::Unauthorized)?;
        let workspaces: Vec<WorkspaceRef> = self
            .sql()
            .exec("SELECT site AS id, name, role FROM memberships ORDER BY name", None)?
            .to_array::<WorkspaceRow>()?
            .into_iter()
            .map(|w| Ok(WorkspaceRef { id: SiteId::parse(&w.id)?, name: w.name, role: w.role }))
            .collect::<EdgeResult<_>>()?;
        Ok(Me { name: account.name, email: Email::parse(&account.email)?, workspaces })
    }

    fn sign_out(&self, secret: &str) -> EdgeResult<()> {
        self.sql().exec("DELETE FROM sessions WHERE secret_hash = ?", vec![sha256_hex(secret).into()])?;
        Ok(())
    }

    async fn route(&self, mut req: Request) -> EdgeResult<Response> {
        match (req.method(), req.path().as_str()) {
            (Method::Put, "/account") => {
                self.upsert(read_json(&mut req).await?)?;
                json(&serde_json::json!({ "ok": true }), 200)
            }
            (Method::Post, "/sign-in") => {
                let body: Password = read_json(&mut req).await?;
                json(&self.sign_in(&body.password)?, 200)
            }
            (Method::Post, "/session") => {
                let body: Secret = read_json(&mut req).await?;
                json(&self.session(&body.secret)?, 200)
            }
            (Method::Post, "/sign-out") => {
                let body: Secret = read_json(&mut req).await?;
                self.sign_out(&body.secret)?;
                json(&serde_json::json!({ "ok": true }), 200)
            }
            _ => Err(EdgeError::NotFound),
        }
    }
}

#[derive(Deserialize)]
struct WorkspaceRow {
    id: String,
    name: String,
    role: String,
}

impl DurableObject for Account {
    fn new(state: State, env: Env) -> Self {
        create_schema(
            &state,
            "account",
            &[
                "CREATE TABLE IF NOT EXISTS account (id INTEGER PRIMARY KEY CHECK (id = 1), email TEXT NOT NULL, \
                 name TEXT NOT NULL, password_hash TEXT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS memberships (site TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS lockout (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS sessions (secret_hash TEXT PRIMARY KEY, created_at INTEGER NOT NULL, \
                 expires_at INTEGER NOT NULL)",
                ],
        );
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        respond(self.route(req).await)
    }
}
