// Data-subject requests from the inbox, in real Chromium against the real edge: an owner signs up
// with their data in the EU, a visitor chats and gives their email, and the owner finds them on
// "Data requests" and acts for them — downloads their data, corrects their email, restricts
// processing and records an objection (which agents see beside the conversation), then erases
// everything. The history lists each request; an agent sees none of it and is refused the routes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fillSignUp, signInToInbox, submitSignUp } from '../support/inbox.mjs';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

const PAGE = 'http://127.0.0.1:1';
const OWNER = { name: 'Olivia', email: 'olivia@atelier.example', password: 'a long owner password' };
let suite, edge, browser, api, site;

before(async () => {
  suite = await startSuite('data-requests');
  ({ edge, api, browser } = suite);
});
after(() => stopSuite(suite));

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  return context.newPage();
}

const nav = (page, name) => page.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name });

/** A visitor on the site who gives their name and email and asks something; answers the session. */
async function visitorChats(body, contact) {
  const res = await api.post(`/api/v1/sites/${site}/visitor-session`, { host: PAGE });
  assert.equal(res.status, 200, await res.clone().text());
  const session = await res.json();
  const socket = await api.visitorSocket(site, session.token);
  await socket.hello();
  socket.send({ type: 'contact', ...contact });
  socket.send({ type: 'send', client_id: 'c_datareq001', body });
  await socket.nextOf('ack');
  socket.close();
  return session;
}

/** An agent's reply and a private note on a conversation, over the agents' socket. */
async function replyWithNote(agent, conversation, body, note) {
  const s = await agent.socket(`/api/v1/workspaces/${site}/conversations/${conversation}/connect`);
  await s.hello();
  s.send({ type: 'send', client_id: 'a_datareq001', body });
  await s.nextOf('ack');
  s.send({ type: 'send', client_id: 'n_datareq001', body: note, note: true });
  await s.nextOf('ack');
  s.close();
}

/** Searches "Data requests" for `query`. */
async function find(page, query) {
  await page.getByRole('searchbox', { name: 'Email or visitor ID' }).fill(query);
  await page.getByRole('button', { name: 'Find', exact: true }).click();
}

test('an owner in the EU answers a visitor\'s data requests from the inbox', async () => {
  // Sign-up with the data pinned to the EU: the workspace id says so, and so do the settings.
  const owner = await newPage();
  await fillSignUp(owner, edge, { ...OWNER, workspace: 'Atelier', website: '127.0.0.1' });
  const regions = owner.getByRole('group', { name: 'Data location' });
  assert.ok(await regions.getByRole('radio', { name: 'Global' }).isChecked(), 'global unless chosen');
  await regions.getByRole('radio', { name: 'European Union' }).check();
  await owner.screenshot({ path: artifact('data-requests-sign-up.png'), fullPage: true });
  ({ site } = await submitSignUp(owner));
  assert.match(site, /^atelier-[0-9a-f]{6}-eu$/);
  await owner.getByRole('button', { name: 'Go to inbox' }).click();
  await owner.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();

  await nav(owner, 'Settings').click();
  await owner.getByRole('heading', { name: 'Data and privacy' }).waitFor();
  await owner.getByText('European Union', { exact: true }).waitFor();
  await owner.getByText('Kept until deleted.').waitFor();
  const retention = owner.getByRole('combobox', { name: 'Delete conversations after' });
  await retention.selectOption({ label: '90 days' });
  await owner.getByText('Conversations and page activity older than 90 days are deleted automatically.').waitFor();
  await retention.selectOption({ label: 'Keep' });
  await owner.getByText('Kept until deleted.').waitFor();
  for (const [name, href] of [['Visitor privacy notice', `/privacy/${site}`], ['Record of processing', `/privacy/${site}/record`]]) {
    const link = owner.getByRole('link', { name });
    assert.equal(await link.getAttribute('href'), href);
    assert.equal(await link.getAttribute('target'), '_blank');
  }
  await owner.getByRole('heading', { name: 'Data and privacy' }).scrollIntoViewIfNeeded();
  await owner.screenshot({ path: artifact('data-requests-settings.png') });

  // A visitor chats and gives their email; the owner (another session, by API) replies and notes.
  const session = await visitorChats('Where is my order 1142?', { name: 'Mia Keller', email: 'mia@customer.example' });
  const visitorId = session.token.split('.')[2];
  const ownerApi = await api.signIn(OWNER.email, OWNER.password);
  await replyWithNote(ownerApi, session.conversation_id, 'It ships tomorrow, Mia.', 'Asked twice already.');
  await nav(owner, 'Conversations').click();
  const listed = owner.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: /Mia Keller/ });
  await listed.waitFor();

  // Found by email on "Data requests".
  await nav(owner, 'Data requests').click();
  await owner.getByRole('heading', { name: 'Data requests' }).waitFor();
  await find(owner, 'nobody@customer.example');
  await owner.getByRole('status').filter({ hasText: 'No visitor with that email or id.' }).waitFor();
  await find(owner, 'MIA@customer.example ');
  const card = owner.getByRole('article', { name: 'Mia Keller' });
  await card.waitFor();
  await card.getByText(visitorId, { exact: true }).waitFor();
  const fact = async (term) => card.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd').textContent();
  assert.equal(await fact('Conversations'), '1');
  assert.equal(await fact('Email'), 'mia@customer.example');

  // Download: the file holds the conversation, the agent's note marked as one.
  const [download] = await Promise.all([owner.waitForEvent('download'), card.getByRole('button', { name: 'Download data' }).click()]);
  assert.equal(download.suggestedFilename(), `data-${visitorId}.json`);
  const file = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(file.site, site);
  assert.equal(file.data_region, 'eu');
  assert.equal(file.visitor_id, visitorId);
  assert.equal(file.profile.email, 'mia@customer.example');
  assert.equal(file.conversations.length, 1);
  const messages = file.conversations[0].messages.map((m) => [m.author.kind, m.body, m.note === true]);
  assert.deepEqual(messages, [
    ['visitor', 'Where is my order 1142?', false],
    ['agent', 'It ships tomorrow, Mia.', false],
    ['agent', 'Asked twice already.', true],
  ]);
  await card.getByRole('status').filter({ hasText: `Data downloaded as data-${visitorId}.json` }).waitFor();

  // Correct the email: a bad one is refused beside the field, a good one is saved.
  await card.getByRole('button', { name: 'Correct details' }).click();
  const form = card.getByRole('form', { name: 'Correct details' });
  const emailBox = form.getByRole('textbox', { name: 'Email' });
  assert.equal(await emailBox.inputValue(), 'mia@customer.example');
  await emailBox.fill('mia at customer');
  await form.getByRole('button', { name: 'Save details' }).click();
  await form.getByRole('alert').waitFor();
  await emailBox.fill('mia.keller@customer.example');
  await form.getByRole('button', { name: 'Save details' }).click();
  await card.getByRole('status').filter({ hasText: 'Details corrected' }).waitFor();
  await card.getByText('mia.keller@customer.example', { exact: true }).waitFor();

  // Restrict, then object: the card says both are in force and offers to undo them.
  await card.getByRole('button', { name: 'Restrict processing' }).click();
  await card.getByRole('status').filter({ hasText: 'Processing restricted' }).waitFor();
  const flags = card.getByRole('list', { name: 'Requests in force' });
  await flags.getByText('Processing restricted').waitFor();
  await card.getByRole('button', { name: 'Lift restriction' }).waitFor();
  await card.getByRole('button', { name: 'Record objection to analytics' }).click();
  await flags.getByText('Objected to analytics').waitFor();
  await card.getByRole('button', { name: 'Withdraw objection' }).waitFor();
  await owner.getByRole('region', { name: 'Request history' }).getByRole('cell', { name: 'Recorded an objection to analytics' }).waitFor();
  await owner.screenshot({ path: artifact('data-requests.png'), fullPage: true });

  // Beside the conversation, agents see both.
  await nav(owner, 'Conversations').click();
  await listed.click();
  const pane = owner.getByRole('complementary', { name: 'Visitor' });
  const inForce = pane.getByRole('list', { name: 'Data requests in force' });
  await inForce.getByText('Processing restricted — nothing new is captured').waitFor();
  await inForce.getByText('Objected to analytics').waitFor();
  await owner.screenshot({ path: artifact('data-requests-profile.png') });

  // Erase, found by the corrected email: the confirmation says what goes and that it is final.
  await nav(owner, 'Data requests').click();
  await find(owner, 'mia.keller@customer.example');
  await card.getByRole('button', { name: 'Erase all data' }).click();
  const confirm = card.getByRole('group', { name: 'Erase all data about Mia Keller?' });
  await confirm.getByText('This cannot be undone.').waitFor();
  assert.ok(await confirm.getByRole('heading').evaluate((h) => h === document.activeElement), 'the question takes the focus');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await confirm.waitFor({ state: 'detached' });
  await card.getByRole('button', { name: 'Erase all data' }).click();
  await owner.screenshot({ path: artifact('data-requests-erase.png') });
  await confirm.getByRole('button', { name: 'Erase permanently' }).click();
  const erased = owner.getByRole('status').filter({ hasText: /^Erased: 1 conversation · reference [0-9a-f]+$/ });
  await erased.waitFor();
  const reference = (await erased.textContent()).split('reference ')[1];
  await card.waitFor({ state: 'detached' });
  await find(owner, 'mia.keller@customer.example');
  await owner.getByRole('status').filter({ hasText: 'No visitor with that email or id.' }).waitFor();
  await find(owner, visitorId);
  await owner.getByRole('status').filter({ hasText: 'No visitor with that email or id.' }).waitFor();

  // The history: each request, by the owner, the erasure with its reference.
  const history = owner.getByRole('region', { name: 'Request history' });
  const rows = history.getByRole('row');
  for (const what of ['Exported a visitor\'s data', 'Corrected a visitor\'s details', 'Restricted processing',
    'Recorded an objection to analytics', 'Erased a visitor\'s data']) {
    await rows.filter({ has: owner.getByRole('cell', { name: what, exact: true }) })
      .filter({ has: owner.getByRole('cell', { name: OWNER.email, exact: true }) }).first().waitFor();
  }
  const erasure = rows.filter({ has: owner.getByRole('cell', { name: 'Erased a visitor\'s data', exact: true }) });
  assert.ok((await erasure.textContent()).includes(reference), 'the erasure names its reference');
  assert.ok(!(await history.textContent()).includes('mia'), 'the history does not name the visitor');
  assert.equal(await rows.nth(1).getByRole('cell').nth(2).textContent(), 'Erased a visitor\'s data', 'newest first');
  await owner.screenshot({ path: artifact('data-requests-erased.png'), fullPage: true });

  // The conversation left the inbox, live.
  await nav(owner, 'Conversations').click();
  await owner.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();
  await listed.waitFor({ state: 'detached' });
});

test('agents neither see data requests nor reach their routes', async () => {
  const ownerApi = await api.signIn(OWNER.email, OWNER.password);
  const res = await ownerApi.post(`/api/v1/workspaces/${site}/invites`, { role: 'agent' });
  assert.equal(res.status, 201);
  const token = new URL((await res.json()).url).hash.replace('#invite=', '');
  const agent = await api.signedIn(await api.request('POST', `/api/v1/invites/${token}/accept`,
    { name: 'Alex', email: 'alex@atelier.example', password: 'a long agent password' }));

  const page = await newPage();
  await signInToInbox(page, edge, { email: 'alex@atelier.example', password: 'a long agent password' });
  await nav(page, 'Team').waitFor();
  assert.equal(await nav(page, 'Data requests').count(), 0);
  assert.equal(await nav(page, 'Audit log').count(), 0);

  const someone = await visitorChats('Hello?', { name: 'Noah', email: 'noah@customer.example' });
  const visitor = someone.token.split('.')[2];
  await api.expectError(await agent.get(`/api/v1/workspaces/${site}/data-subjects?q=noah%40customer.example`), 403, 'forbidden');
  await api.expectError(await agent.post(`/api/v1/workspaces/${site}/data-subjects/${visitor}`, { kind: 'export' }), 403, 'forbidden');
  await api.expectError(await agent.post(`/api/v1/workspaces/${site}/data-subjects/${visitor}`, { kind: 'erase' }), 403, 'forbidden');
  await api.expectError(await agent.get(`/api/v1/workspaces/${site}/data-requests`), 403, 'forbidden');
  // Nothing was done for Noah: the owner still finds him.
  const found = await (await ownerApi.get(`/api/v1/workspaces/${site}/data-subjects?q=noah%40customer.example`)).json();
  assert.equal(found.length, 1);
  assert.equal(found[0].visitor_id, visitor);
});
