//! The workspace Durable Object (one per site): settings, the conversation index, and the agents'
//! live inbox sockets, which get every change to the index as it happens.

use crate::error::{EdgeError, EdgeResult};
use crate::glue::{close_socket, create_schema, json, read_json, respond};
use crate::settings::{validate_consent, WorkspaceConfig};
use shared::consent::{ConsentRecord, ConsentSettings};
use serde::{Deserialize, Serialize};
use shared::{Author, ClientMsg, ConversationId, ConversationSummary, ErrorCode, ServerMsg, PROTOCOL_VERSION};
use worker::{
    durable_object, DurableObject, Env, Method, Request, Response, SqlStorage, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair,
};

/// How many conversations an inbox `hello` lists.
const INBOX_PAGE: i64 = 200;
/// Most consent records one export returns (newest first).
const CONSENT_EXPORT_LIMIT: i64 = 50_000;

#[durable_object]
pub struct Workspace {
    state: State,
    #[allow(dead_code)]
    env: Env,
}

#[derive(Deserialize)]
struct SummaryRow {
    id: String,
    visitor_name: String,
    last_message: String,
    last_author: String,
    last_at: i64,
    last_seq: i64,
}

impl SummaryRow {
    fn into_summary(self) -> EdgeResult<ConversationSummary> {
        Ok(ConversationSummary {
            id: ConversationId::parse(&self.id)?,
            visitor_name: self.visitor_name,
            last_message: self.last_message,
            last_author: serde_json::from_str::<Author>(&self.last_author)?,
            last_at: self.last_at,
            last_seq: self.last_seq as u64,
        })
    }
}

/// Per-socket state in the hibernation attachment.
#[derive(Serialize, Deserialize, Default)]
struct InboxPeer {
    greeted: bool,
}

impl Workspace {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn config(&self) -> EdgeResult<WorkspaceConfig> {
        #[derive(Deserialize)]
        struct Row {
            json: String,
        }
        let rows: Vec<Row> = self.sql().exec("SELECT json FROM config WHERE id = 1", None)?.to_array()?;
        let row = rows.into_iter().next().ok_or_else(|| EdgeError::UnknownSite(self.site_name()))?;
        Ok(serde_json::from_str(&row.json)?)
    }

    fn site_name(&self) -> String {
        self.state.id().name().unwrap_or_default()
    }

    fn put_config(&self, config: &WorkspaceConfig) -> EdgeResult<()> {
        let text = serde_json::to_string(config)?;
        self.sql().exec("INSERT OR REPLACE INTO config (id, json) VALUES (1, ?)", vec![text.into()])?;
        Ok(())
    }

    fn conversations(&self) -> EdgeResult<Vec<ConversationSummary>> {
        let rows: Vec<SummaryRow> = self
            .sql()
            .exec("SELECT * FROM conversations ORDER BY last_at DESC LIMIT ?", vec![INBOX_PAGE.into()])?
            .to_array()?;
        rows.into_iter().map(SummaryRow::into_summary).collect()
    }

    /// Records a conversation's latest state and pushes it to every live inbox. Updates can arrive
    /// out of order; an older one never overwrites a newer one.
    fn conversation_updated(&self, s: &ConversationSummary) -> EdgeResult<()> {
        let author = serde_json::to_string(&s.last_author)?;
        self.sql().exec(
            "INSERT INTO conversations (id, visitor_name, last_message, last_author, last_at, last_seq) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET visitor_name = excluded.visitor_name, \
             last_message = excluded.last_message, last_author = excluded.last_author, last_at = excluded.last_at, \
             last_seq = excluded.last_seq WHERE excluded.last_seq > conversations.last_seq",
            vec![
                s.id.as_str().into(),
                s.visitor_name.as_str().into(),
                s.last_message.as_str().into(),
                author.into(),
                s.last_at.into(),
                (s.last_seq as i64).into(),
            ],
        )?;
        let frame = ServerMsg::ConversationUpdated { conversation: s.clone() }.encode();
        for ws in self.state.get_websockets() {
            if ws.deserialize_attachment::<InboxPeer>().ok().flatten().is_some_and(|p| p.greeted) {
                let _ = ws.send_with_str(&frame);
            }
        }
        Ok(())
    }

    /// The site's consent log: every decision's proof record, appended, never edited.
    fn log_consent(&self, record: &ConsentRecord) -> EdgeResult<()> {
        let text = serde_json::to_string(record)?;
        self.sql().exec("INSERT INTO consent_log (at, json) VALUES (?, ?)", vec![record.at.into(), text.into()])?;
        Ok(())
    }

    fn consent_log(&self) -> EdgeResult<Vec<ConsentRecord>> {
        #[derive(Deserialize)]
        struct Row {
            json: String,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec("SELECT json FROM consent_log ORDER BY id DESC LIMIT ?", vec![CONSENT_EXPORT_LIMIT.into()])?
            .to_array()?;
        rows.iter().map(|r| Ok(serde_json::from_str(&r.json)?)).collect()
    }

    fn accept_socket(&self) -> EdgeResult<Response> {
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        pair.server.serialize_attachment(InboxPeer::default())?;
        Ok(Response::from_websocket(pair.client)?)
    }

    fn on_frame(&self, ws: &WebSocket, frame: Result<ClientMsg, ErrorCode>) -> EdgeResult<ServerMsg> {
        match frame {
            Err(code) => Ok(ServerMsg::error(code, "that frame is not a valid message")),
            Ok(ClientMsg::Hello { protocol, .. }) if protocol != PROTOCOL_VERSION => {
                let e = EdgeError::UnsupportedProtocol(protocol);
                Ok(ServerMsg::error(e.code(), e.public_message()))
            }
            Ok(ClientMsg::Hello { .. }) => {
                ws.serialize_attachment(InboxPeer { greeted: true })?;
                Ok(ServerMsg::Inbox { conversations: self.conversations()? })
            }
            Ok(ClientMsg::Send { client_id, .. }) => Ok(ServerMsg::Error {
                code: ErrorCode::InvalidInput,
                message: "messages are sent on a conversation's socket".into(),
                client_id: Some(client_id),
            }),
        }
    }

    async fn route(&self, mut req: Request) -> EdgeResult<Response> {
        match (req.method(), req.path().as_str()) {
            (Method::Get, "/config") => json(&self.config()?, 200),
            (Method::Put, "/config") => {
                let config: WorkspaceConfig = read_json(&mut req).await?;
                self.put_config(&config)?;
                json(&config, 200)
            }
            (Method::Put, "/consent-settings") => {
                let mut config = self.config()?;
                config.consent = validate_consent(read_json::<ConsentSettings>(&mut req).await?, Some(&config.consent))?;
                self.put_config(&config)?;
                json(&config.consent, 200)
            }
            (Method::Post, "/consent-log") => {
                let record: ConsentRecord = read_json(&mut req).await?;
                self.log_consent(&record)?;
                json(&record, 201)
            }
            (Method::Get, "/consent-log") => json(&self.consent_log()?, 200),
            (Method::Post, "/conversation-updated") => {
                let summary: ConversationSummary = read_json(&mut req).await?;
                self.conversation_updated(&summary)?;
                json(&serde_json::json!({ "ok": true }), 200)
            }
            (Method::Get, "/connect") => {
                self.config()?;
                self.accept_socket()
            }
            _ => Err(EdgeError::NotFound),
        }
    }
}

impl DurableObject for Workspace {
    fn new(state: State, env: Env) -> Self {
        create_schema(
            &state,
            "workspace",
            &[
                "CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, visitor_name TEXT NOT NULL, \
                 last_message TEXT NOT NULL, last_author TEXT NOT NULL, last_at INTEGER NOT NULL, last_seq INTEGER NOT NULL)",
                "CREATE INDEX IF NOT EXISTS conversations_by_time ON conversations (last_at)",
                "CREATE TABLE IF NOT EXISTS consent_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, json TEXT NOT NULL)",
                ],
        );
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        respond(self.route(req).await)
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> worker::Result<()> {
        let frame = match message {
            WebSocketIncomingMessage::String(text) => ClientMsg::decode(&text),
            WebSocketIncomingMessage::Binary(_) => Err(ErrorCode::MalformedFrame),
        };
        let reply = self.on_frame(&ws, frame).unwrap_or_else(|e| ServerMsg::error(e.code(), e.public_message()));
        let _ = ws.send_with_str(reply.encode());
        Ok(())
    }

    async fn websocket_close(&self, ws: WebSocket, code: usize, _reason: String, _clean: bool) -> worker::Result<()> {
        close_socket(&ws, code);
        Ok(())
    }
}
