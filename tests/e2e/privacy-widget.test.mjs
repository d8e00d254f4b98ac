// The visitor's own data rights from the widget's privacy choices, in Chromium against the real
// edge: nothing held before a decision; then, after accepting analytics and chatting, download
// everything held (the file is checked against what was created), correct the email, stop
// analytics and pause processing (both survive reopening), and delete everything — after which
// the site's storage forgets the visitor, the banner asks again and the old token is refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

let suite, edge, api, owner, site, browser, host, shop;

before(async () => {
  // The customer's page, on every path: the snippet and nothing else.
  suite = await startSuite('privacy-widget', {
    owner: { name: 'Pia', email: 'pia@rights.example', password: 'rights tests password', workspace_name: 'Rights Shop', website: '127.0.0.1' },
    pages: () => shop,
  });
  ({ edge, api, browser, owner, site, host } = suite);
  shop = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Rights Shop</title></head>
<body><h1>Rights Shop</h1><script src="${edge.edge}/widget.js" data-site="${site}" async></script></body></html>`;
});

after(() => stopSuite(suite));

/** A new visitor (a browser context of their own) on the customer's page at `route`. */
async function visit(route, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, ...options });
  const page = await context.newPage();
  await page.goto(`${host}${route}`);
  return { context, page, widget: page.frameLocator('iframe[title="Chat"]') };
}

/** The visitor's own request, as the widget sends it (from the edge's origin). */
const myData = (token, request) => api.post(`/api/v1/sites/${site}/my-data`, { token, request });

/** What the site owner sees of the visitor. */
async function profile(visitorId) {
  const res = await owner.get(`/api/v1/workspaces/${site}/visitors/${visitorId}`);
  assert.equal(res.status, 200);
  return res.json();
}

test('the visitor downloads, corrects, restricts, objects and deletes from the privacy choices', async () => {
  const { context, page, widget } = await visit('/shop', { acceptDownloads: true });
  const key = `provixchat.${site}`;

  // The banner (the loader's, on the page) links the notice the edge generates, in a new tab.
  const banner = page.getByRole('dialog', { name: 'We value your privacy' });
  const notice = banner.getByRole('link', { name: 'How this site uses your data' });
  assert.equal(await notice.getAttribute('href'), `${edge.edge}/privacy/${site}`);
  assert.equal(await notice.getAttribute('target'), '_blank');

  // Before any decision nothing is held, and the preferences say so.
  await banner.getByRole('button', { name: 'Customize' }).click();
  const prefs = widget.getByRole('dialog', { name: 'Privacy choices' });
  const yours = prefs.getByRole('region', { name: 'Your data' });
  await yours.getByText('We hold no personal data about you on this site.').waitFor();
  assert.equal(await yours.getByRole('button').count(), 0);
  await prefs.getByRole('link', { name: 'How this site uses your data' }).waitFor();

  // Analytics accepted (page activity is captured), then a chat.
  await prefs.getByRole('button', { name: 'Accept all' }).click();
  await page.waitForFunction(() => window.Provixchat?.consent?.get()?.analytics === true);
  await page.getByRole('button', { name: 'Open chat' }).click();
  const composer = widget.getByRole('textbox', { name: 'Message' });
  await composer.fill('Where is my order 4711?');
  await composer.press('Enter');
  await widget.getByText('Sent', { exact: true }).waitFor();
  const token = (await page.evaluate((k) => JSON.parse(localStorage.getItem(k)), key)).token;
  assert.ok(token, 'the site keeps a visitor token');

  // Download: a JSON file with everything held.
  await widget.getByRole('button', { name: 'Privacy choices' }).click();
  const download = widget.getByRole('button', { name: 'Download my data' });
  const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
  assert.equal(file.suggestedFilename(), `my-data-${site}.json`);
  const exported = JSON.parse(readFileSync(await file.path(), 'utf8'));
  assert.match(exported.visitor_id, /\S/);
  assert.equal(exported.site, site);
  const bodies = exported.conversations.flatMap((c) => c.messages.map((m) => m.body));
  assert.deepEqual(bodies, ['Where is my order 4711?']);
  assert.ok(exported.conversations.flatMap((c) => c.messages).every((m) => !m.note), 'no agents\' notes in the visitor\'s own export');
  assert.equal(exported.profile.consents.length, 1, 'the consent history');
  assert.equal(exported.profile.consents[0].choices.analytics, true);
  assert.ok(exported.profile.pages.some((p) => p.url.startsWith(`${host}/shop`)), `page activity: ${JSON.stringify(exported.profile.pages)}`);
  const visitorId = exported.visitor_id;

  // Correct: the edge's refusal shows as it is, then the corrected email is saved.
  const email = yours.getByRole('textbox', { name: 'Email' });
  await email.fill('not an email');
  await yours.getByRole('button', { name: 'Save details' }).click();
  await yours.getByRole('alert').waitFor();
  await email.fill('ana@corrected.example');
  await yours.getByRole('button', { name: 'Save details' }).click();
  await yours.getByRole('status').filter({ hasText: 'ana@corrected.example' }).waitFor();
  assert.equal((await profile(visitorId)).email, 'ana@corrected.example');

  // Stop analytics and pause processing, each explained beside its switch.
  const object = yours.getByRole('switch', { name: 'Stop analytics' });
  const restrict = yours.getByRole('switch', { name: 'Pause processing of my data' });
  assert.match(await object.getAttribute('aria-describedby').then((id) => yours.locator(`#${id}`).textContent()), /page|device|location/i);
  assert.equal(await object.isChecked(), false);
  await object.check();
  await restrict.check();
  await page.waitForTimeout(300);
  const held = await profile(visitorId);
  assert.deepEqual([held.objected, held.restricted], [true, true]);
  assert.deepEqual(held.pages, [], 'objecting deletes the page activity');
  await yours.scrollIntoViewIfNeeded();
  await yours.screenshot({ path: artifact('privacy-menu.png') });

  // Both survive closing and reopening the preferences (asked from the edge again).
  await prefs.getByRole('button', { name: 'Close' }).click();
  await prefs.waitFor({ state: 'detached' });
  await widget.getByRole('button', { name: 'Privacy choices' }).click();
  assert.equal(await object.isChecked(), true);
  assert.equal(await restrict.isChecked(), true);

  // Delete: asked first, cancellable, then done.
  await yours.getByRole('button', { name: 'Delete my data' }).click();
  const confirmation = yours.getByRole('group');
  await confirmation.getByText('This cannot be undone.').waitFor();
  await confirmation.getByRole('button', { name: 'Cancel' }).click();
  await confirmation.waitFor({ state: 'detached' });
  assert.equal((await myData(token, { kind: 'status' })).status, 200, 'cancelling erased nothing');
  await yours.getByRole('button', { name: 'Delete my data' }).click();
  // The confirmation in the dialog, on the customer's page.
  await confirmation.scrollIntoViewIfNeeded();
  await page.screenshot({ path: artifact('privacy-menu-delete.png') });
  await confirmation.getByRole('button', { name: 'Delete everything' }).click();
  await yours.getByRole('status').filter({ hasText: 'Your data has been deleted.' }).waitFor();

  // The page forgot the visitor: no token, no decision.
  await page.waitForFunction((k) => localStorage.getItem(k) === null, key);
  assert.equal(await page.evaluate(() => Provixchat.consent.get()), null);
  // The old token is refused everywhere.
  await api.expectError(await myData(token, { kind: 'status' }), 401, 'unauthorized');
  await api.expectError(await api.post(`/api/v1/sites/${site}/visitor-session`, { host, token }), 401, 'unauthorized');

  // Leaving the confirmation replaces the erased visitor's frame: the chat opens afresh.
  await prefs.getByRole('button', { name: 'Close' }).click();
  await widget.getByRole('textbox', { name: 'Message' }).waitFor();
  assert.equal(await page.locator('#provixchat').locator('iframe').count(), 1, 'one frame, a new one');
  assert.equal(await widget.getByText('Where is my order 4711?').count(), 0, 'nothing of the old chat');

  // The next page asks again.
  await page.reload();
  await page.getByRole('dialog', { name: 'We value your privacy' }).waitFor();
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), key), null);
  await context.close();
});

test('"Your data" works from the keyboard; after deleting, a choice is a new visitor\'s', async () => {
  const { context, page, widget } = await visit('/keys');
  await page.getByRole('button', { name: 'Reject all' }).click();
  await page.waitForFunction(() => window.Provixchat?.consent?.get());
  await page.evaluate(() => Provixchat.consent.show());
  const yours = widget.getByRole('region', { name: 'Your data' });
  const erase = yours.getByRole('button', { name: 'Delete my data' });
  await erase.focus();
  await page.keyboard.press('Enter');
  // Focus lands on the safe choice; Enter cancels and returns to the button.
  const cancel = yours.getByRole('button', { name: 'Cancel' });
  await cancel.waitFor();
  assert.equal(await cancel.evaluate((b) => b === document.activeElement), true);
  await page.keyboard.press('Enter');
  await cancel.waitFor({ state: 'detached' });
  assert.equal(await erase.evaluate((b) => b === document.activeElement), true);
  // A switch toggles with the space bar.
  const restrict = yours.getByRole('switch', { name: 'Pause processing of my data' });
  await restrict.focus();
  await page.keyboard.press('Space');
  await page.waitForTimeout(300);
  assert.equal(await restrict.isChecked(), true);
  const token = await page.evaluate(() => window.__provixchat.s.token);
  const status = await (await myData(token, { kind: 'status' })).json();
  assert.equal(status.restricted, true);

  // Deleted, then a choice in the same dialog: recorded for a new visitor, not refused.
  await erase.click();
  await yours.getByRole('button', { name: 'Delete everything' }).click();
  await yours.getByText('Your data has been deleted.').waitFor();
  await widget.getByRole('dialog', { name: 'Privacy choices' }).getByRole('button', { name: 'Reject all' }).click();
  await page.waitForFunction((old) => window.__provixchat.s.record && window.__provixchat.s.token !== old, token);
  const kept = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)), `provixchat.${site}`);
  assert.ok(kept?.record && kept.token && kept.token !== token, 'the new visitor\'s token and decision are kept');
  await api.expectError(await myData(token, { kind: 'status' }), 401, 'unauthorized');
  assert.equal((await myData(kept.token, { kind: 'status' })).status, 200);
  assert.equal(await page.locator('#provixchat').locator('iframe').count(), 0, 'the erased visitor\'s frame is gone');
  await context.close();
});

test('an erasure made by the site owner ends the visitor\'s open chat for good', async () => {
  const { context, page, widget } = await visit('/shop');
  await page.getByRole('dialog', { name: 'We value your privacy' }).getByRole('button', { name: 'Reject all' }).click();
  await page.getByRole('button', { name: 'Open chat' }).click();
  const composer = widget.getByRole('textbox', { name: 'Message' });
  await composer.fill('Please forget me');
  await composer.press('Enter');
  await widget.getByText('Sent', { exact: true }).waitFor();
  const visitor = (await page.evaluate(() => window.__provixchat.s.token)).split('.')[2];
  const res = await owner.post(`/api/v1/workspaces/${site}/data-subjects/${visitor}`, { kind: 'erase' });
  assert.equal(res.status, 200, await res.text());
  // The socket is closed with "deleted" (4410): the widget says so and stops retrying.
  await widget.getByRole('status').filter({ hasText: 'Conversation ended' }).waitFor();
  await page.waitForTimeout(2000);
  assert.equal(await widget.getByText('Reconnecting…').count(), 0);
  await context.close();
});
