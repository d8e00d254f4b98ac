// Floods against the real edge: limits count per visitor token, per address and per site (not
// per socket), refusals say when to try again, one audit entry stands for a whole burst, and the
// widget keeps a message sent too fast and sends it again on its own.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signInToInbox } from '../support/inbox.mjs';
import { startSuite, stopSuite } from '../support/suite.mjs';

const PASSWORD = 'demo-password-e2e';
const PAGE = 'http://127.0.0.1:1';
let suite, api, edge;

before(async () => {
  suite = await startSuite('floods', {
    demo: PASSWORD,
    owner: { name: 'Flo', email: 'flo@floods.example', password: 'flood tests pw 1', workspace_name: 'Floods', website: '127.0.0.1' },
  });
  ({ api, edge } = suite);
});
after(() => stopSuite(suite));

/** A page call (CORS) from the allowed page, as the loader's API makes it. */
const fromPage = (site, route, body) => api.request('POST', `/api/v1/sites/${site}${route}`, { host: PAGE, ...body }, { origin: PAGE });

test('a visitor over the page-view budget is refused with a retry time, whatever socket or tab, and audited once', async () => {
  const { site, owner } = suite;
  const session = await api.visitorSession(site, PAGE);
  // 300 page views per 10 minutes per visitor; sent in parallel batches, as a runaway script would.
  const statuses = [];
  for (let batch = 0; batch < 7; batch++) {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      fromPage(site, '/pageview', { token: session.token, url: `${PAGE}/p${batch}-${i}`, title: 'Flood', referrer: '' })));
    statuses.push(...answers.map((r) => r.status));
    if (batch === 6) {
      const refused = answers.find((r) => r.status === 429);
      assert.ok(refused, 'the last batch is over the budget');
      assert.ok(Number(refused.headers.get('retry-after')) > 0, 'Retry-After says when');
      const body = await refused.json();
      assert.equal(body.error, 'rate_limited');
      assert.ok(body.retry_after_s > 0 && body.retry_after_s <= 600, `retry in ${body.retry_after_s} s`);
    }
  }
  assert.equal(statuses.filter((s) => s === 204).length, 300, 'exactly the budget got through');
  assert.equal(statuses.filter((s) => s === 429).length, 50);
  // Another visitor from the same page is not refused for the first one's flood.
  const other = await api.visitorSession(site, PAGE);
  const fine = await fromPage(site, '/pageview', { token: other.token, url: `${PAGE}/calm`, title: 'Calm', referrer: '' });
  assert.equal(fine.status, 204);
  const audit = (await (await owner.get(`/api/v1/workspaces/${site}/audit`)).json()).entries;
  const entries = audit.filter((e) => e.action === 'rate_limited' && e.detail.startsWith('pageview'));
  assert.equal(entries.length, 1, 'one entry for the whole burst');
  assert.match(entries[0].detail, /more than 300 in 10 minutes from one visitor/);

  // The owner finds it in the inbox by filtering: the edge filters, so the whole log is searched.
  const page = await (await suite.browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await signInToInbox(page, edge, { email: 'flo@floods.example', password: 'flood tests pw 1' });
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: 'Audit log' }).click();
  await page.getByRole('combobox', { name: 'Action' }).selectOption({ label: 'Rate limit reached' });
  await page.getByRole('cell', { name: /pageview: more than 300 in 10 minutes/ }).waitFor();
  // The entry is in the unfiltered log too: wait for the filtered one to replace it (a filter
  // that does nothing leaves the sign-ins, and this times out).
  await page.getByRole('cell', { name: 'Signed in' }).first().waitFor({ state: 'detached', timeout: 5000 });
  assert.equal(await page.getByRole('cell', { name: 'Signed in' }).count(), 0, 'only the chosen kind');
  await page.close();
});

test('typing and contact frames have a budget per socket; a flood is refused and changes nothing', async () => {
  const session = await api.visitorSession('demo', PAGE);
  const visitor = await api.visitorSocket('demo', session.token);
  await visitor.hello();
  for (let i = 0; i < 125; i++) visitor.send({ type: 'typing' });
  const refused = await visitor.nextOf('error', (f) => f.code === 'rate_limited');
  assert.ok(refused.retry_after_s >= 1 && refused.retry_after_s <= 10);
  visitor.send({ type: 'contact', name: 'Flooder' });
  assert.equal((await visitor.nextOf('error')).code, 'rate_limited', 'a contact change in the flood is refused too');
  // Messages keep their own budget.
  visitor.send({ type: 'send', client_id: 'c_afterflood1', body: 'still here' });
  await visitor.nextOf('ack');
  visitor.close();
});

test('the widget keeps a message sent too fast and sends it on its own when the wait is over', async () => {
  const page = await (await suite.browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
  await page.goto(`${edge.base}/demo`);
  await page.getByRole('button', { name: 'Reject all' }).click();
  await page.getByRole('button', { name: 'Open chat' }).click();
  const widget = page.frameLocator('iframe[title="Chat"]');
  const box = widget.getByRole('textbox', { name: 'Message' });
  await box.waitFor();
  // The visitor's other tab has just sent a burst (the budget is per sender, whatever the tab):
  // 60 at once, then 2 a second. What the widget sends now has to wait.
  await box.fill('first');
  await box.press('Enter');
  await widget.getByText('Sent', { exact: true }).waitFor();
  const token = await page.evaluate(() => window.__provixchat.s.token);
  const otherTab = await api.visitorSocket('demo', token);
  await otherTab.hello();
  // The other tab keeps flooding (50 a second) while the visitor writes here.
  let n = 0;
  const flooding = setInterval(() => {
    for (let k = 0; k < 5; k++) otherTab.send({ type: 'send', client_id: `c_tab${String(++n).padStart(7, '0')}`, body: `tab ${n}` });
  }, 100);
  await otherTab.nextOf('error', (f) => f.code === 'rate_limited');
  for (let i = 1; i <= 3; i++) {
    await box.fill(`quick ${i}`);
    await box.press('Enter');
  }
  await widget.getByText(/Sending in \d+ s \(you're writing quickly\)/).first().waitFor();
  clearInterval(flooding);
  otherTab.close();
  assert.equal(await widget.getByText(/Not sent/).count(), 0, 'nothing is lost or marked failed');
  // Sent on its own once the wait is over: every line ends up sent, in order.
  await widget.getByText(/Sending in/).first().waitFor({ state: 'detached', timeout: 20_000 });
  await widget.getByText('quick 3', { exact: true }).waitFor();
  const again = await api.visitorSocket('demo', token);
  const history = (await again.hello()).messages.map((m) => m.body).filter((b) => !b.startsWith('tab '));
  again.close();
  assert.deepEqual(history, ['first', 'quick 1', 'quick 2', 'quick 3'], 'all of them, once, in order');
  await page.close();
});
