// The JavaScript API on a real host page in Chromium: calls queued before the loader are not lost,
// page activity (single-page-app navigations included) reaches the visitor's profile only with
// analytics consent, sendMessage and the message/unread events, and reset() on logout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

let suite, edge, api, owner, site, browser, page0;

/** The customer's single-page app: the snippet, plus whatever the test puts before it. */
function hostPage(head) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop home</title>${head}</head>
<body><h1>Shop</h1><a href="#" id="go">Go to step 2</a>
<script src="${edge.edge}/widget.js" data-site="${site}" async></script></body></html>`;
}
const pages = new Map();

before(async () => {
  suite = await startSuite('api', {
    owner: { name: 'Pia', email: 'pia@api.example', password: 'api tests password', workspace_name: 'Api Shop', website: '127.0.0.1' },
    pages: (pathname) => pages.get(pathname.split('/')[1]),
  });
  ({ edge, api, browser, owner, site, host: page0 } = suite);
});

after(() => stopSuite(suite));

async function visit(name, head = '') {
  pages.set(name, hostPage(head));
  const page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
  await page.goto(`${page0}/${name}`);
  return page;
}

/** The visitor profile behind the conversation the agent sees for `text`. */
async function profileFor(text) {
  const inbox = await owner.socket(`/api/v1/workspaces/${site}/connect`);
  inbox.send({ type: 'hello', protocol: 1, after_seq: 0 });
  const list = await inbox.nextOf('inbox');
  inbox.close();
  const summary = list.conversations.find((c) => c.last_message.includes(text));
  assert.ok(summary, `a conversation with "${text}"`);
  const conv = await owner.socket(`/api/v1/workspaces/${site}/conversations/${summary.id}/connect`);
  conv.send({ type: 'hello', protocol: 1, after_seq: 0 });
  const { details } = await conv.nextOf('details');
  conv.close();
  const res = await owner.get(`/api/v1/workspaces/${site}/visitors/${details.visitor_id}`);
  return { profile: await res.json(), conversation: summary.id };
}

test('calls queued before the loader run in order; sendMessage, events and identify work', async () => {
  const page = await visit('queued', `<script>
    window.events = [];
    window.Provixchat = window.Provixchat || [];
    Provixchat.push(['on', 'ready', () => events.push('ready')]);
    Provixchat.push(['on', 'open', () => events.push('open')]);
    Provixchat.push(['on', 'message', (m) => events.push('message:' + m.body)]);
    Provixchat.push(['on', 'unread', (u) => events.push('unread:' + u.count)]);
    Provixchat.push(['identify', { id: 'shop-user-7', email: 'queued@example.com', name: 'Quinn' }]);
  </script>`);
  const widget = page.frameLocator('iframe[title="Chat"]');
  await page.getByRole('button', { name: 'Reject all' }).click();
  await page.waitForFunction(() => window.events.includes('ready'));
  await page.evaluate(() => Provixchat.sendMessage('Sent through the API'));
  await widget.getByText('Sent through the API').waitFor();
  await widget.getByText('Sent', { exact: true }).waitFor();
  assert.ok(await page.evaluate(() => window.events.includes('open')));

  const { profile, conversation } = await profileFor('Sent through the API');
  assert.deepEqual(profile.identity, { id: 'shop-user-7', verified: false });
  assert.equal(profile.email, 'queued@example.com');

  // The chat closed, an agent answers: the launcher counts it and the page hears it.
  await page.evaluate(() => Provixchat.close());
  const agent = await owner.socket(`/api/v1/workspaces/${site}/conversations/${conversation}/connect`);
  await agent.hello();
  agent.send({ type: 'send', client_id: 'a_apireply01', body: 'Thanks Quinn, on it.' });
  await agent.nextOf('ack');
  agent.close();
  await page.getByRole('button', { name: /Open chat.*1 unread/ }).waitFor();
  await page.waitForFunction(() => window.events.includes('message:Thanks Quinn, on it.'));
  assert.ok(await page.evaluate(() => window.events.includes('unread:1')));
  await page.screenshot({ path: artifact('launcher-unread.png') });
  await page.evaluate(() => Provixchat.open());
  await widget.getByText('Thanks Quinn, on it.').waitFor();
  await page.getByRole('button', { name: 'Close chat' }).first().waitFor();
});

test('page activity, single-page-app navigations included, is captured only with analytics consent', async () => {
  for (const analytics of [false, true]) {
    const name = analytics ? 'spa-yes' : 'spa-no';
    const page = await visit(name, `<script>
      addEventListener('click', (e) => { if (e.target.id === 'go') { e.preventDefault(); history.pushState({}, '', '/${name}/step-2?utm_source=x&item=7'); document.title = 'Step 2'; } });
    </script>`);
    const widget = page.frameLocator('iframe[title="Chat"]');
    if (analytics) {
      await page.getByRole('button', { name: 'Customize' }).click();
      await widget.getByRole('switch', { name: /Analytics/ }).click();
      await widget.getByRole('button', { name: /Save/ }).click();
    } else {
      await page.getByRole('button', { name: 'Reject all' }).click();
    }
    await page.waitForFunction(() => window.Provixchat?.consent?.get());
    await page.waitForTimeout(300);
    await page.click('#go');
    await page.waitForTimeout(300);
    await page.evaluate((n) => Provixchat.sendMessage(`hello from ${n}`), name);
    await widget.getByText('Sent', { exact: true }).waitFor();
    const { profile } = await profileFor(`hello from ${name}`);
    if (analytics) {
      const urls = profile.pages.map((p) => p.url);
      assert.ok(urls.includes(`${page0}/${name}/step-2?item=7`), `the SPA step is there, stripped: ${urls}`);
      assert.ok(profile.device?.browser, 'browser details with analytics consent');
    } else {
      assert.deepEqual(profile.pages, [], 'no page activity without analytics consent');
      assert.equal(profile.device, null);
    }
  }
});

test('reset() forgets the visitor on this device but keeps the consent decision', async () => {
  const page = await visit('reset');
  const widget = page.frameLocator('iframe[title="Chat"]');
  await page.getByRole('button', { name: 'Reject all' }).click();
  await page.waitForFunction(() => window.Provixchat?.consent?.get());
  await page.evaluate(() => Provixchat.sendMessage('before logout'));
  await widget.getByText('Sent', { exact: true }).waitFor();
  const key = `provixchat.${site}`;
  const before = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)), key);
  assert.ok(before.token, 'a token was kept');
  await page.evaluate(() => Provixchat.reset());
  const afterReset = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)), key);
  assert.ok(!afterReset?.token, 'the token is gone');
  assert.ok(afterReset?.record, 'the decision stays');
  await page.reload();
  await page.getByRole('button', { name: /Open chat/ }).click();
  await widget.getByRole('textbox', { name: 'Message' }).waitFor();
  assert.equal(await widget.getByText('before logout').count(), 0, 'a new visitor starts afresh');
});
