// Benchmark: time from DOMContentLoaded to a visible consent banner, and the bytes a first visit
// downloads for it (gzip), for Provixchat and for vanilla-cookieconsent 3 on the same kind of
// host page, in the same headless Chromium, in the same run. Not part of the test suite:
//   node tests/bench/consent-banner.mjs [loads=20]
// Both host pages are served by one small Node server on 127.0.0.1 (the "customer site");
// Provixchat's loader comes from the real edge (wrangler dev) on localhost, as in production.
import { createServer } from 'node:http';
import { readFileSync, mkdtempSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { launch } from '../support/browser.mjs';
import { ROOT, freePort, seedDemo, startEdge, stopEdge } from '../../scripts/edge.mjs';

const LOADS = Number(process.argv[2] || 20);
// The worker's inspector off, as in production (../shared/TOOLCHAIN.md: it slows every call between objects).
const edge = await startEdge({ port: await freePort(), stateDir: mkdtempSync(path.join(os.tmpdir(), 'pvx-bench-')), inspector: false });
await seedDemo(edge.base, 'bench-password');

// Each page records when DOMContentLoaded happened and the first animation frame at which its
// banner is visible (checked every frame: our banner lives in a shadow root, out of reach of a
// MutationObserver on the document, so both pages are measured the same way).
// On our page it also notes when the loader ran (it sets window.__provixchat first thing).
const probe = (visible) => `<script>
  Object.defineProperty(window, '__provixchat', { configurable: true, set(v) { window.loaderRan = performance.now();
    Object.defineProperty(window, '__provixchat', { value: v, writable: true, configurable: true }); } });
  addEventListener('DOMContentLoaded', () => { window.dcl = performance.now(); });
  (function tick() { if (${visible}) window.shown = performance.now(); else requestAnimationFrame(tick); })();
</script>`;
const article = '<h1>Handmade ceramics</h1><p>' + 'Lorem ipsum dolor sit amet. '.repeat(40) + '</p>';
const vcc = path.join(ROOT, 'node_modules/vanilla-cookieconsent/dist');
// Our banner is visible once the loader's banner.js has put the edge's markup in its shadow root.
// The snippet as the inbox gives it (`defer`), and as it was given before (`async`, still working).
const ours = (attribute) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>${probe(
  "document.getElementById('provixchat')?.shadowRoot?.querySelector('.pvx-banner')?.offsetHeight > 0")}</head>
  <body>${article}<script src="${edge.edge}/widget.js" data-site="demo" ${attribute}></script></body></html>`;
const pages = {
  '/provixchat': ours('defer'),
  '/provixchat-async': ours('async'),
  '/vcc': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>
    <link rel="stylesheet" href="/vcc/cookieconsent.css">${probe("document.documentElement.classList.contains('show--consent')")}</head>
    <body>${article}<script src="/vcc/cookieconsent.umd.js"></script><script>
      // hideFromBots off: headless Chromium would otherwise count as a bot and get no banner.
      CookieConsent.run({ hideFromBots: false, categories: { necessary: { enabled: true, readOnly: true }, analytics: {}, marketing: {} },
        language: { default: 'en', translations: { en: { consentModal: { title: 'We value your privacy',
          description: 'We use cookies.', acceptAllBtn: 'Accept all', acceptNecessaryBtn: 'Reject all', showPreferencesBtn: 'Customize' },
          preferencesModal: { title: 'Privacy choices', acceptAllBtn: 'Accept all', acceptNecessaryBtn: 'Reject all',
          savePreferencesBtn: 'Save choices', sections: [] } } } } });
    </script></body></html>`,
};
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (pages[url.pathname]) return res.writeHead(200, { 'content-type': 'text/html' }).end(pages[url.pathname]);
  if (url.pathname.startsWith('/vcc/')) {
    const file = path.join(vcc, path.basename(url.pathname));
    const type = file.endsWith('.css') ? 'text/css' : 'text/javascript';
    return res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
  }
  res.writeHead(404).end();
});
const port = await freePort();
await new Promise((r) => server.listen(port, '127.0.0.1', r));

let browser;
/** One first visit to `name`'s page: how long after DOMContentLoaded its banner was visible, when
 * each request started and ended, and the bytes downloaded (gzip). */
async function visit(name) {
  const context = await browser.newContext(); // a first visit every time: no cache, no decision
  const page = await context.newPage();
  const sizes = [];
  page.on('response', async (r) => {
    if (!/\/(provixchat|provixchat-async|vcc)$/.test(new URL(r.url()).pathname)) {
      try { sizes.push(gzipSync(await r.body(), { level: 9 }).length); } catch { /* redirects, sockets */ }
    }
  });
  await page.goto(`http://127.0.0.1:${port}/${name}`);
  await page.waitForFunction(() => window.shown !== undefined, null, { timeout: 30000 });
  // From DOMContentLoaded (the measure), and from the start of the navigation: a script
  // that runs before DOMContentLoaded (vanilla-cookieconsent's, our deferred loader) spends part
  // of its time before the first, all of it before the second.
  const [time, fromStart] = await page.evaluate(() => [window.shown - window.dcl, window.shown]);
  const entries = await page.evaluate(() => [
    ...performance.getEntriesByType('resource').map((e) =>
      [new URL(e.name).pathname.split('/').pop(), e.startTime - window.dcl, e.responseEnd - window.dcl]),
    ...(window.loaderRan ? [['(loader ran)', window.loaderRan - window.dcl, window.loaderRan - window.dcl]] : []),
  ]);
  await page.waitForTimeout(200);
  await context.close();
  return { time, fromStart, entries, bytes: sizes.reduce((a, b) => a + b, 0) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { provixchat: [], 'provixchat-async': [], vcc: [] };
const names = Object.keys(results);
try {
  browser = await launch();
  // The pages take turns, visit by visit (in rotating order), so a machine that gets busier or
  // quieter during the run weighs on all alike; each round's difference is "behind".
  process.stderr.write(`${LOADS} first visits of each page, taking turns `);
  for (let i = 0; i < LOADS; i++) {
    process.stderr.write('.');
    for (let j = 0; j < names.length; j++) {
      const name = names[(i + j) % names.length];
      results[name].push(await visit(name));
    }
  }
  process.stderr.write('\n');
} finally {
  // Whatever happened, leave no wrangler/workerd or server behind.
  await browser?.close();
  server.close();
  await stopEdge(edge);
}
console.log(`DOMContentLoaded → visible consent banner, ${LOADS} first visits each, taking turns, headless Chromium:`);
for (const [name, visits] of Object.entries(results)) {
  const times = visits.map((v) => v.time);
  const phases = {};
  for (const v of visits) for (const [file, start, end] of v.entries) (phases[file] ??= []).push([start, end]);
  const requests = Object.entries(phases).map(([file, xs]) =>
    `${file} ${median(xs.map((x) => x[0])).toFixed(0)}→${median(xs.map((x) => x[1])).toFixed(0)}`);
  console.log(`  ${name.padEnd(16)} median ${median(times).toFixed(0).padStart(5)} ms  (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}); ` +
    `from the navigation's start ${median(visits.map((v) => v.fromStart)).toFixed(0)} ms; ` +
    `banner bytes over the wire ${(visits.at(-1).bytes / 1024).toFixed(1)} KB gzip`);
  console.log(`    requests, ms after DOMContentLoaded (median start→end): ${requests.join(', ')}`);
}
const quartiles = (xs) => [0.25, 0.75].map((q) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)].toFixed(0)).join(' and ');
for (const name of ['provixchat', 'provixchat-async']) {
  const behind = results[name].map((v, i) => v.time - results.vcc[i].time);
  const behindFromStart = results[name].map((v, i) => v.fromStart - results.vcc[i].fromStart);
  console.log(`  ${name} behind vanilla-cookieconsent, visit by visit: median ${median(behind).toFixed(0)} ms ` +
    `(quartiles ${quartiles(behind)}); from the navigation's start ${median(behindFromStart).toFixed(0)} ms (quartiles ${quartiles(behindFromStart)})`);
}
