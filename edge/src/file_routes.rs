//! Files in chat, the routes and R2: an upload by a visitor or an agent into their conversation
//! (checked as their socket is, judged by its bytes, stored in the bucket of the site's data
//! region), either sent at once as their message (`file-messages`: what the widget and the inbox
//! use) or, for a visitor, answered with a sealed receipt a `send` frame then carries (`files`); the
//! download through a conversation's file link, and the erasure of a conversation's files with it.
//!
//! The body is read whole before anything is stored: an upload cut off half way (a closed tab,
//! a lost connection) fails to read and leaves nothing behind.

use crate::auth;
use crate::conversation::PostFile;
use crate::error::{EdgeError, EdgeResult};
use crate::files::{self, FileKeys};
use crate::glue::{ask, json, now_ms, query};
use crate::limits::Limited;
use crate::router::Ctx;
use crate::team::Action;
use shared::files::{FileKind, MAX_FILE_BYTES};
use shared::privacy::DataRegion;
use shared::{ConversationId, SiteId};
use std::collections::HashMap;
use worker::{Env, Headers, HttpMetadata, Request, Response};

/// The bucket of the site's data region: an EU workspace's files stay in the EU.
fn bucket(env: &Env, site: &SiteId) -> EdgeResult<worker::Bucket> {
    let binding = match DataRegion::of(site) {
        DataRegion::Eu => "FILES_EU",
        DataRegion::Global => "FILES",
    };
    Ok(env.bucket(binding)?)
}

/// Deletes every file of a conversation (its erasure, retention or the workspace's purge).
pub async fn erase(env: &Env, site: &SiteId, conversation: &ConversationId) -> EdgeResult<()> {
    let bucket = bucket(env, site)?;
    loop {
        let listed = bucket.list().prefix(files::prefix(site, conversation)).limit(500).execute().await?;
        let keys: Vec<String> = listed.objects().iter().map(|o| o.key()).collect();
        if keys.is_empty() {
            return Ok(());
        }
        bucket.delete_multiple(keys).await?;
    }
}

/// The body, read as it arrives and kept only up to `limit` bytes, whatever length it
/// announced (a chunked body announces none): an upload never holds more than that in the
/// isolate's memory. What comes beyond is read and dropped, so the refusal goes back on a
/// connection left in order. An empty request has no body at all: no bytes.
async fn read_upload(req: &mut Request, limit: u64) -> EdgeResult<Vec<u8>> {
    use futures_util::StreamExt;
    let Ok(mut stream) = req.stream() else { return Ok(Vec::new()) };
    let (mut bytes, mut over) = (Vec::new(), false);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| EdgeError::MalformedBody(format!("the upload did not arrive whole: {e}")))?;
        over = over || (bytes.len() + chunk.len()) as u64 > limit;
        if !over {
            bytes.extend_from_slice(&chunk);
        }
    }
    if over {
        return Err(EdgeError::TooLarge);
    }
    Ok(bytes)
}

/// Who posts a file message, and where.
struct Poster<'a> {
    site: &'a SiteId,
    conversation: &'a ConversationId,
    /// The agent who sends it; `None`: the conversation's visitor.
    agent: Option<shared::AgentRef>,
    /// The visitor of the token it came with.
    visitor: Option<shared::VisitorId>,
    /// The verified user id of the visitor's token.
    verified: Option<String>,
    /// The visitor's language (the widget's), for a refusal's words.
    lang: Option<shared::consent::Lang>,
}

/// The client id the sender's page chose for the file's message (a retried post is one message).
fn client_id_of(url: &worker::Url) -> EdgeResult<shared::ClientMsgId> {
    let id = query(url, "client_id").unwrap_or_default();
    shared::ClientMsgId::parse(&id).map_err(|_| EdgeError::Invalid("client_id is missing or malformed".into()))
}

impl Ctx<'_> {
    fn file_keys<'a>(&self, secret: &'a str, site: &'a SiteId) -> FileKeys<'a> {
        FileKeys { secret: secret.as_bytes(), site: site.as_str() }
    }

    /// `POST /api/v1/sites/SITE/files?name=…` from the widget, the visitor token as a bearer:
    /// refused as their socket would be (another site's token, a superseded one, a blocked or
    /// erased visitor), and rate limited.
    pub async fn visitor_upload(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        let site = self.site(site)?;
        let bearer = req.headers().get("authorization")?.unwrap_or_default();
        let token = bearer.strip_prefix("Bearer ").ok_or(EdgeError::Unauthorized)?;
        let token = self.bound_token_of(&site, token).await?;
        self.limit(Limited::Upload, req, &site, Some(&token.visitor_id)).await?;
        ask(&self.visitor(&site, &token.visitor_id)?, crate::visitor::Admit {}).await?;
        self.store_file(req, &site, &token.conversation_id).await
    }

    /// `POST /api/v1/sites/SITE/file-messages?token=…&lang=…&client_id=…&name=…` from the widget (the
    /// browser posts the bytes: `www/app/files.js`): the file stored and sent as the visitor's
    /// message. The token is checked as for an upload; the visitor's page hears the rest on
    /// its socket (see `Ctx::post_file`).
    pub async fn visitor_file_message(&self, site: &str, req: &mut Request) -> EdgeResult<Response> {
        self.require_own_origin(req)?;
        let site = self.site(site)?;
        let url = req.url()?;
        let token = self.bound_token_of(&site, &query(&url, "token").unwrap_or_default()).await?;
        let client_id = client_id_of(&url)?;
        ask(&self.visitor(&site, &token.visitor_id)?, crate::visitor::Admit {}).await?;
        let allowed = self.limit(Limited::Upload, req, &site, Some(&token.visitor_id)).await;
        let lang = query(&url, "lang").and_then(|l| shared::consent::Lang::from_tag(&l));
        let to = Poster {
            site: &site,
            conversation: &token.conversation_id,
            agent: None,
            visitor: Some(token.visitor_id),
            verified: token.verified_id,
            lang,
        };
        self.post_file(req, to, client_id, allowed).await
    }

    /// `POST /api/v1/workspaces/SITE/conversations/ID/file-messages?client_id=…&name=…` from
    /// the inbox: a member who may chat, in a conversation of their workspace.
    pub async fn agent_file_message(&self, site: &str, id: &str, req: &mut Request) -> EdgeResult<Response> {
        let (agent, workspace) = self.member(site, req, Action::Chat).await?;
        let conversation = ConversationId::parse(id).map_err(|_| EdgeError::NotFound)?;
        let client_id = client_id_of(&req.url()?)?;
        let allowed = self.limit(Limited::Upload, req, &workspace.id, None).await;
        let me = shared::AgentRef { email: agent.email, name: agent.me.name };
        let to = Poster {
            site: &workspace.id,
            conversation: &conversation,
            agent: Some(me),
            visitor: None,
            verified: None,
            lang: None,
        };
        self.post_file(req, to, client_id, allowed).await
    }

    /// Stores the file (unless `allowed` refused it) and hands it, or the refusal, to the
    /// conversation, which tells the sender's sockets. The bytes stay only if a message holds
    /// them. Answered with no content: the sender's page hears it all on its socket.
    async fn post_file(
        &self,
        req: &mut Request,
        to: Poster<'_>,
        client_id: shared::ClientMsgId,
        allowed: EdgeResult<()>,
    ) -> EdgeResult<Response> {
        let upload = match allowed {
            Ok(()) => self.save_upload(req, to.site, to.conversation).await,
            Err(e) => {
                // Read and dropped, so the refusal goes back on a connection left in order.
                let _ = read_upload(req, 0).await;
                Err(e)
            }
        };
        let key = upload.as_ref().ok().map(|file| files::key(to.site, to.conversation, &file.id));
        let post = PostFile {
            visitor: to.visitor,
            site: to.site.clone(),
            conversation: to.conversation.clone(),
            agent: to.agent,
            verified: to.verified,
            client_id,
            upload: upload.map_err(|e| match to.lang {
                Some(lang) => crate::refusals::file(&e, lang),
                None => e.to_api_error(),
            }),
        };
        let kept = ask(&self.conversation(to.site, to.conversation)?, post).await;
        if let Some(key) = key.filter(|_| !matches!(kept, Ok(true))) {
            bucket(self.env, to.site)?.delete(key).await?;
        }
        kept?;
        Ok(Response::empty()?.with_status(204))
    }

    /// Stores the upload and answers its sealed receipt (see `shared::files::SealedFile`).
    async fn store_file(
        &self,
        req: &mut Request,
        site: &SiteId,
        conversation: &ConversationId,
    ) -> EdgeResult<Response> {
        let file = self.save_upload(req, site, conversation).await?;
        let secret = self.secret("VISITOR_TOKEN_SECRET")?;
        json(&self.file_keys(&secret, site).seal(conversation, file), 201)
    }

    /// The request's body as a file of `conversation` (named by `?name=`), judged by its bytes
    /// and put in the bucket of the site's data region.
    async fn save_upload(
        &self,
        req: &mut Request,
        site: &SiteId,
        conversation: &ConversationId,
    ) -> EdgeResult<shared::files::Attachment> {
        crate::limits::announced_body(req.headers().get("content-length")?.as_deref(), MAX_FILE_BYTES as usize)
            .map_err(|_| EdgeError::TooLarge)?;
        let name = query(&req.url()?, "name").unwrap_or_default();
        let bytes = read_upload(req, MAX_FILE_BYTES).await?;
        let file = files::accept(auth::random_id("f_")?, &name, &bytes)?;
        let metadata = HttpMetadata { content_type: Some(file.kind.mime().to_owned()), ..Default::default() };
        let custom =
            HashMap::from([("name".to_owned(), file.name.clone()), ("kind".to_owned(), file.kind.code().to_owned())]);
        bucket(self.env, site)?
            .put(files::key(site, conversation, &file.id), bytes)
            .http_metadata(metadata)
            .custom_metadata(custom)
            .execute()
            .await?;
        Ok(file)
    }

    /// `GET /files/SITE/CONVERSATION/TOKEN/ID`: the file, to whoever holds the conversation's
    /// current file link (its parties: it comes with their `welcome`).
    pub async fn download(&self, site: &str, conversation: &str, token: &str, id: &str) -> EdgeResult<Response> {
        let site = self.site(site)?;
        let conversation = ConversationId::parse(conversation).map_err(|_| EdgeError::NotFound)?;
        let secret = self.secret("VISITOR_TOKEN_SECRET")?;
        auth::check_files_token(secret.as_bytes(), site.as_str(), &conversation, token, now_ms())?;
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            return Err(EdgeError::NotFound);
        }
        let object = bucket(self.env, &site)?.get(files::key(&site, &conversation, id)).execute().await?;
        let object = object.ok_or(EdgeError::NotFound)?;
        let custom = object.custom_metadata()?;
        let kind = custom.get("kind").and_then(|k| FileKind::from_code(k)).ok_or(EdgeError::NotFound)?;
        let name = custom.get("name").cloned().unwrap_or_else(|| "file".into());
        let body = object.body().ok_or(EdgeError::NotFound)?.response_body()?;
        let headers = Headers::new();
        for (header, value) in files::headers(kind, &name) {
            headers.set(header, &value)?;
        }
        Ok(Response::from_body(body)?.with_headers(headers))
    }
}
