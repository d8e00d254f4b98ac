//! The visitor Durable Object (one per visitor of a site, named `SITE:VISITOR_ID`): the visitor's
//! consent history (the proof a controller needs for each decision) and their profile — contact
//! details, identity, custom attributes, conversations, and, only while the latest decision allows
//! analytics, page activity, browser and location.

use crate::capture::{analytics_allowed, merge_attributes};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{create_schema, json, now_ms, read_json, respond};
use serde::{Deserialize, Serialize};
use shared::consent::ConsentRecord;
use shared::visitor::{ContactEdit, DeviceInfo, Identity, Location, PageView, VisitorContext, VisitorProfile};
use shared::{ConversationId, Email};
use std::collections::BTreeMap;
use worker::{durable_object, DurableObject, Env, Method, Request, Response, SqlStorage, State};

/// Most page views kept per visitor (oldest go first).
const MAX_PAGES: i64 = 500;

#[durable_object]
pub struct Visitor {
    state: State,
    #[allow(dead_code)]
    env: Env,
}

/// What the router saw of the browser with a request; kept only with analytics consent.
#[derive(Serialize, Deserialize, Default)]
pub struct Capture {
    pub context: Option<VisitorContext>,
    pub device: Option<DeviceInfo>,
    pub location: Option<Location>,
    /// Already truncated, and only if the workspace keeps addresses.
    pub ip: Option<String>,
    /// The site's current policy version: a decision for an older one does not count.
    pub policy_version: u32,
}

/// `POST /pageview`.
#[derive(Serialize, Deserialize)]
pub struct PageVisit {
    pub page: PageView,
    pub capture: Capture,
}

/// `POST /contact`: who gives the details (`visitor` or an agent's email) and what they are.
#[derive(Serialize, Deserialize)]
pub struct ContactChange {
    pub by: String,
    pub name: Option<String>,
    pub email: Option<Email>,
}

/// `POST /identity`.
#[derive(Serialize, Deserialize)]
pub struct IdentityClaim {
    pub identity: Identity,
    pub name: Option<String>,
    pub email: Option<Email>,
}

#[derive(Deserialize)]
struct Row {
    json: String,
}

impl Visitor {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn append(&self, record: &ConsentRecord) -> EdgeResult<()> {
        let text = serde_json::to_string(record)?;
        self.sql().exec("INSERT INTO consents (at, json) VALUES (?, ?)", vec![record.at.into(), text.into()])?;
        Ok(())
    }

    fn history(&self) -> EdgeResult<Vec<ConsentRecord>> {
        let rows: Vec<Row> = self.sql().exec("SELECT json FROM consents ORDER BY id", None)?.to_array()?;
        rows.iter().map(|r| Ok(serde_json::from_str(&r.json)?)).collect()
    }

    /// The profile's own fields (pages, consents, conversations and edits live in their tables).
    fn profile(&self) -> EdgeResult<VisitorProfile> {
        let rows: Vec<Row> = self.sql().exec("SELECT json FROM profile WHERE id = 1", None)?.to_array()?;
        Ok(match rows.first() {
            Some(row) => serde_json::from_str(&row.json)?,
            None => VisitorProfile { first_seen: now_ms(), ..VisitorProfile::default() },
        })
    }

    fn save(&self, mut profile: VisitorProfile) -> EdgeResult<()> {
        profile.last_seen = now_ms();
        let text = serde_json::to_string(&profile)?;
        self.sql().exec("INSERT OR REPLACE INTO profile (id, json) VALUES (1, ?)", vec![text.into()])?;
        Ok(())
    }

    /// Applies what the browser said, if the latest decision allows analytics; returns whether
    /// it did. The visit itself (last seen) counts either way.
    fn capture(&self, profile: &mut VisitorProfile, capture: Capture) -> EdgeResult<bool> {
        if !analytics_allowed(&self.history()?, capture.policy_version, now_ms()) {
            return Ok(false);
        }
        profile.context = capture.context.or(profile.context.take());
        profile.device = capture.device.or(profile.device.take());
        profile.location = capture.location.or(profile.location.take());
        profile.ip = capture.ip;
        Ok(true)
    }

    fn page_visit(&self, visit: PageVisit) -> EdgeResult<bool> {
        let mut profile = self.profile()?;
        let allowed = self.capture(&mut profile, visit.capture)?;
        if allowed {
            let p = visit.page;
            let sql = self.sql();
            sql.exec(
                "INSERT INTO pages (at, url, title, referrer) VALUES (?, ?, ?, ?)",
                vec![p.at.into(), p.url.into(), p.title.into(), p.referrer.into()],
            )?;
            sql.exec("DELETE FROM pages WHERE id <= (SELECT MAX(id) FROM pages) - ?", vec![MAX_PAGES.into()])?;
            self.save(profile)?;
        }
        Ok(allowed)
    }

    fn contact(&self, change: ContactChange) -> EdgeResult<()> {
        let mut profile = self.profile()?;
        if change.name.is_some() {
            profile.name = change.name.clone();
        }
        if change.email.is_some() {
            profile.email = change.email.clone();
        }
        let edit = ContactEdit { at: now_ms(), by: change.by, name: change.name, email: change.email };
        self.sql().exec("INSERT INTO contact_edits (json) VALUES (?)", vec![serde_json::to_string(&edit)?.into()])?;
        self.save(profile)
    }

    fn full_profile(&self) -> EdgeResult<VisitorProfile> {
        let sql = self.sql();
        let pages: Vec<PageView> =
            sql.exec("SELECT at, url, title, referrer FROM pages ORDER BY id DESC LIMIT ?", vec![MAX_PAGES.into()])?.to_array()?;
        let edits: Vec<Row> = sql.exec("SELECT json FROM contact_edits ORDER BY id", None)?.to_array()?;
        let contact_edits = edits.iter().map(|r| Ok(serde_json::from_str(&r.json)?)).collect::<EdgeResult<_>>()?;
        Ok(VisitorProfile { pages, consents: self.history()?, contact_edits, ..self.profile()? })
    }

    fn conversations(&self) -> EdgeResult<Vec<ConversationId>> {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        let rows: Vec<Id> = self.sql().exec("SELECT id FROM conversations ORDER BY started_at DESC", None)?.to_array()?;
        rows.iter().map(|r| Ok(ConversationId::parse(&r.id)?)).collect()
    }

    async fn route(&self, mut req: Request) -> EdgeResult<Response> {
        let ok = || json(&serde_json::json!({ "ok": true }), 200);
        match (req.method(), req.path().as_str()) {
            (Method::Post, "/consents") => {
                let record: ConsentRecord = read_json(&mut req).await?;
                self.append(&record)?;
                json(&record, 201)
            }
            (Method::Get, "/consents") => json(&self.history()?, 200),
            (Method::Post, "/touch") => {
                let mut profile = self.profile()?;
                self.capture(&mut profile, read_json(&mut req).await?)?;
                self.save(profile)?;
                ok()
            }
            (Method::Post, "/pageview") => json(&self.page_visit(read_json(&mut req).await?)?, 200),
            (Method::Post, "/contact") => {
                self.contact(read_json(&mut req).await?)?;
                ok()
            }
            (Method::Post, "/identity") => {
                let claim: IdentityClaim = read_json(&mut req).await?;
                let mut profile = self.profile()?;
                profile.identity = Some(claim.identity);
                profile.name = claim.name.or(profile.name);
                profile.email = claim.email.or(profile.email);
                self.save(profile)?;
                ok()
            }
            (Method::Post, "/attributes") => {
                let new: BTreeMap<String, serde_json::Value> = read_json(&mut req).await?;
                let mut profile = self.profile()?;
                profile.attributes = merge_attributes(&profile.attributes, &new)?;
                self.save(profile)?;
                ok()
            }
            (Method::Post, "/conversation") => {
                let id: ConversationId = read_json(&mut req).await?;
                self.sql().exec(
                    "INSERT OR IGNORE INTO conversations (id, started_at) VALUES (?, ?)",
                    vec![id.as_str().into(), now_ms().into()],
                )?;
                self.save(self.profile()?)?;
                ok()
            }
            (Method::Get, "/conversations") => json(&self.conversations()?, 200),
            (Method::Get, "/profile") => json(&self.full_profile()?, 200),
            _ => Err(EdgeError::NotFound),
        }
    }
}

impl DurableObject for Visitor {
    fn new(state: State, env: Env) -> Self {
        create_schema(
            &state,
            "visitor",
            &[
                "CREATE TABLE IF NOT EXISTS consents (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, json TEXT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS profile (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS pages (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, url TEXT NOT NULL, \
                 title TEXT NOT NULL, referrer TEXT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS contact_edits (id INTEGER PRIMARY KEY AUTOINCREMENT, json TEXT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, started_at INTEGER NOT NULL)",
            ],
        );
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        respond(self.route(req).await)
    }
}
