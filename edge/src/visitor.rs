//! The visitor Durable Object (one per visitor of a site, named `SITE:VISITOR_ID`): the visitor's
//! consent history (the proof a controller needs for each decision) and their profile — contact
//! details, identity, custom attributes, conversations, and, only while the latest decision allows
//! analytics, page activity, browser and location.

use crate::capture::{analytics_allowed, merge_attributes};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{create_schema, json, now_ms, read_json, respond};
use serde::{Deserialize, Serialize};
use shared::consent::ConsentRecord;
use shared::privacy::DataSubject;
use shared::visitor::{ContactEdit, DeviceInfo, Identity, Location, PageView, VisitorContext, VisitorProfile};
use shared::{ConversationId, Email, SiteId, VisitorId};
use std::collections::BTreeMap;
use worker::{durable_object, DurableObject, Env, Method, Request, Response, SqlStorage, State};

/// Most page views kept per visitor (oldest go first).
const MAX_PAGES: i64 = 500;

#[durable_object]
pub struct Visitor {
    state: State,
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
    /// The workspace's retention period: page activity older than this is deleted (an alarm).
    #[serde(default)]
    pub retention_ms: Option<i64>,
}

/// `POST /restrict`, `POST /object`.
#[derive(Serialize, Deserialize)]
pub struct Switch {
    pub on: bool,
}

/// KV keys beside the tables: the erasure tombstone (all that is left of an erased visitor, so
/// their token is refused) and the retention period the page-activity alarm applies.
const ERASED: &str = "erased";
const RETENTION: &str = "retention_ms";

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

    /// Applies what the browser said, if the latest decision allows analytics and the visitor
    /// has neither objected nor restricted processing; returns whether it did. The visit itself
    /// (last seen) counts either way.
    fn capture(&self, profile: &mut VisitorProfile, capture: Capture) -> EdgeResult<bool> {
        if profile.restricted
            || profile.objected
            || !analytics_allowed(&self.history()?, capture.policy_version, now_ms())
        {
            return Ok(false);
        }
        profile.context = capture.context.or(profile.context.take());
        profile.device = capture.device.or(profile.device.take());
        profile.location = capture.location.or(profile.location.take());
        profile.ip = capture.ip;
        Ok(true)
    }

    async fn page_visit(&self, visit: PageVisit) -> EdgeResult<bool> {
        let mut profile = self.profile()?;
        let retention = visit.capture.retention_ms;
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
            self.keep_for(retention).await?;
        }
        Ok(allowed)
    }

    /// Remembers the retention period and makes sure an alarm will delete the oldest page
    /// activity when it is due (see `alarm`). Each visitor object keeps its own: no global sweep.
    async fn keep_for(&self, retention: Option<i64>) -> EdgeResult<()> {
        let storage = self.state.storage();
        match retention {
            Some(ms) => {
                storage.put(RETENTION, ms).await?;
                self.schedule_expiry(ms).await?;
            }
            None => storage.delete(RETENTION).await.map(|_| ())?,
        }
        Ok(())
    }

    /// Sets the alarm for when the oldest page view passes the retention period.
    async fn schedule_expiry(&self, retention_ms: i64) -> EdgeResult<()> {
        #[derive(Deserialize)]
        struct Oldest {
            at: Option<i64>,
        }
        let oldest: Oldest = self.sql().exec("SELECT MIN(at) AS at FROM pages", None)?.one()?;
        if let Some(at) = oldest.at {
            self.state.storage().set_alarm(crate::glue::at_time((at + retention_ms).max(now_ms() + 1))).await?;
        }
        Ok(())
    }

    /// Deletes page activity older than the retention period, then waits for the next.
    async fn expire_pages(&self) -> EdgeResult<()> {
        let Some(retention_ms) = self.state.storage().get::<i64>(RETENTION).await? else { return Ok(()) };
        self.sql().exec("DELETE FROM pages WHERE at < ?", vec![(now_ms() - retention_ms).into()])?;
        self.schedule_expiry(retention_ms).await
    }

    /// Whether anything is held about this visitor at all.
    fn held(&self) -> EdgeResult<bool> {
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let count: Count = self
            .sql()
            .exec("SELECT (SELECT COUNT(*) FROM profile) + (SELECT COUNT(*) FROM consents) AS n", None)?
            .one()?;
        Ok(count.n > 0)
    }

    fn subject(&self) -> EdgeResult<DataSubject> {
        #[derive(Deserialize)]
        struct Counts {
            pages: i64,
            consents: i64,
            conversations: i64,
        }
        if !self.held()? {
            return Ok(DataSubject::default());
        }
        let counts: Counts = self
            .sql()
            .exec(
                "SELECT (SELECT COUNT(*) FROM pages) AS pages, (SELECT COUNT(*) FROM consents) AS consents, \
                 (SELECT COUNT(*) FROM conversations) AS conversations",
                None,
            )?
            .one()?;
        let p = self.profile()?;
        Ok(DataSubject {
            visitor_id: self.ids().map(|(_, v)| v),
            name: p.name,
            email: p.email,
            user_id: p.identity.filter(|i| i.verified).map(|i| i.id),
            first_seen: p.first_seen,
            last_seen: p.last_seen,
            conversations: counts.conversations as u32,
            pages: counts.pages as u32,
            consents: counts.consents as u32,
            restricted: p.restricted,
            objected: p.objected,
        })
    }

    /// The site and visitor this object belongs to, from its name (`SITE:VISITOR_ID`).
    fn ids(&self) -> Option<(SiteId, VisitorId)> {
        let name = self.state.id().name()?;
        let (site, visitor) = name.split_once(':')?;
        Some((SiteId::parse(site).ok()?, VisitorId::parse(visitor).ok()?))
    }

    /// Keeps the workspace's directory (find a visitor by email for a data-subject request) in
    /// step with the email on the profile.
    async fn tell_directory(&self, email: Option<&Email>) -> EdgeResult<()> {
        let Some((site, visitor_id)) = self.ids() else { return Ok(()) };
        let workspace = crate::glue::site_object(&self.env, "WORKSPACE", &site, site.as_str())?;
        let entry = crate::workspace::DirectoryEntry { visitor_id, email: email.cloned() };
        crate::glue::call::<bool>(&workspace, Method::Post, "/directory", Some(serde_json::to_string(&entry)?)).await?;
        Ok(())
    }

    /// Art. 21: objecting deletes what analytics captured and stops capturing it.
    fn object(&self, on: bool) -> EdgeResult<()> {
        let mut profile = self.profile()?;
        profile.objected = on;
        if on {
            self.sql().exec("DELETE FROM pages", None)?;
            (profile.device, profile.location, profile.context, profile.ip) = (None, None, None, None);
        }
        self.save(profile)
    }

    /// Deletes everything, leaving only the tombstone that makes the visitor's token useless.
    async fn erase(&self) -> EdgeResult<()> {
        let storage = self.state.storage();
        storage.delete_alarm().await?;
        storage.delete_all().await?;
        storage.put(ERASED, now_ms()).await?;
        schema(&self.state);
        Ok(())
    }

    /// Local writes first, the workspace's directory last: an erasure that runs while the call
    /// is out deletes what was written here, and the workspace ignores the erased visitor.
    async fn contact(&self, change: ContactChange) -> EdgeResult<()> {
        let mut profile = self.profile()?;
        if change.name.is_some() {
            profile.name = change.name.clone();
        }
        if change.email.is_some() {
            profile.email = change.email.clone();
        }
        let edit = ContactEdit { at: now_ms(), by: change.by, name: change.name, email: change.email.clone() };
        self.sql().exec("INSERT INTO contact_edits (json) VALUES (?)", vec![serde_json::to_string(&edit)?.into()])?;
        self.save(profile)?;
        match &change.email {
            Some(email) => self.tell_directory(Some(email)).await,
            None => Ok(()),
        }
    }

    fn full_profile(&self) -> EdgeResult<VisitorProfile> {
        let sql = self.sql();
        let pages: Vec<PageView> = sql
            .exec("SELECT at, url, title, referrer FROM pages ORDER BY id DESC LIMIT ?", vec![MAX_PAGES.into()])?
            .to_array()?;
        let edits: Vec<Row> = sql.exec("SELECT json FROM contact_edits ORDER BY id", None)?.to_array()?;
        let contact_edits = edits.iter().map(|r| Ok(serde_json::from_str(&r.json)?)).collect::<EdgeResult<_>>()?;
        Ok(VisitorProfile { pages, consents: self.history()?, contact_edits, ..self.profile()? })
    }

    fn conversations(&self) -> EdgeResult<Vec<ConversationId>> {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        let rows: Vec<Id> =
            self.sql().exec("SELECT id FROM conversations ORDER BY started_at DESC", None)?.to_array()?;
        rows.iter().map(|r| Ok(ConversationId::parse(&r.id)?)).collect()
    }

    async fn route(&self, mut req: Request) -> EdgeResult<Response> {
        let ok = || json(&serde_json::json!({ "ok": true }), 200);
        // Erasing twice is fine (a closing workspace's purge may meet an erased visitor).
        if req.method() == Method::Post && req.path() == "/erase" {
            self.erase().await?;
            return ok();
        }
        // An erased visitor's token is refused everywhere it is used.
        if self.state.storage().get::<i64>(ERASED).await?.is_some() {
            return Err(EdgeError::Unauthorized);
        }
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
            (Method::Post, "/pageview") => json(&self.page_visit(read_json(&mut req).await?).await?, 200),
            (Method::Post, "/contact") => {
                self.contact(read_json(&mut req).await?).await?;
                ok()
            }
            (Method::Post, "/identity") => {
                let claim: IdentityClaim = read_json(&mut req).await?;
                let mut profile = self.profile()?;
                // Restricted: the token still works, but nothing new is kept (`false`: the router
                // then shows agents nothing new either).
                if profile.restricted {
                    return json(&false, 200);
                }
                let new_email = claim.email.clone().filter(|e| profile.email.as_ref() != Some(e));
                profile.identity = Some(claim.identity);
                profile.name = claim.name.or(profile.name);
                profile.email = claim.email.or(profile.email);
                self.save(profile)?;
                if let Some(email) = new_email {
                    self.tell_directory(Some(&email)).await?;
                }
                json(&true, 200)
            }
            (Method::Post, "/attributes") => {
                let new: BTreeMap<String, serde_json::Value> = read_json(&mut req).await?;
                let mut profile = self.profile()?;
                if profile.restricted {
                    return ok();
                }
                let first = !self.held()?;
                profile.attributes = merge_attributes(&profile.attributes, &new)?;
                self.save(profile)?;
                if first {
                    // Known to the workspace, so closing it deletes this profile too.
                    self.tell_directory(None).await?;
                }
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
            (Method::Get, "/subject") => json(&self.subject()?, 200),
            (Method::Post, "/restrict") => {
                let switch: Switch = read_json(&mut req).await?;
                let profile = self.profile()?;
                self.save(VisitorProfile { restricted: switch.on, ..profile })?;
                json(&self.subject()?, 200)
            }
            (Method::Post, "/object") => {
                self.object(read_json::<Switch>(&mut req).await?.on)?;
                json(&self.subject()?, 200)
            }
            (Method::Post, "/erase") => {
                self.erase().await?;
                ok()
            }
            // The workspace's retention period changed (see `workspace::privacy`).
            (Method::Post, "/retention") => {
                self.keep_for(read_json::<Option<i64>>(&mut req).await?).await?;
                ok()
            }
            // A conversation the retention period deleted.
            (Method::Post, "/forget-conversation") => {
                let id: ConversationId = read_json(&mut req).await?;
                self.sql().exec("DELETE FROM conversations WHERE id = ?", vec![id.as_str().into()])?;
                ok()
            }
            _ => Err(EdgeError::NotFound),
        }
    }
}

fn schema(state: &State) {
    create_schema(
            state,
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
}

impl DurableObject for Visitor {
    fn new(state: State, env: Env) -> Self {
        schema(&state);
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        respond(self.route(req).await)
    }

    async fn alarm(&self) -> worker::Result<Response> {
        if let Err(e) = self.expire_pages().await {
            // Try again in a minute rather than wait for the visitor's next page view.
            worker::console_error!("visitor page retention: {e}");
            self.state.storage().set_alarm(crate::glue::at_time(now_ms() + 60_000)).await?;
        }
        Response::ok("")
    }
}
