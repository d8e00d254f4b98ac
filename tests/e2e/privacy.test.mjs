// Data-subject rights, retention, the data region and the audit trail against the real edge
// (wrangler dev: workerd, SQLite Durable Objects on disk, alarms). A visitor with two
// conversations, page activity and a consent history downloads their data, corrects it, objects,
// restricts and erases it; an admin does the same for another visitor; retention deletes old
// conversations and page activity on its own. A retention "day" lasts one second here
// (RETENTION_DAY_MS), so the alarms fire within the test.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seedWorkspace, startSuite, stopSuite } from '../support/suite.mjs';

let suite, edge, api, owner, site;
const PAGE = 'http://127.0.0.1:1';
const DAY_MS = 1000;

before(async () => {
  suite = await startSuite('privacy', {
    browser: false,
    vars: { RETENTION_DAY_MS: String(DAY_MS) },
    owner: { name: 'Olga', email: 'olga@privacy.example', password: 'privacy tests pw', workspace_name: 'Privacy', website: '127.0.0.1' },
  });
  ({ edge, api, owner, site } = suite);
});
after(() => stopSuite(suite));

const visitorOf = (token) => token.split('.')[2];

/** A visitor's consent decision; answers their token. */
async function decided(inSite, analytics, token) {
  const config = await (await fetch(`${edge.base}/api/v1/sites/${inSite}/consent-config`)).json();
  const res = await api.post(`/api/v1/sites/${inSite}/consent`, {
    host: PAGE, ...(token && { token }),
    decision: { policy_version: config.policy_version, choices: { preferences: false, analytics, marketing: false }, method: 'custom', lang: 'en', gpc: false },
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).token;
}

const fromPage = (inSite, route, body) => api.request('POST', `/api/v1/sites/${inSite}${route}`, { host: PAGE, ...body }, { origin: PAGE });

/** Opens the visitor's conversation socket (a new conversation with `fresh`) and writes `bodies`. */
async function chat(inSite, token, bodies, { fresh = false, contact } = {}) {
  const res = await api.post(`/api/v1/sites/${inSite}/visitor-session`, { host: PAGE, token, new_conversation: fresh });
  assert.equal(res.status, 200, await res.clone().text());
  const session = await res.json();
  const socket = await api.visitorSocket(inSite, session.token);
  const { files } = await socket.hello();
  if (contact) socket.send({ type: 'contact', ...contact });
  for (const [i, body] of bodies.entries()) {
    socket.send({ type: 'send', client_id: `c_${session.conversation_id.slice(3, 10)}${i}`, body });
    await socket.nextOf('ack');
  }
  return { ...session, socket, files };
}

/** The visitor's own request from the widget (the edge's origin). */
const myData = (inSite, token, request) => api.post(`/api/v1/sites/${inSite}/my-data`, { token, request });
const ok = async (res) => { assert.equal(res.status, 200, await res.clone().text()); return res.json(); };

/** An agent's reply (and a private note) on a conversation. */
async function reply(agent, inSite, conversation, body, note) {
  const s = await agent.socket(`/api/v1/workspaces/${inSite}/conversations/${conversation}/connect`);
  await s.hello();
  s.send({ type: 'send', client_id: `a_${conversation.slice(3, 11)}`, body });
  await s.nextOf('ack');
  if (note) {
    s.send({ type: 'send', client_id: `n_${conversation.slice(3, 11)}`, body: note, note: true });
    await s.nextOf('ack');
  }
  s.close();
}

/** Invites someone with `role` who accepts as a new account. */
async function invite(role, name) {
  const res = await owner.post(`/api/v1/workspaces/${site}/invites`, { role });
  assert.equal(res.status, 201);
  const token = new URL((await res.json()).url).hash.replace('#invite=', '');
  const email = `${name.toLowerCase()}@privacy.example`;
  return Object.assign(await api.signedIn(await api.request('POST', `/api/v1/invites/${token}/accept`, { name, email, password: 'member password 1' })), { email });
}

/** Everything the inbox can show about the workspace, as text: list, search, profile, exports. */
async function inboxText(agent, queries) {
  const inbox = await agent.socket(`/api/v1/workspaces/${site}/connect`);
  inbox.send({ type: 'hello', protocol: 1, after_seq: 0 });
  const list = await inbox.nextOf('inbox');
  inbox.close();
  const parts = [JSON.stringify(list)];
  for (const q of queries) parts.push(await (await agent.get(`/api/v1/workspaces/${site}/search?q=${encodeURIComponent(q)}`)).text());
  parts.push(await (await agent.get(`/api/v1/workspaces/${site}/consents`)).text());
  parts.push(await (await agent.get(`/api/v1/workspaces/${site}/audit`)).text());
  return parts.join('\n');
}

async function assertRefused(token) {
  await api.expectError(await api.post(`/api/v1/sites/${site}/visitor-session`, { host: PAGE, token }), 401, 'unauthorized');
  await api.expectError(await myData(site, token, { kind: 'status' }), 401, 'unauthorized');
  await api.expectError(await fromPage(site, '/pageview', { token, url: `${PAGE}/again` }), 401, 'unauthorized');
  await assert.rejects(api.visitorSocket(site, token), (e) => e.status === 401);
}

test('a chat the visitor opened is theirs before they write in it: counted, and erased with them', async () => {
  // A workspace of its own: the other tests read their workspace's audit log entry by entry.
  const osite = 'openedchat';
  await seedWorkspace(edge.base, { site: osite, name: 'Opened', greeting: 'Hi', allowedDomains: ['127.0.0.1'], policyUrl: 'https://x.example/p', owner: { email: 'opened@privacy.example', name: 'Ola', password: 'opened password 1' } });
  const token = await decided(osite, false);
  const opened = await chat(osite, token, []);
  const status = await ok(await myData(osite, opened.token, { kind: 'status' }));
  assert.equal(status.conversations, 1, 'the open chat is on their profile');
  const closed = new Promise((resolve) => opened.socket.ws.once('close', resolve));
  const erased = await ok(await myData(osite, opened.token, { kind: 'erase' }));
  assert.equal(erased.conversations, 1);
  assert.equal(await closed, 4410, 'erasure reaches the chat they never wrote in');
});

test('a visitor downloads, corrects, objects, restricts and erases their own data', async () => {
  const token = await decided(site, true);
  const visitor = visitorOf(token);
  for (const [url, title] of [['/shoes?utm_source=mail', 'Shoes'], ['/shoes/red', 'Red shoes']]) {
    assert.equal((await fromPage(site, '/pageview', { token, url: PAGE + url, title })).status, 204);
  }
  const first = await chat(site, token, ['Where is my order 1142?'], { contact: { name: 'Mia Keller', email: 'mia@customer.example' } });
  await reply(owner, site, first.conversation_id, 'It ships today.', 'VIP customer — internal');
  const second = await chat(site, first.token, ['And can I return the red shoes?'], { fresh: true });
  assert.notEqual(second.conversation_id, first.conversation_id);
  assert.equal(visitorOf(second.token), visitor, 'the same visitor');

  const status = await ok(await myData(site, second.token, { kind: 'status' }));
  assert.deepEqual([status.conversations, status.pages, status.consents, status.email], [2, 2, 1, 'mia@customer.example']);

  // Download: everything created above, and nothing agents wrote privately.
  const file = await ok(await myData(site, second.token, { kind: 'export' }));
  assert.equal(file.visitor_id, visitor);
  assert.equal(file.site, site);
  assert.equal(file.data_region, 'global');
  assert.deepEqual(file.profile.pages.map((p) => p.title), ['Red shoes', 'Shoes']);
  assert.equal(file.profile.pages[1].url, `${PAGE}/shoes`, 'stored without the tracking parameter');
  assert.equal(file.profile.consents.length, 1);
  assert.equal(file.profile.consents[0].choices.analytics, true);
  assert.equal(file.profile.name, 'Mia Keller');
  const bodies = Object.fromEntries(file.conversations.map((c) => [c.id, c.messages.map((m) => m.body)]));
  assert.deepEqual(bodies, {
    [first.conversation_id]: ['Where is my order 1142?', 'It ships today.'],
    [second.conversation_id]: ['And can I return the red shoes?'],
  });
  assert.ok(!JSON.stringify(file).includes('VIP customer'), 'private notes stay out of the visitor’s own export');

  // Correct: the profile, its edit log and the inbox follow.
  const corrected = await ok(await myData(site, second.token, { kind: 'correct', email: 'mia.keller@customer.example' }));
  assert.equal(corrected.email, 'mia.keller@customer.example');
  await api.expectError(await myData(site, second.token, { kind: 'correct', email: 'not an email' }), 400, 'invalid_input');
  const profile = await ok(await owner.get(`/api/v1/workspaces/${site}/visitors/${visitor}`));
  assert.equal(profile.contact_edits.at(-1).by, 'visitor');
  assert.ok((await (await owner.get(`/api/v1/workspaces/${site}/search?q=mia.keller`)).json()).length >= 1);

  // Object: analytics data deleted and no longer captured, consent notwithstanding.
  assert.equal((await ok(await myData(site, second.token, { kind: 'object', on: true }))).objected, true);
  await fromPage(site, '/pageview', { token, url: `${PAGE}/after-objection`, title: 'After' });
  const objected = await ok(await owner.get(`/api/v1/workspaces/${site}/visitors/${visitor}`));
  assert.deepEqual([objected.pages, objected.device, objected.location, objected.objected], [[], null, null, true]);

  // Restrict: kept, nothing new captured, agents see it; then lifted.
  assert.equal((await ok(await myData(site, second.token, { kind: 'restrict', on: true }))).restricted, true);
  assert.equal((await fromPage(site, '/attributes', { token, attributes: { plan: 'gold' } })).status, 204);
  assert.equal((await ok(await fromPage(site, '/identify', { token, id: 'user-77', email: 'other@customer.example' }))).verified, false);
  const restricted = await ok(await owner.get(`/api/v1/workspaces/${site}/visitors/${visitor}`));
  assert.equal(restricted.restricted, true);
  assert.deepEqual(restricted.attributes, {}, 'nothing new captured');
  assert.deepEqual([restricted.identity, restricted.email], [null, 'mia.keller@customer.example']);
  assert.equal(restricted.conversations.length, 2, 'the data is kept');
  assert.equal((await ok(await myData(site, second.token, { kind: 'restrict', on: false }))).restricted, false);

  // A conversation opened but never written in: its id is nowhere but in this token.
  const unused = await ok(await api.post(`/api/v1/sites/${site}/visitor-session`, { host: PAGE, token: second.token, new_conversation: true }));

  // Erase: the open chat is closed, and nothing of theirs answers anywhere.
  const closed = new Promise((resolve) => second.socket.ws.once('close', resolve));
  const erased = await ok(await myData(site, second.token, { kind: 'erase' }));
  assert.equal(erased.conversations, 2);
  assert.match(erased.reference, /^[0-9a-f]{16}$/);
  assert.equal(await closed, 4410);
  const text = await inboxText(owner, ['mia', 'order 1142', 'red shoes', 'VIP']);
  for (const trace of [visitor, first.conversation_id, second.conversation_id, 'Mia', 'mia.keller', '1142', 'red shoes', 'VIP']) {
    assert.ok(!text.includes(trace), `nothing of the visitor is left: ${trace}`);
  }
  await api.expectError(await owner.get(`/api/v1/workspaces/${site}/visitors/${visitor}`), 404, 'not_found');
  assert.deepEqual(await ok(await owner.get(`/api/v1/workspaces/${site}/data-subjects?q=mia.keller%40customer.example`)), []);
  assert.deepEqual(await ok(await owner.get(`/api/v1/workspaces/${site}/data-subjects?q=${visitor}`)), []);
  await assert.rejects(owner.socket(`/api/v1/workspaces/${site}/conversations/${first.conversation_id}/connect`), (e) => e.status === 404);
  for (const t of [token, first.token, second.token, unused.token]) await assertRefused(t);

  // The request history: every action, by the visitor, naming them only by the reference.
  const history = (await ok(await owner.get(`/api/v1/workspaces/${site}/data-requests`))).entries;
  assert.deepEqual(history.map((e) => e.action).reverse(), [
    'data_exported', 'data_corrected', 'analytics_objected', 'processing_restricted', 'processing_resumed', 'data_erased',
  ]);
  for (const e of history) {
    assert.equal(e.actor, 'visitor');
    assert.ok(e.detail.includes(erased.reference), e.detail);
    assert.ok(!e.detail.includes(visitor) && !e.detail.includes('mia'), 'no identifying detail');
  }
  assert.match(history[0].detail, /2 conversation\(s\) deleted, verified/);
});

test('an admin runs the same requests on a visitor’s behalf; agents and strangers cannot', async () => {
  const admin = await invite('admin', 'Ada');
  const agent = await invite('agent', 'Abe');
  const token = await decided(site, true);
  const visitor = visitorOf(token);
  await fromPage(site, '/pageview', { token, url: `${PAGE}/pricing`, title: 'Pricing' });
  const convo = await chat(site, token, ['Please delete my account later'], { contact: { email: 'noah@customer.example' } });
  await reply(admin, site, convo.conversation_id, 'Noted.', 'asked about deletion');
  convo.socket.close();
  const route = `/api/v1/workspaces/${site}/data-subjects`;

  // Only owners and admins; never from another origin.
  await api.expectError(await agent.get(`${route}?q=noah%40customer.example`), 403, 'forbidden');
  await api.expectError(await agent.post(`${route}/${visitor}`, { kind: 'export' }), 403, 'forbidden');
  await api.expectError(await agent.get(`/api/v1/workspaces/${site}/data-requests`), 403, 'forbidden');
  await api.expectError(await api.request('POST', `${route}/${visitor}`, { kind: 'erase' }, { headers: { cookie: admin.cookie }, origin: 'https://evil.example' }), 403, 'origin_not_allowed');
  await api.expectError(await api.post(`/api/v1/sites/${site}/my-data`, { token, request: { kind: 'export' } }, 'https://evil.example'), 403, 'origin_not_allowed');
  await api.expectError(await admin.post(`${route}/vs_nobody_here_1234`, { kind: 'export' }), 404, 'not_found');
  await api.expectError(await admin.post(`${route}/${visitor}`, { kind: 'shred' }), 400, 'malformed_frame');

  const [found] = await ok(await admin.get(`${route}?q=noah%40customer.example`));
  assert.equal(found.visitor_id, visitor);
  assert.deepEqual([found.conversations, found.pages, found.consents], [1, 1, 1]);

  const file = await ok(await admin.post(`${route}/${visitor}`, { kind: 'export' }));
  assert.deepEqual(file.conversations[0].messages.map((m) => [m.body, m.note === true]), [
    ['Please delete my account later', false], ['Noted.', false], ['asked about deletion', true],
  ]);
  assert.equal((await ok(await admin.post(`${route}/${visitor}`, { kind: 'correct', name: 'Noah Berg' }))).name, 'Noah Berg');
  const edited = await ok(await admin.get(`/api/v1/workspaces/${site}/visitors/${visitor}`));
  assert.equal(edited.contact_edits.at(-1).by, admin.email, 'the edit names the admin');
  assert.equal(edited.conversations[0].visitor_name, 'Noah Berg', 'the inbox shows the corrected name');
  assert.equal((await ok(await admin.post(`${route}/${visitor}`, { kind: 'restrict', on: true }))).restricted, true);
  assert.equal((await ok(await agent.get(`/api/v1/workspaces/${site}/visitors/${visitor}`))).restricted, true, 'agents see the restriction');
  assert.equal((await ok(await admin.post(`${route}/${visitor}`, { kind: 'object', on: true }))).objected, true);
  const erased = await ok(await admin.post(`${route}/${visitor}`, { kind: 'erase' }));
  assert.equal(erased.conversations, 1);
  await assertRefused(token);
  await api.expectError(await admin.post(`${route}/${visitor}`, { kind: 'status' }), 404, 'not_found');
  assert.ok(!(await inboxText(admin, ['noah', 'delete my account'])).includes('noah'));

  const mine = ((await ok(await owner.get(`/api/v1/workspaces/${site}/data-requests`))).entries).filter((e) => e.actor === admin.email);
  assert.deepEqual(mine.map((e) => e.action).reverse(), ['data_exported', 'data_corrected', 'processing_restricted', 'analytics_objected', 'data_erased']);
  assert.ok(mine.every((e) => e.detail.startsWith('on behalf of the visitor · subject ' + erased.reference)));
  // Append-only: no route alters or removes an entry.
  for (const method of ['POST', 'PUT', 'DELETE']) {
    for (const r of ['audit', 'data-requests']) {
      const res = await api.request(method, `/api/v1/workspaces/${site}/${r}`, method === 'DELETE' ? undefined : [], { headers: { cookie: owner.cookie } });
      assert.equal(res.status, 404, `${method} ${r}`);
    }
  }
});

test('too many requests from one visitor are refused and the first refusal is audited', async () => {
  const token = await decided(site, false);
  let refused = 0;
  for (let i = 0; i < 32; i += 1) {
    const res = await myData(site, token, { kind: 'status' });
    if (res.status === 429) refused += 1;
  }
  assert.equal(refused, 2);
  const audit = (await ok(await owner.get(`/api/v1/workspaces/${site}/audit`))).entries;
  assert.equal(audit.filter((e) => e.action === 'rate_limited').length, 1);
  assert.match(audit.find((e) => e.action === 'rate_limited').detail, /my-data: more than 30 requests/);

  // A chat connection flooding messages: refused past the limit, audited once.
  const flood = await chat(site, token, []);
  for (let i = 0; i < 63; i += 1) flood.socket.send({ type: 'send', client_id: `c_flood${String(i).padStart(4, '0')}`, body: `spam ${i}` });
  for (let i = 0; i < 3; i += 1) assert.equal((await flood.socket.nextOf('error')).code, 'rate_limited');
  flood.socket.close();
  const after = (await ok(await owner.get(`/api/v1/workspaces/${site}/audit`))).entries;
  const floods = after.filter((e) => e.action === 'rate_limited' && e.detail.startsWith('chat messages'));
  assert.equal(floods.length, 1);
  assert.equal(floods[0].actor, 'visitor');
});

test('retention deletes old conversations and page activity on its own while new ones stay', async () => {
  const keeper = await api.signUp({ name: 'Rita', email: 'rita@privacy.example', password: 'retention tests pw', workspace_name: 'Retention', website: '127.0.0.1' });
  const rsite = keeper.me.workspaces[0].id;
  // Page activity recorded while everything was kept follows the period set later.
  const early = await decided(rsite, true);
  assert.equal((await fromPage(rsite, '/pageview', { token: early, url: `${PAGE}/early`, title: 'Early' })).status, 204);
  const settings = await ok(await keeper.get(`/api/v1/workspaces/${rsite}/settings`));
  // 6 "days" of one second each.
  await ok(await keeper.put(`/api/v1/workspaces/${rsite}/settings`, { ...settings, retention_days: 6 }));
  const token = await decided(rsite, true);
  assert.equal((await fromPage(rsite, '/pageview', { token, url: `${PAGE}/old-page`, title: 'Old page' })).status, 204);
  const old = await chat(rsite, token, ['an old question']);
  // A file in it too: retention takes the conversation's files with it.
  const route = `/api/v1/sites/${rsite}/file-messages?token=${encodeURIComponent(old.token)}&client_id=c_oldfile0001&name=old.txt`;
  const posted = await fetch(`${edge.base}${route}`, { method: 'POST', headers: { origin: edge.base }, body: 'an old note' });
  assert.equal(posted.status, 204);
  const { message } = await old.socket.nextOf('message', (f) => f.message.file);
  const fileUrl = `${edge.base}${old.files}${message.file.id}`;
  assert.equal((await fetch(fileUrl)).status, 200);
  old.socket.close();
  await new Promise((r) => setTimeout(r, 3000));
  const fresh = await chat(rsite, await decided(rsite, false), ['a new question']);
  fresh.socket.close();
  const ids = async () => {
    const inbox = await keeper.socket(`/api/v1/workspaces/${rsite}/connect`);
    inbox.send({ type: 'hello', protocol: 1, after_seq: 0 });
    const { conversations } = await inbox.nextOf('inbox');
    inbox.close();
    return conversations.map((c) => c.id);
  };
  assert.deepEqual((await ids()).sort(), [old.conversation_id, fresh.conversation_id].sort());
  // The old conversation passes 6 s about 3 s from now; the new one 3 s after that.
  const deadline = Date.now() + 5000;
  while ((await ids()).includes(old.conversation_id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await ids(), [fresh.conversation_id], 'the old conversation is gone, the new one stays');
  assert.equal((await fetch(fileUrl)).status, 404, 'and its file with it');
  const search = await (await keeper.get(`/api/v1/workspaces/${rsite}/search?q=old%20question`)).json();
  assert.deepEqual(search, []);
  const profile = await ok(await keeper.get(`/api/v1/workspaces/${rsite}/visitors/${visitorOf(token)}`));
  assert.deepEqual(profile.pages, [], 'page activity past the period is deleted');
  assert.deepEqual(profile.conversations, []);
  const earlyProfile = await ok(await keeper.get(`/api/v1/workspaces/${rsite}/visitors/${visitorOf(early)}`));
  assert.deepEqual(earlyProfile.pages, [], 'including page activity from before the period was set');
  // Its visitor may come back and start afresh under the same token.
  const back = await chat(rsite, old.token, ['back again']);
  assert.equal(back.conversation_id, old.conversation_id);
  back.socket.close();
  const audit = (await ok(await keeper.get(`/api/v1/workspaces/${rsite}/audit`))).entries;
  assert.match(audit.find((e) => e.action === 'retention_deleted').detail, /1 conversation\(s\) inactive for more than 6 day\(s\)/);
});

test('a workspace created in the EU keeps its data there and says so', async () => {
  const eu = await api.signUp({ name: 'Elke', email: 'elke@privacy.example', password: 'eu region tests pw', workspace_name: 'Euro Shop', website: '127.0.0.1', data_region: 'eu' });
  const esite = eu.me.workspaces[0].id;
  assert.match(esite, /^euro-shop-[0-9a-f]{6}-eu$/);
  assert.equal((await ok(await eu.get(`/api/v1/workspaces/${esite}/settings`))).data_region, 'eu');
  const token = await decided(esite, false);
  const convo = await chat(esite, token, ['Hallo from Berlin']);
  convo.socket.close();
  const file = await ok(await myData(esite, convo.token, { kind: 'export' }));
  assert.equal(file.data_region, 'eu');
  assert.deepEqual(file.conversations[0].messages.map((m) => m.body), ['Hallo from Berlin']);
  assert.equal((await ok(await owner.get(`/api/v1/workspaces/${site}/settings`))).data_region, 'global');

  // A banner without an analytics category: "accept all" cannot allow analytics.
  const consent = await ok(await eu.get(`/api/v1/workspaces/${esite}/consent-settings`));
  await ok(await eu.put(`/api/v1/workspaces/${esite}/consent-settings`, { ...consent, categories: consent.categories.filter((c) => c !== 'analytics') }));
  const config = await (await fetch(`${edge.base}/api/v1/sites/${esite}/consent-config`)).json();
  const res = await api.post(`/api/v1/sites/${esite}/consent`, {
    host: PAGE, decision: { policy_version: config.policy_version, choices: { preferences: true, analytics: true, marketing: true }, method: 'accept_all', lang: 'en', gpc: false },
  });
  const stored = (await res.json()).record;
  assert.equal(stored.choices.analytics, false);
  assert.equal(stored.choices.preferences, consent.categories.includes('preferences'));
});

test('closed accounts and workspaces are unreachable at once and deleted after the grace period', async () => {
  const boss = await api.signUp({ name: 'Cleo', email: 'cleo@closing.example', password: 'closing tests pw', workspace_name: 'Closing', website: '127.0.0.1' });
  const csite = boss.me.workspaces[0].id;
  const res = await boss.post(`/api/v1/workspaces/${csite}/invites`, { role: 'agent' });
  const inviteToken = new URL((await res.json()).url).hash.replace('#invite=', '');
  const leaver = await api.signedIn(await api.request('POST', `/api/v1/invites/${inviteToken}/accept`, { name: 'Lea', email: 'lea@closing.example', password: 'leaver password 1' }));
  const token = await decided(csite, true);
  const convo = await chat(csite, token, ['Is this shop closing?']);
  convo.socket.close();

  // An agent closes their account: password checked, then signed out, gone from the team, and
  // refused at sign-in until it is deleted.
  await api.expectError(await leaver.post('/api/v1/me/close', { password: 'wrong password 1' }), 401, 'invalid_credentials');
  const closedAccount = await ok(await leaver.post('/api/v1/me/close', { password: 'leaver password 1' }));
  assert.ok(closedAccount.deleted_at > Date.now() + 10 * DAY_MS, 'deleted after the grace period');
  await api.expectError(await leaver.get('/api/v1/me'), 401, 'unauthorized');
  await api.expectError(await api.request('POST', '/api/v1/auth/sign-in', { email: 'lea@closing.example', password: 'leaver password 1' }), 409, 'conflict');
  const team = await ok(await boss.get(`/api/v1/workspaces/${csite}/members`));
  assert.deepEqual(team.map((m) => m.email), ['cleo@closing.example']);
  const audit = (await ok(await boss.get(`/api/v1/workspaces/${csite}/audit`))).entries;
  assert.ok(audit.some((e) => e.action === 'member_removed' && e.actor === 'lea@closing.example' && e.detail === 'closed their account'));

  // The owner must close the workspace first; the id confirms it.
  await api.expectError(await boss.post('/api/v1/me/close', { password: 'closing tests pw' }), 409, 'conflict');
  await api.expectError(await boss.post(`/api/v1/workspaces/${csite}/close`, { confirm: 'closing' }), 400, 'invalid_input');
  await api.expectError(await owner.post(`/api/v1/workspaces/${csite}/close`, { confirm: csite }), 403, 'forbidden');
  const closed = await ok(await boss.post(`/api/v1/workspaces/${csite}/close`, { confirm: csite }));
  assert.ok(closed.deleted_at > Date.now() + 10 * DAY_MS);
  await api.expectError(await fetch(`${edge.base}/api/v1/sites/${csite}/consent-config`), 404, 'unknown_site');
  await api.expectError(await api.post(`/api/v1/sites/${csite}/visitor-session`, { host: PAGE, token }), 404, 'unknown_site');
  await api.expectError(await boss.get(`/api/v1/workspaces/${csite}/settings`), 403, 'forbidden');
  assert.deepEqual((await ok(await boss.get('/api/v1/me'))).workspaces, []);
  await api.expectError(await api.post(`/api/v1/sites/${csite}/my-data`, { token, request: { kind: 'status' } }), 404, 'unknown_site');

  // After the grace period (14 "days" of a second) both are gone: the email can sign up again,
  // and the workspace id, seeded anew, holds nothing of the old visitor.
  await new Promise((r) => setTimeout(r, Math.max(0, closedAccount.deleted_at + 2000 - Date.now())));
  await api.expectError(await api.request('POST', '/api/v1/auth/sign-in', { email: 'lea@closing.example', password: 'leaver password 1' }), 401, 'invalid_credentials');
  const again = await api.request('POST', '/api/v1/auth/sign-up', { name: 'Lea', email: 'lea@closing.example', password: 'a fresh password', workspace_name: 'Fresh', website: '127.0.0.1' });
  assert.equal(again.status, 201, 'the closed account was deleted');
  await new Promise((r) => setTimeout(r, Math.max(0, closed.deleted_at + 2000 - Date.now())));
  await seedWorkspace(edge.base, { site: csite, name: 'Reborn', greeting: 'Hi', allowedDomains: ['127.0.0.1'], policyUrl: 'https://x.example/p', owner: { email: 'reborn@closing.example', name: 'Rob', password: 'reborn password 1' } });
  const reborn = await api.signIn('reborn@closing.example', 'reborn password 1');
  const inbox = await reborn.socket(`/api/v1/workspaces/${csite}/connect`);
  inbox.send({ type: 'hello', protocol: 1, after_seq: 0 });
  assert.deepEqual((await inbox.nextOf('inbox')).conversations, [], 'no conversation survived');
  inbox.close();
  assert.ok(!(await (await reborn.get(`/api/v1/workspaces/${csite}/audit`)).text()).includes('lea@closing.example'), 'nor its audit log');
  await api.expectError(await api.post(`/api/v1/sites/${csite}/visitor-session`, { host: PAGE, token }), 401, 'unauthorized');
});
