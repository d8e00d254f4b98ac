// Closing an account and a workspace from the inbox, in real Chromium against the real edge: an
// agent closes their account (a wrong password is refused, the right one signs them out, and
// signing in again is refused); the owner is told to close their workspace first, closes it from
// Settings by typing its id, and the inbox moves on to the workspace they still have; the widget's
// site is gone at once. Left in no workspace at all, they close their account from there.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fillSignUp, submitSignUp } from '../support/inbox.mjs';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

const OWNER = { name: 'Cora', email: 'cora@closing-shop.example', password: 'a long owner password' };
const AGENT = { name: 'Abel', email: 'abel@closing-shop.example', password: 'a long agent password' };
const SISTER = { name: 'Sid', email: 'sid@sister-shop.example', password: 'a long sister password' };
const GRACE_MS = 14 * 24 * 3600 * 1000;
let suite, edge, browser, api;

before(async () => {
  suite = await startSuite('closing');
  ({ edge, api, browser } = suite);
});
after(() => stopSuite(suite));

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

const nav = (page, name) => page.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name });

/** The day something closed now is deleted, as the inbox writes it (the browser's own words). */
const deletionDay = (page) => page.evaluate((grace) => new Date(Date.now() + grace).toLocaleDateString('default',
  { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }), GRACE_MS);

/** A single-use invite token to `site` as `role`, made by `inviter`. */
async function inviteToken(inviter, site, role) {
  const res = await inviter.post(`/api/v1/workspaces/${site}/invites`, { role });
  assert.equal(res.status, 201, await res.clone().text());
  return new URL((await res.json()).url).hash.replace('#invite=', '');
}

async function signIn(page, { email, password }) {
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('an agent closes their account, then the owner closes the workspace', async () => {
  // The owner signs up in the inbox; the agent joins by an invite (set up over the API).
  const owner = await newPage();
  await fillSignUp(owner, edge, { ...OWNER, workspace: 'Closing Shop', website: '127.0.0.1' });
  const { site } = await submitSignUp(owner);
  await owner.getByRole('button', { name: 'Go to inbox' }).click();
  await owner.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();
  const ownerApi = await api.signIn(OWNER.email, OWNER.password);
  const joined = await api.request('POST', `/api/v1/invites/${await inviteToken(ownerApi, site, 'agent')}/accept`, AGENT);
  assert.ok([200, 201].includes(joined.status), await joined.clone().text());
  // The owner is also an admin of another shop's workspace.
  const sid = await api.signUp({ ...SISTER, workspace_name: 'Sister Shop', website: '127.0.0.1' });
  const sister = sid.me.workspaces[0].id;
  const admin = await ownerApi.post(`/api/v1/invites/${await inviteToken(sid, sister, 'admin')}/accept`, {});
  assert.ok([200, 201].includes(admin.status), await admin.clone().text());
  assert.equal((await (await fetch(`${edge.base}/api/v1/sites/${site}/consent-config`)).status), 200);

  // The agent sees no "Close workspace" in Settings (they have none) and closes their account.
  const agent = await newPage();
  await agent.goto(`${edge.edge}/inbox`);
  await signIn(agent, AGENT);
  await agent.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();
  assert.equal(await nav(agent, 'Settings').count(), 0, 'agents have no settings page');
  await nav(agent, 'Account').click();
  const closeAccount = agent.getByRole('region', { name: 'Close account' });
  const day = await deletionDay(agent);
  await closeAccount.getByText(`is deleted on ${day}.`).waitFor();
  assert.equal(await closeAccount.getByText('close it first').count(), 0, 'nothing of theirs to close first');
  await closeAccount.getByLabel('Password', { exact: true }).fill('not my password');
  await closeAccount.getByRole('button', { name: 'Close my account' }).click();
  await closeAccount.getByRole('alert').filter({ hasText: 'That is not your password.' }).waitFor();
  await closeAccount.getByLabel('Password', { exact: true }).fill(AGENT.password);
  await closeAccount.getByRole('button', { name: 'Close my account' }).click();
  await agent.getByRole('heading', { name: 'Sign in to Provixchat' }).waitFor();
  await agent.getByRole('status').filter({ hasText: `Your account is closed and will be deleted on ${day}.` }).waitFor();
  await agent.screenshot({ path: artifact('close-account-signed-out.png') });
  await signIn(agent, AGENT);
  await agent.getByRole('alert').filter({ hasText: 'this account was closed and is being deleted' }).waitFor();
  assert.equal(await agent.getByRole('heading', { name: 'Conversations', exact: true }).count(), 0, 'still signed out');
  const team = await (await ownerApi.get(`/api/v1/workspaces/${site}/members`)).json();
  assert.deepEqual(team.map((m) => m.email), [OWNER.email], 'the agent left the team');

  // The owner cannot close their account while they own the workspace.
  await owner.reload();
  await owner.getByRole('combobox', { name: 'Workspace' }).selectOption({ label: 'Closing Shop' });
  await nav(owner, 'Account').click();
  const ownerClose = owner.getByRole('region', { name: 'Close account' });
  await ownerClose.getByText('You own “Closing Shop”: close it first, in its Settings.').waitFor();
  await ownerClose.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await ownerClose.getByRole('button', { name: 'Close my account' }).click();
  await ownerClose.getByRole('alert').filter({ hasText: 'you own the workspace "Closing Shop": close it first' }).waitFor();

  // Settings → "Close workspace": the exports first, and the button armed only by the exact id.
  await nav(owner, 'Settings').click();
  const closeWorkspace = owner.getByRole('region', { name: 'Close workspace' });
  await closeWorkspace.getByText(`consent records and the audit log are deleted on ${await deletionDay(owner)}.`).waitFor();
  assert.equal(await closeWorkspace.getByRole('link', { name: 'Consent log (CSV)' }).getAttribute('href'),
    `/api/v1/workspaces/${site}/consents?format=csv`);
  assert.equal(await closeWorkspace.getByRole('link', { name: 'Audit log (CSV)' }).getAttribute('href'),
    `/api/v1/workspaces/${site}/audit?format=csv`);
  const confirm = closeWorkspace.getByRole('textbox', { name: `Type the workspace id (${site}) to confirm` });
  const button = closeWorkspace.getByRole('button', { name: 'Close workspace' });
  assert.ok(await button.isDisabled(), 'disabled before the id is typed');
  await confirm.fill('closing-shop');
  assert.ok(await button.isDisabled(), 'disabled for a near miss');
  await confirm.press('Enter');
  assert.equal(await closeWorkspace.getByRole('alert').count(), 0, 'Enter does not submit a near miss');
  await confirm.fill(site.toUpperCase());
  assert.ok(await button.isDisabled(), 'disabled for the id in capitals');
  await confirm.fill(site);
  assert.ok(await button.isEnabled(), 'enabled by the exact id');
  await closeWorkspace.scrollIntoViewIfNeeded();
  await owner.screenshot({ path: artifact('close-workspace.png') });
  await button.click();

  // The workspace is gone from the inbox, which moves on to the one left (no switcher for one),
  // where the owner is an admin and sees no "Close workspace".
  const ownerDay = await deletionDay(owner);
  await owner.getByRole('status').filter({ hasText: `Closed “Closing Shop”. Everything will be deleted on ${ownerDay}.` }).waitFor();
  await owner.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();
  await owner.getByRole('banner').getByText('Sister Shop', { exact: true }).waitFor();
  assert.equal(await owner.getByRole('combobox', { name: 'Workspace' }).count(), 0, 'one workspace left: no switcher');
  assert.equal(await owner.getByText('Closing Shop', { exact: true }).count(), 0);
  await owner.screenshot({ path: artifact('close-workspace-done.png') });
  await nav(owner, 'Settings').click();
  await owner.getByRole('heading', { name: 'Settings' }).waitFor();
  await owner.getByRole('heading', { name: 'Consent banner' }).waitFor();
  assert.equal(await owner.getByRole('region', { name: 'Close workspace' }).count(), 0, 'admins cannot close it');
  await owner.getByRole('button', { name: 'Dismiss' }).click();
  assert.equal(await owner.getByText('Everything will be deleted on').count(), 0, 'dismissed');
  assert.deepEqual((await (await ownerApi.get('/api/v1/me')).json()).workspaces.map((w) => w.id), [sister]);

  // The widget's site is gone at once.
  await api.expectError(await fetch(`${edge.base}/api/v1/sites/${site}/consent-config`), 404, 'unknown_site');

  // Removed from the other workspace too, the owner is in none, and closes their account there.
  assert.equal((await sid.delete(`/api/v1/workspaces/${sister}/members/${OWNER.email}`)).status, 200);
  await owner.reload();
  await owner.getByRole('heading', { name: 'No workspace' }).waitFor();
  await owner.screenshot({ path: artifact('no-workspace.png') });
  await owner.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await owner.getByRole('button', { name: 'Close my account' }).click();
  await owner.getByRole('heading', { name: 'Sign in to Provixchat' }).waitFor();
  await owner.getByRole('status').filter({ hasText: 'Your account is closed and will be deleted on' }).waitFor();
});
