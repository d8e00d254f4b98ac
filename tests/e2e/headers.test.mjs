// Every page the edge serves carries its Content-Security-Policy and security headers, and
// every other answer (JSON, errors, static files) says its type is final (nosniff). Then, in
// Chromium, the framing rules hold: a page that is not one of the site's allowed domains cannot
// show the widget's page even when it lies about its origin, and nobody can frame the inbox.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signInToInbox } from '../support/inbox.mjs';
import { DEMO, startSuite, stopSuite } from '../support/suite.mjs';

const PASSWORD = 'headers-demo-password';
let suite, edge, cookie, shop, framer;

before(async () => {
  // The customer's page on its own loopback port frames whatever `framer` says.
  suite = await startSuite('headers', {
    demo: PASSWORD,
    owner: { name: 'Hana', email: 'hana@headers.example', password: 'headers owner password', workspace_name: 'Far Shop', website: 'shop.example' },
    pages: () => framer,
  });
  edge = suite.edge;
  ({ cookie } = await suite.api.signIn(DEMO.agentEmail, PASSWORD));
  shop = suite.site; // allows https://shop.example only
});
after(() => stopSuite(suite));

/** The CSP's directives as a map: name → list of sources. */
function directives(csp) {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...v]) => [name, v]));
}

async function get(path, headers = {}) {
  const res = await fetch(`${edge.base}${path}`, { headers, redirect: 'manual' });
  await res.arrayBuffer();
  return res;
}

/** An HTML page with its CSP, nosniff and referrer policy; answers the CSP's directives. */
async function htmlPage(path, headers) {
  const res = await get(path, headers);
  assert.equal(res.status, 200, path);
  assert.match(res.headers.get('content-type'), /^text\/html/, path);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${path}: nosniff`);
  assert.ok(res.headers.get('referrer-policy'), `${path}: a referrer policy`);
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp, `${path}: a CSP`);
  const d = directives(csp);
  assert.ok(d.has('frame-ancestors'), `${path}: framing rules`);
  assert.deepEqual(d.get('base-uri'), ["'none'"], `${path}: no <base> tricks`);
  assert.ok(d.has('script-src') || d.get('default-src')?.includes("'none'"), `${path}: scripts are limited`);
  return d;
}

test('every HTML page carries its CSP, nosniff, a referrer policy and its framing rules', async () => {
  const pages = {
    inbox: await htmlPage('/inbox'),
    embed: await htmlPage(`/embed/demo?host=${encodeURIComponent('http://127.0.0.1:1')}`),
    preview: await htmlPage('/preview/demo', { cookie }),
    notice: await htmlPage('/privacy/demo'),
    record: await htmlPage('/privacy/demo/record'),
    demo: await htmlPage('/demo'),
  };
  // Our own pages run no inline script at all; the demo stands for a customer's site (inline
  // tag-manager snippets) and is the one exception.
  for (const [name, d] of Object.entries(pages)) {
    if (name === 'demo') continue;
    const scripts = d.get('script-src') ?? d.get('default-src');
    assert.ok(!scripts.includes("'unsafe-inline'") && !scripts.includes("'unsafe-eval'"), `${name}: ${scripts}`);
  }
  // The widget and the inbox talk to the edge only: nothing the visitor types can leave for elsewhere.
  for (const name of ['inbox', 'embed']) assert.deepEqual(pages[name].get('connect-src'), ["'self'"], `${name}: connect-src`);
  for (const name of ['inbox', 'preview', 'notice', 'record', 'demo']) {
    assert.deepEqual(pages[name].get('frame-ancestors'), ["'none'"], `${name} is never framed`);
  }
  // The widget's page: the edge itself (preview) and the site's allowed domains, nobody else.
  const ancestors = pages.embed.get('frame-ancestors');
  assert.ok(ancestors.includes("'self'") && ancestors.includes('http://127.0.0.1:*'), ancestors.join(' '));
  assert.ok(ancestors.every((a) => a === "'self'" || /^https?:\/\/(127\.0\.0\.1|localhost):\*$/.test(a)), ancestors.join(' '));
  const far = await htmlPage(`/embed/${shop}?host=${encodeURIComponent('https://shop.example')}`);
  assert.deepEqual(far.get('frame-ancestors'), ["'self'", 'https://shop.example:*']);
});

test('errors, the bare page shells, the API and static files are never sniffed as HTML', async () => {
  const errors = [
    ['/no/such/page', 404], [`/embed/nope-site?host=x`, 404], ['/privacy/nope-site', 404],
    [`/embed/demo?host=${encodeURIComponent('https://evil.example')}`, 403], ['/preview/demo', 401],
    // The shells are served only with their CSP, at /inbox and /embed/SITE.
    ['/pages/inbox.html', 404], ['/pages/embed.html', 404],
    ['/api/v1/me', 401], ['/_headers', 404],
  ];
  for (const [path, status] of errors) {
    const res = await get(path);
    assert.equal(res.status, status, path);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${path}: a JSON error, not a page`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${path}: nosniff`);
  }
  const answers = [
    await get('/api/v1/sites/demo/consent-config'),
    await fetch(`${edge.base}/api/v1/sites/demo/visitor-session`, {
      method: 'POST', headers: { origin: edge.base, 'content-type': 'application/json' }, body: JSON.stringify({ host: 'http://127.0.0.1:1' }),
    }),
    await fetch(`${edge.base}/api/v1/sites/demo/pageview`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:1' } }),
    await get('/api/v1/workspaces/demo/audit?format=csv', { cookie }),
  ];
  for (const res of answers) {
    assert.ok(res.status < 300, `${res.url}: ${res.status}`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${res.url}: nosniff`);
  }
  for (const path of ['/widget.js', '/api.js', '/app/widget.js', '/app/widget_bg.wasm', '/app/inbox.js', '/app/widget-styles.css', '/notice.css', '/demo.js']) {
    const res = await get(path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${path}: nosniff`);
  }
});

test('a repeat visit reuses the loader and the API: cached for 5 minutes, then revalidated by ETag', async () => {
  for (const path of ['/widget.js', '/api.js']) {
    const res = await get(path);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=300, stale-while-revalidate=3600', path);
    const etag = res.headers.get('etag');
    assert.ok(etag, `${path}: an ETag`);
    const again = await fetch(`${edge.base}${path}`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304, `${path}: unchanged, no body`);
  }
});

test('in Chromium, only allowed sites frame the widget, nobody frames the inbox, and the pages break no CSP', async () => {
  const page = await suite.browser.newPage();
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`); });
  /** Loads the customer's page with one frame of `src`; answers what the frame shows. */
  async function framed(src) {
    framer = `<!doctype html><title>framer</title><iframe name="probe" src="${src}" width="600" height="400"></iframe>`;
    await page.goto(`${suite.host}/framer`);
    await page.waitForTimeout(300);
    const frame = page.frame({ name: 'probe' });
    return { url: frame.url(), text: await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '') };
  }
  // Positive control: the demo allows 127.0.0.1, the customer page's host.
  const allowed = await framed(`${edge.edge}/embed/demo?host=${encodeURIComponent(suite.host)}`);
  assert.ok(allowed.url.includes('/embed/demo'), allowed.url);
  // A page on 127.0.0.1 that claims to be https://shop.example: the browser refuses to show it.
  const liar = await framed(`${edge.edge}/embed/${shop}?host=${encodeURIComponent('https://shop.example')}`);
  assert.ok(liar.url.startsWith('chrome-error:'), `blocked: ${liar.url}`);
  const inbox = await framed(`${edge.edge}/inbox`);
  assert.ok(inbox.url.startsWith('chrome-error:'), `blocked: ${inbox.url}`);
  assert.ok(!inbox.text.includes('Sign in'));

  // Our own pages load without a single CSP refusal (the policies fit what the pages do).
  violations.length = 0;
  const context = await suite.browser.newContext();
  const own = await context.newPage();
  own.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(`${own.url()}: ${m.text()}`); });
  await signInToInbox(own, edge, { email: DEMO.agentEmail, password: PASSWORD });
  for (const path of ['/privacy/demo', '/privacy/demo/record', '/preview/demo', '/demo']) {
    await own.goto(`${edge.edge}${path}`);
    await own.waitForLoadState('networkidle');
  }
  await own.goto(`${edge.edge}/preview/demo`);
  await own.getByRole('button', { name: 'Open chat' }).click();
  await own.frameLocator('iframe[title="Chat"]').getByRole('textbox', { name: 'Message' }).waitFor();
  assert.deepEqual(violations, [], 'no CSP violations on our own pages');
  await context.close();
  await page.close();
});
