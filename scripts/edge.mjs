// Starts and stops the real edge (`wrangler dev`: workerd with Durable Objects persisted on disk)
// and seeds workspaces through the operator API. Used by scripts/run.mjs, and by the end-to-end
// tests and benchmarks through tests/support (tests may import from scripts/, never the reverse).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// No metrics, no error reports, no cf lookup: wrangler then opens nothing beyond loopback.
const OFFLINE = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
};

export function devVars() {
  const text = readFileSync(path.join(ROOT, '.dev.vars'), 'utf8');
  return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => {
    const i = l.indexOf('=');
    return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
  }));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Whether something listens on `port` on the loopback address. */
export function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts `wrangler dev` in its own process group on `port`, state under `stateDir`; `vars`
 * override the worker's variables (e.g. `RETENTION_DAY_MS` to make retention days short).
 * `inspector: false` starts the same worker through wrangler's JS API without the DevTools
 * inspector (scripts/edge-worker.mjs), for benchmarks. `config` runs another worker instead of
 * the product (the load benchmark's relay, tests/bench/relay/wrangler.toml): then no product
 * variables are added, and it is ready when `readyPath` answers 200. Without the inspector,
 * `entrypoint` may name another build's index.js than wrangler.toml's (a benchmark comparing two
 * builds). */
export async function startEdge({
  port, stateDir, log = 'ignore', vars = {}, inspector = true, config = null, readyPath = '/widget.js', entrypoint,
}) {
  if (entrypoint && inspector) throw new Error('startEdge: entrypoint needs inspector: false');
  // workerd does not implement Durable Object jurisdictions; production (wrangler.toml) does.
  // WEBHOOKS_LOOPBACK: local runs may send webhooks to a receiver on this machine (plain http,
  // 127.0.0.1); production allows https to public addresses only (edge/src/webhooks/address.rs).
  const allVars = config ? vars : {
    DEMO_PAGE: 'on', JURISDICTIONS: 'off', WEBHOOKS_LOOPBACK: 'on', PUBLIC_ORIGIN: `http://localhost:${port}`, ...vars,
  };
  const wrangler = path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
  const args = inspector
    ? [wrangler, 'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', stateDir, '--log-level', 'warn',
      ...(config ? ['--config', config] : []),
      ...Object.entries(allVars).flatMap(([k, v]) => ['--var', `${k}:${v}`])]
    : [path.join(ROOT, 'scripts/edge-worker.mjs')];
  // The runtime's temporary files, the simulated `send_email` binding's messages among them
  // (tests/support/mail.mjs reads them), stay with the state.
  const tmp = path.join(stateDir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // Its own process group: wrangler starts two workerd processes, and only a signal to the
    // whole group is sure to reach them (see stopEdge and killEdge).
    detached: true,
    env: {
      ...process.env, ...OFFLINE, XDG_CONFIG_HOME: path.join(stateDir, 'config'), TMPDIR: tmp,
      PVX_EDGE: JSON.stringify({ port, stateDir, vars: allVars, config, entrypoint }),
    },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${base}${readyPath}`);
      if (res.ok) return { port, base, edge: `http://localhost:${port}`, child, exited, stateDir };
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  await stopEdge({ child, exited, port });
  throw new Error('wrangler dev did not become ready in 60 s');
}

/** Stops the whole process group (wrangler and both workerd processes) and waits for the port. */
export async function stopEdge({ child, exited, port }) {
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
  const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!done) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }
  for (let i = 0; i < 100 && (await portOpen(port)); i++) await sleep(100);
}

/** Pids of the live processes in process group `pgid` (from /proc; zombies count as gone). */
export function groupMembers(pgid) {
  const pids = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // Fields after the command name (which may hold spaces and parentheses): state, ppid, pgrp.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') pids.push(Number(pid));
    } catch { /* exited while we looked */ }
  }
  return pids;
}

/** Pids of processes holding a file under `dir` open (say, the Durable Objects' SQLite files). */
export function processesHolding(dir) {
  const holders = new Set();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds;
    try { fds = readdirSync(`/proc/${pid}/fd`); } catch { continue; }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(`${dir}/`)) holders.add(Number(pid));
      } catch { /* closed while we looked */ }
    }
  }
  return [...holders];
}

/**
 * Crashes the edge: SIGKILL to its whole process group (wrangler's Node process and both workerd
 * processes at once, as a machine losing power would; nothing gets to flush or say goodbye), then
 * waits until no process of the group is left, none holds a file of its state, and the port is
 * free, so a restart on the same state and port finds them as the crash left them. Throws if that
 * takes more than 10 s (an orphan would make the next start fail or share the SQLite files).
 */
export async function killEdge({ child, exited, port, stateDir }) {
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
  await Promise.race([exited, sleep(10_000)]);
  for (let i = 0; i < 100; i++) {
    const left = groupMembers(child.pid);
    const holding = stateDir ? processesHolding(stateDir) : [];
    if (left.length === 0 && holding.length === 0 && !(await portOpen(port))) return;
    await sleep(100);
  }
  throw new Error(`after SIGKILL, group ${child.pid} still has ${groupMembers(child.pid)} or port ${port} is taken`);
}

/** Creates (or updates) a workspace and its owner through the operator API. */
export async function seedWorkspace(base, { site, name, greeting, allowedDomains, policyUrl, owner }) {
  const res = await fetch(`${base}/api/v1/admin/workspaces`, {
    method: 'POST',
    headers: { authorization: `Bearer ${devVars().ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ site, name, greeting, allowed_domains: allowedDomains, policy_url: policyUrl, owner }),
  });
  if (res.status !== 201) throw new Error(`seeding ${site}: ${res.status} ${await res.text()}`);
}

export const DEMO = {
  site: 'demo',
  name: 'Demo Shop',
  greeting: 'Hi! Ask us anything about orders, shipping or returns.',
  allowedDomains: ['127.0.0.1', 'localhost'],
  agentEmail: 'agent@demo.provixchat.test',
  agentName: 'Dana',
};

export function seedDemo(base, password) {
  return seedWorkspace(base, {
    site: DEMO.site, name: DEMO.name, greeting: DEMO.greeting, allowedDomains: DEMO.allowedDomains,
    policyUrl: `${base}/demo?page=privacy`, owner: { email: DEMO.agentEmail, name: DEMO.agentName, password },
  });
}
