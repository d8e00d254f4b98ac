// Fault injection: visitors and agents chat over the real socket protocol (tests/support/
// chat-client.mjs, clients that behave like the widget's and the inbox's) while the edge is
// killed with SIGKILL at random moments and restarted on the same state. Then every stored
// conversation is read back and compared with what each client sent, was acknowledged and shows.
// Used by tests/e2e/faults.test.mjs (a few cycles) and tests/bench/faults.mjs (a long run).
import { client as apiClient } from './api.mjs';
import { ChatClient, InboxClient } from './chat-client.mjs';
import { crashEdge, restartEdge } from './suite.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const between = (lo, hi) => lo + Math.random() * (hi - lo);

/** Waits until `done()` holds, up to `ms`; answers whether it did. */
async function until(done, ms) {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Runs `cycles` kill cycles on `suite` (from startSuite with an `owner`: the owner is the agent)
 * over `conversations` conversations, each with a visitor and the agent writing every 1–1.6 s.
 * With the extra messages at each kill (at most three cycles fit in 10 s) a sender writes at most
 * about 15 messages in any 10 s, under the per-sender limit of 20: a refusal is then a failure (a
 * resend of a stored message is answered before the limit is counted). Each cycle: traffic
 * for `upMs` (a random span), then, every other cycle, one message from each client right before
 * the kill so that the kill lands while messages are on the wire; SIGKILL; one message from each
 * client while the edge is down (queued, as a user typing into a reconnecting chat); down for up to
 * `downMs` more; restart on the same state directory. Answers what `check` needs.
 */
export async function runFaults(suite, { cycles, conversations = 4, upMs = [1000, 2500], downMs = 800, log = () => {} }) {
  const { api, owner, site } = suite;
  const ws = () => suite.edge.base.replace('http', 'ws');
  const origin = () => suite.edge.base;
  // The real clients back off up to 15 s; capped at 1 s here only to keep the run short (the
  // edge is down for a few seconds each cycle, and the schedule until the cap is the same).
  const maxBackoffMs = 1000;
  let counter = 0;
  const say = (client, who) => {
    counter += 1;
    const n = String(counter).padStart(6, '0');
    client.send(`c_${who}${n}`, `${who} says ${n}`);
  };

  // Every client started, so that all stop however the run ends (their retries would keep the
  // process alive).
  const started = [];
  let inbox, settled, began;
  let survived = 0;
  const sides = [];
  try {
    inbox = new InboxClient({
      url: () => `${ws()}/api/v1/workspaces/${site}/connect`, origin, headers: { cookie: owner.cookie }, maxBackoffMs,
    });
    inbox.start();
    started.push(inbox);
    for (let i = 0; i < conversations; i++) {
      const session = await api.visitorSession(site, 'http://127.0.0.1:1');
      const id = session.conversation_id;
      const visitor = new ChatClient({
        url: () => `${ws()}/api/v1/sites/${site}/connect?token=${encodeURIComponent(session.token)}`, origin, maxBackoffMs,
      });
      visitor.start();
      started.push(visitor);
      // An agent can open a conversation only once its visitor's socket has started it.
      if (!(await until(() => visitor.ready, 10_000))) throw new Error(`visitor ${i} was not welcomed`);
      const agent = new ChatClient({
        url: () => `${ws()}/api/v1/workspaces/${site}/conversations/${id}/connect`, origin,
        headers: { cookie: owner.cookie }, maxBackoffMs,
      });
      agent.start();
      started.push(agent);
      if (!(await until(() => agent.ready, 10_000))) throw new Error(`agent on conversation ${i} was not welcomed`);
      sides.push({ id, visitor: { client: visitor, who: `v${i}` }, agent: { client: agent, who: `a${i}` } });
    }
    const clients = sides.flatMap((s) => [s.visitor, s.agent]);

    // Each client writes on its own random clock while `talking`.
    let talking = true;
    const talkers = clients.map(async ({ client, who }) => {
      while (talking) {
        await sleep(between(1000, 1600));
        if (talking) say(client, who);
      }
    });

    began = Date.now();
    try {
      for (let cycle = 1; cycle <= cycles; cycle++) {
        await sleep(between(...upMs));
        if (cycle % 2 === 0) {
          clients.forEach(({ client, who }) => say(client, who));
          await sleep(between(0, 30));
        }
        await crashEdge(suite);
        clients.forEach(({ client, who }) => say(client, who));
        await sleep(between(0, downMs));
        await restartEdge(suite);
        survived = cycle;
        log(`cycle ${cycle}/${cycles} (${Math.round((Date.now() - began) / 1000)} s)`);
      }
    } finally {
      talking = false;
      await Promise.all(talkers);
    }

    // A last message from each side after the last restart, then everything must settle: nothing
    // pending, and every client and the inbox up to the conversation's last message.
    clients.forEach(({ client, who }) => say(client, who));
    settled = await until(() => sides.every(({ id, visitor, agent }) => {
      const last = Math.max(visitor.client.lastSeq, agent.client.lastSeq);
      return visitor.client.pending.length === 0 && agent.client.pending.length === 0
        && visitor.client.lastSeq === last && agent.client.lastSeq === last
        && inbox.conversations.get(id)?.last_seq === last;
    }), 20_000);
  } finally {
    started.forEach((c) => c.stop());
  }

  // What is stored, read back as an agent opening each conversation afresh (page after page),
  // at the edge's address now (a restart may have moved it).
  const reader = apiClient(suite.edge.base).agent(owner.cookie);
  for (const side of sides) side.stored = await history(reader, site, side.id);
  const fresh = await reader.socket(`/api/v1/workspaces/${site}/connect`);
  fresh.send({ type: 'hello', protocol: 1, after_seq: 0 });
  const listed = new Map((await fresh.nextOf('inbox')).conversations.map((c) => [c.id, c]));
  fresh.close();
  return { cycles, survived, settled, sides, inbox, listed, seconds: Math.round((Date.now() - began) / 1000) };
}

/** Every message of a conversation as an agent's welcome gives it, following pages. */
async function history(agent, site, id) {
  const socket = await agent.socket(`/api/v1/workspaces/${site}/conversations/${id}/connect`);
  const messages = [];
  for (;;) {
    socket.send({ type: 'hello', protocol: 1, after_seq: messages.at(-1)?.seq ?? 0 });
    const page = (await socket.nextOf('welcome')).messages;
    messages.push(...page);
    if (page.length === 0) break;
  }
  socket.close();
  return messages;
}

/** What the run shows: `problems` (each a message lost, duplicated, out of order, or shown or
 * acknowledged wrongly; empty when all is well) and `stats`. */
export function check(run) {
  const problems = [];
  const stats = { cycles: run.survived, seconds: run.seconds, conversations: run.sides.length, sent: 0, stored: 0,
    pendingAtDrop: 0, storedAckLost: 0, resent: 0, transmissions: 0, reconnects: 0, notices: 0 };
  if (run.survived !== run.cycles) problems.push(`survived ${run.survived} of ${run.cycles} cycles`);
  if (!run.settled) problems.push('clients did not settle within 20 s after the last restart');
  for (const { id, stored, visitor, agent } of run.sides) {
    const where = `conversation ${id}`;
    stats.stored += stored.length;
    stored.forEach((m, i) => {
      if (m.seq !== i + 1) problems.push(`${where}: message ${i + 1} has seq ${m.seq} (gaps or disorder)`);
    });
    const ids = new Set(stored.map((m) => m.client_id));
    const bodies = new Set(stored.map((m) => m.body));
    if (ids.size !== stored.length) problems.push(`${where}: a client id is stored twice`);
    if (bodies.size !== stored.length) problems.push(`${where}: a message body is stored twice`);
    const bySeq = new Map(stored.map((m) => [m.seq, m]));
    const byId = new Map(stored.map((m) => [m.client_id, m]));
    const expected = new Map();
    for (const { client, who } of [visitor, agent]) {
      const name = `${where} ${who}`;
      for (const [cid, body] of client.written) expected.set(cid, body);
      stats.sent += client.written.size;
      stats.transmissions += [...client.transmissions.values()].reduce((a, b) => a + b, 0);
      stats.reconnects += client.connections - 1;
      stats.notices += client.notices.length;
      stats.pendingAtDrop += client.droppedPending.size;
      stats.storedAckLost += client.replayedAfterDrop.size;
      stats.resent += client.resentAfterDrop.size;
      for (const [cid, code] of client.refused) problems.push(`${name}: ${cid} refused with ${code}`);
      for (const c of client.contradictions) problems.push(`${name}: ${c}`);
      for (const out of client.pending) problems.push(`${name}: ${out.client_id} still pending at the end`);
      // Every acknowledgement names the stored message.
      for (const [cid, seq] of client.acks) {
        if (bySeq.get(seq)?.client_id !== cid) problems.push(`${name}: ${cid} acknowledged as ${seq}, stored as ${byId.get(cid)?.seq}`);
      }
      // Every message pending when a connection dropped was found stored in the next welcome or
      // sent again.
      for (const cid of client.droppedPending) {
        if (!client.replayedAfterDrop.has(cid) && !client.resentAfterDrop.has(cid) && !client.acks.has(cid)) {
          problems.push(`${name}: ${cid} was pending at a drop and never resent`);
        }
      }
      // What the user sees is exactly the stored conversation, once each, in order.
      const shown = client.lines.map((l) => `${l.seq} ${l.client_id} ${l.body}`);
      const truth = stored.map((m) => `${m.seq} ${m.client_id} ${m.body}`);
      if (shown.join('\n') !== truth.join('\n')) {
        const missing = truth.filter((t) => !shown.includes(t));
        const extra = shown.filter((s) => !truth.includes(s));
        problems.push(`${name}: shows ${shown.length} lines, ${stored.length} stored; missing [${missing.slice(0, 3)}], extra [${extra.slice(0, 3)}]`);
      }
    }
    // Every message either side wrote is stored, exactly once, with its text.
    for (const [cid, body] of expected) {
      if (!byId.has(cid)) problems.push(`${where}: ${cid} (${body}) was lost`);
      else if (byId.get(cid).body !== body) problems.push(`${where}: ${cid} stored with another text`);
    }
    for (const m of stored) if (!expected.has(m.client_id)) problems.push(`${where}: ${m.client_id} stored but never sent`);
    // The agents' list knows the conversation up to its last message, live and afresh.
    const last = stored.at(-1)?.seq ?? 0;
    if (run.inbox.conversations.get(id)?.last_seq !== last) {
      problems.push(`${where}: the live inbox shows last_seq ${run.inbox.conversations.get(id)?.last_seq}, stored ${last}`);
    }
    if (run.listed.get(id)?.last_seq !== last) {
      problems.push(`${where}: a fresh inbox lists last_seq ${run.listed.get(id)?.last_seq}, stored ${last}`);
    }
  }
  return { problems, stats };
}
