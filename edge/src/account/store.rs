//! The account's tables in the object's SQLite, behind [`AccountStore`].

use super::logic::{AccountStore, Purpose, StoredAccount, StoredLink, StoredSession};
use crate::error::EdgeResult;
use crate::glue::{create_schema, from_name, json_row, migrate, name_of};
use crate::lockout::Lockout;
use crate::settings::Membership;
use serde::Deserialize;
use shared::api::{Role, SecurityEvent, SecurityEventKind};
use shared::SiteId;
use worker::{SqlStorage, State};

pub struct SqlAccount(pub SqlStorage);

#[derive(Deserialize)]
struct AccountRow {
    email: String,
    name: String,
    password_hash: String,
    verified_at: Option<i64>,
    notify: Option<String>,
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

impl From<SessionRow> for StoredSession {
    fn from(r: SessionRow) -> Self {
        StoredSession {
            secret_hash: r.secret_hash,
            created_at: r.created_at,
            expires_at: r.expires_at,
            device: r.device,
            country: r.country,
            last_seen_at: r.last_seen_at,
        }
    }
}

impl AccountStore for SqlAccount {
    fn account(&self) -> EdgeResult<Option<StoredAccount>> {
        let rows: Vec<AccountRow> = self.0.exec("SELECT * FROM account WHERE id = 1", None)?.to_array()?;
        Ok(rows.into_iter().next().map(|a| StoredAccount {
            email: a.email,
            name: a.name,
            password_hash: a.password_hash,
            verified_at: a.verified_at,
            notify: a.notify.and_then(|n| from_name(n).ok()).unwrap_or_default(),
        }))
    }

    fn save_account(&mut self, a: &StoredAccount) -> EdgeResult<()> {
        self.0.exec(
            "INSERT OR REPLACE INTO account (id, email, name, password_hash, verified_at, notify) \
             VALUES (1, ?, ?, ?, ?, ?)",
            vec![
                a.email.as_str().into(),
                a.name.as_str().into(),
                a.password_hash.as_str().into(),
                a.verified_at.into(),
                a.notify.name().into(),
            ],
        )?;
        Ok(())
    }

    fn memberships(&self) -> EdgeResult<Vec<Membership>> {
        #[derive(Deserialize)]
        struct Row {
            site: String,
            name: String,
            role: String,
        }
        let rows: Vec<Row> = self.0.exec("SELECT site, name, role FROM memberships", None)?.to_array()?;
        rows.into_iter()
            .map(|r| Ok(Membership { site: SiteId::parse(&r.site)?, name: r.name, role: from_name::<Role>(r.role)? }))
            .collect()
    }

    fn save_membership(&mut self, m: &Membership) -> EdgeResult<()> {
        self.0.exec(
            "INSERT OR REPLACE INTO memberships (site, name, role) VALUES (?, ?, ?)",
            vec![m.site.as_str().into(), m.name.as_str().into(), name_of(m.role)?.into()],
        )?;
        Ok(())
    }

    fn remove_membership(&mut self, site: &SiteId) -> EdgeResult<()> {
        self.0.exec("DELETE FROM memberships WHERE site = ?", vec![site.as_str().into()])?;
        Ok(())
    }

    fn lockout(&self, key: &str) -> EdgeResult<Lockout> {
        let row = json_row(&self.0, "SELECT json FROM lockouts WHERE key = ?", Some(vec![key.into()]))?;
        Ok(row.unwrap_or_default())
    }

    fn prune_lockouts(&mut self, before: i64) -> EdgeResult<()> {
        self.0.exec("DELETE FROM lockouts WHERE at < ?", vec![before.into()])?;
        Ok(())
    }

    fn save_lockout(&mut self, key: &str, lockout: &Lockout, at: i64) -> EdgeResult<()> {
        let text = serde_json::to_string(lockout)?;
        self.0.exec(
            "INSERT OR REPLACE INTO lockouts (key, json, at) VALUES (?, ?, ?)",
            vec![key.into(), text.into(), at.into()],
        )?;
        Ok(())
    }

    fn session(&self, secret_hash: &str) -> EdgeResult<Option<StoredSession>> {
        let rows: Vec<SessionRow> =
            self.0.exec("SELECT * FROM sessions WHERE secret_hash = ?", vec![secret_hash.into()])?.to_array()?;
        Ok(rows.into_iter().next().map(Into::into))
    }

    fn sessions(&self) -> EdgeResult<Vec<StoredSession>> {
        let rows: Vec<SessionRow> = self.0.exec("SELECT * FROM sessions", None)?.to_array()?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    fn insert_session(&mut self, s: &StoredSession) -> EdgeResult<()> {
        self.0.exec(
            "INSERT INTO sessions (secret_hash, created_at, expires_at, device, country, last_seen_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                s.secret_hash.as_str().into(),
                s.created_at.into(),
                s.expires_at.into(),
                s.device.clone().into(),
                s.country.clone().into(),
                s.last_seen_at.into(),
            ],
        )?;
        Ok(())
    }

    fn touch_session(&mut self, secret_hash: &str, at: i64) -> EdgeResult<()> {
        self.0
            .exec("UPDATE sessions SET last_seen_at = ? WHERE secret_hash = ?", vec![at.into(), secret_hash.into()])?;
        Ok(())
    }

    fn delete_session(&mut self, secret_hash: &str) -> EdgeResult<()> {
        self.0.exec("DELETE FROM sessions WHERE secret_hash = ?", vec![secret_hash.into()])?;
        Ok(())
    }

    fn delete_sessions_except(&mut self, keep: Option<&str>) -> EdgeResult<()> {
        match keep {
            Some(keep) => self.0.exec("DELETE FROM sessions WHERE secret_hash != ?", vec![keep.into()])?,
            None => self.0.exec("DELETE FROM sessions", None)?,
        };
        Ok(())
    }

    fn has_devices(&self) -> EdgeResult<bool> {
        let rows: Vec<serde_json::Value> = self.0.exec("SELECT 1 AS one FROM devices LIMIT 1", None)?.to_array()?;
        Ok(!rows.is_empty())
    }

    fn remember_device(&mut self, device: &str) -> EdgeResult<bool> {
        let cursor = self.0.exec("INSERT OR IGNORE INTO devices (device) VALUES (?)", vec![device.into()])?;
        Ok(cursor.rows_written() > 0)
    }

    fn append_event(&mut self, e: &SecurityEvent) -> EdgeResult<()> {
        self.0.exec(
            "INSERT INTO security_log (at, kind, detail) VALUES (?, ?, ?)",
            vec![e.at.into(), name_of(e.kind)?.into(), e.detail.as_str().into()],
        )?;
        Ok(())
    }

    fn trim_events(&mut self, keep: usize) -> EdgeResult<()> {
        self.0.exec(
            "DELETE FROM security_log WHERE id <= (SELECT MAX(id) FROM security_log) - ?",
            vec![(keep as i64).into()],
        )?;
        Ok(())
    }

    fn events(&self, limit: usize) -> EdgeResult<Vec<SecurityEvent>> {
        #[derive(Deserialize)]
        struct Row {
            at: i64,
            kind: String,
            detail: String,
        }
        let rows: Vec<Row> = self
            .0
            .exec("SELECT at, kind, detail FROM security_log ORDER BY id DESC LIMIT ?", vec![(limit as i64).into()])?
            .to_array()?;
        rows.into_iter()
            .map(|r| Ok(SecurityEvent { at: r.at, kind: from_name::<SecurityEventKind>(r.kind)?, detail: r.detail }))
            .collect()
    }

    fn link(&self, purpose: Purpose) -> EdgeResult<Option<StoredLink>> {
        #[derive(Deserialize)]
        struct Row {
            secret_hash: String,
            expires_at: i64,
        }
        let rows: Vec<Row> = self
            .0
            .exec("SELECT secret_hash, expires_at FROM links WHERE purpose = ?", vec![purpose.name().into()])?
            .to_array()?;
        Ok(rows.into_iter().next().map(|r| StoredLink { secret_hash: r.secret_hash, expires_at: r.expires_at }))
    }

    fn save_link(&mut self, purpose: Purpose, link: Option<&StoredLink>) -> EdgeResult<()> {
        match link {
            Some(l) => self.0.exec(
                "INSERT OR REPLACE INTO links (purpose, secret_hash, expires_at) VALUES (?, ?, ?)",
                vec![purpose.name().into(), l.secret_hash.as_str().into(), l.expires_at.into()],
            )?,
            None => self.0.exec("DELETE FROM links WHERE purpose = ?", vec![purpose.name().into()])?,
        };
        Ok(())
    }

    fn clear_lockouts(&mut self) -> EdgeResult<()> {
        self.0.exec("DELETE FROM lockouts", None)?;
        Ok(())
    }
}

/// Creates (or, after a closed account was deleted, recreates) the tables.
pub fn schema(state: &State) {
    create_schema(
        state,
        "account",
        &[
            "CREATE TABLE IF NOT EXISTS account (id INTEGER PRIMARY KEY CHECK (id = 1), email TEXT NOT NULL, \
             name TEXT NOT NULL, password_hash TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS memberships (site TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS lockout (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
            // One lockout per address (hashed) and account.
            "CREATE TABLE IF NOT EXISTS lockouts (key TEXT PRIMARY KEY, json TEXT NOT NULL, at INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS sessions (secret_hash TEXT PRIMARY KEY, created_at INTEGER NOT NULL, \
             expires_at INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS security_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, \
             kind TEXT NOT NULL, detail TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS devices (device TEXT PRIMARY KEY)",
            // One live mailed link per purpose (reset, verify): the hash of its secret.
            "CREATE TABLE IF NOT EXISTS links (purpose TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, \
             expires_at INTEGER NOT NULL)",
        ],
    );
    migrate(
        state,
        "account",
        &[
            ("session-device", "ALTER TABLE sessions ADD COLUMN device TEXT"),
            ("session-country", "ALTER TABLE sessions ADD COLUMN country TEXT"),
            ("session-last-seen", "ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER"),
            ("account-verified", "ALTER TABLE account ADD COLUMN verified_at INTEGER"),
            ("account-notify", "ALTER TABLE account ADD COLUMN notify TEXT"),
        ],
    );
}
