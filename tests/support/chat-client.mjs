// Chat and inbox clients in Node that behave like the real ones in client/src and inbox/src, over
// the real socket protocol: for the fault-injection test (tests/e2e/faults.test.mjs, through
// tests/support/faults.mjs) and the load command (tests/bench/load.mjs), which need many clients
// without a browser each. Keep them in step with the Rust they copy:
// - reconnecting with exponential back-off from 0.5 s (client/src/socket.rs);
// - exactly-once delivery (client/src/delivery.rs): every send stays pending until its ack; each
//   (re)connect says `hello { after_seq }` with the highest seq seen, and after the welcome resends
//   whatever is still pending and not in the replay; a send refused by id is dropped;
// - the lines a user sees (client/src/chat.rs): stored messages by seq, replaced by client id or
//   seq, own messages shown at once and numbered by their ack;
// - the inbox list (inbox/src/inbox_state.rs): the `inbox` answer, then `conversations_updated`
//   frames, an older (rev, last_seq) never winning over a newer one.
// Beyond the real clients they keep what a test needs to judge them: every transmission, every
// ack, and any frame that contradicts an earlier one.
import WebSocket from 'ws';

const PROTOCOL = 1;
/** A socket that has not opened by then is given up and retried (a browser gives up too). */
const OPEN_TIMEOUT_MS = 5000;

/** A socket that reconnects on its own; `url()` and `origin()` are asked again on every attempt
 * (a restarted edge may listen elsewhere). Subclasses handle the frames. */
class Reconnecting {
  constructor({ url, origin, headers = {}, maxBackoffMs = 15_000, onFrame }) {
    Object.assign(this, { url, origin, headers, maxBackoffMs, onFrame });
    this.attempts = 0;
    this.stopped = false;
    this.connections = 0;
    /** Error frames without a client id (a banner in the real client). */
    this.notices = [];
  }

  start() {
    if (this.stopped) return;
    const ws = new WebSocket(this.url(), { origin: this.origin(), headers: this.headers });
    this.ws = ws;
    const timer = setTimeout(() => ws.terminate(), OPEN_TIMEOUT_MS);
    ws.on('open', () => {
      clearTimeout(timer);
      this.attempts = 0;
      this.connections += 1;
      this.transmit(this.onOpen());
    });
    ws.on('message', (data) => {
      const at = Date.now();
      let msg;
      try { msg = JSON.parse(String(data)); } catch { return; }
      for (const frame of this.onServer(msg, at)) this.transmit(frame);
      this.onFrame?.(msg, at, this);
    });
    // 'error' always comes with 'close' (refused, reset, or an upgrade answered with an error).
    ws.on('error', () => {});
    ws.on('close', () => {
      clearTimeout(timer);
      if (this.ws !== ws) return;
      this.ws = null;
      this.onClose();
      if (this.stopped) return;
      const delay = Math.min(500 * 2 ** Math.min(this.attempts, 5), this.maxBackoffMs);
      this.attempts += 1;
      this.retry = setTimeout(() => this.start(), delay);
    });
  }

  transmit(frame) {
    // A frame on a socket that is not open is lost; what matters (sends) stays pending.
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retry);
    this.ws?.terminate();
    this.ws = null;
  }
}

/** One side of one conversation (a visitor's widget or an agent's conversation view). */
export class ChatClient extends Reconnecting {
  constructor(options) {
    super(options);
    this.lastSeq = 0;
    this.ready = false;
    /** Sends not yet acknowledged, oldest first: `{ client_id, body }`. */
    this.pending = [];
    /** Every message this client wrote: client_id → body. */
    this.written = new Map();
    /** What the user sees: `{ client_id, seq, body }`, stored ones by seq, then unsent ones. */
    this.lines = [];
    /** client_id → seq, from acks and from the replay of one's own messages. */
    this.acks = new Map();
    /** seq → client_id of every stored message this client was told about. */
    this.seen = new Map();
    /** Frames that contradict earlier ones (a seq given to two messages, an id acked twice
     * differently): each is a message lost or shown wrongly. */
    this.contradictions = [];
    /** client_id → how many times it was put on the wire. */
    this.transmissions = new Map();
    /** client_id → the error code it was refused with. */
    this.refused = new Map();
    /** Messages pending when a connection dropped, and what became of them after the next
     * welcome: found in the replay (stored, ack lost) or sent again. */
    this.droppedPending = new Set();
    this.replayedAfterDrop = new Set();
    this.resentAfterDrop = new Set();
  }

  /** Sends (or queues) a message; shown at once as the real composer does. */
  send(client_id, body) {
    const out = { client_id, body };
    this.written.set(client_id, body);
    this.pending.push(out);
    this.lines.push({ client_id, seq: null, body });
    if (this.ready) this.put(out);
  }

  put(out) {
    if (this.transmit({ type: 'send', client_id: out.client_id, body: out.body })) {
      this.transmissions.set(out.client_id, (this.transmissions.get(out.client_id) ?? 0) + 1);
      if (this.droppedPending.has(out.client_id)) this.resentAfterDrop.add(out.client_id);
    }
  }

  onOpen() {
    this.ready = false;
    return { type: 'hello', protocol: PROTOCOL, after_seq: this.lastSeq };
  }

  onClose() {
    this.ready = false;
    for (const out of this.pending) this.droppedPending.add(out.client_id);
  }

  onServer(msg) {
    switch (msg.type) {
      case 'welcome': {
        this.ready = true;
        for (const m of msg.messages) this.stored(m);
        const replayed = new Set(msg.messages.map((m) => m.client_id));
        for (const out of this.pending) {
          if (replayed.has(out.client_id) && this.droppedPending.has(out.client_id)) {
            this.replayedAfterDrop.add(out.client_id);
          }
        }
        this.pending = this.pending.filter((out) => !replayed.has(out.client_id));
        // Resent through `put` (not returned) so that transmissions are counted.
        for (const out of this.pending) this.put(out);
        return [];
      }
      case 'ack':
        this.acked(msg.client_id, msg.seq);
        this.see(msg.seq, msg.client_id);
        this.pending = this.pending.filter((out) => out.client_id !== msg.client_id);
        return [];
      case 'message':
        this.stored(msg.message);
        return [];
      case 'error':
        if (msg.client_id) {
          this.refused.set(msg.client_id, msg.code);
          this.pending = this.pending.filter((out) => out.client_id !== msg.client_id);
        } else {
          this.notices.push(msg.code);
        }
        return [];
      default:
        return [];
    }
  }

  acked(client_id, seq) {
    const before = this.acks.get(client_id);
    if (before !== undefined && before !== seq) {
      this.contradictions.push(`${client_id} acknowledged as ${before}, then as ${seq}`);
    }
    this.acks.set(client_id, seq);
    const line = this.lines.find((l) => l.client_id === client_id);
    if (line) line.seq = seq;
    this.sort();
  }

  see(seq, client_id) {
    const before = this.seen.get(seq);
    if (before !== undefined && before !== client_id) {
      this.contradictions.push(`seq ${seq} was ${before}, then ${client_id}`);
    }
    this.seen.set(seq, client_id);
    this.lastSeq = Math.max(this.lastSeq, seq);
  }

  /** A stored message arrived (in a welcome or a `message` frame): upserted by id or seq. */
  stored(m) {
    this.see(m.seq, m.client_id);
    if (this.pending.some((out) => out.client_id === m.client_id) || this.acks.has(m.client_id)) {
      this.acked(m.client_id, m.seq);
    }
    const line = { client_id: m.client_id, seq: m.seq, body: m.body };
    const i = this.lines.findIndex((l) => l.client_id === m.client_id || (l.seq !== null && l.seq === m.seq));
    if (i >= 0) this.lines[i] = line;
    else this.lines.push(line);
    this.sort();
  }

  sort() {
    const key = (l) => l.seq ?? Infinity;
    // Stable: unsent lines keep the order they were written in.
    this.lines.sort((a, b) => key(a) - key(b));
  }
}

/** An agent's inbox socket: the workspace's conversation list. */
export class InboxClient extends Reconnecting {
  constructor(options) {
    super(options);
    /** conversation id → its latest summary. */
    this.conversations = new Map();
    this.loaded = false;
  }

  onOpen() {
    return { type: 'hello', protocol: PROTOCOL, after_seq: 0 };
  }

  onClose() {}

  onServer(msg) {
    if (msg.type === 'inbox') {
      this.conversations = new Map(msg.conversations.map((c) => [c.id, c]));
      this.loaded = true;
    } else if (msg.type === 'conversations_updated') {
      for (const c of msg.conversations) {
        const existing = this.conversations.get(c.id);
        const older = existing && (c.rev < existing.rev || (c.rev === existing.rev && c.last_seq < existing.last_seq));
        if (!older) this.conversations.set(c.id, c);
      }
    }
    return [];
  }
}
