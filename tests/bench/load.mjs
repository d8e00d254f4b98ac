// Load command (not part of the suite; loopback only, bounded by its arguments):
//   node tests/bench/load.mjs [--visitors=500] [--rate=250] [--seconds=30] [--inboxes=2] [--only=both|product|relay]
//     [--state=DIR] [--warmup=SECONDS] [--profile=FILE.cpuprofile]
// `--warmup` sends at the same pace for that long before the measured seconds (not counted): the
// figures are then those of a site that has been busy for a while, every conversation started,
// rather than of 600 conversations all starting within their first turn.
// Runs the product and a bare relay (tests/bench/relay: one Durable Object per conversation that
// inserts each message into SQLite and broadcasts it, a few dozen lines) with the same visitors,
// rate and seconds, one after the other in the same run: first the relay, then the product, each in
// a fresh worker process (its own process group and state directory) started through wrangler's JS
// API with the DevTools inspector off (scripts/edge-worker.mjs; see ../shared/TOOLCHAIN.md for
// why). One after the other rather than interleaved so that neither worker's CPU and memory are
// counted in the other's figures; the relay first because it is short (no read-back). The relay is
// built first when its build is missing or older than its sources (`build_relay` in
// scripts/lib.sh); the product must be built already (scripts/run or scripts/test build it).
//
// Product: signs up a workspace and opens `visitors` visitor sockets, each in a conversation of its
// own, one agent socket on each of those conversations, and `inboxes` inbox sockets of the agent.
// The clients behave like the widget's and the inbox's (tests/support/chat-client.mjs). Relay: one
// visitor socket and one "agent" socket per conversation (plain sockets, frames
// `{client_id, body}` out, `ack` and `message` in). For `seconds`, the visitors send `rate`
// messages per second in all, taking turns, so each visitor sends every visitors/rate seconds.
// Then the product's conversations are read back: delivered / lost / duplicated / refused count
// what is stored; the relay has no read API, so there a message is lost when its ack or its copy on
// the agent socket never came, and duplicated when either came twice.
//
// Measured for both: delivered msg/s (messages delivered ÷ the time from the first send to the
// last delivery, so a worker that falls behind shows its real pace), p50/p90/p99 latency from the
// send to the ack, to the agent's conversation socket and (product only) to each inbox socket's list
// update; CPU per message (utime + stime of every process of the worker's process group — wrangler's
// Node process and both workerd processes — from /proc, from the first send until every answer
// came plus 1 s, divided by the messages delivered); peak RSS (VmHWM) of the workerd processes,
// summed; and how many 100 ms stretches held an ack slower than 25 ms (pauses of the whole runtime,
// which every conversation waits through at once: they, not queues, set both workers' p99s). Then
// one table: product, relay, and product ÷ relay.
// The workers' SQLite files live in a fresh directory under `--state` (default the OS temp dir, on
// disk). The local runtime commits each Durable Object event with an fsync on its main thread, so on
// a disk with slow fsyncs both workers are bound by the disk, not the CPU; `--state=/dev/shm`
// (tmpfs) takes the disk out and leaves the runtime's own work. `--profile=FILE` writes a CPU profile
// of the product's runtime over the measured seconds (Chrome's format; profile.mjs) and prints what
// it says of the garbage collector's pauses and where the time went.
// Each product visitor has a per-sender limit (RATE_LIMIT messages per RATE_WINDOW in
// edge/src/conversation/logic.rs); the report says whether the schedule stays below it, where any
// refusal is a failure of the edge (exit code 1), as is any product message lost or duplicated.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { freePort, groupMembers, ROOT, startEdge, stopEdge } from '../../scripts/edge.mjs';
import { client } from '../support/api.mjs';
import { ChatClient, InboxClient } from '../support/chat-client.mjs';
import { profiledRuntime, startProfile, summarize } from './profile.mjs';

const RATE_LIMIT = 20;
const RATE_WINDOW_S = 10;
const { values: args } = parseArgs({
  options: {
    visitors: { type: 'string', default: '500' },
    rate: { type: 'string', default: '250' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '0' },
    inboxes: { type: 'string', default: '2' },
    only: { type: 'string', default: 'both' },
    state: { type: 'string', default: os.tmpdir() },
    profile: { type: 'string' },
  },
});
const VISITORS = Number(args.visitors);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const INBOXES = Number(args.inboxes);
const ONLY = args.only;
// Bounds, so a typo cannot turn this into a flood: the edge is this machine's.
if (!(VISITORS >= 1 && VISITORS <= 2000 && RATE > 0 && RATE <= 5000 && SECONDS > 0 && SECONDS <= 600 && INBOXES >= 0 && INBOXES <= 20
  && WARMUP >= 0 && WARMUP <= 600)) {
  throw new Error('visitors 1–2000, rate ≤ 5000/s, seconds ≤ 600, warmup ≤ 600, inboxes ≤ 20');
}
if (!['both', 'product', 'relay'].includes(ONLY)) throw new Error('--only=both|product|relay');
const perVisitor = RATE / VISITORS;
// A fixed window can hold the sends of one window and the first of the next; below the limit
// means at most RATE_LIMIT sends in any window even so.
const belowLimit = Math.floor(perVisitor * RATE_WINDOW_S) + 1 <= RATE_LIMIT;
const total = Math.round(RATE * SECONDS);
/** Messages sent at the same pace before the measured ones (`--warmup`), not counted. */
const warmTotal = Math.round(RATE * WARMUP);
/** How long to wait after the last send for the last answers. */
const DRAIN_MS = 60_000;

const RELAY_DIR = path.join(ROOT, 'tests/bench/relay');
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

/** Builds the relay when its build is missing or older than any of its sources. */
function ensureRelayBuilt() {
  const built = path.join(RELAY_DIR, 'build/index.js');
  const sources = ['Cargo.toml', 'Cargo.lock', ...readdirSync(path.join(RELAY_DIR, 'src'), { recursive: true })
    .map((f) => path.join('src', f))].map((f) => path.join(RELAY_DIR, f));
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  log('building the relay (build_relay in scripts/lib.sh)…');
  // Its output goes to stderr: stdout is the report.
  const res = spawnSync('bash', ['-c', 'source scripts/lib.sh && build_relay'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (res.status !== 0) throw new Error(`building the relay failed (${res.status})`);
}

// CPU and memory of a worker: every process of its group, from /proc.
const TICK_MS = 1000 / (Number(spawnSync('getconf', ['CLK_TCK']).stdout) || 100);
/** Name → pid → [utime + stime in ms, peak RSS in KiB] of each live process of group `pgid`. */
function groupUsage(pgid) {
  const usage = [];
  for (const pid of groupMembers(pgid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // After the name: state is field 3, utime and stime fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cpuMs = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
      const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      usage.push({ pid, name, cpuMs, hwm });
    } catch { /* exited while we looked */ }
  }
  return usage;
}

/** CPU used by the group between two `groupUsage` snapshots, in all and by process name. */
function cpuBetween(before, after) {
  const byName = {};
  let all = 0;
  for (const p of after) {
    const used = p.cpuMs - (before.find((b) => b.pid === p.pid)?.cpuMs ?? 0);
    byName[p.name] = (byName[p.name] ?? 0) + used;
    all += used;
  }
  return { all, byName };
}

/** Sends message n of `count` at start + n / RATE; returns when all went out. */
async function schedule(sendOne, count = total) {
  const start = Date.now();
  let n = 0;
  while (n < count) {
    const due = Math.min(count, Math.floor(((Date.now() - start) / 1000) * RATE) + 1);
    for (; n < due; n++) sendOne(n);
    await sleep(5);
  }
  const achieved = count / ((Date.now() - start) / 1000);
  log(`sent ${count} in ${((Date.now() - start) / 1000).toFixed(1)} s${count === total ? '; waiting for the last answers…' : ''}`);
  return { start, achieved };
}

/** With `--warmup`: the same pace for that long first (every conversation started, every object
 * awake, as on a site that has been busy for a while), straight into the measured messages, which
 * continue the visitors' turns. `sendOne(n, clientId)` sends the n-th message of the whole run. */
async function warmUp(sendOne) {
  if (warmTotal === 0) return;
  log(`warming up: ${RATE}/s for ${WARMUP} s, not measured`);
  await schedule((n) => sendOne(n, `c_warm${String(n).padStart(8, '0')}`), warmTotal);
}

/** The figures both runs share, from `sends` (client_id → { sentAt, ackAt, agentAt: [] }). */
function shared(sends, start, delivered, cpu, usage) {
  let last = start;
  for (const s of sends.values()) {
    if (s.ackAt !== undefined) last = Math.max(last, s.ackAt);
    if (s.agentAt.length > 0) last = Math.max(last, s.agentAt[0]);
  }
  const rss = usage.filter((p) => p.name === 'workerd').reduce((a, p) => a + p.hwm, 0) / 1024;
  return { deliveredPerS: delivered / ((last - start) / 1000), cpu, cpuPerMsg: cpu.all / delivered, rss, pauses: pauses(sends, start) };
}

/** Pauses of the whole runtime, which set the p99s of both workers: the 100 ms windows (by send
 * time) in which some ack took longer than `PAUSE_MS`. Every conversation's messages wait in them
 * at once, unlike a queue that builds up in one object. */
const PAUSE_MS = 25;
function pauses(sends, start) {
  const slow = new Set();
  for (const s of sends.values()) {
    if (s.ackAt !== undefined && s.ackAt - s.sentAt > PAUSE_MS) slow.add(Math.floor((s.sentAt - start) / 100));
  }
  return slow.size;
}

/** A worker in a fresh state directory; `run(worker)` with it, then it is stopped. */
async function withWorker(options, run) {
  const stateDir = mkdtempSync(path.join(args.state, 'pvx-load-'));
  try {
    const worker = await startEdge({ port: await freePort(), stateDir, inspector: false, ...options });
    try {
      return await run(worker);
    } finally {
      await stopEdge(worker);
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function runProduct() {
  // --profile: the runtime started with its own inspector (see profile.mjs), for this worker only.
  const dir = args.profile && mkdtempSync(path.join(os.tmpdir(), 'pvx-profile-'));
  const profiled = dir && profiledRuntime(dir);
  if (profiled) Object.assign(process.env, profiled.env);
  try {
    return await measureProduct(profiled);
  } finally {
    if (profiled) for (const key of Object.keys(profiled.env)) delete process.env[key];
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

async function measureProduct(profiled) {
  return withWorker({}, async (edge) => {
    const api = client(edge.base);
    const wsBase = edge.base.replace('http', 'ws');
    const origin = () => edge.base;
    /** client_id → { conversation, visitor, first, sentAt, ackAt, seq, agentAt: [] } */
    const sends = new Map();
    const visitors = [];
    const agents = [];
    const inboxes = [];
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
            if (msg.type !== 'conversations_updated') return;
            for (const c of msg.conversations) {
              if (!frames.has(c.id)) frames.set(c.id, []);
              frames.get(c.id).push([c.last_seq, at]);
            }
          },
        });
        inbox.start();
        inboxes.push(inbox);
      }

      log(`product: opening ${VISITORS} visitor and ${VISITORS} agent sockets…`);
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
      log(`opened in ${((Date.now() - opened) / 1000).toFixed(1)} s; load average ${os.loadavg()[0].toFixed(2)}; ` +
        `sending ${RATE}/s for ${SECONDS} s ` +
        `(${perVisitor.toFixed(2)}/s per visitor, limit ${RATE_LIMIT} per ${RATE_WINDOW_S} s: ${belowLimit ? 'below' : 'ABOVE'})`);

      await warmUp((n, clientId) => visitors[n % VISITORS].client.send(clientId, `warm-up message ${n}`));
      const profiler = profiled && await startProfile(profiled.ports);
      const before = groupUsage(edge.child.pid);
      const { start, achieved } = await schedule((n) => {
        const { id, client: visitor } = visitors[(warmTotal + n) % VISITORS];
        const clientId = `c_load${String(n).padStart(8, '0')}`;
        sends.set(clientId, { conversation: id, visitor, first: warmTotal + n < VISITORS, sentAt: Date.now(), agentAt: [] });
        visitor.send(clientId, `load message ${n}`);
      });
      // Every message acknowledged (or refused) and on its agent socket, or DRAIN_MS.
      await until(() => [...sends].every(([clientId, s]) => s.visitor.refused.has(clientId)
        || (s.ackAt !== undefined && s.agentAt.length > 0)), DRAIN_MS);
      // The inbox updates follow the acks; a moment for the last ones (and for any duplicate).
      await sleep(1000);
      const usage = groupUsage(edge.child.pid);
      const cpu = cpuBetween(before, usage);
      const profile = profiler && await profiler.stop();
      if (profile) writeFileSync(args.profile, JSON.stringify(profile));

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
      return {
        achieved, delivered, lost, duplicated, refused, agentMissing, agentTwice, notices, reconnects,
        groups, inboxExpected: (total - refusedIds.size) * INBOXES, ...shared(sends, start, delivered, cpu, usage),
        profile: profile && summarize(profile),
      };
    } finally {
      [...visitors.map((v) => v?.client), ...agents, ...inboxes].forEach((c) => c?.stop());
    }
  });
}

/** A plain socket to the relay's conversation `c`; `onFrame(msg, at)` gets each parsed frame. */
async function relaySocket(wsBase, c, onFrame) {
  const ws = new WebSocket(`${wsBase}/?c=${encodeURIComponent(c)}`);
  ws.on('message', (data) => {
    const at = Date.now();
    let msg;
    try { msg = JSON.parse(String(data)); } catch { return; }
    onFrame(msg, at);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.on('error', () => {});
  ws.on('close', () => { ws.closedEarly ??= !ws.stopping; });
  return ws;
}

async function runRelay() {
  ensureRelayBuilt();
  return withWorker({ config: 'tests/bench/relay/wrangler.toml', readyPath: '/' }, async (relay) => {
    const wsBase = relay.base.replace('http', 'ws');
    /** client_id → { sentAt, ackAt, acks, agentAt: [] } */
    const sends = new Map();
    const visitors = [];
    const agents = [];
    try {
      log(`relay: opening ${VISITORS} visitor and ${VISITORS} agent sockets…`);
      const opened = Date.now();
      await pool([...Array(VISITORS).keys()], 16, async (i) => {
        visitors[i] = await relaySocket(wsBase, `conv${i}`, (msg, at) => {
          const sent = msg.t === 'ack' && sends.get(msg.client_id);
          if (!sent) return;
          sent.acks += 1;
          sent.ackAt ??= at;
        });
        agents[i] = await relaySocket(wsBase, `conv${i}`, (msg, at) => {
          if (msg.t === 'message') sends.get(msg.client_id)?.agentAt.push(at);
        });
      });
      log(`opened in ${((Date.now() - opened) / 1000).toFixed(1)} s; load average ${os.loadavg()[0].toFixed(2)}; ` +
        `sending ${RATE}/s for ${SECONDS} s`);

      await warmUp((n, clientId) => visitors[n % VISITORS].send(JSON.stringify({ client_id: clientId, body: `warm-up message ${n}` })));
      const before = groupUsage(relay.child.pid);
      const { start, achieved } = await schedule((n) => {
        const clientId = `c_load${String(n).padStart(8, '0')}`;
        sends.set(clientId, { sentAt: Date.now(), acks: 0, agentAt: [] });
        visitors[(warmTotal + n) % VISITORS].send(JSON.stringify({ client_id: clientId, body: `load message ${n}` }));
      });
      await until(() => [...sends.values()].every((s) => s.ackAt !== undefined && s.agentAt.length > 0), DRAIN_MS);
      // As for the product: a moment for any duplicate.
      await sleep(1000);
      const usage = groupUsage(relay.child.pid);
      const cpu = cpuBetween(before, usage);

      let delivered = 0, lost = 0, duplicated = 0, agentMissing = 0, agentTwice = 0;
      const all = { ack: [], agent: [], inbox: [] };
      for (const s of sends.values()) {
        if (s.ackAt === undefined || s.agentAt.length === 0) lost += 1;
        else delivered += 1;
        if (s.acks > 1 || s.agentAt.length > 1) duplicated += 1;
        if (s.agentAt.length === 0) agentMissing += 1;
        if (s.agentAt.length > 1) agentTwice += 1;
        if (s.ackAt !== undefined) all.ack.push(s.ackAt - s.sentAt);
        if (s.agentAt.length > 0) all.agent.push(s.agentAt[0] - s.sentAt);
      }
      const closed = [...visitors, ...agents].filter((ws) => ws.closedEarly).length;
      return {
        achieved, delivered, lost, duplicated, agentMissing, agentTwice, closed, groups: { all },
        ...shared(sends, start, delivered, cpu, usage),
      };
    } finally {
      for (const ws of [...visitors, ...agents]) {
        if (!ws) continue;
        ws.stopping = true;
        ws.terminate();
      }
    }
  });
}

const relay = ONLY === 'product' ? null : await runRelay();
const product = ONLY === 'relay' ? null : await runProduct();

/** [p50, p90, p99, max] in ms. */
const quantiles = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? NaN;
  return [q(0.5), q(0.9), q(0.99), s.at(-1) ?? NaN];
};
/** "p50/p90/p99/max" in ms. */
const pct = (xs) => quantiles(xs).join('/');
const cpuLine = (r) => `  CPU ${r.cpuPerMsg.toFixed(3)} ms per message delivered (${Object.entries(r.cpu.byName)
  .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(2)} s`).join(', ')}); peak RSS of workerd ${r.rss.toFixed(0)} MB; ` +
  `delivered ${r.deliveredPerS.toFixed(0)} msg/s`;

console.log(`load: ${VISITORS} visitors in ${VISITORS} conversations, ${VISITORS} agent sockets` +
  `${product ? `, ${INBOXES} inbox sockets (product)` : ''}; rate ${RATE}/s for ${SECONDS} s` +
  `${WARMUP ? ` after ${WARMUP} s of warm-up` : ''}; ` +
  `wrangler's JS API with the inspector off, loopback, ${os.cpus().length} cores; state under ${args.state}`);
if (relay) {
  const r = relay;
  console.log(`relay (tests/bench/relay):`);
  console.log(`  rate ${RATE}/s asked, ${r.achieved.toFixed(0)}/s sent; sent ${total}, delivered ${r.delivered}, ` +
    `lost ${r.lost}, duplicated ${r.duplicated}; agent sockets: missing ${r.agentMissing}, received twice ${r.agentTwice}; ` +
    `sockets closed early ${r.closed}`);
  console.log(cpuLine(r));
  console.log(`  latency from the send, ms p50/p90/p99/max: ack ${pct(r.groups.all.ack)}, agent socket ${pct(r.groups.all.agent)}`);
}
let failed = false;
if (product) {
  const r = product;
  const refusedTotal = [...r.refused.values()].reduce((a, b) => a + b, 0);
  console.log(`product:`);
  console.log(`  rate ${RATE}/s asked, ${r.achieved.toFixed(0)}/s sent, for ${SECONDS} s; ${perVisitor.toFixed(2)} per visitor per s ` +
    `(${belowLimit ? 'below' : 'above'} the limit of ${RATE_LIMIT} per ${RATE_WINDOW_S} s)`);
  console.log(`  sent ${total}, delivered ${r.delivered}, lost ${r.lost}, duplicated ${r.duplicated}, ` +
    `refused ${refusedTotal}${refusedTotal ? ` ${JSON.stringify(Object.fromEntries(r.refused))}` : ''}`);
  console.log(`  agent sockets: missing ${r.agentMissing}, received twice ${r.agentTwice}; error notices ${r.notices}; ` +
    `reconnects ${r.reconnects}`);
  console.log(cpuLine(r));
  console.log(`  inbox updates ${r.groups.all.inbox.length} of ${r.inboxExpected}; latency from the send, ms p50/p90/p99/max:`);
  console.log(`  ${'messages'.padEnd(36)}${'ack'.padEnd(26)}${'agent socket'.padEnd(26)}inbox list`);
  for (const [name, g] of [['all', r.groups.all], ['first of each conversation', r.groups.first], ['later', r.groups.later]]) {
    console.log(`  ${`${name} (${g.ack.length})`.padEnd(36)}${`${pct(g.ack)} `.padEnd(26)}${`${pct(g.agent)} `.padEnd(26)}${pct(g.inbox)}`);
  }
  if (r.profile) {
    const p = r.profile;
    console.log(`  CPU profile of the runtime's isolate (${args.profile}; sampling costs CPU: this run's CPU figures ` +
      `are not comparable): ${p.seconds.toFixed(1)} s sampled; the garbage collector ${p.gcShare.toFixed(1)} %, ` +
      `${p.pauses.length} pauses over 5 ms (longest ${p.pauses.slice(0, 5).map((ms) => ms.toFixed(0)).join(', ') || '—'} ms)`);
    console.log(`  most self time: ${p.top.join(', ')}`);
  }
  failed = r.lost > 0 || r.duplicated > 0 || r.agentTwice > 0 || (belowLimit && refusedTotal > 0);
}

// Side by side: each figure of the product, of the relay, and product ÷ relay.
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : '—');
const rows = [];
const row = (name, pick, digits = 0) => {
  const [p, r] = [product, relay].map((x) => (x ? pick(x) : NaN));
  rows.push([name, fmt(p, digits), fmt(r, digits), ratio(p, r)]);
};
row('delivered msg/s', (x) => x.deliveredPerS);
for (const [label, key] of [['ack', 'ack'], ['agent socket', 'agent'], ['inbox list', 'inbox']]) {
  ['p50', 'p90', 'p99'].forEach((q, i) => row(`${label} ${q} ms`, (x) => quantiles(x.groups.all[key])[i]));
}
row(`100-ms pauses > ${PAUSE_MS} ms`, (x) => x.pauses);
row('CPU ms per message', (x) => x.cpuPerMsg, 3);
row('  of which workerd', (x) => (x.cpu.byName.workerd ?? 0) / x.delivered, 3);
row('peak RSS MB (workerd)', (x) => x.rss);
const widths = [24, 12, 12, 14];
console.log(`\n${['', 'product', 'relay', 'product/relay'].map((c, i) => c.padEnd(widths[i])).join('')}`);
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join(''));
process.exitCode = failed ? 1 : 0;
