// The widget as the site's consent manager, in Chromium against the real edge: the banner on a
// first visit (the loader's own, in its shadow root: no WASM until the visitor opens the chat or
// the privacy choices), what each choice stores and runs, GPC, a new policy version, two tabs,
// keyboard only, the page's API, what a first and a returning visit download, a strict CSP on the
// host page — and the edge's proof record of every decision.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { signInToInbox } from '../support/inbox.mjs';
import { DEMO, artifact, startSuite, stopSuite } from '../support/suite.mjs';

const PASSWORD = 'demo-password-e2e';
let suite, edge, browser, cookie, strictPage;

before(async () => {
  // A customer's page with a strict CSP: scripts and requests only from the edge, no inline
  // script or style at all.
  suite = await startSuite('consent', { demo: PASSWORD, pages: (path) => path == '/strict' && strictPage });
  ({ edge, browser } = suite);
  strictPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Strict shop</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${edge.edge}; connect-src ${edge.edge}; frame-src ${edge.edge}; style-src 'none'">
</head><body><h1>Strict shop</h1><script src="${edge.edge}/widget.js" data-site="demo" async></script></body></html>`;
  ({ cookie } = await suite.api.signIn(DEMO.agentEmail, PASSWORD));
});
after(() => stopSuite(suite));

/** The site owner's view of the consent log (newest first). */
async function consentLog() {
  const res = await fetch(`${edge.base}/api/v1/workspaces/demo/consents`, { headers: { cookie } });
  assert.equal(res.status, 200);
  return res.json();
}

/** The demo page in `context`: the banner is in the loader's shadow root on the page (locators
 * reach into open shadow roots), the privacy choices and the chat in the widget's frame. */
async function visit(context, query = '') {
  const page = await context.newPage();
  await page.goto(`${edge.base}/demo${query}`);
  return { page, widget: page.frameLocator('iframe[title="Chat"]') };
}

/** The element focused inside the loader's shadow root (the banner or one of its controls). */
const focusedInLoader = (page) => page.evaluate(() => {
  const el = document.getElementById('provixchat').shadowRoot.activeElement;
  return el && (el.getAttribute('role') || el.textContent);
});

/** Everything the page requests from the edge, as paths with their query. */
function edgeRequests(page) {
  const seen = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin == edge.edge) seen.push(`${r.method()} ${url.pathname}${url.search}`);
  });
  return seen;
}

/** Everything the host page has stored, in every kind of storage. */
function storage(page) {
  return page.evaluate(async () => ({
    local: Object.fromEntries(Object.entries(localStorage)),
    session: Object.keys(sessionStorage),
    cookies: document.cookie,
    databases: (await indexedDB.databases()).map((d) => d.name),
  }));
}

const analyticsRuns = (page) => page.evaluate(() => window.demoAnalyticsRuns ?? 0);
/** A gated tag with a src loads like any dynamic script: wait for it, then check it ran once. */
async function analyticsRanOnce(page) {
  await page.waitForFunction(() => window.demoAnalyticsRuns >= 1);
  await page.waitForTimeout(100);
  assert.equal(await analyticsRuns(page), 1);
}
const consent = (page) => page.evaluate(() => window.Provixchat.consent.get());

/** Adds a gated script to the page after load, as tag managers do. */
const addLateScript = (page) => page.evaluate(() => {
  const s = document.createElement('script');
  s.type = 'text/plain';
  s.dataset.consent = 'analytics';
  s.text = 'window.lateAnalytics = (window.lateAnalytics || 0) + 1;';
  document.body.appendChild(s);
});

test('first visit: banner, nothing stored; Reject all stores only the decision and runs nothing', async () => {
  const context = await browser.newContext();
  const { page } = await visit(context);
  const banner = page.getByRole('dialog', { name: 'We value your privacy' });
  await banner.waitFor();
  assert.equal(await page.locator('iframe').count(), 0, 'the banner needs no widget');
  for (const name of ['Accept all', 'Reject all', 'Customize']) await banner.getByRole('button', { name }).waitFor();
  await banner.getByRole('link', { name: 'Privacy policy' }).waitFor();
  assert.deepEqual(await storage(page), { local: {}, session: [], cookies: '', databases: [] }, 'nothing before a decision');
  assert.deepEqual(await context.cookies(), []);
  assert.equal(await consent(page), null);

  const before = (await consentLog()).length;
  await banner.getByRole('button', { name: 'Reject all' }).click();
  await page.getByText('Analytics off, marketing off.').waitFor();
  await banner.waitFor({ state: 'detached' });
  const stored = await storage(page);
  assert.deepEqual(Object.keys(stored.local), ['provixchat.demo'], 'one key: the decision');
  assert.deepEqual(JSON.parse(stored.local['provixchat.demo']).record.choices, { preferences: false, analytics: false, marketing: false });
  assert.deepEqual([stored.session, stored.cookies, stored.databases], [[], '', []]);
  assert.deepEqual(await context.cookies(), []);
  await addLateScript(page);
  await page.waitForTimeout(200);
  assert.equal(await analyticsRuns(page), 0, 'the gated analytics tag never ran');
  assert.equal(await page.evaluate(() => window.lateAnalytics ?? 0), 0, 'nor one added later');

  const log = await consentLog();
  assert.equal(log.length, before + 1);
  assert.equal(log[0].method, 'reject_all');
  assert.equal(log[0].policy_version, 1);
  assert.equal(log[0].lang, 'en');
  assert.match(log[0].visitor_hash, /^[0-9a-f]{64}$/);
  assert.ok(log[0].expires_at - log[0].at >= 364 * 86400e3, 'twelve months');

  // The decision holds on the next page: no banner.
  await page.reload();
  await page.getByRole('button', { name: 'Open chat' }).waitFor();
  await page.waitForTimeout(300);
  assert.equal(await page.locator('iframe').count(), 0, 'no widget loaded at all');
  assert.equal((await consent(page)).analytics, false);
  await context.close();
});

test('Accept all runs the gated scripts, also those added later, and tells the page', async () => {
  const context = await browser.newContext();
  const { page } = await visit(context);
  await page.waitForFunction(() => window.Provixchat?.consent);
  await page.evaluate(() => { window.seen = []; window.Provixchat.consent.onChange((d) => window.seen.push(d.analytics)); });
  await page.getByRole('button', { name: 'Accept all' }).click();
  await page.getByText('Analytics allowed, marketing allowed.').waitFor();
  await analyticsRanOnce(page);
  assert.deepEqual(await page.evaluate(() => window.seen), [true]);
  await addLateScript(page);
  await page.waitForFunction(() => window.lateAnalytics === 1);
  assert.deepEqual(await consent(page), { ...(await consent(page)), necessary: true, preferences: true, analytics: true, marketing: true });
  assert.equal((await consentLog())[0].method, 'accept_all');
  await context.close();
});

test('Customize with analytics only, then withdraw it from the page API', async () => {
  const context = await browser.newContext();
  const { page, widget } = await visit(context);
  await page.getByRole('button', { name: 'Customize' }).click();
  const prefs = widget.getByRole('dialog', { name: 'Privacy choices' });
  const necessary = prefs.getByRole('switch', { name: 'Necessary' });
  assert.equal(await necessary.isChecked(), true);
  assert.equal(await necessary.isDisabled(), true, 'necessary is locked on');
  for (const name of ['Preferences', 'Analytics', 'Marketing']) assert.equal(await prefs.getByRole('switch', { name }).isChecked(), false);
  await prefs.getByRole('switch', { name: 'Analytics', exact: true }).check();
  await prefs.getByRole('button', { name: 'Save choices' }).click();
  await page.getByText('Analytics allowed, marketing off.').waitFor();
  await analyticsRanOnce(page);
  const d = await consent(page);
  assert.deepEqual([d.preferences, d.analytics, d.marketing], [false, true, false]);
  const [record] = await consentLog();
  assert.equal(record.method, 'custom');
  assert.deepEqual(record.choices, { preferences: false, analytics: true, marketing: false });

  // Withdrawing is as easy: the page's link reopens the preferences with the current choices.
  await page.getByRole('link', { name: 'Cookie settings' }).click();
  await prefs.waitFor();
  assert.equal(await prefs.getByRole('switch', { name: 'Analytics', exact: true }).isChecked(), true);
  await prefs.getByRole('button', { name: 'Reject all' }).click();
  await page.getByText('Analytics off, marketing off.').waitFor();
  assert.equal((await consent(page)).analytics, false);
  assert.equal((await consentLog())[0].method, 'reject_all');
  await context.close();
});

test('Global Privacy Control: the banner says so and the record shows it', async () => {
  const context = await browser.newContext({ extraHTTPHeaders: { 'Sec-GPC': '1' } });
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  const { page, widget } = await visit(context);
  await page.getByText('Global Privacy Control').waitFor();
  await page.getByRole('button', { name: 'Customize' }).click();
  const prefs = widget.getByRole('dialog', { name: 'Privacy choices' });
  await prefs.getByText('Global Privacy Control').waitFor();
  assert.equal(await prefs.getByRole('switch', { name: 'Analytics', exact: true }).isChecked(), false);
  assert.equal(await prefs.getByRole('switch', { name: 'Marketing' }).isChecked(), false);
  await prefs.getByRole('button', { name: 'Save choices' }).click();
  await page.getByText('Analytics off, marketing off.').waitFor();
  const [record] = await consentLog();
  assert.equal(record.gpc, true);
  assert.equal((await consent(page)).gpc, true);
  await context.close();
});

test('Sec-GPC alone (no script signal) is honoured and announced too', async () => {
  const context = await browser.newContext({ extraHTTPHeaders: { 'Sec-GPC': '1' } });
  const { page } = await visit(context);
  await page.getByText('Global Privacy Control').waitFor();
  await page.getByRole('button', { name: 'Reject all' }).click();
  await page.getByText('Analytics off').waitFor();
  assert.equal((await consentLog())[0].gpc, true);
  await context.close();
});

test('Google Consent Mode v2: denied by default, updated on the decision', async () => {
  const context = await browser.newContext();
  // A page with gtag, as Google's snippet defines it.
  await context.addInitScript(() => { window.dataLayer = []; window.gtag = function () { window.dataLayer.push([...arguments]); }; });
  const { page, widget } = await visit(context);
  await page.getByRole('dialog').waitFor();
  const denied = { analytics_storage: 'denied', ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' };
  assert.deepEqual(await page.evaluate(() => window.dataLayer), [['consent', 'default', denied]]);
  await page.getByRole('button', { name: 'Customize' }).click();
  await widget.getByRole('switch', { name: 'Marketing' }).check();
  await widget.getByRole('button', { name: 'Save choices' }).click();
  await page.getByText('marketing allowed').waitFor();
  const granted = { analytics_storage: 'denied', ad_storage: 'granted', ad_user_data: 'granted', ad_personalization: 'granted' };
  assert.deepEqual((await page.evaluate(() => window.dataLayer)).at(-1), ['consent', 'update', granted]);
  await context.close();
});

test("the chat's menu reopens the privacy choices and returns to the chat", async () => {
  const context = await browser.newContext();
  const { page, widget } = await visit(context);
  await page.getByRole('button', { name: 'Reject all' }).click();
  await page.getByText('Analytics off').waitFor();
  await page.getByRole('button', { name: 'Open chat' }).click();
  await widget.getByRole('button', { name: 'Privacy choices' }).click();
  const prefs = widget.getByRole('dialog', { name: 'Privacy choices' });
  await prefs.getByRole('switch', { name: 'Analytics', exact: true }).check();
  await prefs.getByRole('button', { name: 'Save choices' }).click();
  await page.getByText('Analytics allowed').waitFor();
  await widget.getByRole('textbox', { name: 'Message' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Close chat' }).count(), 1, 'back in the chat');
  await context.close();
});

test('a new policy version asks again; a decision in one tab holds in another', async () => {
  const context = await browser.newContext();
  const one = await visit(context);
  const two = await visit(context);
  await two.page.getByRole('dialog').waitFor();
  await one.page.getByRole('button', { name: 'Accept all' }).click();
  await one.page.getByText('Analytics allowed').waitFor();
  // The other tab, open with its banner, takes the decision without a reload.
  await two.page.getByText('Analytics allowed').waitFor();
  await two.page.getByRole('dialog').waitFor({ state: 'detached' });
  await analyticsRanOnce(two.page);

  const settings = await (await fetch(`${edge.base}/api/v1/workspaces/demo/consent-settings`, { headers: { cookie } })).json();
  const bumped = { ...settings, policy_version: settings.policy_version + 1 };
  const put = await fetch(`${edge.base}/api/v1/workspaces/demo/consent-settings`, {
    method: 'PUT', headers: { cookie, origin: edge.base }, body: JSON.stringify(bumped),
  });
  assert.equal(put.status, 200);
  const down = await fetch(`${edge.base}/api/v1/workspaces/demo/consent-settings`, {
    method: 'PUT', headers: { cookie, origin: edge.base }, body: JSON.stringify(settings),
  });
  assert.equal(down.status, 400, 'the version never goes back');

  // The config is cached for a minute at most; a fresh context sees the new version at once.
  const again = await visit(await browser.newContext());
  await again.page.evaluate((stored) => localStorage.setItem('provixchat.demo', stored),
    await one.page.evaluate(() => localStorage.getItem('provixchat.demo')));
  await again.page.reload();
  await again.page.getByRole('dialog', { name: 'We value your privacy' }).waitFor();
  assert.equal(await analyticsRuns(again.page), 0, 'the old decision no longer counts');
  await again.page.getByRole('button', { name: 'Reject all' }).click();
  await again.page.getByText('Analytics off').waitFor();
  assert.equal((await consentLog())[0].policy_version, settings.policy_version + 1);
  await context.close();
});

test('keyboard only: focus moves into the banner, Escape never accepts, switches work with Space', async () => {
  const context = await browser.newContext();
  const { page, widget } = await visit(context);
  const banner = page.getByRole('dialog');
  await banner.waitFor();
  await page.waitForFunction(() => document.getElementById('provixchat').shadowRoot.activeElement?.getAttribute('role') === 'dialog');
  await page.keyboard.press('Escape');
  await page.waitForTimeout(200);
  assert.equal(await consent(page), null, 'Escape decided nothing');
  await banner.waitFor();
  // Tab through: the policy link, the notice link, Accept all, Reject all, Customize.
  for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
  assert.equal(await focusedInLoader(page), 'Customize');
  await page.keyboard.press('Enter');
  const prefs = widget.getByRole('dialog', { name: 'Privacy choices' });
  await prefs.waitFor();
  await prefs.getByRole('switch', { name: 'Analytics', exact: true }).focus();
  await page.keyboard.press('Space');
  assert.equal(await prefs.getByRole('switch', { name: 'Analytics', exact: true }).isChecked(), true);
  await prefs.getByRole('button', { name: 'Save choices' }).focus();
  await page.keyboard.press('Enter');
  await page.getByText('Analytics allowed, marketing off.').waitFor();
  await context.close();
});

test('the banner speaks the page language and fits a 320 px screen', async () => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 }, locale: 'fr-FR' });
  const de = await visit(context, '?lang=de');
  await de.page.getByRole('button', { name: 'Alle ablehnen' }).waitFor();
  await de.page.getByRole('dialog', { name: 'Ihre Privatsphäre ist uns wichtig' }).waitFor();
  const box = await de.page.getByRole('dialog').boundingBox();
  assert.ok(box.x >= 0 && box.width <= 320 && box.height <= 640 && box.height > 100, JSON.stringify(box));
  for (const name of ['Alle akzeptieren', 'Alle ablehnen', 'Anpassen']) {
    const button = await de.page.getByRole('button', { name }).boundingBox();
    assert.ok(button.x >= 0 && button.x + button.width <= 320 && button.height >= 44, `${name}: ${JSON.stringify(button)}`);
  }
  const clipped = await de.page.locator('#provixchat').evaluate((host) => [...host.shadowRoot.querySelectorAll('.pvx-banner button')]
    .filter((b) => b.scrollWidth > b.clientWidth).map((b) => b.textContent));
  assert.deepEqual(clipped, [], 'every button shows its whole name');
  await de.page.screenshot({ path: artifact('banner-320-de.png') });
  // Without a page language the browser's (French here) is used.
  const fr = await visit(context, '?lang=xx');
  await fr.page.getByRole('button', { name: 'Tout refuser' }).waitFor();
  await fr.page.screenshot({ path: artifact('banner-320-fr.png') });
  await context.close();
});

test('the site owner reads and exports the consent log and can ask everyone again', async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  const page = await context.newPage();
  await signInToInbox(page, edge, { email: DEMO.agentEmail, password: PASSWORD });
  await page.getByRole('button', { name: 'Consent log' }).click();
  const log = page.getByRole('region', { name: 'Consent log' });
  const records = await consentLog();
  await log.getByRole('row').nth(records.length).waitFor(); // header row + one per decision
  assert.equal(await log.getByRole('row').count(), records.length + 1);
  await log.getByRole('cell', { name: 'Reject all' }).first().waitFor();
  await page.screenshot({ path: artifact('inbox-consent-log.png') });

  const [download] = await Promise.all([page.waitForEvent('download'), log.getByRole('link', { name: 'Export CSV' }).click()]);
  const csv = (await (await import('node:fs/promises')).readFile(await download.path(), 'utf8')).trim().split('\n');
  assert.match(csv[0], /^decided_at,expires_at,visitor_hash,policy_version,necessary,preferences,analytics,marketing,method,language,gpc$/);
  assert.equal(csv.length, records.length + 1);

  const version = (await (await fetch(`${edge.base}/api/v1/workspaces/demo/consent-settings`, { headers: { cookie } })).json()).policy_version;
  await log.getByRole('button', { name: 'Ask everyone again' }).click();
  await log.getByText(`Policy version ${version + 1} is live`).waitFor();
  await context.close();
});

test('at 200 % zoom (a 1280 × 800 window is 640 × 400 CSS pixels) every choice stays reachable', async () => {
  const context = await browser.newContext({ viewport: { width: 640, height: 400 } });
  const { page, widget } = await visit(context);
  await page.getByRole('dialog').waitFor();
  for (const name of ['Accept all', 'Reject all', 'Customize']) {
    const button = page.getByRole('button', { name });
    await button.scrollIntoViewIfNeeded();
    const box = await button.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 400 && box.x + box.width <= 640, `${name}: ${JSON.stringify(box)}`);
  }
  await page.screenshot({ path: artifact('banner-640x400.png') });
  await page.getByRole('button', { name: 'Customize' }).click();
  const save = widget.getByRole('button', { name: 'Save choices' });
  await save.scrollIntoViewIfNeeded();
  const box = await save.boundingBox();
  assert.ok(box && box.y + box.height <= 400, `Save choices: ${JSON.stringify(box)}`);
  await context.close();
});

test('an expired decision asks again; the owner can fix the language and rewrite the texts', async () => {
  const context = await browser.newContext();
  const { page } = await visit(context);
  await page.getByRole('button', { name: 'Accept all' }).click();
  await page.getByText('Analytics allowed').waitFor();
  // Age the stored decision past its expiry, as if a year had gone by.
  await page.evaluate(() => {
    const stored = JSON.parse(localStorage.getItem('provixchat.demo'));
    stored.record.expires_at = Date.now() - 1000;
    localStorage.setItem('provixchat.demo', JSON.stringify(stored));
  });
  await page.reload();
  await page.getByRole('dialog', { name: 'We value your privacy' }).waitFor();
  assert.equal(await analyticsRuns(page), 0, 'an expired decision runs nothing');
  assert.equal(await consent(page), null);

  const url = `${edge.base}/api/v1/workspaces/demo/consent-settings`;
  const settings = await (await fetch(url, { headers: { cookie } })).json();
  const custom = structuredClone(settings);
  custom.language = 'es';
  custom.texts.es.title = 'Tu privacidad, tus reglas';
  // The owner's words are text on the host page, never markup.
  custom.texts.es.text = 'Nada <img src=x onerror="window.pwned=1"> oculto & "claro".';
  const put = await fetch(url, { method: 'PUT', headers: { cookie, origin: edge.base }, body: JSON.stringify(custom) });
  assert.equal(put.status, 200);
  const bad = await fetch(url, { method: 'PUT', headers: { cookie, origin: edge.base }, body: JSON.stringify({ ...custom, lifetime_days: 0 }) });
  assert.equal((await bad.json()).error, 'invalid_input');
  const foreign = await fetch(url, { method: 'PUT', headers: { cookie, origin: 'https://evil.example' }, body: JSON.stringify(custom) });
  assert.equal(foreign.status, 403, 'settings change only from our own pages');

  // The config is cached for up to a minute by browsers; a new context fetches it fresh.
  const fresh = await visit(await browser.newContext({ locale: 'de-DE' }));
  await fresh.page.getByRole('dialog', { name: 'Tu privacidad, tus reglas' }).waitFor();
  await fresh.page.getByText('Nada <img src=x onerror="window.pwned=1"> oculto & "claro".').waitFor();
  assert.equal(await fresh.page.locator('#provixchat').evaluate((el) => el.shadowRoot.querySelectorAll('img').length), 0);
  assert.equal(await fresh.page.evaluate(() => window.pwned), undefined);
  await fresh.page.getByRole('button', { name: 'Rechazar todo' }).click();
  await fresh.page.getByText('Analytics off').waitFor();
  assert.equal((await consentLog())[0].lang, 'es');
  await fetch(url, { method: 'PUT', headers: { cookie, origin: edge.base }, body: JSON.stringify({ ...settings, policy_version: custom.policy_version }) });
  await context.close();
});

test('a first visit downloads no WASM: the banner is up within 25 KB gzip and its buttons work at once', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = edgeRequests(page);
  const sizes = [];
  page.on('response', async (r) => {
    if (new URL(r.url()).origin != edge.edge) return;
    try { sizes.push(gzipSync(await r.body(), { level: 9 }).length); } catch { /* no body */ }
  });
  await page.goto(`${edge.base}/demo`);
  const banner = page.getByRole('dialog', { name: 'We value your privacy' });
  await banner.waitFor();
  await page.waitForTimeout(300);
  const bytes = sizes.reduce((a, b) => a + b, 0);
  console.log(`first visit up to the banner: ${requests.length} requests to the edge, ${(bytes / 1024).toFixed(1)} KB gzip`);
  assert.ok(bytes <= 25 * 1024, `${bytes} B gzip`);
  // One request after the loader brings the banner: its script with the configuration and the markup.
  assert.deepEqual(requests.map((r) => r.split('?')[0]).sort(),
    ['GET /api.js', 'GET /api/v1/sites/demo/banner.js', 'GET /widget.js'], requests.join(', '));
  assert.ok(requests.includes('GET /api/v1/sites/demo/banner.js?lang=en'), 'the banner in the page\'s language');
  assert.equal(await page.locator('iframe').count(), 0);
  // The JavaScript API comes after the banner: asked for only once the banner's script has run, so
  // neither its download nor its run holds the banner up.
  const [bannerDone, apiAsked] = await page.evaluate(() => ['/banner.js', '/api.js'].map((path, i) => {
    const entry = performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname.endsWith(path));
    return i ? entry.startTime : entry.responseEnd;
  }));
  assert.ok(apiAsked >= bannerDone, `api.js asked for at ${apiAsked} ms, banner.js answered at ${bannerDone} ms`);
  await page.waitForFunction(() => typeof window.Provixchat?.consent?.get === 'function');

  // Equal weight: the three buttons look the same (size and colours).
  const looks = await page.locator('#provixchat').evaluate((host) => [...host.shadowRoot.querySelectorAll('.pvx-banner button')]
    .map((b) => { const s = getComputedStyle(b); return [b.offsetHeight, s.backgroundColor, s.color, s.fontWeight, s.fontSize].join(' '); }));
  assert.equal(looks.length, 3);
  assert.equal(new Set(looks).size, 1, looks.join(' | '));

  // Customize opens the privacy choices in the widget: its WASM loads now, not before.
  await page.getByRole('button', { name: 'Customize' }).click();
  await page.frameLocator('iframe[title="Chat"]').getByRole('dialog', { name: 'Privacy choices' }).waitFor();
  assert.ok(requests.some((r) => r.endsWith('.wasm')), requests.join(', '));
  await context.close();
});

test('a banner script that cannot load (blocked, say) still leaves the page its JavaScript API', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.route('**/banner.js*', (route) => route.abort('blockedbyclient'));
  await page.goto(`${edge.base}/demo`);
  await page.getByRole('button', { name: 'Open chat' }).waitFor();
  await page.waitForFunction(() => typeof window.Provixchat?.consent?.get === 'function');
  assert.equal(await page.evaluate(() => window.Provixchat.consent.get()), null, 'no decision, nothing granted');
  await context.close();
});

test('a returning visit with a decision fetches only the loader, its configuration and the API', async () => {
  const context = await browser.newContext();
  const { page } = await visit(context);
  await page.getByRole('button', { name: 'Reject all' }).click();
  await page.getByText('Analytics off').waitFor();
  const requests = edgeRequests(page);
  await page.reload();
  await page.getByRole('button', { name: 'Open chat' }).waitFor();
  await page.waitForFunction(() => window.Provixchat?.consent?.get()?.analytics === false);
  await page.waitForTimeout(500);
  assert.deepEqual(requests.sort(), ['GET /api.js', 'GET /api/v1/sites/demo/consent-config', 'GET /widget.js']);
  assert.equal(await page.getByRole('dialog').count(), 0);
  await context.close();
});

test('focus goes back where the visitor was after a decision; the banner reads well', async () => {
  const context = await browser.newContext();
  // The visitor is typing in the page's search box when the banner comes.
  await context.addInitScript(() => addEventListener('DOMContentLoaded', () => {
    const input = document.createElement('input');
    input.setAttribute('aria-label', 'Search');
    document.body.prepend(input);
    input.focus();
  }));
  const { page } = await visit(context);
  await page.getByRole('dialog').waitFor();
  await page.waitForFunction(() => document.getElementById('provixchat').shadowRoot.activeElement?.getAttribute('role') === 'dialog');

  // Contrast (WCAG AA, 4.5:1) of every text in the banner against the banner's white.
  const contrasts = await page.locator('#provixchat').evaluate((host) => {
    const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
    const lum = (c) => {
      const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const banner = host.shadowRoot.querySelector('.pvx-banner');
    return [...banner.querySelectorAll('h2, p:not([hidden]), a, button')].map((el) => {
      let bg = getComputedStyle(el).backgroundColor;
      if (bg == 'rgba(0, 0, 0, 0)') bg = getComputedStyle(banner).backgroundColor;
      return [el.textContent.slice(0, 20), ratio(getComputedStyle(el).color, bg)];
    });
  });
  assert.ok(contrasts.length >= 6, JSON.stringify(contrasts));
  for (const [text, ratio] of contrasts) assert.ok(ratio >= 4.5, `${text}: ${ratio.toFixed(2)}`);

  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor();
  for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
  assert.equal(await focusedInLoader(page), 'Reject all');
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Search');
  await context.close();
});

test('on a page whose CSP allows no inline script or style, the banner shows, styled, and records the decision', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => /Content Security Policy/.test(m.text()) && violations.push(m.text()));
  await page.goto(`${suite.host}/strict`);
  const banner = page.getByRole('dialog', { name: 'We value your privacy' });
  await banner.waitFor();
  assert.equal(await banner.evaluate((el) => getComputedStyle(el).position), 'fixed', 'styled despite style-src none');
  await page.screenshot({ path: artifact('banner-strict-csp.png') });
  await page.getByRole('button', { name: 'Accept all' }).click();
  await banner.waitFor({ state: 'detached' });
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('provixchat.demo')));
  assert.equal(stored.record.choices.analytics, true);
  assert.equal((await consentLog())[0].method, 'accept_all');
  // The launcher's own style element is the only thing the page's CSP refuses.
  assert.ok(violations.every((v) => /style/.test(v)), violations.join('\n'));
  await context.close();
});

test('a decision the edge refuses shows an error in the banner and decides nothing', async () => {
  const context = await browser.newContext();
  const { page } = await visit(context);
  await page.getByRole('dialog').waitFor();
  await page.route('**/api/v1/sites/demo/consent', (route) => route.fulfill({ status: 500, body: '{"error":"internal"}' }));
  await page.getByRole('button', { name: 'Accept all' }).click();
  await page.getByRole('dialog').getByRole('alert').filter({ hasText: 'Your choice could not be saved' }).waitFor();
  assert.equal(await consent(page), null);
  await page.unroute('**/api/v1/sites/demo/consent');
  await page.getByRole('button', { name: 'Reject all' }).click();
  await page.getByText('Analytics off').waitFor();
  await context.close();
});

test('a chat opened while the decision is still saving is the decision’s visitor from the start', async () => {
  // A slow network: the decision takes a while. The visitor does not wait for it and opens the
  // chat at once. Opened sooner, the chat began as a visitor of its own and started over as the
  // decision's visitor when the answer came, taking what they had written out of view.
  const context = await browser.newContext();
  const { page, widget } = await visit(context);
  await page.getByRole('dialog').waitFor();
  await page.route('**/api/v1/sites/demo/consent', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  const sessions = [];
  page.on('request', (r) => r.url().includes('/visitor-session') && sessions.push(r.postDataJSON()));
  await page.getByRole('button', { name: 'Reject all' }).click();
  await page.getByRole('button', { name: 'Open chat' }).click();
  const composer = widget.getByRole('textbox', { name: 'Message' });
  await composer.fill('Written as soon as the chat opened');
  await widget.getByRole('button', { name: 'Send' }).click();
  await widget.getByText('Sent', { exact: true }).waitFor();
  await page.waitForTimeout(1000);
  await widget.getByText('Written as soon as the chat opened').waitFor({ timeout: 100 });
  // Tokens are `v3.SITE.VISITOR.…`; the edge renews them, the visitor stays.
  const visitor = (token) => token?.split('.')[2];
  const kept = JSON.parse(await page.evaluate(() => localStorage.getItem('provixchat.demo'))).token;
  assert.deepEqual(sessions.map((s) => visitor(s.token)), [visitor(kept)], 'one chat session, as the decision’s visitor');
  await context.close();
});
