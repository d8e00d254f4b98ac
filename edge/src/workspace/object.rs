//! The workspace's `worker` glue: typed requests in, each run as a `logic` decision over the
//! SQLite store, its effects carried out here (sockets, alarm, storage), and the calls the alarm
//! makes to the site's other objects.

use super::logic::listing::ConversationPage;
use super::logic::tokens::ApiToken;
use super::logic::usage::UsageReport;
use super::logic::{Call, Effect, InboxPeer, Told, Workspace as Logic};
use super::schema::schema;
use super::store::{IndexMemo, SqlStore};
use super::*;
use crate::conversation::{EndAccess, Erase, SetAvailability};
use crate::error::{EdgeError, EdgeResult};
use crate::glue::{
    ask, at_time, close_socket, conversation_object, mail_from, now_ms, postbox_object, public_origin, respond,
    retention_ms, visitor_object,
};
use crate::postbox::{MailKind, Queue};
use crate::visitor::{Erase as EraseVisitor, Retention};
use shared::{ClientMsg, ErrorCode, SiteId};
use worker::{
    console_error, durable_object, DurableObject, Env, Request, Response, State, WebSocket, WebSocketIncomingMessage,
    WebSocketPair,
};

/// How many conversations are told of a change of availability at once.
const AVAILABILITY_BATCH: usize = 50;

#[durable_object]
pub struct Workspace {
    state: State,
    env: Env,
    index: IndexMemo,
}

impl Workspace {
    fn site(&self) -> String {
        self.state.id().name().unwrap_or_default()
    }

    /// Runs a decision now over the stored state, then carries out its effects.
    async fn act<T>(&self, decide: impl FnOnce(&mut Logic<'_, SqlStore<'_>>) -> EdgeResult<T>) -> EdgeResult<T> {
        let (answer, effects) = self.decide(decide)?;
        self.apply(None, effects).await?;
        Ok(answer)
    }

    fn decide<T>(
        &self,
        decide: impl FnOnce(&mut Logic<'_, SqlStore<'_>>) -> EdgeResult<T>,
    ) -> EdgeResult<(T, Vec<Effect>)> {
        let mut store = SqlStore(self.state.storage().sql(), &self.index);
        let site = self.site();
        let mut workspace = Logic::new(&mut store, &site, now_ms(), self.day_ms());
        workspace.local_time = crate::glue::local_time;
        let answer = decide(&mut workspace)?;
        Ok((answer, workspace.effects))
    }

    /// The length of a day, shortened by the end-to-end tests (see `glue::retention_ms`).
    fn day_ms(&self) -> i64 {
        retention_ms(&self.env, Some(1)).unwrap_or(24 * 60 * 60 * 1000)
    }

    /// The inbox sockets' state, leaving out one that is closing.
    fn peers(&self, closing: Option<&WebSocket>) -> Vec<InboxPeer> {
        self.state
            .get_websockets()
            .iter()
            .filter(|ws| Some(*ws) != closing)
            .filter_map(|ws| ws.deserialize_attachment::<InboxPeer>().ok().flatten())
            .collect()
    }

    async fn apply(&self, from: Option<&WebSocket>, effects: Vec<Effect>) -> EdgeResult<()> {
        let storage = self.state.storage();
        // The greeted inbox sockets, once a broadcast needs them (a socket closed meanwhile by an
        // effect below refuses the send, which is ignored).
        let mut greeted: Option<Vec<WebSocket>> = None;
        for effect in effects {
            match effect {
                Effect::Reply(msg) => {
                    if let Some(ws) = from {
                        let _ = ws.send_with_str(msg.encode());
                    }
                }
                Effect::Broadcast(msg) => {
                    let text = crate::glue::SharedText::new(&msg.encode());
                    // Found once per request: a feed's batch broadcasts once per conversation.
                    let greeted = greeted.get_or_insert_with(|| {
                        self.state
                            .get_websockets()
                            .into_iter()
                            .filter(|ws| {
                                ws.deserialize_attachment::<InboxPeer>().ok().flatten().is_some_and(|p| p.greeted)
                            })
                            .collect::<Vec<_>>()
                    });
                    for ws in greeted.iter() {
                        let _ = text.send(ws);
                    }
                }
                Effect::Close { email, sessions, code, reason } => {
                    for ws in self.state.get_websockets() {
                        let peer = ws.deserialize_attachment::<InboxPeer>().ok().flatten();
                        let picked = |p: &InboxPeer| {
                            email.as_ref().is_none_or(|e| &p.email == e)
                                && sessions.as_ref().is_none_or(|s| p.session.as_ref().is_some_and(|id| s.contains(id)))
                        };
                        if email.is_none() || peer.as_ref().is_some_and(picked) {
                            // Not greeted any more: no broadcast reaches it while it closes.
                            if let Some(p) = peer {
                                let _ = ws.serialize_attachment(InboxPeer { greeted: false, away: true, ..p });
                            }
                            let _ = ws.close(Some(code.code()), Some(reason));
                        }
                    }
                }
                Effect::EndAccess { conversation, ending } => {
                    // Each conversation is told on its own; one that fails must not keep the
                    // others' sockets open.
                    let site = SiteId::parse(&self.site())?;
                    let told = match conversation_object(&self.env, &site, &conversation) {
                        Ok(stub) => ask(&stub, EndAccess { ending }).await,
                        Err(e) => Err(e),
                    };
                    if let Err(e) = told {
                        console_error!("end access on {conversation}: {e}");
                    }
                }
                Effect::SetAlarm(at) => storage.set_alarm(at_time(at)).await?,
                Effect::DeleteAlarm => storage.delete_alarm().await?,
                Effect::DeleteAll => {
                    storage.delete_all().await?;
                    self.index.clear();
                    // Empty tables, so the id answers as unknown like any other.
                    schema(&self.state);
                }
                Effect::Log(message) => console_error!("{message}"),
                Effect::Availability { conversations, told } => self.tell_availability(conversations, told).await?,
            }
        }
        Ok(())
    }

    /// Tells each conversation with a visitor's socket open whether someone can answer now, many
    /// at a time; one whose visitor has gone since is forgotten. A failure is logged: a visitor
    /// who missed it still learns the truth when they reconnect.
    async fn tell_availability(&self, conversations: Vec<ConversationId>, told: Told) -> EdgeResult<()> {
        let site = SiteId::parse(&self.site())?;
        let mut gone = Vec::new();
        for batch in conversations.chunks(AVAILABILITY_BATCH) {
            let told = batch.iter().map(|id| async {
                let stub = conversation_object(&self.env, &site, id)?;
                ask(&stub, SetAvailability { told }).await
            });
            for (id, answer) in batch.iter().zip(futures_util::future::join_all(told).await) {
                match answer {
                    Ok(true) => {}
                    Ok(false) => gone.push(id.clone()),
                    Err(e) => console_error!("availability to {id}: {e}"),
                }
            }
        }
        if !gone.is_empty() {
            self.decide(|ws| gone.iter().try_for_each(|id| ws.visitor_live(id, false, &[]).map(|_| ())))?;
        }
        Ok(())
    }

    /// Makes one of the alarm's calls to another object of the site.
    async fn carry(&self, site: &str, request: &Call) -> EdgeResult<()> {
        let site = SiteId::parse(site)?;
        match request {
            Call::TellRetention { visitor, period_ms } => {
                let stub = visitor_object(&self.env, &site, visitor)?;
                ask(&stub, Retention { retention_ms: *period_ms }).await?;
            }
            Call::EraseConversation { id, tombstone } => {
                ask(&conversation_object(&self.env, &site, id)?, Erase { tombstone: *tombstone }).await?;
            }
            Call::EraseVisitor(visitor) => ask(&visitor_object(&self.env, &site, visitor)?, EraseVisitor {}).await?,
            // Over the site's hourly mail budget the digest is dropped (logged): the next one
            // carries what is new.
            Call::Digest(digest) if !crate::glue::site_mail_budget(&self.env, &site).await?.allowed => {
                console_error!("{site}: over its hourly mail budget, a digest to {} is dropped", digest.to);
            }
            Call::Digest(digest) => {
                let secret = self.env.secret("VISITOR_TOKEN_SECRET")?.to_string();
                let (from, origin) = (mail_from(&self.env), public_origin(&self.env));
                let token = crate::auth::unsubscribe_token(secret.as_bytes(), digest.to.as_str());
                let answer_address = |id: &shared::ConversationId| {
                    let token = crate::auth::team_reply_token(secret.as_bytes(), &site, id, &digest.to);
                    format!("team+{token}@{}", crate::mail::domain_of(&from))
                };
                let links = crate::mail::notify::Links {
                    from: &from,
                    origin: &origin,
                    unsubscribe_token: &token,
                    site: &site,
                    answer_address: &answer_address,
                };
                let mail = crate::mail::notify::digest(&links, digest);
                let queue = Queue { kind: MailKind::Digest, site: Some(site.clone()), mail };
                ask(&postbox_object(&self.env, digest.to.as_str())?, queue).await?;
            }
        }
        Ok(())
    }

    /// The inbox socket upgrade: only for a workspace that exists and is open.
    fn open_inbox(&self, req: &Request) -> EdgeResult<Response> {
        let header = |name: &str| req.headers().get(name).ok().flatten();
        let email = header(H_EMAIL).ok_or(EdgeError::Internal("missing agent header".into()))?;
        let session = header(H_SESSION).ok_or(EdgeError::Internal("missing session header".into()))?;
        let (peer, _) = self.decide(|ws| ws.open_inbox(Email::parse(&email)?, session))?;
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        pair.server.serialize_attachment(peer)?;
        Ok(Response::from_websocket(pair.client)?)
    }
}

impl DurableObject for Workspace {
    fn new(state: State, env: Env) -> Self {
        schema(&state);
        Self { state, env, index: IndexMemo::default() }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        if req.path() == crate::glue::CONNECT_PATH {
            return respond(self.open_inbox(&req));
        }
        WorkspaceRequest::serve(self, req).await
    }

    async fn alarm(&self) -> worker::Result<Response> {
        let site = self.site();
        let mut store = SqlStore(self.state.storage().sql(), &self.index);
        let mut workspace = Logic::new(&mut store, &site, now_ms(), self.day_ms());
        workspace.local_time = crate::glue::local_time;
        let peers = self.peers(None);
        workspace.alarm(&peers, async |request: &Call| self.carry(&site, request).await).await;
        let effects = std::mem::take(&mut workspace.effects);
        // An error here leaves the runtime to retry the alarm.
        self.apply(None, effects).await.map_err(|e| worker::Error::RustError(e.to_string()))?;
        Response::ok("")
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> worker::Result<()> {
        let frame = match message {
            WebSocketIncomingMessage::String(text) => ClientMsg::decode(&text),
            WebSocketIncomingMessage::Binary(_) => Err(ErrorCode::MalformedFrame),
        };
        let Some(mut peer) = ws.deserialize_attachment::<InboxPeer>().ok().flatten() else {
            let e = EdgeError::Internal("inbox socket without attachment".into());
            let _ = ws.send_with_str(shared::ServerMsg::error(e.code(), e.public_message()).encode());
            return Ok(());
        };
        let before = peer.clone();
        let others = self.peers(Some(&ws));
        let effects = self.decide(|inbox| {
            inbox.on_frame(&mut peer, &others, frame);
            Ok(())
        });
        let effects = match effects {
            Ok(((), effects)) => effects,
            Err(e) => vec![Effect::Reply(shared::ServerMsg::error(e.code(), e.public_message()))],
        };
        // Saved first: a broadcast reaches the sockets whose attachment says they said hello.
        if peer != before {
            ws.serialize_attachment(&peer)?;
        }
        if let Err(e) = self.apply(Some(&ws), effects).await {
            console_error!("inbox frame: {e}");
        }
        Ok(())
    }

    async fn websocket_close(&self, ws: WebSocket, code: usize, _reason: String, _clean: bool) -> worker::Result<()> {
        close_socket(&ws, code);
        // Closing an inbox may make its agent unavailable: tell the others.
        let remaining = self.peers(Some(&ws));
        if let Ok(((), effects)) = self.decide(|inbox| inbox.inbox_closed(&remaining)) {
            let _ = self.apply(None, effects).await;
        }
        Ok(())
    }
}

impl WorkspaceCalls for Workspace {
    async fn config(&self, _: GetConfig) -> EdgeResult<WorkspaceConfig> {
        self.act(|ws| ws.config()).await
    }
    async fn create_config(&self, r: CreateConfig) -> EdgeResult<WorkspaceConfig> {
        self.act(|ws| ws.create_config(r.config)).await
    }
    async fn replace_config(&self, r: ReplaceConfig) -> EdgeResult<WorkspaceConfig> {
        self.act(|ws| ws.replace_config(r.config)).await
    }
    async fn update_settings(&self, r: UpdateSettings) -> EdgeResult<WorkspaceSettings> {
        let peers = self.peers(None);
        self.act(|ws| ws.update_settings(r.settings, &peers)).await
    }
    async fn update_consent_settings(&self, r: UpdateConsentSettings) -> EdgeResult<ConsentSettings> {
        self.act(|ws| ws.update_consent_settings(r.settings)).await
    }
    async fn log_consent(&self, r: LogConsent) -> EdgeResult<()> {
        self.act(|ws| ws.log_consent(&r.record, r.visitor.as_ref())).await
    }
    async fn consent_log(&self, _: ConsentLog) -> EdgeResult<Vec<ConsentRecord>> {
        self.act(|ws| ws.consent_log()).await
    }
    async fn append_audit(&self, r: AppendAudit) -> EdgeResult<()> {
        self.act(|ws| ws.append_audit(&r.entry)).await
    }
    async fn audit_log(&self, r: AuditLog) -> EdgeResult<shared::api::AuditPage> {
        self.act(|ws| ws.audit_page(r.before, r.filter)).await
    }
    async fn available(&self, _: Available) -> EdgeResult<bool> {
        let peers = self.peers(None);
        self.decide(|ws| ws.can_answer(&peers)).map(|(online, _)| online)
    }
    async fn visitor_live(&self, r: VisitorLive) -> EdgeResult<Told> {
        let peers = self.peers(None);
        self.act(|ws| ws.visitor_live(&r.id, r.live, &peers)).await
    }
    async fn identity_secret(&self, _: GetIdentitySecret) -> EdgeResult<IdentitySecret> {
        self.act(|ws| ws.identity_secret(|| crate::auth::random_token(32))).await
    }
    async fn rotate_identity_secret(&self, _: RotateIdentitySecret) -> EdgeResult<IdentitySecret> {
        self.act(|ws| ws.rotate_identity_secret(|| crate::auth::random_token(32))).await
    }
    async fn link_identity(&self, claim: IdentityLink) -> EdgeResult<IdentityLink> {
        self.act(|ws| ws.link_identity(claim)).await
    }
    async fn summaries(&self, r: Summaries) -> EdgeResult<Vec<ConversationSummary>> {
        self.act(|ws| ws.summaries(&r.ids)).await
    }
    async fn conversations_updated(&self, r: ConversationsUpdated) -> EdgeResult<()> {
        self.act(|ws| ws.conversations_updated(&r.updates)).await
    }
    async fn search(&self, r: Search) -> EdgeResult<Vec<SearchHit>> {
        self.act(|ws| ws.search(&r.q)).await
    }
    async fn directory(&self, entry: DirectoryEntry) -> EdgeResult<()> {
        self.act(|ws| ws.directory(&entry)).await
    }
    async fn find_subjects(&self, r: FindSubjects) -> EdgeResult<Vec<VisitorId>> {
        self.act(|ws| ws.find_subjects(&r.q)).await
    }
    async fn visitor_conversations(&self, r: VisitorConversations) -> EdgeResult<Vec<ConversationId>> {
        self.act(|ws| ws.visitor_conversations(&r.visitor_id)).await
    }
    async fn close(&self, _: Close) -> EdgeResult<Closing> {
        self.act(|ws| ws.close()).await
    }
    async fn forget(&self, r: Forget) -> EdgeResult<()> {
        self.act(|ws| ws.forget(&r)).await
    }
    async fn team(&self, _: Team) -> EdgeResult<Vec<AgentRef>> {
        self.act(|ws| ws.team()).await
    }
    async fn members(&self, _: Members) -> EdgeResult<Vec<Member>> {
        self.act(|ws| ws.members()).await
    }
    async fn usage(&self, _: GetUsage) -> EdgeResult<UsageReport> {
        self.decide(|ws| ws.usage()).map(|(report, _)| report)
    }
    async fn admit(&self, r: AdmitConversation) -> EdgeResult<bool> {
        self.act(|ws| ws.admit(&r.id, r.limit, &r.plan)).await
    }
    async fn count_emails(&self, r: CountEmails) -> EdgeResult<()> {
        self.act(|ws| ws.count_emails(r.emails)).await
    }
    async fn create_token(&self, r: CreateToken) -> EdgeResult<ApiToken> {
        self.act(|ws| ws.create_token(&r.by, &r.ask, &r.id, &r.secret_hash)).await
    }
    async fn tokens(&self, _: Tokens) -> EdgeResult<Vec<ApiToken>> {
        self.decide(|ws| ws.tokens()).map(|(tokens, _)| tokens)
    }
    async fn revoke_token(&self, r: RevokeToken) -> EdgeResult<ApiToken> {
        self.act(|ws| ws.revoke_token(&r.by, &r.id)).await
    }
    async fn use_token(&self, r: UseToken) -> EdgeResult<ApiToken> {
        self.act(|ws| ws.use_token(&r.id, &r.secret_hash, r.scope)).await
    }
    async fn conversation_page(&self, r: GetConversationPage) -> EdgeResult<ConversationPage> {
        self.decide(|ws| ws.conversation_page(&r.query)).map(|(page, _)| page)
    }
    async fn member_prefs(&self, r: SetMemberPrefs) -> EdgeResult<()> {
        self.act(|ws| ws.member_prefs(&r.email, r.prefs)).await
    }
    async fn add_member(&self, r: NewMember) -> EdgeResult<Member> {
        let peers = self.peers(None);
        self.act(|ws| ws.add_member(&r, &peers)).await
    }
    async fn leave(&self, r: Leave) -> EdgeResult<()> {
        let peers = self.peers(None);
        self.act(|ws| ws.leave(&r.email, &peers)).await
    }
    async fn change_role(&self, r: ChangeRole) -> EdgeResult<Member> {
        let peers = self.peers(None);
        self.act(|ws| ws.change_role(&r.actor, &r.email, r.role, &peers)).await
    }
    async fn remove_member(&self, r: RemoveMember) -> EdgeResult<()> {
        let peers = self.peers(None);
        self.act(|ws| ws.remove_member(&r.actor, &r.email, &peers)).await
    }
    async fn create_invite(&self, r: CreateInvite) -> EdgeResult<NewInvite> {
        self.act(|ws| ws.create_invite(r.role, || crate::auth::random_token(24))).await
    }
    async fn preview_invite(&self, r: PreviewInvite) -> EdgeResult<InvitePreview> {
        self.act(|ws| ws.preview_invite(&r.token)).await
    }
    async fn redeem_invite(&self, r: RedeemInvite) -> EdgeResult<Role> {
        self.act(|ws| ws.redeem_invite(&r.token)).await
    }
    async fn agent_socket(&self, r: AgentSocket) -> EdgeResult<()> {
        self.act(|ws| ws.agent_socket(&r.conversation, &r.email, &r.session)).await
    }
    async fn end_sessions(&self, r: EndSessions) -> EdgeResult<()> {
        let peers = self.peers(None);
        self.act(|ws| {
            ws.end_sessions(&r.email, &r.sessions)?;
            // Their inbox may have been what made the team available.
            let left: Vec<InboxPeer> = peers
                .into_iter()
                .filter(|p| !(p.email == r.email && p.session.as_ref().is_some_and(|s| r.sessions.contains(s))))
                .collect();
            ws.inbox_closed(&left)
        })
        .await
    }
}
