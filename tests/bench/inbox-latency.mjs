// Benchmark: time from a visitor's send to the message showing in an agent's inbox, over the
// local stack (wrangler dev, the real inbox in headless Chromium). Not part of the test suite:
//   node tests/bench/inbox-latency.mjs [messages=200]
// Visitors write over the same socket protocol the widget speaks; the inbox page records, with
// a MutationObserver, the moment each message's text appears in its conversation list. Both
// clocks are this machine's Date.now(). Messages go one at a time (each waits for the previous
// one to show), spread over 20 visitors so no socket reaches the per-socket rate limit.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { client } from '../support/api.mjs';
import { launch } from '../support/browser.mjs';
import { freePort, startEdge, stopEdge } from '../../scripts/edge.mjs';

const MESSAGES = Number(process.argv[2] || 200);
const VISITORS = 20;
const edge = await startEdge({ port: await freePort(), stateDir: mkdtempSync(path.join(os.tmpdir(), 'pvx-latency-')) });
const api = client(edge.base);
let browser;
const times = [];
try {
  const owner = await api.signUp({
    name: 'Bench', email: 'bench@latency.example', password: 'bench password 1', workspace_name: 'Latency', website: '127.0.0.1',
  });
  const site = owner.me.workspaces[0].id;
  browser = await launch();
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(`${edge.edge}/inbox`);
  await page.getByRole('textbox', { name: 'Email' }).fill('bench@latency.example');
  await page.getByRole('textbox', { name: 'Password' }).fill('bench password 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();
  await page.evaluate(() => {
    window.seen = {};
    new MutationObserver(() => {
      for (const m of document.body.innerText.matchAll(/bench-(\d+)-x/g)) window.seen[m[1]] ??= Date.now();
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });

  const visitors = [];
  for (let v = 0; v < VISITORS; v++) {
    const session = await api.visitorSession(site, 'http://127.0.0.1:1');
    const socket = await api.visitorSocket(site, session.token);
    await socket.hello();
    visitors.push(socket);
  }
  process.stderr.write(`sending ${MESSAGES} messages `);
  for (let i = 0; i < MESSAGES; i++) {
    if (i % 10 === 0) process.stderr.write('.');
    const sentAt = Date.now();
    visitors[i % VISITORS].send({ type: 'send', client_id: `c_bench${String(i).padStart(6, '0')}`, body: `bench-${i}-x` });
    const shownAt = await page.waitForFunction((k) => window.seen[k], String(i), { timeout: 10000, polling: 5 });
    times.push((await shownAt.jsonValue()) - sentAt);
  }
  process.stderr.write('\n');
  visitors.forEach((s) => s.close());
} finally {
  await browser?.close();
  await stopEdge(edge);
}
times.sort((a, b) => a - b);
const pick = (q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
console.log(`visitor send → shown in the inbox list, ${times.length} messages, wrangler dev + headless Chromium:`);
console.log(`  median ${pick(0.5)} ms, p90 ${pick(0.9)} ms, p99 ${pick(0.99)} ms, min ${times[0]} ms, max ${times[times.length - 1]} ms`);
