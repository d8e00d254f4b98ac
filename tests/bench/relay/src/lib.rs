//! A bare chat relay, the load benchmark's baseline (tests/bench/load.mjs): what any chat must do
//! per message, and nothing else. `GET /?c=NAME` (a WebSocket upgrade) reaches the Durable Object
//! named NAME, one per conversation (any other request gets 200, which says the worker is up). Each text frame `{"client_id": "...", "body": "..."}` is
//! inserted into SQLite, acknowledged to its sender as `{"t":"ack","client_id":..,"seq":..}` and
//! broadcast to the object's other sockets as `{"t":"message","seq":..,"client_id":..,"body":..}`.
//! Frames that do not parse are ignored. No auth, no dedup, no limits: it is a yardstick.

use serde::Deserialize;
use serde_json::json;
use worker::*;

/// The worker: hands the upgrade to the conversation's object.
#[event(fetch)]
async fn main(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let url = req.url()?;
    let Some((_, name)) = url.query_pairs().find(|(k, _)| k == "c") else {
        return Response::ok("relay");
    };
    let stub = env.durable_object("RELAY")?.get_by_name(&name)?;
    stub.fetch_with_request(req).await
}

#[durable_object]
pub struct Relay {
    state: State,
}

/// A visitor's frame.
#[derive(Deserialize)]
struct Frame {
    client_id: String,
    body: String,
}

/// The row `INSERT … RETURNING seq` gives back.
#[derive(Deserialize)]
struct Seq {
    seq: i64,
}

impl DurableObject for Relay {
    fn new(state: State, _env: Env) -> Self {
        // SQL runs synchronously; a failure here shows as a failed INSERT later.
        let _ = state.storage().sql().exec(
            "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL, body TEXT NOT NULL)",
            None,
        );
        Self { state }
    }

    /// Accepts the socket with the hibernation API: the runtime holds it, the object may sleep.
    async fn fetch(&self, req: Request) -> Result<Response> {
        if req.headers().get("upgrade")?.as_deref() != Some("websocket") {
            return Response::error("expected a WebSocket upgrade", 426);
        }
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        Response::from_websocket(pair.client)
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> Result<()> {
        // Bad frames (binary, not JSON, missing fields) are ignored.
        let WebSocketIncomingMessage::String(text) = message else { return Ok(()) };
        let Ok(frame) = serde_json::from_str::<Frame>(&text) else { return Ok(()) };
        let seq = self
            .state
            .storage()
            .sql()
            .exec(
                "INSERT INTO messages (client_id, body) VALUES (?, ?) RETURNING seq",
                vec![frame.client_id.as_str().into(), frame.body.as_str().into()],
            )?
            .one::<Seq>()?
            .seq;
        let _ = ws.send_with_str(json!({ "t": "ack", "client_id": frame.client_id, "seq": seq }).to_string());
        let message =
            json!({ "t": "message", "seq": seq, "client_id": frame.client_id, "body": frame.body }).to_string();
        for other in self.state.get_websockets().iter().filter(|other| *other != &ws) {
            // A socket that is closing misses the message; the others still get it.
            let _ = other.send_with_str(&message);
        }
        Ok(())
    }

    async fn websocket_close(&self, ws: WebSocket, code: usize, _reason: String, _clean: bool) -> Result<()> {
        // Close codes 1005/1006 are reported, never sent.
        let code = if code == 1005 || code == 1006 { 1000 } else { code as u16 };
        let _ = ws.close(Some(code), Some("closed"));
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, _error: Error) -> Result<()> {
        Ok(())
    }
}
