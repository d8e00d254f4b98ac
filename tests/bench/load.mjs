// Load command (not part of the suite; loopback only, bounded by its arguments):
//   node tests/bench/load.mjs [--visitors=500] [--rate=250] [--seconds=30] [--inboxes=2]
// Starts its own edge with the worker's DevTools inspector off (scripts/edge-worker.mjs; see
// ../shared/TOOLCHAIN.md for why), signs up a workspace, and opens `visitors` visitor sockets, each
// in a conversation of its own, one agent socket on each of those conversations, and `inboxes`
// inbox sockets of the agent. For `seconds`, the visitors send `rate` messages per second in all,
// taking turns, so each visitor sends every visitors/rate seconds. The clients behave like the
// widget's and the inbox's (tests/support/chat-client.mjs). Then it reads every conversation back
// and reports delivered / lost / duplicated / refused, and p50/p90/p99 latency from the send to
// the ack, to the agent's conversation socket, and to each inbox socket's list update.
// Each visitor has a per-sender limit (RATE_LIMIT messages per RATE_WINDOW in
// edge/src/conversation/logic.rs); the report says whether the schedule stays below it, where any
// refusal is a failure of the edge (exit code 1), as is any message lost or duplicated.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startEdge, stopEdge } from '../../scripts/edge.mjs';
import { client } from '../support/api.mjs';
import { ChatClient, InboxClient } from '../support/chat-client.mjs';

const RATE_LIMIT = 20;
const RATE_WINDOW_S = 10;
const { values: args } = parseArgs({
  options: {
    visitors: { type: 'string', default: '500' },
    rate: { type: 'string', default: '250' },
    seconds: { type: 'string', default: '30' },
    inboxes: { type: 'string', default: '2' },
  },
});
const VISITORS = Number(args.visitors);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const INBOXES = Number(args.inboxes);
// Bounds, so a typo cannot turn this into a flood: the edge is this machine's.
if (!(VISITORS >= 1 && VISITORS <= 2000 && RATE > 0 && RATE <= 5000 && SECONDS > 0 && SECONDS <= 600 && INBOXES >= 0 && INBOXES <= 20)) {
  throw new Error('visitors 1–2000, rate ≤ 5000/s, seconds ≤ 600, inboxes ≤ 20');
}
const perVisitor = RATE / VISITORS;
// A fixed window can hold the sends of one window and the first of the next; below the limit
// means at most RATE_LIMIT sends in any window even so.
const belowLimit = Math.floor(perVisitor * RATE_WINDOW_S) + 1 <= RATE_LIMIT;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (line) => process.stderr.write(`${line}\n`);

/** Runs `task` over `items`, at most `n` at a time. */
async function pool(items, n, task) {
  const queue = [...items.entries()];
  await Promise.all(Array.from({ length: n }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await task(next[1], next[0]);
  }));
}

async function until(done, ms) {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(50);
  return done();
}

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'pvx-load-'));
const edge = await startEdge({ port: await freePort(), stateDir, inspector: false });
const api = client(edge.base);
const wsBase = edge.base.replace('http', 'ws');
const origin = () => edge.base;
/** client_id → { conversation, visitor, first, sentAt, ackAt, seq, agentAt: [] } */
const sends = new Map();
const visitors = [];
const agents = [];
const inboxes = [];
let report;
try {
  const owner = await api.signUp({
    name: 'Load', email: 'load@bench.example', password: 'load bench password', workspace_name: 'Load', website: '127.0.0.1',
  });
  const site = owner.me.workspaces[0].id;
  const headers = { cookie: owner.cookie };

  // Inbox frames are matched to messages afterwards: an update may overtake the ack.
  /** per inbox: conversation id → [[last_seq, at], …] */
  const inboxFrames = [];
  for (let k = 0; k < INBOXES; k++) {
    const frames = new Map();
    inboxFrames.push(frames);
    const inbox = new InboxClient({
      url: () => `${wsBase}/api/v1/workspaces/${site}/connect`, origin, headers,
      onFrame: (msg, at) => {
        if (msg.type !== 'conversation_updated') return;
        const c = msg.conversation;
        if (!frames.has(c.id)) frames.set(c.id, []);
        frames.get(c.id).push([c.last_seq, at]);
      },
    });
    inbox.start();
    inboxes.push(inbox);
  }

  log(`opening ${VISITORS} visitor and ${VISITORS} agent sockets…`);
  const opened = Date.now();
  await pool([...Array(VISITORS).keys()], 16, async (i) => {
    const session = await api.visitorSession(site, 'http://127.0.0.1:1');
    const id = session.conversation_id;
    const visitor = new ChatClient({
      url: () => `${wsBase}/api/v1/sites/${site}/connect?token=${encodeURIComponent(session.token)}`, origin,
      onFrame: (msg, at) => {
        const sent = msg.type === 'ack' && sends.get(msg.client_id);
        if (sent && sent.ackAt === undefined) Object.assign(sent, { ackAt: at, seq: msg.seq });
      },
    });
    visitor.start();
    if (!(await until(() => visitor.ready, 30_000))) throw new Error(`visitor ${i} was not welcomed`);
    const agent = new ChatClient({
      url: () => `${wsBase}/api/v1/workspaces/${site}/conversations/${id}/connect`, origin, headers,
      onFrame: (msg, at) => {
        if (msg.type === 'message') sends.get(msg.message.client_id)?.agentAt.push(at);
      },
    });
    agent.start();
    if (!(await until(() => agent.ready, 30_000))) throw new Error(`agent socket ${i} was not welcomed`);
    visitors[i] = { id, client: visitor };
    agents[i] = agent;
  });
  if (!(await until(() => inboxes.every((i) => i.loaded), 10_000))) throw new Error('inbox sockets were not answered');
  log(`opened in ${((Date.now() - opened) / 1000).toFixed(1)} s; sending ${RATE}/s for ${SECONDS} s ` +
    `(${perVisitor.toFixed(2)}/s per visitor, limit ${RATE_LIMIT} per ${RATE_WINDOW_S} s: ${belowLimit ? 'below' : 'ABOVE'})`);

  // The visitors take turns: message n goes out at start + n / RATE from visitor n mod VISITORS.
  const start = Date.now();
  const total = Math.round(RATE * SECONDS);
  let n = 0;
  while (n < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * RATE) + 1);
    for (; n < due; n++) {
      const { id, client: visitor } = visitors[n % VISITORS];
      const clientId = `c_load${String(n).padStart(8, '0')}`;
      sends.set(clientId, { conversation: id, visitor, first: n < VISITORS, sentAt: Date.now(), agentAt: [] });
      visitor.send(clientId, `load message ${n}`);
    }
    await sleep(5);
  }
  const achieved = total / ((Date.now() - start) / 1000);
  log(`sent ${total} in ${((Date.now() - start) / 1000).toFixed(1)} s; waiting for the last answers…`);
  // Every message acknowledged (or refused) and on its agent socket, or 30 s.
  await until(() => [...sends].every(([clientId, s]) => s.visitor.refused.has(clientId)
    || (s.ackAt !== undefined && s.agentAt.length > 0)), 30_000);
  // The inbox updates follow the acks; a moment for the last ones (and for any duplicate).
  await sleep(1000);

  // What is stored, read back conversation by conversation as an agent opening it.
  log('reading every conversation back…');
  const stored = new Map();
  await pool(visitors, 16, async ({ id }) => {
    const socket = await owner.socket(`/api/v1/workspaces/${site}/conversations/${id}/connect`);
    const messages = [];
    for (;;) {
      socket.send({ type: 'hello', protocol: 1, after_seq: messages.at(-1)?.seq ?? 0 });
      const page = (await socket.nextOf('welcome', () => true)).messages;
      if (page.length === 0) break;
      messages.push(...page);
    }
    socket.close();
    stored.set(id, messages);
  });

  const storedCount = new Map();
  for (const messages of stored.values()) {
    for (const m of messages) storedCount.set(m.client_id, (storedCount.get(m.client_id) ?? 0) + 1);
  }
  const refused = new Map();
  for (const { client: v } of visitors) for (const [, code] of v.refused) refused.set(code, (refused.get(code) ?? 0) + 1);
  const refusedIds = new Set(visitors.flatMap(({ client: v }) => [...v.refused.keys()]));
  let delivered = 0, lost = 0, duplicated = 0, agentMissing = 0, agentTwice = 0;
  // Latencies in three groups: all, each conversation's first message (which wakes the
  // conversation's and the visitor's objects and adds the conversation to the workspace's index,
  // so costs more), and the later ones.
  const groups = { all: [], first: [], later: [] };
  const latencies = () => ({ ack: [], agent: [], inbox: [] });
  for (const g of Object.keys(groups)) groups[g] = latencies();
  for (const [clientId, s] of sends) {
    const copies = storedCount.get(clientId) ?? 0;
    if (refusedIds.has(clientId)) continue;
    if (copies === 0) lost += 1;
    if (copies > 1) duplicated += 1;
    if (copies === 1 && s.ackAt !== undefined) delivered += 1;
    if (s.agentAt.length === 0) agentMissing += 1;
    if (s.agentAt.length > 1) agentTwice += 1;
    for (const g of [groups.all, s.first ? groups.first : groups.later]) {
      if (s.ackAt !== undefined) g.ack.push(s.ackAt - s.sentAt);
      if (s.agentAt.length > 0) g.agent.push(s.agentAt[0] - s.sentAt);
      if (s.seq === undefined) continue;
      for (const frames of inboxFrames) {
        const shown = (frames.get(s.conversation) ?? []).find(([lastSeq]) => lastSeq >= s.seq);
        if (shown) g.inbox.push(shown[1] - s.sentAt);
      }
    }
  }
  const notices = [...visitors.map((v) => v.client), ...agents].reduce((a, c) => a + c.notices.length, 0);
  const reconnects = [...visitors.map((v) => v.client), ...agents, ...inboxes].reduce((a, c) => a + c.connections - 1, 0);
  report = {
    total, achieved, delivered, lost, duplicated, refused, agentMissing, agentTwice, notices, reconnects,
    groups, inboxExpected: (total - refusedIds.size) * INBOXES,
  };
} finally {
  [...visitors.map((v) => v?.client), ...agents, ...inboxes].forEach((c) => c?.stop());
  await stopEdge(edge);
  rmSync(stateDir, { recursive: true, force: true });
}

/** "p50/p90/p99/max" in ms. */
const pct = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? NaN;
  return `${q(0.5)}/${q(0.9)}/${q(0.99)}/${s.at(-1)}`;
};
const r = report;
const refusedTotal = [...r.refused.values()].reduce((a, b) => a + b, 0);
console.log(`load: ${VISITORS} visitors in ${VISITORS} conversations, ${VISITORS} agent sockets, ${INBOXES} inbox sockets; ` +
  `wrangler's JS API with the inspector off, loopback, ${os.cpus().length} cores`);
console.log(`  rate ${RATE}/s asked, ${r.achieved.toFixed(0)}/s sent, for ${SECONDS} s; ${perVisitor.toFixed(2)} per visitor per s ` +
  `(${belowLimit ? 'below' : 'above'} the limit of ${RATE_LIMIT} per ${RATE_WINDOW_S} s)`);
console.log(`  sent ${r.total}, delivered ${r.delivered}, lost ${r.lost}, duplicated ${r.duplicated}, ` +
  `refused ${refusedTotal}${refusedTotal ? ` ${JSON.stringify(Object.fromEntries(r.refused))}` : ''}`);
console.log(`  agent sockets: missing ${r.agentMissing}, received twice ${r.agentTwice}; error notices ${r.notices}; ` +
  `reconnects ${r.reconnects}`);
console.log(`  inbox updates ${r.groups.all.inbox.length} of ${r.inboxExpected}; latency from the send, ms p50/p90/p99/max:`);
console.log(`  ${'messages'.padEnd(36)}${'ack'.padEnd(26)}${'agent socket'.padEnd(26)}inbox list`);
for (const [name, g] of [['all', r.groups.all], ['first of each conversation', r.groups.first], ['later', r.groups.later]]) {
  console.log(`  ${`${name} (${g.ack.length})`.padEnd(36)}${`${pct(g.ack)} `.padEnd(26)}${`${pct(g.agent)} `.padEnd(26)}${pct(g.inbox)}`);
}
const failed = r.lost > 0 || r.duplicated > 0 || r.agentTwice > 0 || (belowLimit && refusedTotal > 0);
process.exitCode = failed ? 1 : 0;
