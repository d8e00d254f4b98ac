//! The postbox's tables in the object's SQLite, behind [`PostboxStore`].

use super::logic::{Pending, PostboxStore};
use super::{MailKind, SentMail, Status};
use crate::error::EdgeResult;
use crate::glue::{create_schema, from_name, inserted_id, name_of};
use serde::Deserialize;
use shared::SiteId;
use worker::{SqlStorage, State};

pub struct SqlPostbox(pub SqlStorage);

fn site_of(site: Option<String>) -> Option<SiteId> {
    site.and_then(|s| SiteId::parse(&s).ok())
}

#[derive(Deserialize)]
struct PendingRow {
    id: i64,
    kind: String,
    site: Option<String>,
    sender: String,
    subject: String,
    raw: String,
    queued_at: i64,
    attempts: i64,
    due_at: i64,
}

impl PendingRow {
    fn into_pending(self) -> EdgeResult<Pending> {
        Ok(Pending {
            id: self.id,
            kind: from_name(self.kind)?,
            site: site_of(self.site),
            from: self.sender,
            subject: self.subject,
            raw: self.raw,
            queued_at: self.queued_at,
            attempts: u32::try_from(self.attempts).unwrap_or(0),
            due_at: self.due_at,
        })
    }
}

impl PostboxStore for SqlPostbox {
    fn insert(&mut self, m: &Pending) -> EdgeResult<i64> {
        let id = inserted_id(
            &self.0,
            "INSERT INTO pending (kind, site, sender, subject, raw, queued_at, attempts, due_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                name_of(m.kind)?.into(),
                m.site.as_ref().map(|s| s.as_str().to_owned()).into(),
                m.from.as_str().into(),
                m.subject.as_str().into(),
                m.raw.as_str().into(),
                m.queued_at.into(),
                i64::from(m.attempts).into(),
                m.due_at.into(),
            ],
        )?;
        Ok(id.unwrap_or(0))
    }

    fn due(&self, now: i64) -> EdgeResult<Vec<Pending>> {
        let rows: Vec<PendingRow> =
            self.0.exec("SELECT * FROM pending WHERE due_at <= ? ORDER BY due_at, id", vec![now.into()])?.to_array()?;
        rows.into_iter().map(PendingRow::into_pending).collect()
    }

    fn next_due(&self) -> EdgeResult<Option<i64>> {
        #[derive(Deserialize)]
        struct Row {
            at: Option<i64>,
        }
        let rows: Vec<Row> = self.0.exec("SELECT MIN(due_at) AS at FROM pending", None)?.to_array()?;
        Ok(rows.into_iter().next().and_then(|r| r.at))
    }

    fn reschedule(&mut self, id: i64, attempts: u32, due_at: i64) -> EdgeResult<()> {
        self.0.exec(
            "UPDATE pending SET attempts = ?, due_at = ? WHERE id = ?",
            vec![i64::from(attempts).into(), due_at.into(), id.into()],
        )?;
        Ok(())
    }

    fn remove(&mut self, id: i64) -> EdgeResult<()> {
        self.0.exec("DELETE FROM pending WHERE id = ?", vec![id.into()])?;
        Ok(())
    }

    fn clear(&mut self, site: Option<&SiteId>) -> EdgeResult<usize> {
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        // `?1 IS NULL`: every site.
        let site = site.map(|s| s.as_str().to_owned());
        let matches = "(?1 IS NULL OR site = ?1)";
        let rows: Vec<Count> = self
            .0
            .exec(&format!("SELECT COUNT(*) AS n FROM pending WHERE {matches}"), vec![site.clone().into()])?
            .to_array()?;
        self.0.exec(&format!("DELETE FROM pending WHERE {matches}"), vec![site.clone().into()])?;
        self.0.exec(&format!("DELETE FROM log WHERE {matches}"), vec![site.into()])?;
        Ok(rows.first().map_or(0, |c| c.n as usize))
    }

    fn append_log(&mut self, e: &SentMail) -> EdgeResult<()> {
        self.0.exec(
            "INSERT INTO log (at, kind, site, subject, status) VALUES (?, ?, ?, ?, ?)",
            vec![
                e.at.into(),
                name_of(e.kind)?.into(),
                e.site.as_ref().map(|s| s.as_str().to_owned()).into(),
                e.subject.as_str().into(),
                name_of(e.status)?.into(),
            ],
        )?;
        Ok(())
    }

    fn log(&self) -> EdgeResult<Vec<SentMail>> {
        #[derive(Deserialize)]
        struct Row {
            at: i64,
            kind: String,
            site: Option<String>,
            subject: String,
            status: String,
        }
        let rows: Vec<Row> =
            self.0.exec("SELECT at, kind, site, subject, status FROM log ORDER BY id", None)?.to_array()?;
        rows.into_iter()
            .map(|r| {
                Ok(SentMail {
                    at: r.at,
                    kind: from_name(r.kind)?,
                    site: site_of(r.site),
                    subject: r.subject,
                    status: from_name(r.status)?,
                })
            })
            .collect()
    }

    fn prune_log(&mut self, before: i64) -> EdgeResult<()> {
        self.0.exec("DELETE FROM log WHERE at < ?", vec![before.into()])?;
        Ok(())
    }

    fn queued_since(&self, kind: MailKind, since: i64) -> EdgeResult<u32> {
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let kind = name_of(kind)?;
        let refused = name_of(Status::Refused)?;
        let rows: Vec<Count> = self
            .0
            .exec(
                "SELECT (SELECT COUNT(*) FROM pending WHERE kind = ?1 AND queued_at >= ?2) + \
                 (SELECT COUNT(*) FROM log WHERE kind = ?1 AND at >= ?2 AND status != ?3) AS n",
                vec![kind.into(), since.into(), refused.into()],
            )?
            .to_array()?;
        Ok(rows.first().map_or(0, |c| c.n as u32))
    }
}

pub fn schema(state: &State) {
    create_schema(
        state,
        "postbox",
        &[
            "CREATE TABLE IF NOT EXISTS pending (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, \
             site TEXT, sender TEXT NOT NULL, subject TEXT NOT NULL, raw TEXT NOT NULL, queued_at INTEGER NOT NULL, \
             attempts INTEGER NOT NULL, due_at INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, \
             kind TEXT NOT NULL, site TEXT, subject TEXT NOT NULL, status TEXT NOT NULL)",
        ],
    );
}
