//! The account Durable Object (one per agent email): password hash, workspace memberships,
//! sessions (stored only as SHA-256 hashes of their secrets) and the account's security log.

use crate::auth::{hash_password, random_token, sha256_hex, verify_password};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{create_schema, json, migrate, now_ms, read_json, respond};
use crate::lockout::Lockout;
use crate::settings::{Membership, NewAccount, MIN_PASSWORD_CHARS};
use serde::{Deserialize, Serialize};
use shared::api::{Me, Role, SecurityEvent, SecurityEventKind, SessionInfo, WorkspaceRef};
use shared::privacy::{Closing, CLOSURE_GRACE_DAYS};
use shared::{Email, SiteId};
use worker::{durable_object, DurableObject, Env, Method, Request, Response, SqlStorage, State};

/// How long a session lasts without signing in again.
/// KV key: when a closed account is deleted (it refuses sign-ins until then).
const CLOSING: &str = "closing_at";

pub const SESSION_TTL_MS: i64 = 14 * 24 * 3600 * 1000;
/// A session's "last seen" is refreshed at most this often (a write per request would not pay).
const LAST_SEEN_EVERY_MS: i64 = 5 * 60 * 1000;
/// How many security events the account keeps.
const SECURITY_LOG_KEEP: i64 = 500;

#[durable_object]
pub struct Account {
    state: State,
    #[allow(dead_code)]
    env: Env,
}

/// `PUT /account` (operator seeding): create or update the account and add a membership.
#[derive(Serialize, Deserialize)]
pub struct UpsertAccount {
    pub account: NewAccount,
    pub membership: Membership,
}

/// Where a request comes from, for the session list and the security log.
#[derive(Serialize, Deserialize, Clone, Default)]
pub struct Origin {
    pub device: String,
    pub country: Option<String>,
}

/// `POST /create`: a new account (refused if the email has one), signed in at once.
#[derive(Serialize, Deserialize)]
pub struct Create {
    pub account: NewAccount,
    pub origin: Origin,
}

/// `POST /sign-in`.
#[derive(Serialize, Deserialize)]
pub struct SignIn {
    pub password: String,
    pub origin: Origin,
}

/// A session secret, as the router passes it in, with what the route needs besides.
#[derive(Serialize, Deserialize)]
pub struct Secret {
    pub secret: String,
}

#[derive(Serialize, Deserialize)]
pub struct Revoke {
    pub secret: String,
    pub id: String,
}

#[derive(Serialize, Deserialize)]
pub struct NewPassword {
    pub secret: String,
    pub current: String,
    pub new: String,
}

#[derive(Deserialize)]
struct AccountRow {
    email: String,
    name: String,
    password_hash: String,
}

#[derive(Deserialize)]
struct SessionRow {
    secret_hash: String,
    created_at: i64,
    expires_at: i64,
    device: Option<String>,
    country: Option<String>,
    last_seen_at: Option<i64>,
}

/// The public handle of a session: a prefix of its secret's hash (which is itself not secret).
fn session_id(secret_hash: &str) -> String {
    secret_hash.chars().take(16).collect()
}

impl Account {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn account(&self) -> EdgeResult<Option<AccountRow>> {
        let rows: Vec<AccountRow> = self.sql().exec("SELECT * FROM account WHERE id = 1", None)?.to_array()?;
        Ok(rows.into_iter().next())
    }

    fn write_account(&self, a: &NewAccount) -> EdgeResult<()> {
        if a.password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(EdgeError::Invalid(format!("the password needs at least {MIN_PASSWORD_CHARS} characters")));
        }
        let name = crate::settings::bounded("your name", &a.name, crate::settings::MAX_NAME_CHARS)?;
        self.sql().exec(
            "INSERT OR REPLACE INTO account (id, email, name, password_hash) VALUES (1, ?, ?, ?)",
            vec![a.email.as_str().into(), name.into(), hash_password(&a.password)?.into()],
        )?;
        Ok(())
    }

    fn add_membership(&self, m: &Membership) -> EdgeResult<()> {
        let role = serde_json::to_value(m.role)?.as_str().unwrap_or("agent").to_owned();
        self.sql().exec(
            "INSERT OR REPLACE INTO memberships (site, name, role) VALUES (?, ?, ?)",
            vec![m.site.as_str().into(), m.name.as_str().into(), role.into()],
        )?;
        Ok(())
    }

    fn log(&self, kind: SecurityEventKind, detail: &str) -> EdgeResult<()> {
        let sql = self.sql();
        sql.exec(
            "INSERT INTO security_log (at, kind, detail) VALUES (?, ?, ?)",
            vec![now_ms().into(), serde_json::to_value(kind)?.as_str().unwrap_or_default().into(), detail.into()],
        )?;
        sql.exec(
            "DELETE FROM security_log WHERE id <= (SELECT MAX(id) FROM security_log) - ?",
            vec![SECURITY_LOG_KEEP.into()],
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

    /// Checks a password against the account, with the lockout: repeated failures lock the
    /// account for a while, unknown accounts included, and an unknown account costs the same
    /// hashing work as a wrong password, so neither timing nor answers tell which emails exist.
    fn check_password(&self, password: &str, origin: &Origin) -> EdgeResult<()> {
        let now = now_ms();
        let mut lockout = self.lockout()?;
        if let Err(ms) = lockout.check(now) {
            return Err(EdgeError::LockedOut { retry_after_s: (ms + 999) / 1000 });
        }
        let account = self.account()?;
        let ok = match &account {
            Some(account) => verify_password(password, &account.password_hash),
            None => {
                let _ = hash_password(password);
                false
            }
        };
        if !ok {
            lockout.failed(now);
            self.save_lockout(&lockout)?;
            if account.is_some() {
                self.log(SecurityEventKind::SignInFailed, &describe(origin))?;
                if lockout.check(now).is_err() {
                    self.log(SecurityEventKind::LockedOut, &describe(origin))?;
                }
            }
            return Err(EdgeError::InvalidCredentials);
        }
        if lockout != Lockout::default() {
            lockout.succeeded();
            self.save_lockout(&lockout)?;
        }
        Ok(())
    }

    fn open_session(&self, origin: &Origin) -> EdgeResult<Secret> {
        let now = now_ms();
        // A browser and system this account has not signed in from before is worth a line of its own.
        let first_time = self
            .sql()
            .exec("INSERT OR IGNORE INTO devices (device) VALUES (?)", vec![origin.device.as_str().into()])?
            .rows_written()
            > 0;
        if first_time {
            self.log(SecurityEventKind::NewDevice, &describe(origin))?;
        }
        self.log(SecurityEventKind::SignIn, &describe(origin))?;
        let secret = random_token(32)?;
        self.sql().exec(
            "INSERT INTO sessions (secret_hash, created_at, expires_at, device, country, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                sha256_hex(&secret).into(),
                now.into(),
                (now + SESSION_TTL_MS).into(),
                origin.device.as_str().into(),
                origin.country.clone().into(),
                now.into(),
            ],
        )?;
        Ok(Secret { secret })
    }

    fn live_session(&self, secret: &str) -> EdgeResult<SessionRow> {
        let rows: Vec<SessionRow> = self
            .sql()
            .exec("SELECT * FROM sessions WHERE secret_hash = ?", vec![sha256_hex(secret).into()])?
            .to_array()?;
        let now = now_ms();
        let session = rows.into_iter().next().filter(|s| s.expires_at > now).ok_or(EdgeError::Unauthorized)?;
        if now - session.last_seen_at.unwrap_or(0) > LAST_SEEN_EVERY_MS {
            self.sql().exec(
                "UPDATE sessions SET last_seen_at = ? WHERE secret_hash = ?",
                vec![now.into(), session.secret_hash.as_str().into()],
            )?;
        }
        Ok(session)
    }

    fn me(&self, secret: &str) -> EdgeResult<Me> {
        self.live_session(secret)?;
        let account = self.account()?.ok_or(EdgeError::Unauthorized)?;
        #[derive(Deserialize)]
        struct Row {
            id: String,
            name: String,
            role: String,
        }
        let workspaces: Vec<WorkspaceRef> = self
            .sql()
            .exec("SELECT site AS id, name, role FROM memberships ORDER BY name", None)?
            .to_array::<Row>()?
            .into_iter()
            .map(|w| {
                let role: Role = serde_json::from_value(serde_json::Value::String(w.role))?;
                Ok(WorkspaceRef { id: SiteId::parse(&w.id)?, name: w.name, role })
            })
            .collect::<EdgeResult<_>>()?;
        Ok(Me { name: account.name, email: Email::parse(&account.email)?, workspaces })
    }

    fn sessions(&self, secret: &str) -> EdgeResult<Vec<SessionInfo>> {
        let current = self.live_session(secret)?.secret_hash;
        let rows: Vec<SessionRow> = self
            .sql()
            .exec("SELECT * FROM sessions WHERE expires_at > ? ORDER BY created_at DESC", vec![now_ms().into()])?
            .to_array()?;
        Ok(rows
            .into_iter()
            .map(|s| SessionInfo {
                id: session_id(&s.secret_hash),
                created_at: s.created_at,
                last_seen_at: s.last_seen_at.unwrap_or(s.created_at),
                device: s.device.unwrap_or_else(|| "Unknown browser".into()),
                country: s.country,
                current: s.secret_hash == current,
            })
            .collect())
    }

    fn revoke(&self, r: &Revoke) -> EdgeResult<()> {
        let current = self.live_session(&r.secret)?.secret_hash;
        if session_id(&current) == r.id {
            return Err(EdgeError::Invalid("sign out to end this session".into()));
        }
        let rows: Vec<SessionRow> = self.sql().exec("SELECT * FROM sessions", None)?.to_array()?;
        let target = rows.into_iter().find(|s| session_id(&s.secret_hash) == r.id).ok_or(EdgeError::NotFound)?;
        self.sql().exec("DELETE FROM sessions WHERE secret_hash = ?", vec![target.secret_hash.as_str().into()])?;
        self.log(SecurityEventKind::SessionRevoked, target.device.as_deref().unwrap_or_default())?;
        Ok(())
    }

    fn change_password(&self, p: &NewPassword) -> EdgeResult<()> {
        let current = self.live_session(&p.secret)?;
        let origin = Origin { device: current.device.clone().unwrap_or_default(), country: current.country.clone() };
        self.check_password(&p.current, &origin)?;
        let account = self.account()?.ok_or(EdgeError::Unauthorized)?;
        self.write_account(&NewAccount {
            email: Email::parse(&account.email)?,
            name: account.name,
            password: p.new.clone(),
        })?;
        // Whoever knew the old password is signed out everywhere else.
        self.sql().exec("DELETE FROM sessions WHERE secret_hash != ?", vec![current.secret_hash.into()])?;
        self.log(SecurityEventKind::PasswordChanged, &describe(&origin))?;
        Ok(())
    }

    fn security_log(&self, secret: &str) -> EdgeResult<Vec<SecurityEvent>> {
        self.live_session(secret)?;
        #[derive(Deserialize)]
        struct Row {
            at: i64,
            kind: String,
            detail: String,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec("SELECT at, kind, detail FROM security_log ORDER BY id DESC LIMIT 200", None)?
            .to_array()?;
        rows.into_iter()
            .map(|r| {
                Ok(SecurityEvent {
                    at: r.at,
                    kind: serde_json::from_value(serde_json::Value::String(r.kind))?,
                    detail: r.detail,
                })
            })
            .collect()
    }

    async fn refuse_closed(&self) -> EdgeResult<()> {
        match self.state.storage().get::<i64>(CLOSING).await? {
            Some(_) => Err(EdgeError::Conflict("this account was closed and is being deleted".into())),
            None => Ok(()),
        }
    }

    async fn route(&self, mut req: Request) -> EdgeResult<Response> {
        let ok = || json(&serde_json::json!({ "ok": true }), 200);
        let path = req.path();
        match (req.method(), path.as_str()) {
            (Method::Put, "/account") => {
                let up: UpsertAccount = read_json(&mut req).await?;
                self.write_account(&up.account)?;
                self.add_membership(&up.membership)?;
                ok()
            }
            (Method::Post, "/create") => {
                let c: Create = read_json(&mut req).await?;
                if self.account()?.is_some() {
                    return Err(EdgeError::Conflict("an account with this email exists; sign in instead".into()));
                }
                self.write_account(&c.account)?;
                json(&self.open_session(&c.origin)?, 201)
            }
            (Method::Post, "/sign-in") => {
                let body: SignIn = read_json(&mut req).await?;
                self.refuse_closed().await?;
                self.check_password(&body.password, &body.origin)?;
                json(&self.open_session(&body.origin)?, 200)
            }
            (Method::Post, "/close") => {
                let body: SignIn = read_json(&mut req).await?;
                self.refuse_closed().await?;
                self.check_password(&body.password, &body.origin)?;
                let deleted_at =
                    now_ms() + crate::glue::retention_ms(&self.env, Some(CLOSURE_GRACE_DAYS)).unwrap_or_default();
                self.sql().exec("DELETE FROM sessions", None)?;
                let storage = self.state.storage();
                storage.put(CLOSING, deleted_at).await?;
                storage.set_alarm(crate::glue::at_time(deleted_at)).await?;
                json(&Closing { deleted_at }, 200)
            }
            (Method::Post, "/session") => json(&self.me(&read_json::<Secret>(&mut req).await?.secret)?, 200),
            (Method::Post, "/sign-out") => {
                let body: Secret = read_json(&mut req).await?;
                self.sql().exec("DELETE FROM sessions WHERE secret_hash = ?", vec![sha256_hex(&body.secret).into()])?;
                ok()
            }
            (Method::Post, "/sessions") => json(&self.sessions(&read_json::<Secret>(&mut req).await?.secret)?, 200),
            (Method::Post, "/sessions/revoke") => {
                self.revoke(&read_json(&mut req).await?)?;
                ok()
            }
            (Method::Post, "/password") => {
                self.change_password(&read_json(&mut req).await?)?;
                ok()
            }
            (Method::Post, "/security") => json(&self.security_log(&read_json::<Secret>(&mut req).await?.secret)?, 200),
            // The workspaces this account belongs to, for their audit logs (no session needed: the
            // router asks after a failed sign-in; the answer never leaves the edge).
            (Method::Get, "/sites") => {
                #[derive(Deserialize)]
                struct Site {
                    site: String,
                }
                let rows: Vec<Site> = self.sql().exec("SELECT site FROM memberships", None)?.to_array()?;
                let sites = rows.iter().map(|r| Ok(SiteId::parse(&r.site)?)).collect::<EdgeResult<Vec<SiteId>>>()?;
                json(&sites, 200)
            }
            (Method::Put, "/memberships") => {
                self.add_membership(&read_json(&mut req).await?)?;
                ok()
            }
            (Method::Delete, p) if p.starts_with("/memberships/") => {
                let site = SiteId::parse(&p["/memberships/".len()..]).map_err(|_| EdgeError::NotFound)?;
                self.sql().exec("DELETE FROM memberships WHERE site = ?", vec![site.as_str().into()])?;
                ok()
            }
            _ => Err(EdgeError::NotFound),
        }
    }
}

fn describe(origin: &Origin) -> String {
    match &origin.country {
        Some(c) => format!("{} · {c}", origin.device),
        None => origin.device.clone(),
    }
}

/// Creates (or, after a closed account was deleted, recreates) the tables.
fn schema(state: &State) {
    create_schema(
        state,
        "account",
        &[
            "CREATE TABLE IF NOT EXISTS account (id INTEGER PRIMARY KEY CHECK (id = 1), email TEXT NOT NULL, \
             name TEXT NOT NULL, password_hash TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS memberships (site TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS lockout (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS sessions (secret_hash TEXT PRIMARY KEY, created_at INTEGER NOT NULL, \
             expires_at INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS security_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, \
             kind TEXT NOT NULL, detail TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS devices (device TEXT PRIMARY KEY)",
        ],
    );
    migrate(
        state,
        "account",
        &[
            ("session-device", "ALTER TABLE sessions ADD COLUMN device TEXT"),
            ("session-country", "ALTER TABLE sessions ADD COLUMN country TEXT"),
            ("session-last-seen", "ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER"),
        ],
    );
}

impl DurableObject for Account {
    fn new(state: State, env: Env) -> Self {
        schema(&state);
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        respond(self.route(req).await)
    }

    /// A closed account's grace period is over: everything goes, and the email is free again.
    async fn alarm(&self) -> worker::Result<Response> {
        let storage = self.state.storage();
        if storage.get::<i64>(CLOSING).await?.is_some_and(|at| at <= now_ms()) {
            storage.delete_all().await?;
            schema(&self.state);
        }
        Response::ok("")
    }
}
