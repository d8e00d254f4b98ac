// Starts and stops the real edge (`wrangler dev`: workerd with Durable Objects persisted on disk)
// and seeds workspaces through the operator API. Used by scripts/run.mjs, and by the end-to-end
// tests and benchmarks through tests/support (tests may import from scripts/, never the reverse).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts `wrangler dev` in its own process group on `port`, state under `stateDir`; `vars`
 * override the worker's variables (e.g. `RETENTION_DAY_MS` to make retention days short). */
export async function startEdge({ port, stateDir, log = 'ignore', vars = {} }) {
  const wrangler = path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', stateDir,
    // workerd does not implement Durable Object jurisdictions; production (wrangler.toml) does.
    '--var', 'DEMO_PAGE:on', '--var', 'JURISDICTIONS:off', '--log-level', 'warn',
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])];
  const child = spawn(process.execPath, [wrangler, ...args], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, ...OFFLINE, XDG_CONFIG_HOME: path.join(stateDir, 'config') },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/widget.js`);
      if (res.ok) return { port, base, edge: `http://localhost:${port}`, child, exited };
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
