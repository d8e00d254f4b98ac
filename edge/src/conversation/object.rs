//! The conversation Durable Object: SQLite message log, hibernating sockets, and the glue that
//! carries out what `logic` decides.

use super::logic::{self, Door, Effect, LastKept, MessageLog, Peer, ProfileNotice, Role, State as ConversationState};
use super::store::{self, SqlLog};
use super::{
    ApiMessages, ApiSend, ApiUpdate, ContactKnown, ConversationCalls, ConversationRequest, EmailReply, EndAccess,
    Ending, Erase, Export, IndexFailed, PostFile, SetAvailability, SiteContact, StopEmail, TeamEmailReply,
};
use crate::error::{EdgeError, EdgeResult};
use crate::feed::Forward;
use crate::glue::{ask, close_socket, now_ms, respond, retention_ms};
use crate::postbox::{MailKind, Queue};
use crate::visitor::{AddConversation, ContactChange, ForgetConversation};
use crate::workspace::{AgentSocket, AppendAudit, ConversationUpdate, GetConfig, Team, VisitorLive};
use shared::api::AuditActor;
use shared::{
    AgentRef, ChatMessage, ClientMsg, ConversationId, ConversationSummary, Email, ErrorCode, ServerMsg, SiteId,
};
use worker::{
    console_error, durable_object, DurableObject, Env, Request, Response, SqlStorage, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair,
};

#[durable_object]
pub struct Conversation {
    state: State,
    env: Env,
    /// Endings heard while this instance lives: an agent socket whose registration with the
    /// workspace was still on its way when its session ended is refused by this list.
    ended: std::cell::RefCell<Vec<Ending>>,
    /// Whether this instance has checked the workspace's index since it started (see
    /// [`Conversation::repair_index`]).
    repaired: std::cell::Cell<bool>,
    /// What this instance has read or written of its storage, so a chat message costs one insert
    /// (its state stays in memory: `State::may_stay_unsaved`) rather than five reads and a state
    /// write besides: the object is its storage's only writer, so this is as current as the
    /// tables until the instance goes (a new one reads them again). Emptied when everything is
    /// deleted.
    memo: std::cell::RefCell<Memo>,
    /// The log's newest message (see [`LastKept`]).
    last: std::cell::RefCell<Option<Option<ChatMessage>>>,
    /// The socket this conversation's updates take to its index feed while it talks.
    link: crate::feed::link::Link,
    /// Each socket's peer as this instance last wrote or read it, so a frame reads no attachment
    /// (a structured clone and a conversion each, for the sender and every socket a message goes
    /// to): the object writes every attachment itself (`set_peer`), and a new instance after
    /// hibernation reads them again.
    peers: std::cell::RefCell<Vec<(WebSocket, Peer)>>,
    /// The key that seals uploaded files' receipts and signs file links (read once, not per frame).
    file_secret: String,
    /// The newest news of availability passed on to the visitor's sockets.
    availability: crate::workspace::logic::Newest,
    /// Webhook events on their way to the site's webhooks object.
    outbox: crate::webhooks::outbox::Outbox,
}

/// See [`Conversation::memo`]. `None`: not read yet.
#[derive(Default)]
struct Memo {
    /// The site and the conversation's id, set once when the visitor's first socket opens.
    ids: Option<(String, ConversationId)>,
    state: Option<ConversationState>,
}

/// Headers the router sets when it forwards an upgrade; the router has checked the caller.
pub const H_SITE: &str = "x-pvx-site";
pub const H_CONVERSATION: &str = "x-pvx-conversation";
pub const H_AGENT: &str = "x-pvx-agent";
pub const H_AGENT_EMAIL: &str = "x-pvx-agent-email";
/// The public id of the agent's session, so ending it closes the socket.
pub use crate::workspace::H_SESSION;
pub const H_VISITOR: &str = "x-pvx-visitor";
/// The verified user id of a visitor's token, base64url.
pub const H_VERIFIED: &str = "x-pvx-verified";

/// Meta key of the erasure tombstone: all that is left of an erased conversation, so the erased
/// visitor's token cannot open it again.
const ERASED: &str = "erased";
/// Meta key set when the workspace closed: the conversation admits and accepts nothing more.
const SHUT: &str = "shut";
/// How soon a conversation tries again to tell its workspace after a failed notice.
const REPAIR_RETRY_MS: i64 = 10_000;

impl Conversation {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn meta(&self, key: &str) -> EdgeResult<Option<String>> {
        store::meta(&self.sql(), key)
    }

    fn set_meta(&self, key: &str, value: &str) -> EdgeResult<()> {
        store::set_meta(&self.sql(), key, value)
    }

    /// An erased conversation answers nothing but that: its visitor's token is refused, and for
    /// agents it no longer exists.
    fn refuse_erased(&self, agent: bool) -> EdgeResult<()> {
        match self.meta(ERASED)? {
            Some(_) if agent => Err(EdgeError::NotFound),
            Some(_) => Err(EdgeError::Unauthorized),
            None => Ok(()),
        }
    }

    /// Accepts a socket the router has authorised, remembering who is on it and what opened it.
    async fn accept_socket(&self, req: &Request) -> EdgeResult<Response> {
        let header = |name: &str| req.headers().get(name).ok().flatten();
        let site = header(H_SITE).ok_or(EdgeError::Internal("missing site header".into()))?;
        let id = header(H_CONVERSATION).ok_or(EdgeError::Internal("missing conversation header".into()))?;
        let role = match (header(H_AGENT), header(H_AGENT_EMAIL)) {
            (Some(name), Some(email)) => Role::Agent { name, email: Email::parse(&email)? },
            _ => Role::Visitor,
        };
        logic::admit(&role, self.door()?)?;
        let mut peer = Peer::new(role.clone());
        match &role {
            Role::Visitor => {
                let visitor = header(H_VISITOR).map(|v| shared::VisitorId::parse(&v)).transpose()?;
                peer.verified = header(H_VERIFIED).and_then(|v| crate::auth::unb64(&v));
                self.visitor_arrives(&site, &id, visitor, peer.verified.clone()).await?;
            }
            Role::Agent { email, .. } => {
                let session = header(H_SESSION).ok_or(EdgeError::Internal("missing session header".into()))?;
                peer.session = Some(session.clone());
                // The workspace keeps which conversations each session has open, so ending the
                // session reaches this socket; it refuses a session that has ended already.
                let register = AgentSocket {
                    conversation: ConversationId::parse(&id)?,
                    email: email.clone(),
                    session: session.clone(),
                };
                ask(&self.workspace(&site)?, register).await?;
                // The session may have ended while the registration was on its way.
                if self.ended.borrow().iter().any(|ending| ending.ends(&peer)) {
                    return Err(EdgeError::Unauthorized);
                }
            }
        }
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        self.set_peer(&pair.server, &peer)?;
        Ok(Response::from_websocket(pair.client)?)
    }

    /// What decides who may come in (`logic::admit`): started, erased, shut.
    fn door(&self) -> EdgeResult<Door> {
        Ok(Door {
            started: self.meta("conversation_id")?.is_some(),
            erased: self.meta(ERASED)?.is_some(),
            shut: self.meta(SHUT)?.is_some(),
        })
    }

    /// The visitor comes in, by a socket or by a file sent before any socket (the paperclip shows
    /// as soon as the chat does): the conversation is bound to them and learns its ids.
    async fn visitor_arrives(
        &self,
        site: &str,
        id: &str,
        visitor: Option<shared::VisitorId>,
        verified: Option<String>,
    ) -> EdgeResult<()> {
        let mut state = self.state()?;
        let bound_before = state.details.verified_id.is_some();
        if logic::bind_visitor(&mut state, visitor, verified)? {
            self.save_state(&state)?;
        }
        // The conversation just became a verified user's: sockets opened with a token that is
        // not theirs (an anonymous one from before their identify) lose it now.
        if !bound_before && state.details.verified_id.is_some() {
            self.close_where(|p| logic::may_use(p, &state).err());
        }
        // The ids are not personal data; keeping them lets the object notify its workspace.
        self.set_meta("site", site)?;
        self.set_meta("conversation_id", id)?;
        // The visitor's profile lists the conversation from the moment their chat opens: their
        // export and erasure reach it, and their first message makes no call.
        if !state.listed && state.details.visitor_id.is_some() {
            self.list_on_profile(site, id, &state).await;
        }
        Ok(())
    }

    /// Closes, for good, every socket for which `why` gives a close code; they are marked first,
    /// so a frame already on its way is not served.
    fn close_where(&self, why: impl Fn(&Peer) -> Option<shared::CloseCode>) {
        for ws in self.state.get_websockets() {
            let Some(mut peer) = self.peer(&ws).ok().flatten() else { continue };
            if peer.ended {
                continue;
            }
            if let Some(code) = why(&peer) {
                peer.ended = true;
                let _ = self.set_peer(&ws, &peer);
                let _ = ws.close(Some(code.code()), Some("access ended"));
            }
        }
    }

    /// The visitor object of this conversation's visitor, if known.
    fn visitor(&self, site: &str, state: &ConversationState) -> EdgeResult<Option<worker::Stub>> {
        let Some(visitor) = &state.details.visitor_id else { return Ok(None) };
        Ok(Some(crate::glue::visitor_object(&self.env, &SiteId::parse(site)?, visitor)?))
    }

    fn state(&self) -> EdgeResult<ConversationState> {
        if let Some(state) = &self.memo.borrow().state {
            return Ok(state.clone());
        }
        let mut state: ConversationState = match self.meta("state")? {
            Some(json) => serde_json::from_slice(json.as_bytes())?,
            None => ConversationState::default(),
        };
        let sql = self.sql();
        state.catch_up(&self.log(&sql))?;
        self.memo.borrow_mut().state = Some(state.clone());
        Ok(state)
    }

    /// Stores the state, then remembers it (a failed write leaves the memory as the table is).
    fn save_state(&self, state: &ConversationState) -> EdgeResult<()> {
        let sql = self.sql();
        let state = ConversationState { logged: self.log(&sql).last()?.map_or(0, |m| m.seq), ..state.clone() };
        self.set_meta("state", &serde_json::to_string(&state)?)?;
        self.memo.borrow_mut().state = Some(state);
        Ok(())
    }

    /// [`Self::ids`] of a conversation still in use: `None` once erased or shut too (an alarm's
    /// work is then over).
    fn live_ids(&self) -> EdgeResult<Option<(String, ConversationId)>> {
        if self.meta(ERASED)?.is_some() || self.meta(SHUT)?.is_some() {
            return Ok(None);
        }
        self.ids()
    }

    /// The site and the conversation's id; `None` before the visitor's first socket.
    fn ids(&self) -> EdgeResult<Option<(String, ConversationId)>> {
        if let Some(ids) = &self.memo.borrow().ids {
            return Ok(Some(ids.clone()));
        }
        let (Some(site), Some(id)) = (self.meta("site")?, self.meta("conversation_id")?) else { return Ok(None) };
        let ids = (site, ConversationId::parse(&id)?);
        self.memo.borrow_mut().ids = Some(ids.clone());
        Ok(Some(ids))
    }

    /// The message log, with its newest message remembered.
    fn log<'a>(&'a self, sql: &'a SqlStorage) -> LastKept<'a, SqlLog<'a>> {
        LastKept { log: SqlLog(sql), last: &self.last }
    }

    fn workspace(&self, site: &str) -> EdgeResult<worker::Stub> {
        crate::glue::workspace_object(&self.env, &SiteId::parse(site)?)
    }

    async fn on_frame(&self, ws: &WebSocket, frame: Result<ClientMsg, ErrorCode>) -> EdgeResult<()> {
        let mut peer: Peer = self.peer(ws)?.ok_or(EdgeError::Internal("socket without attachment".into()))?;
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
        let Some((site, id)) = self.ids()? else {
            return Err(EdgeError::Internal("conversation without ids".into()));
        };
        // Only an assignment needs the team; asking the workspace for every frame would not pay.
        let team: Vec<AgentRef> = match &frame {
            Ok(ClientMsg::Assign { .. }) => ask(&self.workspace(&site)?, Team {}).await?,
            _ => vec![],
        };
        let wanted = crate::webhooks::wanted(&self.env, &SiteId::parse(&site)?).await;
        let mut state = self.state()?;
        let before = state.clone();
        let peer_before = peer.clone();
        let sql = self.sql();
        let mut log = self.log(&sql);
        let last_before = log.last()?.map(|m| m.seq);
        let files = crate::files::FileKeys { secret: self.file_secret.as_bytes(), site: &site };
        let effects = logic::Conversation { id: &id, state: &mut state, log: &mut log, team: &team, files }.handle(
            peer,
            frame,
            now_ms(),
        )?;
        let appended = log.last()?.map(|m| m.seq) != last_before;
        // Saved before anything below awaits: the next frame on this socket may be handled while
        // this one waits for the workspace, and must see this one's send count and greeting.
        // Only when it changed (a chat message leaves it as it was): writing an attachment costs
        // a structured clone on every frame.
        if let Some(ws) = from.filter(|_| *peer != peer_before) {
            self.set_peer(ws, peer)?;
        }
        if state.may_stay_unsaved(&before, appended) {
            self.memo.borrow_mut().state = Some(state.clone());
        } else if state != before {
            self.save_state(&state)?;
        }
        let hooks = self.queue_hooks(&site, &id, &before, &state, &effects, &wanted)?;
        self.carry_out(effects, &state, from, &site, &id).await?;
        if hooks {
            self.flush_hooks(&site).await;
        }
        // The visitor's profile last: the sender's ack and the inbox do not wait for it.
        if from.is_some() && state != before {
            self.tell_visitor(&site, &id, peer, &before, &state).await;
        }
        Ok(())
    }

    /// Carries out a decision's effects. Everything is stored by now. The sender may be gone
    /// already (a tab closed right after sending): a reply that cannot reach them must not stop
    /// the rest, above all the notice that puts the conversation in the inbox.
    async fn carry_out(
        &self,
        effects: Vec<Effect>,
        state: &ConversationState,
        from: Option<&WebSocket>,
        site: &str,
        id: &ConversationId,
    ) -> EdgeResult<()> {
        for effect in effects {
            match effect {
                Effect::Reply(msg) => {
                    if let Some(Err(e)) = from.map(|ws| ws.send_with_str(msg.encode())) {
                        console_error!("reply to a closed socket on {id}: {e}");
                    }
                }
                Effect::Broadcast { msg, agents_only } => {
                    self.send_to(&msg, state, |other, p| Some(other) != from && (!agents_only || p.is_agent()))
                }
                Effect::ToAgents(msg) => self.send_to(&msg, state, |_, p| p.is_agent()),
                Effect::ToSender { msg, agent } => self.send_to(&msg, state, |_, p| match (&p.role, &agent) {
                    (logic::Role::Agent { email, .. }, Some(sender)) => email == sender,
                    (logic::Role::Visitor, None) => true,
                    _ => false,
                }),
                Effect::AuditFlood { actor } => self.audit_flood(site, actor).await,
                Effect::ReplyMailDue => self.wake_for_mail(logic::email::REPLY_MAIL_DELAY_MS).await?,
                Effect::TranscriptDue => self.wake_for_mail(0).await?,
                Effect::VisitorLive => self.visitor_live(site, id, true, from).await,
                Effect::CloseSender(code) => {
                    if let Some(ws) = from {
                        let _ = ws.close(Some(code.code()), Some("access ended"));
                    }
                }
                Effect::Notify { summary, indexed } => {
                    let visitor_id = state.details.visitor_id.clone();
                    let forward = Forward {
                        site: SiteId::parse(site)?,
                        update: ConversationUpdate { summary, indexed, visitor_id },
                    };
                    // Over the link when there is one (a failure comes back as `IndexFailed`),
                    // else as a typed call, answered.
                    let linked = match self.link.send(&self.env, &forward).await {
                        Ok(linked) => linked,
                        Err(e) => {
                            console_error!("link of {id} to its index feed: {e}");
                            false
                        }
                    };
                    if !linked {
                        if let Err(e) = self.tell_index(forward).await {
                            self.index_missed(e).await?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Mail the visitor asked for is due in `delay_ms` (replies: a while, for the visitor to read
    /// them in the widget; a transcript: now): the alarm comes then (as long, in the day's length,
    /// as retention scales it), unless it is set to come sooner already.
    async fn wake_for_mail(&self, delay_ms: i64) -> EdgeResult<()> {
        let delay = delay_ms * retention_ms(&self.env, Some(1)).unwrap_or(86_400_000) / 86_400_000;
        let at = now_ms() + delay;
        let storage = self.state.storage();
        if storage.get_alarm().await?.is_none_or(|set| set > at) {
            storage.set_alarm(crate::glue::at_time(at)).await?;
        }
        Ok(())
    }

    /// The alarm's part: mails the visitor what they asked for and is due: the replies they have
    /// neither read nor been mailed, the transcript of the resolved conversation.
    async fn mail_visitor(&self) -> EdgeResult<()> {
        for kind in [MailKind::VisitorReplies, MailKind::Transcript] {
            self.mail_visitor_one(kind).await?;
        }
        Ok(())
    }

    async fn mail_visitor_one(&self, kind: MailKind) -> EdgeResult<()> {
        let Some((site, id)) = self.live_ids()? else { return Ok(()) };
        let mut state = self.state()?;
        let sql = self.sql();
        let mut log = self.log(&sql);
        let files = crate::files::FileKeys { secret: self.file_secret.as_bytes(), site: &site };
        let mut conversation = logic::Conversation { id: &id, state: &mut state, log: &mut log, team: &[], files };
        let due = match kind {
            MailKind::Transcript => conversation.due_transcript()?,
            _ => conversation.due_reply_mail()?,
        };
        let Some(mail) = due else { return Ok(()) };
        let site = SiteId::parse(&site)?;
        if !crate::glue::site_mail_budget(&self.env, &site).await?.allowed {
            // Marked as mailed all the same: they are in the chat, and retrying would not pay.
            console_error!("{site}: over its hourly mail budget, {kind:?} in {id} is not mailed");
            return self.save_state(&state);
        }
        let config = ask(&self.workspace(site.as_str())?, GetConfig {}).await?;
        let secret = self.env.secret("VISITOR_TOKEN_SECRET")?.to_string();
        let token = crate::auth::reply_token(secret.as_bytes(), &site, &id);
        let from = crate::glue::mail_from(&self.env);
        let links = crate::mail::visitor::Links {
            from: &from,
            origin: &crate::glue::public_origin(&self.env),
            token: &token,
            workspace: &config.name,
            // The site's fixed language wins, as on its banner.
            lang: config.consent.language.or(mail.lang).unwrap_or(shared::consent::Lang::En),
        };
        let mail = match kind {
            MailKind::Transcript => crate::mail::visitor::transcript(&links, &mail),
            _ => crate::mail::visitor::replies(&links, &mail),
        };
        let queue = Queue { kind, site: Some(site.clone()), mail };
        ask(&crate::glue::postbox_object(&self.env, &queue.mail.to)?, queue).await?;
        // Saved once the mail is handed over: a failure mails the same on the retry.
        self.save_state(&state)
    }

    /// Tells the workspace whether this conversation has a visitor's socket open; on `live`,
    /// tells the visitor's socket whether someone can answer now. Logged on failure: the widget
    /// keeps what its session said.
    async fn visitor_live(&self, site: &str, id: &ConversationId, live: bool, to: Option<&WebSocket>) {
        let answer = async { ask(&self.workspace(site)?, VisitorLive { id: id.clone(), live }).await }.await;
        match answer {
            Ok(told) => {
                // Unless news of a later change came while the answer was on its way.
                if let Some(ws) = to.filter(|_| live && self.availability.admits(told)) {
                    let _ = ws.send_with_str(ServerMsg::Availability { online: told.online }.encode());
                }
            }
            Err(e) => console_error!("visitor of {id} live={live}: {e}"),
        }
    }

    /// Whether a greeted visitor's socket other than `but` is open.
    fn visitor_connected(&self, but: Option<&WebSocket>) -> bool {
        self.state
            .get_websockets()
            .iter()
            .filter(|ws| Some(*ws) != but)
            .any(|ws| self.peer(ws).ok().flatten().is_some_and(|p| p.greeted && !p.ended && !p.is_agent()))
    }

    /// An update did not reach the workspace. The message is stored and acked already, and a
    /// missed inbox update heals with a repair, so this fails nobody's frame.
    async fn index_missed(&self, e: EdgeError) -> EdgeResult<()> {
        // The workspace was closed (and its fan-out missed this conversation): nobody is served
        // here any more. (The answer comes relayed, through the feed: matched by its code.)
        if e.code() == ErrorCode::UnknownSite {
            return self.end(Ending::Workspace);
        }
        console_error!("an update of this conversation missed its workspace: {e}");
        // The alarm tries again: a conversation that exists is always listed.
        self.state.storage().set_alarm(crate::glue::at_time(now_ms() + REPAIR_RETRY_MS)).await?;
        Ok(())
    }

    /// Tells the visitor's profile this conversation is theirs, and remembers it did. Logged on
    /// failure: the conversation is then told at the visitor's first message, as one from before.
    async fn list_on_profile(&self, site: &str, id: &str, state: &ConversationState) {
        let result: EdgeResult<()> = async {
            let Some(visitor) = self.visitor(site, state)? else { return Ok(()) };
            ask(&visitor, AddConversation { id: ConversationId::parse(id)? }).await?;
            // Read again: a frame may have changed the state while the profile answered.
            let mut fresh = self.state()?;
            fresh.listed = true;
            self.save_state(&fresh)
        }
        .await;
        if let Err(e) = result {
            console_error!("list {id} on its visitor's profile: {e}");
        }
    }

    /// A sender going over the limit goes into the workspace's audit log, once per burst
    /// (monitoring of suspicious activity). Logged, never failing the frame.
    async fn audit_flood(&self, site: &str, actor: AuditActor) {
        let detail = format!(
            "chat messages: more than {} at once, or {} per {} s, in one conversation",
            logic::RATE_BURST,
            logic::RATE_LIMIT,
            logic::RATE_WINDOW_MS / 1000
        );
        let entry =
            shared::api::AuditEntry { at: now_ms(), actor, action: shared::api::AuditAction::RateLimited, detail };
        let result: EdgeResult<()> = async { ask(&self.workspace(site)?, AppendAudit { entry }).await }.await;
        if let Err(e) = result {
            console_error!("audit flood in {site}: {e}");
        }
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
            // Most frames (a chat message) have nothing for the profile: no stub for them.
            let notices = logic::profile_notices(before, after, peer);
            if notices.is_empty() {
                return Ok(());
            }
            let Some(visitor) = self.visitor(site, after)? else { return Ok(()) };
            for notice in notices {
                match notice {
                    ProfileNotice::Started => ask(&visitor, AddConversation { id: id.clone() }).await?,
                    ProfileNotice::Contact { by, name, email } => {
                        ask(&visitor, ContactChange { by, name, email }).await?
                    }
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = result {
            console_error!("tell visitor of {id}: {e}");
        }
    }

    /// Deletes the whole conversation: its sockets are closed first, so nobody keeps writing into
    /// a deleted log. A retention deletion also tells the visitor's profile.
    async fn erase_all(&self, erase: Erase) -> EdgeResult<()> {
        if !erase.tombstone {
            if let (Some(site), state) = (self.meta("site")?, self.state()?) {
                if let (Some(visitor), Some(id)) = (self.visitor(&site, &state)?, self.meta("conversation_id")?) {
                    let id = ConversationId::parse(&id)?;
                    // An erased visitor has no list to update; the conversation goes either way.
                    match ask(&visitor, ForgetConversation { id }).await {
                        Err(e) if e.code() != ErrorCode::Unauthorized => return Err(e),
                        _ => {}
                    }
                }
            }
        }
        // Its files first: should R2 fail, the conversation is still here for the next try.
        if let (Some(site), Some(id)) = (self.meta("site")?, self.meta("conversation_id")?) {
            crate::file_routes::erase(&self.env, &SiteId::parse(&site)?, &ConversationId::parse(&id)?).await?;
        }
        for ws in self.state.get_websockets() {
            let _ =
                ws.close(Some(shared::CloseCode::ConversationDeleted.code()), Some("this conversation was deleted"));
        }
        let storage = self.state.storage();
        storage.delete_alarm().await?;
        storage.delete_all().await?;
        *self.memo.borrow_mut() = Memo::default();
        *self.last.borrow_mut() = None;
        store::schema(&self.state);
        if erase.tombstone {
            self.set_meta(ERASED, &now_ms().to_string())?;
        }
        Ok(())
    }

    /// Writes the webhook events of a change into the outbox, in the same commit as the change
    /// itself (nothing awaited since it was stored). Answers whether there are any.
    fn queue_hooks(
        &self,
        site: &str,
        id: &ConversationId,
        before: &ConversationState,
        after: &ConversationState,
        effects: &[Effect],
        wanted: &[crate::webhooks::EventKind],
    ) -> EdgeResult<bool> {
        if wanted.is_empty() {
            return Ok(false);
        }
        let events = logic::hooks::hook_events(&SiteId::parse(site)?, id, before, after, effects, wanted, now_ms());
        crate::webhooks::outbox::queue(&self.sql(), &events)
    }

    /// Hands the outbox's events over; a failure waits for the alarm.
    async fn flush_hooks(&self, site: &str) {
        let result = async { self.outbox.flush(&self.env, &SiteId::parse(site)?, &self.sql()).await }.await;
        if let Err(e) = result {
            console_error!("webhook events of a conversation in {site}: {e}");
            let _ = self.state.storage().set_alarm(crate::glue::at_time(now_ms() + REPAIR_RETRY_MS)).await;
        }
    }

    /// Hands over what an earlier instance left in the outbox (on start, and on the alarm).
    async fn flush_leftover_hooks(&self) -> EdgeResult<()> {
        if crate::webhooks::outbox::waiting(&self.sql())? {
            if let Some((site, _)) = self.ids()? {
                self.flush_hooks(&site).await;
            }
        }
        Ok(())
    }

    /// Tells the workspace the conversation as it is now, so its index holds it whatever it
    /// missed: on the first event after the object starts (the process may have been killed
    /// between storing a message and telling the workspace) and on the alarm set after a failed
    /// notice. The workspace ignores a revision it has already, so this costs one call per start
    /// and nothing per message.
    async fn repair_index(&self) -> EdgeResult<()> {
        let Some((site, id)) = self.live_ids()? else { return Ok(()) };
        let mut state = self.state()?;
        let sql = self.sql();
        let mut log = self.log(&sql);
        let files = crate::files::FileKeys { secret: self.file_secret.as_bytes(), site: &site };
        let logic = logic::Conversation { id: &id, state: &mut state, log: &mut log, team: &[], files };
        let Some((summary, indexed)) = logic.repair(0)? else { return Ok(()) };
        let visitor_id = state.details.visitor_id.clone();
        let update = ConversationUpdate { summary, indexed, visitor_id };
        match self.tell_index(Forward { site: SiteId::parse(&site)?, update }).await {
            // A closed workspace lists nobody: this conversation shuts instead.
            Err(e) if e.code() == ErrorCode::UnknownSite => self.end(Ending::Workspace),
            result => result,
        }
    }

    /// Hands a change to the workspace's index through this conversation's feed (`crate::feed`),
    /// which batches the updates of many conversations, as a typed call answered with the
    /// workspace's answer.
    async fn tell_index(&self, forward: Forward) -> EdgeResult<()> {
        let feed = crate::glue::feed_object(&self.env, &forward.site, &forward.update.summary.id)?;
        ask(&feed, forward).await
    }

    /// Runs [`Self::repair_index`] once per instance, before its first event is handled.
    async fn repair_once(&self) {
        if self.repaired.replace(true) {
            return;
        }
        if let Err(e) = self.repair_index().await {
            console_error!("index repair: {e}");
            let _ = self.state.storage().set_alarm(crate::glue::at_time(now_ms() + REPAIR_RETRY_MS)).await;
        }
        if let Err(e) = self.flush_leftover_hooks().await {
            console_error!("webhook events left over: {e}");
        }
    }

    /// Someone's access ended: their sockets close now, and a closed workspace's conversation
    /// admits nobody from now on.
    fn end(&self, ending: Ending) -> EdgeResult<()> {
        if ending == Ending::Workspace {
            self.set_meta(SHUT, &now_ms().to_string())?;
        }
        // A blocked visitor gets no more replies by email, and their answers by email are
        // refused (they may ask again once unblocked).
        if ending == Ending::Visitor {
            let mut state = self.state()?;
            if state.stop_mail() {
                self.save_state(&state)?;
            }
        }
        self.close_where(|p| ending.ends(p).then(|| ending.code()));
        self.ended.borrow_mut().push(ending);
        Ok(())
    }

    /// The peer on `ws`: remembered, or read from its attachment once.
    fn peer(&self, ws: &WebSocket) -> EdgeResult<Option<Peer>> {
        if let Some((_, peer)) = self.peers.borrow().iter().find(|(known, _)| known == ws) {
            return Ok(Some(peer.clone()));
        }
        let peer: Option<Peer> = ws.deserialize_attachment()?;
        if let Some(peer) = &peer {
            self.remember(ws, peer);
        }
        Ok(peer)
    }

    /// Writes the peer on `ws` into its attachment (which outlives hibernation), then remembers it.
    fn set_peer(&self, ws: &WebSocket, peer: &Peer) -> EdgeResult<()> {
        ws.serialize_attachment(peer)?;
        self.remember(ws, peer);
        Ok(())
    }

    fn remember(&self, ws: &WebSocket, peer: &Peer) {
        let mut peers = self.peers.borrow_mut();
        match peers.iter_mut().find(|(known, _)| known == ws) {
            Some((_, known)) => *known = peer.clone(),
            None => peers.push((ws.clone(), peer.clone())),
        }
    }

    /// Sends to every greeted socket that `to` picks and whose access holds.
    fn send_to(&self, msg: &ServerMsg, state: &ConversationState, to: impl Fn(&WebSocket, &Peer) -> bool) {
        let text = crate::glue::SharedText::new(&msg.encode());
        for other in self.state.get_websockets() {
            let peer = self.peer(&other).ok().flatten();
            if peer.is_some_and(|p| p.greeted && !p.ended && logic::may_use(&p, state).is_ok() && to(&other, &p)) {
                // A socket that is closing cannot take it; it resumes by seq later.
                let _ = text.send(&other);
            }
        }
    }
}

impl ConversationCalls for Conversation {
    async fn export(&self, request: Export) -> EdgeResult<shared::privacy::ConversationExport> {
        self.refuse_erased(false)?;
        let id = self.meta("conversation_id")?.ok_or(EdgeError::NotFound)?;
        let sql = self.sql();
        // Exports are rare and a conversation's log is bounded by its message rate limit.
        let messages = SqlLog(&sql).after(0, 1_000_000, request.notes)?;
        let id = ConversationId::parse(&id)?;
        let site = self.meta("site")?.unwrap_or_default();
        // The files go with it, as a link to each (the export is a JSON document, the files are not).
        let has_files = messages.iter().any(|m| m.file.is_some());
        let keys = crate::files::FileKeys { secret: self.file_secret.as_bytes(), site: &site };
        let files = has_files.then(|| keys.path(&id, now_ms()));
        Ok(shared::privacy::ConversationExport { id, details: self.state()?.details, messages, files })
    }

    async fn contact_known(&self, _: ContactKnown) -> EdgeResult<bool> {
        self.refuse_erased(false)?;
        Ok(self.state()?.contact_given)
    }

    async fn site_contact(&self, request: SiteContact) -> EdgeResult<bool> {
        self.refuse_erased(false)?;
        // A conversation that has not started yet has nothing to show agents the details on.
        if self.meta("conversation_id")?.is_none() {
            return Ok(false);
        }
        let mut peer = Peer { greeted: true, ..Peer::new(Role::Visitor) };
        self.apply(
            &mut peer,
            Ok(ClientMsg::Contact {
                name: request.name,
                email: request.email,
                email_replies: false,
                transcript: false,
                lang: None,
            }),
            None,
        )
        .await?;
        Ok(true)
    }

    async fn erase(&self, request: Erase) -> EdgeResult<Option<Email>> {
        let address = self.state()?.details.visitor_email;
        self.erase_all(request).await?;
        Ok(address)
    }

    async fn end_access(&self, request: EndAccess) -> EdgeResult<()> {
        self.end(request.ending)
    }

    async fn index_failed(&self, request: IndexFailed) -> EdgeResult<()> {
        self.index_missed(EdgeError::from_api(request.error)).await
    }

    async fn set_availability(&self, request: SetAvailability) -> EdgeResult<bool> {
        if self.availability.admits(request.told) {
            let state = self.state()?;
            let msg = ServerMsg::Availability { online: request.told.online };
            self.send_to(&msg, &state, |_, p| !p.is_agent());
        }
        Ok(self.visitor_connected(None))
    }

    async fn stop_email(&self, _request: StopEmail) -> EdgeResult<()> {
        self.refuse_erased(false)?;
        let mut state = self.state()?;
        if state.stop_mail() {
            self.save_state(&state)?;
        }
        Ok(())
    }

    async fn email_reply(&self, request: EmailReply) -> EdgeResult<()> {
        self.posted_message(&[], |c| {
            c.email_reply(&request.from, &request.text, &request.message_id, now_ms()).map(|effects| (effects, ()))
        })
        .await
    }

    async fn post_file(&self, request: PostFile) -> EdgeResult<bool> {
        if request.agent.is_none() && self.ids()?.is_none() {
            logic::admit(&logic::Role::Visitor, self.door()?)?;
            let (site, id) = (request.site.as_str(), request.conversation.as_str());
            self.visitor_arrives(site, id, request.visitor.clone(), request.verified.clone()).await?;
        }
        let sender = match request.agent {
            Some(a) => logic::Peer::new(logic::Role::Agent { name: a.name, email: a.email }),
            None => logic::Peer { verified: request.verified, ..logic::Peer::new(logic::Role::Visitor) },
        };
        let upload = request.upload.map_err(EdgeError::from_api);
        self.posted_message(&[], |c| c.posted_file(sender, request.client_id, upload, now_ms())).await
    }

    async fn api_messages(&self, request: ApiMessages) -> EdgeResult<Vec<ChatMessage>> {
        self.refuse_erased(true)?;
        if self.ids()?.is_none() {
            return Err(EdgeError::NotFound);
        }
        let sql = self.sql();
        logic::api::api_messages(&self.log(&sql), request.after, request.limit)
    }

    async fn api_send(&self, request: ApiSend) -> EdgeResult<ChatMessage> {
        // An erased conversation is not found by the team (a visitor's token is refused instead).
        self.refuse_erased(true)?;
        let Some((site, _)) = self.ids()? else { return Err(EdgeError::NotFound) };
        // Who is in the team now, asked as the message arrives.
        let team = match request.author {
            logic::api::ApiAuthor::Agent(_) => ask(&self.workspace(&site)?, Team {}).await?,
            logic::api::ApiAuthor::Bot(_) => Vec::new(),
        };
        self.posted_message(&team, |c| c.api_send(&request.author, request.client_id, &request.body, now_ms())).await
    }

    async fn api_update(&self, request: ApiUpdate) -> EdgeResult<ConversationSummary> {
        self.refuse_erased(true)?;
        let Some((site, _)) = self.ids()? else { return Err(EdgeError::NotFound) };
        // An assignee must be in the team now.
        let team = match request.change.assignee {
            Some(Some(_)) => ask(&self.workspace(&site)?, Team {}).await?,
            _ => Vec::new(),
        };
        self.posted_message(&team, |c| c.api_update(&request.change)).await
    }

    async fn team_email_reply(&self, request: TeamEmailReply) -> EdgeResult<()> {
        let Some((site, _)) = self.live_ids()? else { return Err(EdgeError::Forbidden) };
        // Who is in the team now, asked as the mail arrives: access is checked where it is used.
        let team = ask(&self.workspace(&site)?, Team {}).await?;
        self.posted_message(&team, |c| {
            c.team_email_reply(&request.from, &request.text, &request.message_id, now_ms()).map(|effects| (effects, ()))
        })
        .await
    }
}

impl Conversation {
    /// A message that came other than on a socket (by mail, or a file by HTTP), decided by
    /// `decide`, stored and carried out like a frame's; answers what `decide` answered besides.
    async fn posted_message<T>(
        &self,
        team: &[AgentRef],
        decide: impl FnOnce(&mut logic::Conversation<'_, LastKept<'_, SqlLog<'_>>>) -> EdgeResult<(Vec<Effect>, T)>,
    ) -> EdgeResult<T> {
        self.refuse_erased(false)?;
        if self.meta(SHUT)?.is_some() {
            return Err(EdgeError::Forbidden);
        }
        let Some((site, id)) = self.ids()? else { return Err(EdgeError::NotFound) };
        let wanted = crate::webhooks::wanted(&self.env, &SiteId::parse(&site)?).await;
        let mut state = self.state()?;
        let before = state.clone();
        let sql = self.sql();
        let mut log = self.log(&sql);
        let files = crate::files::FileKeys { secret: self.file_secret.as_bytes(), site: &site };
        let (effects, answer) =
            decide(&mut logic::Conversation { id: &id, state: &mut state, log: &mut log, team, files })?;
        self.save_state(&state)?;
        let hooks = self.queue_hooks(&site, &id, &before, &state, &effects, &wanted)?;
        self.carry_out(effects, &state, None, &site, &id).await?;
        if hooks {
            self.flush_hooks(&site).await;
        }
        Ok(answer)
    }
}

impl DurableObject for Conversation {
    fn new(state: State, env: Env) -> Self {
        store::schema(&state);
        // Missing only in a misconfigured deployment: then no seal or link verifies anywhere.
        let file_secret = env.secret("VISITOR_TOKEN_SECRET").map(|s| s.to_string()).unwrap_or_default();
        Self {
            file_secret,
            state,
            env,
            ended: Default::default(),
            repaired: Default::default(),
            availability: Default::default(),
            memo: Default::default(),
            last: Default::default(),
            link: Default::default(),
            peers: Default::default(),
            outbox: Default::default(),
        }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        self.repair_once().await;
        if req.path() == crate::glue::CONNECT_PATH {
            return respond(self.accept_socket(&req).await);
        }
        ConversationRequest::serve(self, req).await
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> worker::Result<()> {
        self.repair_once().await;
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
        let visitor = self.peer(&ws).ok().flatten().is_some_and(|p| p.greeted && !p.is_agent());
        close_socket(&ws, code);
        self.peers.borrow_mut().retain(|(known, _)| known != &ws);
        // The visitor's last socket: the workspace stops telling this conversation.
        if visitor && !self.visitor_connected(Some(&ws)) {
            if let Ok(Some((site, id))) = self.live_ids() {
                self.visitor_live(&site, &id, false, None).await;
            }
        }
        Ok(())
    }

    /// A socket that failed is gone: so is its remembered peer.
    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> worker::Result<()> {
        self.peers.borrow_mut().retain(|(known, _)| known != &ws);
        Ok(())
    }

    /// Set only after a failed notice to the workspace: the index is repaired now. A failure is
    /// thrown, so the runtime retries the alarm.
    async fn alarm(&self) -> worker::Result<Response> {
        self.repair_index().await.map_err(|e| worker::Error::RustError(format!("index repair: {e}")))?;
        self.flush_leftover_hooks().await.map_err(|e| worker::Error::RustError(format!("webhook events: {e}")))?;
        self.mail_visitor().await.map_err(|e| worker::Error::RustError(format!("visitor mail: {e}")))?;
        Response::ok("")
    }
}
