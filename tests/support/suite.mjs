// The set-up every end-to-end file shares: the real edge (scripts/edge.mjs) with its state in a
// fresh folder, a client for its API, and (unless a file only talks to the API) headless
// Chromium; optionally the demo workspace and a customer's site on another loopback port. All of
// it is stopped afterwards in the reverse order (Chromium first, the edge last).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DEMO, ROOT, freePort, killEdge, portOpen, seedDemo, seedWorkspace, startEdge, stopEdge } from '../../scripts/edge.mjs';
import { client } from './api.mjs';
import { launch } from './browser.mjs';

export { DEMO, seedWorkspace };

/** The path of the screenshot `name` in tests/artifacts (git-ignored), the folder made if needed. */
export function artifact(name) {
  const dir = path.join(ROOT, 'tests/artifacts');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

/** Serves a customer's pages on a loopback port of its own (another origin than the edge):
 * `pageAt(pathname)` answers the HTML, or nothing for a 404. */
async function serveHost(pageAt) {
  const server = createServer((req, res) => {
    const body = pageAt(new URL(req.url, 'http://x').pathname);
    if (body) res.writeHead(200, { 'content-type': 'text/html' }).end(body);
    else res.writeHead(404).end();
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${port}` };
}

function edgeOptions(suite) {
  return { port: suite.port, stateDir: suite.stateDir, vars: suite.vars, log: process.env.EDGE_LOG ? 'inherit' : 'ignore' };
}

/**
 * Starts the edge with its state under a temporary `pvx-NAME-` folder. Answers the suite:
 * `{ edge, api, browser, owner, site, host, port, stateDir }`. Options:
 * - `browser` (true): launch Chromium; `false` for files that only talk to the API;
 * - `demo`: a password: seeds the demo workspace (DEMO) with its agent signing in with it;
 * - `vars`: the worker's variables, e.g. `{ RETENTION_DAY_MS: '1000' }` for short retention days;
 * - `owner`: a sign-up (name, email, password, workspace_name, website): the owner signed in
 *   through the API as `suite.owner`, their new workspace's id as `suite.site`;
 * - `pages`: `pathname => html`: a customer's site, served at `suite.host`.
 * EDGE_LOG=1 in the environment shows wrangler's output.
 */
export async function startSuite(name, { browser = true, demo, vars = {}, owner, pages } = {}) {
  const suite = { port: await freePort(), stateDir: mkdtempSync(path.join(os.tmpdir(), `pvx-${name}-`)), vars };
  try {
    suite.edge = await startEdge(edgeOptions(suite));
    suite.api = client(suite.edge.base);
    if (demo !== undefined) await seedDemo(suite.edge.base, demo);
    if (owner) {
      suite.owner = await suite.api.signUp(owner);
      suite.site = suite.owner.me.workspaces[0].id;
    }
    if (pages) {
      suite.hostServer = await serveHost(pages);
      suite.host = suite.hostServer.url;
    }
    if (browser) suite.browser = await launch();
  } catch (e) {
    await stopSuite(suite);
    throw e;
  }
  return suite;
}

/** Stops the edge and starts it again on the same port and state (a restart of the server).
 * After `crashEdge` it only starts it again; should another program have taken the port while
 * the edge was down, it moves to a free one (`suite.edge.base` says where). */
export async function restartEdge(suite) {
  await stopEdge(suite.edge);
  if (await portOpen(suite.port)) suite.port = await freePort();
  suite.edge = await startEdge(edgeOptions(suite));
  return suite.edge;
}

/** Crashes the edge (SIGKILL to wrangler and both workerd processes, see `killEdge`) and leaves
 * it down; `restartEdge` brings it back on the same state. */
export async function crashEdge(suite) {
  await killEdge(suite.edge);
}

export async function stopSuite(suite) {
  if (!suite) return;
  // Stop the edge even if closing the browser fails: a leftover workerd would hold its port.
  try {
    await suite.browser?.close();
    suite.hostServer?.server.close();
  } finally {
    if (suite.edge) await stopEdge(suite.edge);
  }
}
