// The public privacy pages a site owner links for their visitors, against the real edge: the
// notice (/privacy/SITE) and the record of processing (/privacy/SITE/record) come from the
// workspace's current settings, follow every change at once, escape what owners type, carry a
// strict CSP, and answer 404 for an unknown site. A browser renders the notice with its
// stylesheet under that CSP (screenshot: tests/artifacts/privacy-notice.png).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch } from '../support/browser.mjs';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

let suite, edge, api;

before(async () => {
  suite = await startSuite('notice', { browser: false });
  ({ edge, api } = suite);
});
after(() => stopSuite(suite));

let n = 0;
async function newOwner(extra = {}) {
  n += 1;
  const owner = await api.signUp({
    name: 'Nora', email: `nora${n}@notice${n}.example`, password: 'notice tests password', workspace_name: `Atelier ${n}`,
    website: `https://atelier${n}.example/`, ...extra,
  });
  return Object.assign(owner, { site: owner.me.workspaces[0].id });
}

/** A page, fetched as any visitor would (no cookie, no Origin), with its text. */
async function page(route) {
  const res = await fetch(`${edge.base}${route}`);
  return { res, html: await res.text() };
}

function assertStrictHtml(res) {
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /style-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|script-src/);
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
}

test('a new workspace has a public notice and record from its settings', async () => {
  const owner = await newOwner();
  const { res, html } = await page(`/privacy/${owner.site}`);
  assertStrictHtml(res);
  assert.match(html, /<html lang="en">/);
  assert.match(html, new RegExp(`<h1>How Atelier ${n} uses your data in this chat</h1>`));
  assert.ok(html.includes(`<code>provixchat.${owner.site}</code>`), 'the storage key');
  assert.match(html, /no cookies/);
  assert.match(html, /Cloudflare, Inc\./);
  assert.match(html, /Data region:<\/strong> Global \(Cloudflare&#39;s network/);
  assert.match(html, new RegExp(`atelier${n}\\.example`), 'the site\'s domain');
  assert.match(html, new RegExp(`<a href="https://atelier${n}\\.example/privacy">`), 'the owner\'s own policy');
  assert.match(html, new RegExp(`<a href="/privacy/${owner.site}/record">Record of processing</a>`));
  assert.match(html, /Visitor analytics/);
  assert.match(html, /Your IP address is not stored/);
  assert.match(html, /kept until deleted by the site owner or at your request/);
  assert.match(html, /Generated from the site's current settings on \d{4}-\d{2}-\d{2} \(UTC\) · policy version 1/);

  const record = await page(`/privacy/${owner.site}/record`);
  assertStrictHtml(record.res);
  assert.match(record.html, /Art\. 30\(2\)/);
  assert.ok(record.html.includes(`<code>provixchat.${owner.site}</code>`));
  assert.match(record.html, /<th scope="row">Data subjects<\/th>/);
  assert.match(record.html, /Argon2id/);

  const css = await fetch(`${edge.base}/notice.css`);
  assert.equal(css.status, 200, 'the stylesheet the CSP allows');
  assert.match(css.headers.get('content-type'), /text\/css/);
});

test('the pages follow settings changes at once', async () => {
  const owner = await newOwner();
  const route = `/api/v1/workspaces/${owner.site}/settings`;
  const settings = await (await owner.get(route)).json();
  const saved = await owner.put(route, { ...settings, retention_days: 90, store_ip: true, name: '<script>alert(1)</script> & Co' });
  assert.equal(saved.status, 200, await saved.clone().text());

  const { html } = await page(`/privacy/${owner.site}`);
  assert.match(html, /Conversations are deleted 90 days after their last message/);
  assert.match(html, /Your IP address, truncated/);
  assert.doesNotMatch(html, /IP address is not stored/);
  assert.doesNotMatch(html, /<script/, 'the name is escaped');
  assert.match(html, /How &lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; Co uses your data/);
  const record = await page(`/privacy/${owner.site}/record`);
  assert.match(record.html, /deleted 90 days after/);
  assert.match(record.html, /IP addresses truncated before storage/);

  // Consent settings count too: without an analytics category there is no analytics section,
  // and the banner's texts in the workspace's language are the categories' descriptions.
  const consentRoute = `/api/v1/workspaces/${owner.site}/consent-settings`;
  const consent = await (await owner.get(consentRoute)).json();
  const put = await owner.put(consentRoute, { ...consent, categories: ['preferences'], language: 'de', policy_version: 2 });
  assert.equal(put.status, 200, await put.clone().text());
  const after = await page(`/privacy/${owner.site}`);
  assert.doesNotMatch(after.html, /Visitor analytics|Page activity:/);
  assert.match(after.html, /no analytics category/);
  assert.match(after.html, /<th scope="row" lang="de">Notwendig<\/th>/);
  assert.match(after.html, /policy version 2/);
});

test('an EU workspace says so', async () => {
  const owner = await newOwner({ data_region: 'eu' });
  assert.match(owner.site, /-eu$/);
  const { html } = await page(`/privacy/${owner.site}`);
  assert.match(html, /Data region:<\/strong> European Union\./);
  assert.match((await page(`/privacy/${owner.site}/record`)).html, /European Union/);
});

test('an unknown site has no pages', async () => {
  for (const route of ['/privacy/nobody-000000', '/privacy/nobody-000000/record', '/privacy/NOT%20A%20SITE']) {
    const res = await fetch(`${edge.base}${route}`);
    assert.equal(res.status, 404, route);
    assert.equal((await res.json()).error, 'unknown_site', route);
  }
});

test('a browser shows the notice styled under its CSP', async () => {
  const owner = await newOwner();
  const browser = await launch();
  try {
    const tab = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    const refused = [];
    tab.on('console', (m) => { if (m.type() === 'error') refused.push(m.text()); });
    await tab.goto(`${edge.base}/privacy/${owner.site}`);
    const font = await tab.evaluate(() => getComputedStyle(document.body).fontFamily);
    assert.match(font, /system-ui/, 'the stylesheet applied');
    assert.deepEqual(refused, [], 'nothing refused by the CSP');
    assert.equal(await tab.locator('h1').count(), 1);
    await tab.screenshot({ path: artifact('privacy-notice.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});
