//! The conversation Durable Object: SQLite message log, hibernating sockets, and the glue that
//! carries out what `logic` decides.

use super::logic::{self, Effect, MessageLog, Peer, Role};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{call, close_socket, create_schema, now_ms, respond};
use serde::Deserialize;
use shared::{Author, ChatMessage, ClientMsg, ClientMsgId, ConversationId, ErrorCode, MessageBody, ServerMsg, SiteId};
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

struct SqlLog<'a>(&'a SqlStorage);

#[derive(Deserialize)]
struct Row {
    seq: i64,
    client_id: String,
    author: String,
    body: String,
    at: i64,
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
        })
    }
}

impl MessageLog for SqlLog<'_> {
    fn by_client_id(&self, id: &ClientMsgId) -> EdgeResult<Option<ChatMessage>> {
        let rows: Vec<Row> = self.0.exec("SELECT * FROM messages WHERE client_id = ?", vec![id.as_str().into()])?.to_array()?;
        rows.into_iter().next().map(Row::into_message).transpose()
    }

    fn last_seq(&self) -> EdgeResult<u64> {
        #[derive(Deserialize)]
        struct Last {
            seq: Option<i64>,
        }
        let last: Last = self.0.exec("SELECT MAX(seq) AS seq FROM messages", None)?.one()?;
        Ok(last.seq.unwrap_or(0) as u64)
    }

    fn after(&self, seq: u64, limit: usize) -> EdgeResult<Vec<ChatMessage>> {
        let rows: Vec<Row> = self
            .0
            .exec("SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?", vec![(seq as i64).into(), (limit as i64).into()])?
            .to_array()?;
        rows.into_iter().map(Row::into_message).collect()
    }

    fn append(&mut self, m: &ChatMessage) -> EdgeResult<()> {
        let author = serde_json::to_string(&m.author)?;
        let values: Vec<SqlStorageValue> =
            vec![(m.seq as i64).into(), m.client_id.as_str().into(), author.into(), m.body.as_str().into(), m.at.into()];
        self.0.exec("INSERT INTO messages (seq, client_id, author, body, at) VALUES (?, ?, ?, ?, ?)", values)?;
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
        let header = |name: &str| req.headers().get(name).ok().flatten();
        let site = header(H_SITE).ok_or(EdgeError::Internal("missing site header".into()))?;
        let id = header(H_CONVERSATION).ok_or(EdgeError::Internal("missing conversation header".into()))?;
        let role = match header(H_AGENT) {
            Some(name) => {
                // Agents only open conversations that exist; visitors create theirs by writing.
                if self.meta("conversation_id")?.is_none() {
                    return Err(EdgeError::NotFound);
                }
                Role::Agent { name }
            }
            None => Role::Visitor,
        };
        if role == Role::Visitor {
            // The ids are not personal data; keeping them lets the object notify its workspace.
            self.set_meta("site", &site)?;
            self.set_meta("conversation_id", &id)?;
        }
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        pair.server.serialize_attachment(Peer::new(role))?;
        Ok(Response::from_websocket(pair.client)?)
    }

    async fn on_frame(&self, ws: &WebSocket, frame: Result<ClientMsg, ErrorCode>) -> EdgeResult<()> {
        let mut peer: Peer = ws.deserialize_attachment()?.ok_or(EdgeError::Internal("socket without attachment".into()))?;
        let (Some(site), Some(id)) = (self.meta("site")?, self.meta("conversation_id")?) else {
            return Err(EdgeError::Internal("conversation without ids".into()));
        };
        let id = ConversationId::parse(&id)?;
        let visitor_name = logic::anonymous_name(&id);
        let sql = self.sql();
        let mut log = SqlLog(&sql);
        let effects = logic::Conversation { id: &id, visitor_name: &visitor_name, log: &mut log }.handle(&mut peer, frame, now_ms())?;
        ws.serialize_attachment(&peer)?;
        for effect in effects {
            match effect {
                Effect::Reply(msg) => ws.send_with_str(msg.encode())?,
                Effect::Broadcast(msg) => {
                    let text = msg.encode();
                    for other in self.state.get_websockets() {
                        let greeted = other.deserialize_attachment::<Peer>().ok().flatten().is_some_and(|p| p.greeted);
                        if &other != ws && greeted {
                            // A socket that is closing cannot take it; it resumes by seq later.
                            let _ = other.send_with_str(&text);
                        }
                    }
                }
                Effect::Notify(summary) => {
                    let workspace = self.env.durable_object("WORKSPACE")?.get_by_name(SiteId::parse(&site)?.as_str())?;
                    let body = serde_json::to_string(&summary)?;
                    // The message is stored and acked already; a missed inbox update heals on the
                    // inbox's next hello, so log rather than fail the sender.
                    if let Err(e) = call::<serde_json::Value>(&workspace, Method::Post, "/conversation-updated", Some(body)).await {
                        console_error!("notify workspace {site}: {e}");
                    }
                }
            }
        }
        Ok(())
    }
}

impl DurableObject for Conversation {
    fn new(state: State, env: Env) -> Self {
        create_schema(
            &state,
            "conversation",
            &[
                "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, client_id TEXT NOT NULL UNIQUE, \
                 author TEXT NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL)",
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                ],
        );
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        respond(match req.path().as_str() {
            "/connect" => self.accept_socket(&req),
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
