//! The workspace's `worker` glue (interim: the typed requests call the object's methods).

mod index;
mod members;
mod privacy;

use super::*;
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{answer, close_socket, create_schema, migrate, request_body};
use crate::settings::validate_consent;
use shared::{ClientMsg, ErrorCode, ServerMsg, PROTOCOL_VERSION};
use worker::{
    durable_object, DurableObject, Env, Request, Response, SqlStorage, State, WebSocket, WebSocketIncomingMessage,
    WebSocketPair,
};

/// Most consent records one export returns (newest first).
const CONSENT_EXPORT_LIMIT: i64 = 50_000;

#[durable_object]
pub struct Workspace {
    state: State,
    env: Env,
}

/// Per-socket state in the hibernation attachment: whose inbox it is and whether they are away.
#[derive(Serialize, Deserialize)]
struct InboxPeer {
    email: Email,
    greeted: bool,
    away: bool,
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
        // A closed workspace answers as unknown to everyone until it is deleted.
        if self.closing_at()?.is_some() {
            return Err(EdgeError::UnknownSite(self.site_name()));
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

    /// Links a verified user id to a visitor (and its latest conversation) the first time, and
    /// answers the linked one ever after.
    fn link_identity(&self, claim: IdentityLink) -> EdgeResult<IdentityLink> {
        #[derive(Deserialize)]
        struct Row {
            json: String,
        }
        let sql = self.sql();
        let rows: Vec<Row> = sql
            .exec("SELECT json FROM identities WHERE user_id = ?", vec![claim.user_id.as_str().into()])?
            .to_array()?;
        if let Some(row) = rows.first() {
            return Ok(serde_json::from_str(&row.json)?);
        }
        sql.exec(
            "INSERT INTO identities (user_id, json) VALUES (?, ?)",
            vec![claim.user_id.as_str().into(), serde_json::to_string(&claim)?.into()],
        )?;
        Ok(claim)
    }

    /// The inbox socket upgrade: only for a workspace that exists and is open.
    fn inbox_upgrade(&self, req: &Request) -> EdgeResult<Response> {
        self.config()?;
        self.accept_socket(req)
    }

    fn accept_socket(&self, req: &Request) -> EdgeResult<Response> {
        let email = req.headers().get(H_EMAIL)?.ok_or(EdgeError::Internal("missing agent header".into()))?;
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        pair.server.serialize_attachment(InboxPeer { email: Email::parse(&email)?, greeted: false, away: false })?;
        Ok(Response::from_websocket(pair.client)?)
    }

    /// Sends a frame to every greeted inbox socket.
    fn broadcast(&self, msg: &ServerMsg) {
        let text = msg.encode();
        for ws in self.state.get_websockets() {
            if ws.deserialize_attachment::<InboxPeer>().ok().flatten().is_some_and(|p| p.greeted) {
                let _ = ws.send_with_str(&text);
            }
        }
    }

    /// Agents with an inbox open and not away, leaving out a socket that is closing.
    fn available(&self, closing: Option<&WebSocket>) -> Vec<Email> {
        self.state
            .get_websockets()
            .into_iter()
            .filter(|ws| Some(ws) != closing)
            .filter_map(|ws| ws.deserialize_attachment::<InboxPeer>().ok().flatten())
            .filter(|p| p.greeted && !p.away)
            .map(|p| p.email)
            .collect()
    }

    fn team_frame(&self, closing: Option<&WebSocket>) -> EdgeResult<ServerMsg> {
        Ok(ServerMsg::Team { agents: crate::team::presence(&self.members()?, &self.available(closing)) })
    }

    fn on_frame(&self, ws: &WebSocket, frame: Result<ClientMsg, ErrorCode>) -> EdgeResult<Option<ServerMsg>> {
        let mut peer: InboxPeer =
            ws.deserialize_attachment()?.ok_or(EdgeError::Internal("socket without attachment".into()))?;
        match frame {
            Err(code) => Ok(Some(ServerMsg::error(code, "that frame is not a valid message"))),
            Ok(ClientMsg::Hello { protocol, .. }) if protocol != PROTOCOL_VERSION => {
                let e = EdgeError::UnsupportedProtocol(protocol);
                Ok(Some(ServerMsg::error(e.code(), e.public_message())))
            }
            Ok(ClientMsg::Hello { .. }) => {
                peer.greeted = true;
                ws.serialize_attachment(&peer)?;
                ws.send_with_str(ServerMsg::Inbox { conversations: self.conversations()? }.encode())?;
                self.broadcast(&self.team_frame(None)?);
                Ok(None)
            }
            Ok(_) if !peer.greeted => Ok(Some(ServerMsg::error(ErrorCode::HelloRequired, "send hello first"))),
            Ok(ClientMsg::Presence { away }) => {
                peer.away = away;
                ws.serialize_attachment(&peer)?;
                self.broadcast(&self.team_frame(None)?);
                Ok(None)
            }
            Ok(_) => Ok(Some(ServerMsg::error(
                ErrorCode::InvalidInput,
                "conversation frames go to the conversation's socket",
            ))),
        }
    }
}

impl WorkspaceCalls for Workspace {
    async fn config(&self, _: GetConfig) -> EdgeResult<WorkspaceConfig> {
        self.config()
    }

    async fn create_config(&self, request: CreateConfig) -> EdgeResult<WorkspaceConfig> {
        // A closed one waiting for deletion is taken too.
        if self.config().is_ok() || self.closing_at()?.is_some() {
            return Err(EdgeError::Conflict("this workspace id is taken".into()));
        }
        self.put_config(&request.config)?;
        Ok(request.config)
    }

    async fn replace_config(&self, request: ReplaceConfig) -> EdgeResult<WorkspaceConfig> {
        self.put_config(&request.config)?;
        Ok(request.config)
    }

    async fn update_settings(&self, request: UpdateSettings) -> EdgeResult<WorkspaceSettings> {
        let before = self.config()?;
        let config = before.with_settings(request.settings)?;
        self.put_config(&config)?;
        if before.chat.retention_days != config.chat.retention_days {
            self.retention_changed()?;
        }
        // A shorter period applies now, not after the next alarm.
        self.schedule_retention().await?;
        Ok(config.settings(&shared::SiteId::parse(&self.site_name())?))
    }

    async fn update_consent_settings(&self, request: UpdateConsentSettings) -> EdgeResult<ConsentSettings> {
        let mut config = self.config()?;
        config.consent = validate_consent(request.settings, Some(&config.consent))?;
        self.put_config(&config)?;
        Ok(config.consent)
    }

    async fn log_consent(&self, request: LogConsent) -> EdgeResult<()> {
        self.log_consent(&request.record)?;
        if let Some(visitor) = &request.visitor {
            self.register_visitor(visitor)?;
        }
        Ok(())
    }

    async fn consent_log(&self, _: ConsentLog) -> EdgeResult<Vec<ConsentRecord>> {
        self.consent_log()
    }

    async fn append_audit(&self, request: AppendAudit) -> EdgeResult<()> {
        self.append_audit(&request.entry)
    }

    async fn audit_log(&self, _: AuditLog) -> EdgeResult<Vec<AuditEntry>> {
        crate::glue::json_rows(
            &self.sql(),
            "SELECT json FROM audit ORDER BY id DESC LIMIT ?",
            vec![CONSENT_EXPORT_LIMIT.into()],
        )
    }

    async fn available(&self, _: Available) -> EdgeResult<bool> {
        Ok(!self.available(None).is_empty())
    }

    async fn identity_secret(&self, _: GetIdentitySecret) -> EdgeResult<IdentitySecret> {
        let mut config = self.config()?;
        if config.chat.identity_secret.is_empty() {
            config.chat.identity_secret = crate::auth::random_token(32)?;
            self.put_config(&config)?;
        }
        Ok(IdentitySecret { secret: config.chat.identity_secret })
    }

    async fn link_identity(&self, claim: IdentityLink) -> EdgeResult<IdentityLink> {
        self.register_visitor(&claim.visitor_id)?;
        self.link_identity(claim)
    }

    async fn summaries(&self, request: Summaries) -> EdgeResult<Vec<ConversationSummary>> {
        self.summaries(&request.ids)
    }

    async fn conversation_updated(&self, update: ConversationUpdate) -> EdgeResult<()> {
        if self.conversation_updated(&update)? {
            if let Some(visitor) = &update.visitor_id {
                self.register_visitor(visitor)?;
            }
        }
        self.schedule_retention().await
    }

    async fn search(&self, request: Search) -> EdgeResult<Vec<SearchHit>> {
        self.search(&request.q)
    }

    async fn directory(&self, entry: DirectoryEntry) -> EdgeResult<()> {
        self.directory(entry)
    }

    async fn find_subjects(&self, request: FindSubjects) -> EdgeResult<Vec<VisitorId>> {
        self.find_subjects(&request.q)
    }

    async fn visitor_conversations(&self, request: VisitorConversations) -> EdgeResult<Vec<ConversationId>> {
        #[derive(serde::Deserialize)]
        struct Id {
            id: String,
        }
        let rows: Vec<Id> = self
            .sql()
            .exec("SELECT id FROM conversations WHERE visitor_id = ?", vec![request.visitor_id.as_str().into()])?
            .to_array()?;
        rows.iter().map(|r| Ok(ConversationId::parse(&r.id)?)).collect()
    }

    async fn close(&self, _: Close) -> EdgeResult<Closing> {
        self.close().await
    }

    async fn forget(&self, request: Forget) -> EdgeResult<()> {
        self.forget(&request)
    }

    async fn team(&self, _: Team) -> EdgeResult<Vec<AgentRef>> {
        Ok(self.members()?.into_iter().map(|m| AgentRef { email: m.email, name: m.name }).collect())
    }

    async fn members(&self, _: Members) -> EdgeResult<Vec<Member>> {
        self.members()
    }

    async fn add_member(&self, request: NewMember) -> EdgeResult<Member> {
        let member = self.add_member(&request)?;
        self.broadcast(&self.team_frame(None)?);
        Ok(member)
    }

    async fn leave(&self, request: Leave) -> EdgeResult<()> {
        if self.member(&request.email)?.role == Role::Owner {
            return Err(EdgeError::Conflict("the owner closes the workspace instead".into()));
        }
        self.drop_member(&request.email)?;
        self.broadcast(&self.team_frame(None)?);
        Ok(())
    }

    async fn change_role(&self, request: ChangeRole) -> EdgeResult<Member> {
        let member = self.change_role(&request.actor, &request.email, request.role)?;
        self.broadcast(&self.team_frame(None)?);
        Ok(member)
    }

    async fn remove_member(&self, request: RemoveMember) -> EdgeResult<()> {
        self.remove_member(&request.actor, &request.email)?;
        self.broadcast(&self.team_frame(None)?);
        Ok(())
    }

    async fn create_invite(&self, request: CreateInvite) -> EdgeResult<NewInvite> {
        self.create_invite(request.role)
    }

    async fn preview_invite(&self, request: PreviewInvite) -> EdgeResult<InvitePreview> {
        let invite = self.invite(&request.token)?;
        let role = crate::team::usable(invite.as_ref(), crate::glue::now_ms())?;
        let expires_at = invite.map_or(0, |i| i.expires_at);
        Ok(InvitePreview { workspace_name: self.config()?.name, role, expires_at })
    }

    async fn redeem_invite(&self, request: RedeemInvite) -> EdgeResult<Role> {
        self.redeem(&request.token)
    }
}

/// Creates (or, after a closed workspace was purged, recreates) the tables.
pub(crate) fn schema(state: &State) {
    create_schema(
        state,
        "workspace",
        &[
            "CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, visitor_name TEXT NOT NULL, \
             last_message TEXT NOT NULL, last_author TEXT NOT NULL, last_at INTEGER NOT NULL, last_seq INTEGER NOT NULL)",
            "CREATE INDEX IF NOT EXISTS conversations_by_time ON conversations (last_at)",
            "CREATE TABLE IF NOT EXISTS consent_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS members (email TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, \
             joined_at INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS invites (token_hash TEXT PRIMARY KEY, json TEXT NOT NULL, created_at INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS identities (user_id TEXT PRIMARY KEY, json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS message_index (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, \
             body TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (conversation_id, seq))",
            "CREATE TABLE IF NOT EXISTS directory (visitor_id TEXT PRIMARY KEY, email TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS directory_by_email ON directory (email)",
            // Every visitor object of the site (pseudonymous ids only), so closing the
            // workspace can delete them all.
            "CREATE TABLE IF NOT EXISTS visitors (visitor_id TEXT PRIMARY KEY)",
            // Visitors still to be told a new retention period (their page-activity alarms).
            "CREATE TABLE IF NOT EXISTS retention_sync (visitor_id TEXT PRIMARY KEY)",
            // Ids of erased conversations (random, nothing else): an update still in flight
            // when the erasure ran must not bring the conversation back into the index.
            "CREATE TABLE IF NOT EXISTS erased_conversations (id TEXT PRIMARY KEY)",
            // Erased visitors by their consent hash, so a late call cannot list them again.
            "CREATE TABLE IF NOT EXISTS erased_visitors (visitor_hash TEXT PRIMARY KEY)",
            "CREATE TABLE IF NOT EXISTS closure (id INTEGER PRIMARY KEY CHECK (id = 1), deleted_at INTEGER NOT NULL)",
        ],
    );
    migrate(
        state,
        "workspace",
        &[
            ("summary-details", "ALTER TABLE conversations ADD COLUMN json TEXT"),
            ("summary-rev", "ALTER TABLE conversations ADD COLUMN rev INTEGER NOT NULL DEFAULT 0"),
            // Whose conversation: an erasure also finds those the visitor's own list missed.
            ("summary-visitor", "ALTER TABLE conversations ADD COLUMN visitor_id TEXT"),
        ],
    );
}

impl DurableObject for Workspace {
    fn new(state: State, env: Env) -> Self {
        schema(&state);
        Self { state, env }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        if req.path() == "/connect" {
            return crate::glue::respond(self.inbox_upgrade(&req));
        }
        answer(async { WorkspaceRequest::decode(&request_body(&mut req).await?)?.dispatch(self).await }.await)
    }

    async fn alarm(&self) -> worker::Result<Response> {
        let result = match self.closing_at() {
            Ok(Some(_)) => self.purge().await,
            Ok(None) => match self.sync_retention().await {
                Ok(()) => self.expire_conversations().await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            // Try again in a minute: nothing else may ever set this alarm again (a closed
            // workspace refuses every request), so a failure must not end the chain.
            worker::console_error!("workspace alarm: {e}");
            self.state.storage().set_alarm(crate::glue::at_time(crate::glue::now_ms() + 60_000)).await?;
        }
        Response::ok("")
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> worker::Result<()> {
        let frame = match message {
            WebSocketIncomingMessage::String(text) => ClientMsg::decode(&text),
            WebSocketIncomingMessage::Binary(_) => Err(ErrorCode::MalformedFrame),
        };
        let reply = self.on_frame(&ws, frame).unwrap_or_else(|e| Some(ServerMsg::error(e.code(), e.public_message())));
        if let Some(reply) = reply {
            let _ = ws.send_with_str(reply.encode());
        }
        Ok(())
    }

    async fn websocket_close(&self, ws: WebSocket, code: usize, _reason: String, _clean: bool) -> worker::Result<()> {
        close_socket(&ws, code);
        // Closing an inbox may make its agent unavailable: tell the others.
        if let Ok(team) = self.team_frame(Some(&ws)) {
            self.broadcast(&team);
        }
        Ok(())
    }
}
