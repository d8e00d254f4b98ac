//! The conversation Durable Object: SQLite message log, hibernating sockets, and the glue that
//! carries out what `logic` decides.

use super::logic::{self, Effect, MessageLog, Peer, Role, State as ConversationState};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{call, close_socket, create_schema, migrate, now_ms, respond};
use serde::Deserialize;
use shared::{
    AgentRef, Author, ChatMessage, ClientMsg, ClientMsgId, ConversationId, Email, ErrorCode, MessageBody, ServerMsg,
    SiteId,
};
use worker::{
    console_error, durable_object, DurableObject, Env, Method, Request, Response, SqlStorage, SqlStorageValue, State,
    WebSocket, WebSocketIncomingMessage, WebSocketPair,
};

#[durable_object]
pub struct Conversation {
    state: State,
    env: Env,
}

/// Headers the router sets when it forwards an upgrade; the router has checked the caller.
pub const H_SITE: &str = "x-pvx-site";
pub const H_CONVERSATION: &str = "x-pvx-conversation";
pub const H_AGENT: &str = "x-pvx-agent";
pub const H_AGENT_EMAIL: &str = "x-pvx-agent-email";
pub const H_VISITOR: &str = "x-pvx-visitor";
/// The verified user id of a visitor's token, base64url.
pub const H_VERIFIED: &str = "x-pvx-verified";

/// Meta key of the erasure tombstone: all that is left of an erased conversation, so the erased
/// visitor's token cannot open it again.
const ERASED: &str = "erased";
/// Close code for sockets of a conversation that was deleted (erasure or retention).
pub const CLOSE_DELETED: u16 = shared::CloseCode::ConversationDeleted.code();

/// `POST /erase`: delete everything. `tombstone` for an erasure (the id stays refused); without it
/// (retention) the visitor may start afresh under the same id.
#[derive(serde::Serialize, Deserialize)]
pub struct Erase {
    pub tombstone: bool,
}

struct SqlLog<'a>(&'a SqlStorage);

#[derive(Deserialize)]
struct Row {
    seq: i64,
    client_id: String,
    author: String,
    body: String,
    at: i64,
    note: i64,
}

impl Row {
    fn into_message(self) -> EdgeResult<ChatMessage> {
        let bad = |e: String| EdgeError::Internal(format!("stored message {}: {e}", self.seq));
        Ok(ChatMessage {
            seq: self.seq as u64,
            client_id: ClientMsgId::parse(&self.client_id).map_err(|e| bad(e.to_string()))?,
            author: serde_json::from_str::<Author>(&self.author).map_err(|e| bad(e.to_string()))?,
            body: MessageBody::parse(&self.body).map_err(|e| bad(e.to_string()))?,
            at: self.at,
            note: self.note != 0,
        })
    }
}

impl MessageLog for SqlLog<'_> {
    fn by_client_id(&self, id: &ClientMsgId) -> EdgeResult<Option<ChatMessage>> {
        let rows: Vec<Row> =
            self.0.exec("SELECT * FROM messages WHERE client_id = ?", vec![id.as_str().into()])?.to_array()?;
        rows.into_iter().next().map(Row::into_message).transpose()
    }

    fn last(&self) -> EdgeResult<Option<ChatMessage>> {
        let rows: Vec<Row> = self.0.exec("SELECT * FROM messages ORDER BY seq DESC LIMIT 1", None)?.to_array()?;
        rows.into_iter().next().map(Row::into_message).transpose()
    }

    fn after(&self, seq: u64, limit: usize, notes: bool) -> EdgeResult<Vec<ChatMessage>> {
        let rows: Vec<Row> = self
            .0
            .exec(
                "SELECT * FROM messages WHERE seq > ? AND (note = 0 OR ?) ORDER BY seq LIMIT ?",
                vec![(seq as i64).into(), (notes as i64).into(), (limit as i64).into()],
            )?
            .to_array()?;
        rows.into_iter().map(Row::into_message).collect()
    }

    fn visitor_messages_after(&self, seq: u64) -> EdgeResult<u32> {
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let visitor = serde_json::to_string(&Author::Visitor)?;
        let count: Count = self
            .0
            .exec(
                "SELECT COUNT(*) AS n FROM messages WHERE seq > ? AND author = ?",
                vec![(seq as i64).into(), visitor.into()],
            )?
            .one()?;
        Ok(count.n as u32)
    }

    fn append(&mut self, m: &ChatMessage) -> EdgeResult<()> {
        let author = serde_json::to_string(&m.author)?;
        let values: Vec<SqlStorageValue> = vec![
            (m.seq as i64).into(),
            m.client_id.as_str().into(),
            author.into(),
            m.body.as_str().into(),
            m.at.into(),
            (m.note as i64).into(),
        ];
        self.0
            .exec("INSERT INTO messages (seq, client_id, author, body, at, note) VALUES (?, ?, ?, ?, ?, ?)", values)?;
        Ok(())
    }
}

impl Conversation {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn meta(&self, key: &str) -> EdgeResult<Option<String>> {
        #[derive(Deserialize)]
        struct Meta {
            value: String,
        }
        let rows: Vec<Meta> = self.sql().exec("SELECT value FROM meta WHERE key = ?", vec![key.into()])?.to_array()?;
        Ok(rows.into_iter().next().map(|m| m.value))
    }

    fn set_meta(&self, key: &str, value: &str) -> EdgeResult<()> {
        self.sql().exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", vec![key.into(), value.into()])?;
        Ok(())
    }

    /// Accepts a socket the router has authorised, remembering who is on it.
    fn accept_socket(&self, req: &Request) -> EdgeResult<Response> {
        if self.meta(ERASED)?.is_some() {
            return Err(EdgeError::Unauthorized);
        }
        let header = |name: &str| req.headers().get(name).ok().flatten();
        let site = header(H_SITE).ok_or(EdgeError::Internal("missing site header".into()))?;
        let id = header(H_CONVERSATION).ok_or(EdgeError::Internal("missing conversation header".into()))?;
        let role = match (header(H_AGENT), header(H_AGENT_EMAIL)) {
            (Some(name), Some(email)) => {
                // Agents only open conversations that exist; visitors create theirs by writing.
                if self.meta("conversation_id")?.is_none() {
                    return Err(EdgeError::NotFound);
                }
                Role::Agent { name, email: Email::parse(&email)? }
            }
            _ => Role::Visitor,
        };
        if role == Role::Visitor {
            // The ids are not personal data; keeping them lets the object notify its workspace.
            self.set_meta("site", &site)?;
            self.set_meta("conversation_id", &id)?;
            self.bind_visitor(header(H_VISITOR), header(H_VERIFIED).and_then(|v| crate::auth::unb64(&v)))?;
        }
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        pair.server.serialize_attachment(Peer::new(role))?;
        Ok(Response::from_websocket(pair.client)?)
    }

    /// Records whose conversation this is. One opened by a verified user stays bound to that user:
    /// a token without the same verified id is refused, so nobody else can write as them.
    fn bind_visitor(&self, visitor: Option<String>, verified: Option<String>) -> EdgeResult<()> {
        let mut state = self.state()?;
        let before = state.clone();
        match (&state.details.verified_id, &verified) {
            (Some(bound), token) if Some(bound) != token.as_ref() => return Err(EdgeError::Unauthorized),
            (None, Some(id)) => state.details.verified_id = Some(id.clone()),
            _ => {}
        }
        if state.details.visitor_id.is_none() {
            state.details.visitor_id = visitor.map(|v| shared::VisitorId::parse(&v)).transpose()?;
        }
        if state != before {
            self.set_meta("state", &serde_json::to_string(&state)?)?;
        }
        Ok(())
    }

    /// The visitor object of this conversation's visitor, if known.
    fn visitor(&self, site: &str, state: &ConversationState) -> EdgeResult<Option<worker::Stub>> {
        let Some(visitor) = &state.details.visitor_id else { return Ok(None) };
        let site = SiteId::parse(site)?;
        Ok(Some(crate::glue::site_object(&self.env, "VISITOR", &site, &format!("{site}:{visitor}"))?))
    }

    fn state(&self) -> EdgeResult<ConversationState> {
        Ok(match self.meta("state")? {
            Some(json) => serde_json::from_str(&json)?,
            None => ConversationState::default(),
        })
    }

    fn workspace(&self, site: &str) -> EdgeResult<worker::Stub> {
        let site = SiteId::parse(site)?;
        crate::glue::site_object(&self.env, "WORKSPACE", &site, site.as_str())
    }

    async fn on_frame(&self, ws: &WebSocket, frame: Result<ClientMsg, ErrorCode>) -> EdgeResult<()> {
        let mut peer: Peer =
            ws.deserialize_attachment()?.ok_or(EdgeError::Internal("socket without attachment".into()))?;
        self.apply(&mut peer, frame, Some(ws)).await
    }

    /// Runs one frame from `peer` through the logic and carries out its effects. `from` is the
    /// socket it came on; `None` for a frame the edge makes on the visitor's behalf (their
    /// details from `identify`), which the visitor profile has already.
    async fn apply(
        &self,
        peer: &mut Peer,
        frame: Result<ClientMsg, ErrorCode>,
        from: Option<&WebSocket>,
    ) -> EdgeResult<()> {
        let (Some(site), Some(id)) = (self.meta("site")?, self.meta("conversation_id")?) else {
            return Err(EdgeError::Internal("conversation without ids".into()));
        };
        let id = ConversationId::parse(&id)?;
        // Only an assignment needs the team; asking the workspace for every frame would not pay.
        let team: Vec<AgentRef> = match &frame {
            Ok(ClientMsg::Assign { .. }) => call(&self.workspace(&site)?, Method::Get, "/team", None).await?,
            _ => vec![],
        };
        let mut state = self.state()?;
        let before = state.clone();
        let sql = self.sql();
        let mut log = SqlLog(&sql);
        let effects = logic::Conversation { id: &id, state: &mut state, log: &mut log, team: &team }.handle(
            peer,
            frame,
            now_ms(),
        )?;
        // Saved before anything below awaits: the next frame on this socket may be handled while
        // this one waits for the workspace, and must see this one's send count and greeting.
        if let Some(ws) = from {
            ws.serialize_attachment(&*peer)?;
        }
        if peer.first_refusal()
            && effects.iter().any(|e| matches!(e, Effect::Reply(ServerMsg::Error { code: ErrorCode::RateLimited, .. })))
        {
            self.audit_flood(&site, peer).await;
        }
        if state != before {
            self.set_meta("state", &serde_json::to_string(&state)?)?;
            if from.is_some() {
                self.tell_visitor(&site, &id, peer, &before, &state).await;
            }
        }
        for effect in effects {
            match effect {
                Effect::Reply(msg) => {
                    if let Some(ws) = from {
                        ws.send_with_str(msg.encode())?;
                    }
                }
                Effect::Broadcast { msg, agents_only } => {
                    self.send_to(&msg, |other, p| Some(other) != from && (!agents_only || p.is_agent()))
                }
                Effect::ToAgents(msg) => self.send_to(&msg, |_, p| p.is_agent()),
                Effect::Notify { summary, indexed } => {
                    let visitor_id = state.details.visitor_id.clone();
                    let body =
                        serde_json::to_string(&crate::workspace::ConversationUpdate { summary, indexed, visitor_id })?;
                    // The message is stored and acked already; a missed inbox update heals with
                    // the next change, so log rather than fail the sender.
                    let workspace = self.workspace(&site)?;
                    if let Err(e) =
                        call::<serde_json::Value>(&workspace, Method::Post, "/conversation-updated", Some(body)).await
                    {
                        console_error!("notify workspace {site}: {e}");
                    }
                }
            }
        }
        Ok(())
    }

    /// A connection sending faster than the limit goes into the workspace's audit log, once per
    /// window (monitoring of suspicious activity). Logged, never failing the frame.
    async fn audit_flood(&self, site: &str, peer: &Peer) {
        let actor = match &peer.role {
            Role::Visitor => "visitor".to_owned(),
            Role::Agent { email, .. } => email.as_str().to_owned(),
        };
        let detail = format!(
            "chat messages: more than {} in {} s on one connection",
            logic::RATE_LIMIT,
            logic::RATE_WINDOW_MS / 1000
        );
        let entry = shared::api::AuditEntry {
            at: now_ms(),
            actor: actor.into(),
            action: shared::api::AuditAction::RateLimited,
            detail,
        };
        let result: EdgeResult<shared::api::AuditEntry> =
            async { call(&self.workspace(site)?, Method::Post, "/audit", Some(serde_json::to_string(&entry)?)).await }
                .await;
        if let Err(e) = result {
            console_error!("audit flood in {site}: {e}");
        }
    }

    async fn contact_from_site(&self, mut req: Request) -> EdgeResult<Response> {
        let frame: ClientMsg = crate::glue::read_json(&mut req).await?;
        if !matches!(frame, ClientMsg::Contact { .. }) {
            return Err(EdgeError::NotFound);
        }
        let mut peer = Peer { greeted: true, ..Peer::new(Role::Visitor) };
        self.apply(&mut peer, Ok(frame), None).await?;
        crate::glue::json(&true, 200)
    }

    /// Keeps the visitor's profile in step: the conversation once it has started, and contact
    /// details with who gave them. The message is stored already, so a failure is logged only.
    async fn tell_visitor(
        &self,
        site: &str,
        id: &ConversationId,
        peer: &Peer,
        before: &ConversationState,
        after: &ConversationState,
    ) {
        let result: EdgeResult<()> = async {
            let Some(visitor) = self.visitor(site, after)? else { return Ok(()) };
            if before.details.started_at == 0 && after.details.started_at != 0 {
                call::<serde_json::Value>(&visitor, Method::Post, "/conversation", Some(serde_json::to_string(id)?))
                    .await?;
            }
            let (b, a) = (&before.details, &after.details);
            if after.contact_given && (b.visitor_name != a.visitor_name || b.visitor_email != a.visitor_email) {
                let by = match &peer.role {
                    Role::Visitor => "visitor".to_owned(),
                    Role::Agent { email, .. } => email.as_str().to_owned(),
                };
                let name = (b.visitor_name != a.visitor_name).then(|| a.visitor_name.clone());
                let email = (b.visitor_email != a.visitor_email).then(|| a.visitor_email.clone()).flatten();
                let change = crate::visitor::ContactChange { by, name, email };
                call::<serde_json::Value>(&visitor, Method::Post, "/contact", Some(serde_json::to_string(&change)?))
                    .await?;
            }
            Ok(())
        }
        .await;
        if let Err(e) = result {
            console_error!("tell visitor of {id}: {e}");
        }
    }

    /// Everything in the conversation for a data export; agents' notes only if `notes`.
    fn export(&self, notes: bool) -> EdgeResult<shared::privacy::ConversationExport> {
        let id = self.meta("conversation_id")?.ok_or(EdgeError::NotFound)?;
        let sql = self.sql();
        // Exports are rare and a conversation's log is bounded by its message rate limit.
        let messages = SqlLog(&sql).after(0, 1_000_000, notes)?;
        Ok(shared::privacy::ConversationExport {
            id: ConversationId::parse(&id)?,
            details: self.state()?.details,
            messages,
        })
    }

    /// Deletes the whole conversation: its sockets are closed first, so nobody keeps writing into
    /// a deleted log. A retention deletion also tells the visitor's profile.
    async fn erase(&self, erase: Erase) -> EdgeResult<()> {
        if !erase.tombstone {
            if let (Some(site), state) = (self.meta("site")?, self.state()?) {
                if let (Some(visitor), Some(id)) = (self.visitor(&site, &state)?, self.meta("conversation_id")?) {
                    let id = serde_json::to_string(&ConversationId::parse(&id)?)?;
                    // An erased visitor has no list to update; the conversation goes either way.
                    match call::<serde_json::Value>(&visitor, Method::Post, "/forget-conversation", Some(id)).await {
                        Err(e) if e.code() != ErrorCode::Unauthorized => return Err(e),
                        _ => {}
                    }
                }
            }
        }
        for ws in self.state.get_websockets() {
            let _ = ws.close(Some(CLOSE_DELETED), Some("this conversation was deleted"));
        }
        let storage = self.state.storage();
        storage.delete_alarm().await?;
        storage.delete_all().await?;
        schema(&self.state);
        if erase.tombstone {
            self.set_meta(ERASED, &now_ms().to_string())?;
        }
        Ok(())
    }

    /// Sends to every greeted socket that `to` picks.
    fn send_to(&self, msg: &ServerMsg, to: impl Fn(&WebSocket, &Peer) -> bool) {
        let text = msg.encode();
        for other in self.state.get_websockets() {
            let peer = other.deserialize_attachment::<Peer>().ok().flatten();
            if peer.is_some_and(|p| p.greeted && to(&other, &p)) {
                // A socket that is closing cannot take it; it resumes by seq later.
                let _ = other.send_with_str(&text);
            }
        }
    }
}

fn schema(state: &State) {
    create_schema(
        state,
        "conversation",
        &[
            "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, client_id TEXT NOT NULL UNIQUE, \
             author TEXT NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ],
    );
    migrate(state, "conversation", &[("notes", "ALTER TABLE messages ADD COLUMN note INTEGER NOT NULL DEFAULT 0")]);
}

impl DurableObject for Conversation {
    fn new(state: State, env: Env) -> Self {
        schema(&state);
        Self { state, env }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        if req.path() == "/erase" {
            let erase = crate::glue::read_json::<Erase>(&mut req).await;
            return respond(
                async {
                    self.erase(erase?).await?;
                    crate::glue::json(&true, 200)
                }
                .await,
            );
        }
        // An erased conversation answers nothing but that: its visitor's token is refused, and
        // for agents it no longer exists.
        match self.meta(ERASED) {
            Ok(Some(_)) if req.headers().has(H_AGENT)? => return respond(Err(EdgeError::NotFound)),
            Ok(Some(_)) => return respond(Err(EdgeError::Unauthorized)),
            Err(e) => return respond(Err(e)),
            Ok(None) => {}
        }
        respond(match req.path().as_str() {
            "/connect" => self.accept_socket(&req),
            "/export" => self.export(req.url()?.query() == Some("notes")).and_then(|e| crate::glue::json(&e, 200)),
            // Whether the visitor gave a name or email (the widget then skips the pre-chat form).
            "/contact-known" => self.state().and_then(|s| crate::glue::json(&s.contact_given, 200)),
            // The visitor's name and email from `identify`, shown to agents like a contact frame.
            // A conversation that has not started yet has nothing to show them on.
            "/contact" => match self.meta("conversation_id") {
                Ok(None) => crate::glue::json(&false, 200),
                _ => self.contact_from_site(req).await,
            },
            _ => Err(EdgeError::NotFound),
        })
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> worker::Result<()> {
        let frame = match message {
            WebSocketIncomingMessage::String(text) => ClientMsg::decode(&text),
            WebSocketIncomingMessage::Binary(_) => Err(ErrorCode::MalformedFrame),
        };
        if let Err(e) = self.on_frame(&ws, frame).await {
            console_error!("conversation frame: {e}");
            let _ = ws.send_with_str(ServerMsg::error(e.code(), e.public_message()).encode());
        }
        Ok(())
    }

    async fn websocket_close(&self, ws: WebSocket, code: usize, _reason: String, _clean: bool) -> worker::Result<()> {
        close_socket(&ws, code);
        Ok(())
    }
}
