// Accounts, workspaces and the shared inbox through the API and the sockets, against the real edge:
// sign-up, invites and roles, sessions, settings, access control between workspaces (every route),
// and two agents working one conversation live (assignment, replies, private notes, status,
// typing, read receipts, search, presence).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSuite, stopSuite } from '../support/suite.mjs';

let suite, edge, api;
const HOST = 'http://127.0.0.1:1';

before(async () => {
  suite = await startSuite('ws', { browser: false });
  ({ edge, api } = suite);
});
after(() => stopSuite(suite));

let n = 0;
/** A new owner with a new workspace whose site is the loopback page the tests act as. */
async function newOwner(name = 'Olivia') {
  n += 1;
  const owner = await api.signUp({
    name, email: `owner${n}@shop${n}.example`, password: 'correct horse battery', workspace_name: `Shop ${n}`,
    website: 'http://127.0.0.1/',
  });
  return Object.assign(owner, { site: owner.me.workspaces[0].id, email: owner.me.email });
}

/** Invites someone with `role` and has them accept as a new account. */
async function invite(owner, role, name) {
  const res = await owner.post(`/api/v1/workspaces/${owner.site}/invites`, { role });
  assert.equal(res.status, 201);
  const { url } = await res.json();
  const token = new URL(url).hash.replace('#invite=', '');
  n += 1;
  const email = `${name.toLowerCase()}${n}@team.example`;
  const agent = await api.signedIn(await api.request('POST', `/api/v1/invites/${token}/accept`, { name, email, password: 'agent password 1' }));
  return Object.assign(agent, { email, token, site: owner.site });
}

test('sign-up creates an owner, a workspace and its settings; bad sign-ups are refused', async () => {
  const owner = await newOwner();
  assert.equal(owner.me.workspaces.length, 1);
  assert.equal(owner.me.workspaces[0].role, 'owner');
  assert.match(owner.site, /^shop-\d+-[0-9a-f]{6}$/);
  const settings = await (await owner.get(`/api/v1/workspaces/${owner.site}/settings`)).json();
  assert.deepEqual(settings.allowed_domains, ['127.0.0.1']);
  assert.equal(settings.color, '#1f5eff');

  await api.expectError(await api.post('/api/v1/auth/sign-up', { name: 'X', email: owner.email, password: 'another long one', workspace_name: 'Dup', website: 'dup.example' }), 409, 'conflict');
  await api.expectError(await api.post('/api/v1/auth/sign-up', { name: 'X', email: 'new@x.example', password: 'short', workspace_name: 'W', website: 'w.example' }), 400, 'invalid_input');
  await api.expectError(await api.post('/api/v1/auth/sign-up', { name: 'X', email: 'not-an-email', password: 'long enough pw', workspace_name: 'W', website: 'w.example' }), 400, 'invalid_input');
  await api.expectError(await api.post('/api/v1/auth/sign-up', { name: 'X', email: 'new@x.example', password: 'long enough pw', workspace_name: 'W', website: 'not a site' }), 400, 'invalid_input');
  await api.expectError(await api.post('/api/v1/auth/sign-up', { name: 'X', email: 'evil@x.example', password: 'long enough pw', workspace_name: 'W', website: 'w.example' }, 'https://evil.example'), 403, 'origin_not_allowed');
});

test('settings are validated, saved, and reach the loader and the widget', async () => {
  const owner = await newOwner();
  const route = `/api/v1/workspaces/${owner.site}/settings`;
  const settings = await (await owner.get(route)).json();
  const changed = {
    ...settings, color: '#AA3300', position: 'left', launcher_text: 'Chat with us', team_name: 'Support team',
    prechat: 'required', retention_days: 365, canned_responses: [{ shortcut: '/hours', text: 'We answer 9-17, Monday to Friday.' }],
    business_hours: { time_zone: 'Europe/Berlin', days: [0, 1, 2, 3, 4, 5, 6], open: 0, close: 1440 },
  };
  const saved = await owner.put(route, changed);
  assert.equal(saved.status, 200);
  const body = await saved.json();
  assert.equal(body.color, '#aa3300');
  assert.deepEqual(body.canned_responses, [{ shortcut: 'hours', text: 'We answer 9-17, Monday to Friday.' }]);
  for (const [bad, why] of [
    [{ color: 'red' }, /colour/], [{ allowed_domains: ['not a domain'] }, /domain/i], [{ retention_days: 0 }, /retention/],
    [{ business_hours: { time_zone: 'Mars/Olympus', days: [0], open: 60, close: 120 } }, /time zone/],
    [{ canned_responses: [{ shortcut: 'a b', text: 'x' }] }, /shortcut/],
  ]) {
    const res = await owner.put(route, { ...body, ...bad });
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.match((await res.json()).message, why);
  }
  const config = await (await fetch(`${edge.base}/api/v1/sites/${owner.site}/consent-config`)).json();
  assert.deepEqual(config.launcher, { color: '#aa3300', position: 'left', text: 'Chat with us' });
  const session = await api.visitorSession(owner.site, HOST);
  assert.equal(session.site_name, 'Support team');
  assert.equal(session.prechat, 'required');
  assert.equal(session.online, false, 'nobody has the inbox open');
  // With the inbox open the team is available, but only within business hours.
  const inbox = await owner.socket(`/api/v1/workspaces/${owner.site}/connect`);
  inbox.send({ type: 'hello', protocol: 1, after_seq: 0 });
  await inbox.nextOf('team', (f) => f.agents.some((a) => a.online));
  assert.equal((await api.visitorSession(owner.site, HOST)).online, true, 'open all week, all day');
  const today = (new Date().getUTCDay() + 6) % 7; // 0 = Monday
  const closedToday = { time_zone: 'UTC', days: [0, 1, 2, 3, 4, 5, 6].filter((d) => d !== today), open: 0, close: 1440 };
  assert.equal((await owner.put(route, { ...body, business_hours: closedToday })).status, 200);
  assert.equal((await api.visitorSession(owner.site, HOST)).online, false, 'closed today');
  inbox.close();
  // An owner previewing their widget on the edge's own page may embed it.
  assert.equal((await fetch(`${edge.base}/embed/${owner.site}?host=${encodeURIComponent(edge.base)}`)).status, 200);
  const preview = await owner.get(`/preview/${owner.site}`);
  assert.equal(preview.status, 200);
  assert.match(await preview.text(), new RegExp(`data-site="${owner.site}"`));
  assert.equal((await fetch(`${edge.base}/preview/${owner.site}`)).status, 401, 'members only');
});

test('invites are single-use and give the chosen role; roles limit what members can do', async () => {
  const owner = await newOwner();
  const agent = await invite(owner, 'agent', 'Alex');
  assert.deepEqual(agent.me.workspaces.map((w) => [w.id, w.role]), [[owner.site, 'agent']]);
  await api.expectError(await api.request('POST', `/api/v1/invites/${agent.token}/accept`, { name: 'Eve', email: 'eve@x.example', password: 'eve password 1' }), 410, 'invite_expired');
  await api.expectError(await fetch(`${edge.base}/api/v1/invites/${agent.token}`), 410, 'invite_expired');
  await api.expectError(await fetch(`${edge.base}/api/v1/invites/${owner.site}.forged`), 410, 'invite_expired');
  await api.expectError(await owner.post(`/api/v1/workspaces/${owner.site}/invites`, { role: 'owner' }), 400, 'invalid_input');

  // Agents chat; they do not manage.
  const site = owner.site;
  await api.expectError(await agent.put(`/api/v1/workspaces/${site}/settings`, await (await agent.get(`/api/v1/workspaces/${site}/settings`)).json()), 403, 'forbidden');
  await api.expectError(await agent.post(`/api/v1/workspaces/${site}/invites`, { role: 'agent' }), 403, 'forbidden');
  await api.expectError(await agent.get(`/api/v1/workspaces/${site}/consents`), 403, 'forbidden');
  await api.expectError(await agent.delete(`/api/v1/workspaces/${site}/members/${owner.email}`), 403, 'forbidden');

  // An existing account joins a second workspace with its password.
  const other = await newOwner('Oscar');
  const res = await other.post(`/api/v1/workspaces/${other.site}/invites`, { role: 'admin' });
  const token = new URL((await res.json()).url).hash.replace('#invite=', '');
  const preview = await (await fetch(`${edge.base}/api/v1/invites/${token}`)).json();
  assert.equal(preview.role, 'admin');
  await api.expectError(await api.request('POST', `/api/v1/invites/${token}/accept`, { email: agent.email, password: 'wrong password' }), 401, 'invalid_credentials');
  const joined = await api.signedIn(await api.request('POST', `/api/v1/invites/${token}/accept`, { email: agent.email, password: 'agent password 1' }));
  assert.equal(joined.me.workspaces.length, 2);

  // The owner promotes, then removes; the owner cannot be removed or demoted.
  const members = await (await owner.get(`/api/v1/workspaces/${site}/members`)).json();
  assert.deepEqual(members.map((m) => m.role), ['owner', 'agent']);
  assert.equal((await owner.put(`/api/v1/workspaces/${site}/members/${encodeURIComponent(agent.email)}`, { role: 'admin' })).status, 200);
  assert.equal((await (await agent.get('/api/v1/me')).json()).workspaces.find((w) => w.id === site).role, 'admin');
  await api.expectError(await agent.put(`/api/v1/workspaces/${site}/members/${owner.email}`, { role: 'agent' }), 400, 'invalid_input');
  await api.expectError(await agent.delete(`/api/v1/workspaces/${site}/members/${owner.email}`), 400, 'invalid_input');
  assert.equal((await owner.delete(`/api/v1/workspaces/${site}/members/${agent.email}`)).status, 200);
  await api.expectError(await agent.get(`/api/v1/workspaces/${site}/members`), 403, 'forbidden');
  await assert.rejects(agent.socket(`/api/v1/workspaces/${site}/connect`), (e) => e.status === 403);
});

test('an invite never changes the role of someone who already belongs to the workspace', async () => {
  const owner = await newOwner('Orla');
  const agent = await invite(owner, 'agent', 'Abe');
  const res = await owner.post(`/api/v1/workspaces/${owner.site}/invites`, { role: 'admin' });
  const token = new URL((await res.json()).url).hash.replace('#invite=', '');
  // Signed in with a password, or already signed in: either way a member is refused and keeps their role.
  await api.expectError(await api.request('POST', `/api/v1/invites/${token}/accept`, { email: agent.email, password: 'agent password 1' }), 409, 'conflict');
  await api.expectError(await agent.post(`/api/v1/invites/${token}/accept`, {}), 409, 'conflict');
  await api.expectError(await owner.post(`/api/v1/invites/${token}/accept`, {}), 409, 'conflict');
  const roles = async (who) => (await (await who.get('/api/v1/me')).json()).workspaces.map((w) => [w.id, w.role]);
  assert.deepEqual(await roles(agent), [[owner.site, 'agent']]);
  assert.deepEqual(await roles(owner), [[owner.site, 'owner']]);
  const members = await (await owner.get(`/api/v1/workspaces/${owner.site}/members`)).json();
  assert.deepEqual(members.map((m) => m.role), ['owner', 'agent']);
  // The link was not used up: the person it was meant for still joins with it.
  const newcomer = await api.signedIn(await api.request('POST', `/api/v1/invites/${token}/accept`, { name: 'Nia', email: `nia-${Date.now()}@x.example`, password: 'nia password 1' }));
  assert.deepEqual(newcomer.me.workspaces.map((w) => [w.id, w.role]), [[owner.site, 'admin']]);
});

test('an agent of workspace A is refused every conversation, visitor and setting of workspace B', async () => {
  const a = await newOwner('Ann');
  const b = await newOwner('Bob');
  // B has a conversation.
  const visitor = await api.visitorSession(b.site, HOST);
  const v = await api.visitorSocket(b.site, visitor.token);
  await v.hello();
  v.send({ type: 'send', client_id: 'c_secretb01', body: 'B only' });
  await v.nextOf('ack');
  v.close();
  const B = b.site;
  const cid = visitor.conversation_id;
  const routes = [
    ['GET', `/api/v1/workspaces/${B}/settings`], ['PUT', `/api/v1/workspaces/${B}/settings`, {}],
    ['GET', `/api/v1/workspaces/${B}/members`], ['PUT', `/api/v1/workspaces/${B}/members/${b.email}`, { role: 'agent' }],
    ['DELETE', `/api/v1/workspaces/${B}/members/${b.email}`], ['POST', `/api/v1/workspaces/${B}/invites`, { role: 'agent' }],
    ['GET', `/api/v1/workspaces/${B}/search?q=B`], ['GET', `/api/v1/workspaces/${B}/consents`],
    ['GET', `/api/v1/workspaces/${B}/consents?format=csv`], ['GET', `/api/v1/workspaces/${B}/consent-settings`],
    ['PUT', `/api/v1/workspaces/${B}/consent-settings`, {}], ['GET', `/preview/${B}`],
  ];
  for (const [method, route, body] of routes) {
    const res = await api.request(method, route, body, { headers: { cookie: a.cookie } });
    assert.equal(res.status, 403, `${method} ${route}`);
  }
  for (const route of [`/api/v1/workspaces/${B}/connect`, `/api/v1/workspaces/${B}/conversations/${cid}/connect`]) {
    await assert.rejects(a.socket(route), (e) => e.status === 403, route);
  }
  // B's conversation id under A's own workspace names another (empty) object: not found.
  await assert.rejects(a.socket(`/api/v1/workspaces/${a.site}/conversations/${cid}/connect`), (e) => e.status === 404);
  const hits = await (await a.get(`/api/v1/workspaces/${a.site}/search?q=B%20only`)).json();
  assert.deepEqual(hits, []);
  // Signed out, everything is unauthorized.
  for (const [method, route, body] of routes) {
    const res = await api.request(method, route, body);
    assert.equal(res.status, 401, `${method} ${route} signed out`);
  }
});

test('two agents work one conversation live: assign, reply, private note, typing, read, resolve', async () => {
  const owner = await newOwner('Olivia');
  const agent = await invite(owner, 'agent', 'Alex');
  const site = owner.site;
  const inboxes = [await owner.socket(`/api/v1/workspaces/${site}/connect`), await agent.socket(`/api/v1/workspaces/${site}/connect`)];
  for (const inbox of inboxes) {
    inbox.send({ type: 'hello', protocol: 1, after_seq: 0 });
    assert.deepEqual((await inbox.nextOf('inbox')).conversations, []);
  }
  const team = await inboxes[0].nextOf('team', (f) => f.agents.filter((a) => a.online).length === 2);
  assert.deepEqual(team.agents.map((a) => a.name).sort(), ['Alex', 'Olivia']);

  // Someone is available, so the widget says so.
  const session = await api.visitorSession(site, HOST);
  assert.equal(session.online, true);
  const visitor = await api.visitorSocket(site, session.token);
  await visitor.hello();
  visitor.send({ type: 'contact', name: 'Vera', email: 'vera@example.com' });
  visitor.send({ type: 'send', client_id: 'c_question1', body: 'Do you ship to Norway?' });
  await visitor.nextOf('ack');
  for (const inbox of inboxes) {
    const norway = (c) => c.last_message === 'Do you ship to Norway?';
    const update = (await inbox.nextOf('conversations_updated', (f) => f.conversations.some(norway))).conversations.find(norway);
    assert.equal(update.visitor_name, 'Vera');
    assert.equal(update.unread, 1);
    assert.equal(update.status, 'open');
  }

  const route = `/api/v1/workspaces/${site}/conversations/${session.conversation_id}/connect`;
  const [mine, theirs] = [await agent.socket(route), await owner.socket(route)];
  for (const s of [mine, theirs]) {
    assert.deepEqual((await s.hello()).messages.map((m) => m.body), ['Do you ship to Norway?']);
    assert.equal((await s.nextOf('details')).details.visitor_email, 'vera@example.com');
  }
  // Alex assigns it to himself; Olivia sees it at once, and so does the inbox list.
  mine.send({ type: 'assign', agent: agent.email });
  assert.equal((await theirs.nextOf('details', (f) => f.details.assignee)).details.assignee.name, 'Alex');
  await inboxes[0].nextOf('conversations_updated', (f) => f.conversations.some((c) => c.assignee?.email === agent.email));
  mine.send({ type: 'assign', agent: 'stranger@nowhere.example' });
  assert.equal((await mine.nextOf('error')).code, 'invalid_input');

  // Typing shows on the other side; reading clears the unread count and shows "seen".
  mine.send({ type: 'typing' });
  assert.deepEqual((await visitor.nextOf('typing')).author, { kind: 'agent', name: 'Alex' });
  visitor.send({ type: 'typing' });
  assert.deepEqual((await mine.nextOf('typing')).author, { kind: 'visitor' });
  mine.send({ type: 'read', seq: 1 });
  assert.equal((await visitor.nextOf('read', (f) => f.reader === 'agent')).seq, 1);
  await inboxes[1].nextOf('conversations_updated', (f) => f.conversations.some((c) => c.unread === 0));

  // A reply reaches the visitor and the other agent; a note reaches only the other agent.
  mine.send({ type: 'send', client_id: 'a_reply0001', body: 'Yes, in 3-5 days.' });
  assert.equal((await visitor.nextOf('message')).message.body, 'Yes, in 3-5 days.');
  assert.equal((await theirs.nextOf('message')).message.author.name, 'Alex');
  mine.send({ type: 'send', client_id: 'a_note00001', body: 'Regular customer, offer free shipping', note: true });
  const note = (await theirs.nextOf('message', (f) => f.message.note)).message;
  assert.equal(note.body, 'Regular customer, offer free shipping');
  assert.equal(await visitor.sawWithin(500, (f) => JSON.stringify(f).includes('free shipping')), false, 'the visitor never receives a note');
  visitor.send({ type: 'send', client_id: 'c_sneaky001', body: 'fake note', note: true });
  assert.equal((await visitor.nextOf('error')).code, 'forbidden');
  // A reconnecting visitor's history has no note either; an agent's has.
  const again = await api.visitorSocket(site, session.token);
  assert.deepEqual((await again.hello()).messages.map((m) => m.body), ['Do you ship to Norway?', 'Yes, in 3-5 days.']);
  again.close();

  // Search finds messages and notes; status changes reach everyone; the visitor reopens.
  const hits = await (await agent.get(`/api/v1/workspaces/${site}/search?q=${encodeURIComponent('free shipping')}`)).json();
  assert.deepEqual(hits.map((h) => h.conversation_id), [session.conversation_id]);
  const byName = await (await agent.get(`/api/v1/workspaces/${site}/search?q=vera`)).json();
  assert.equal(byName[0].visitor_name, 'Vera');
  assert.deepEqual(await (await agent.get(`/api/v1/workspaces/${site}/search?q=${encodeURIComponent('%')}`)).json(), [], '% is literal');
  visitor.send({ type: 'set_status', status: 'resolved' });
  assert.equal((await visitor.nextOf('error')).code, 'forbidden', 'visitors cannot resolve');
  mine.send({ type: 'set_status', status: 'resolved' });
  assert.equal((await theirs.nextOf('details', (f) => f.details.status === 'resolved')).details.status, 'resolved');
  await inboxes[0].nextOf('conversations_updated', (f) => f.conversations.some((c) => c.status === 'resolved'));
  visitor.send({ type: 'send', client_id: 'c_onemore01', body: 'One more question' });
  await inboxes[0].nextOf('conversations_updated', (f) => f.conversations.some((c) => c.status === 'open' && c.unread === 1));

  // Away: nobody available, and the widget says so.
  for (const inbox of inboxes) inbox.send({ type: 'presence', away: true });
  await inboxes[0].nextOf('team', (f) => f.agents.every((a) => !a.online));
  assert.equal((await api.visitorSession(site, HOST, session.token)).online, false);
  const returning = await api.visitorSession(site, HOST, session.token);
  assert.equal(returning.contact_known, true, 'the pre-chat form is not asked again');
  for (const s of [visitor, mine, theirs, ...inboxes]) s.close();
});

test('sessions can be listed and revoked, a password change signs out the others, and the security log tells', async () => {
  const owner = await newOwner();
  const second = await api.signIn(owner.email, 'correct horse battery');
  const sessions = await (await owner.get('/api/v1/me/sessions')).json();
  assert.equal(sessions.length, 2);
  assert.equal(sessions.filter((s) => s.current).length, 1);
  const other = sessions.find((s) => !s.current);
  await api.expectError(await owner.delete(`/api/v1/me/sessions/${sessions.find((s) => s.current).id}`), 400, 'invalid_input');
  assert.equal((await owner.delete(`/api/v1/me/sessions/${other.id}`)).status, 200);
  await api.expectError(await second.get('/api/v1/me'), 401, 'unauthorized');

  const third = await api.signIn(owner.email, 'correct horse battery');
  await api.expectError(await owner.post('/api/v1/me/password', { current: 'wrong one', new: 'a new long password' }), 401, 'invalid_credentials');
  await api.expectError(await owner.post('/api/v1/me/password', { current: 'correct horse battery', new: 'short' }), 400, 'invalid_input');
  assert.equal((await owner.post('/api/v1/me/password', { current: 'correct horse battery', new: 'a new long password' })).status, 200);
  await api.expectError(await third.get('/api/v1/me'), 401, 'unauthorized');
  assert.equal((await owner.get('/api/v1/me')).status, 200, 'this session stays');
  await api.expectError(await api.request('POST', '/api/v1/auth/sign-in', { email: owner.email, password: 'correct horse battery' }), 401, 'invalid_credentials');
  for (let i = 0; i < 5; i++) await api.request('POST', '/api/v1/auth/sign-in', { email: owner.email, password: `nope-${i}` });

  const log = await (await owner.get('/api/v1/me/security')).json();
  const kinds = log.map((e) => e.kind);
  for (const kind of ['sign_in', 'new_device', 'session_revoked', 'password_changed', 'sign_in_failed', 'locked_out']) {
    assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
  }
  assert.ok(log.find((e) => e.kind === 'sign_in').detail.length > 0, 'the device is named');
});

test('the audit log records sign-ins, the team, settings, exports and refused identities, and cannot be altered', async () => {
  const owner = await newOwner('Audra');
  const site = owner.site;
  await api.request('POST', '/api/v1/auth/sign-in', { email: owner.email, password: 'not the password' });
  await api.signIn(owner.email, 'correct horse battery');
  const agent = await invite(owner, 'agent', 'Ari');
  await owner.put(`/api/v1/workspaces/${site}/members/${agent.email}`, { role: 'admin' });
  const settings = await (await owner.get(`/api/v1/workspaces/${site}/settings`)).json();
  await owner.put(`/api/v1/workspaces/${site}/settings`, { ...settings, identity_verification: true });
  await owner.get(`/api/v1/workspaces/${site}/consents?format=csv`);
  await api.request('POST', `/api/v1/sites/${site}/identify`, { host: HOST, id: 'user-1', hash: '00' }, { origin: HOST });
  await owner.delete(`/api/v1/workspaces/${site}/members/${agent.email}`);

  const log = (await (await owner.get(`/api/v1/workspaces/${site}/audit`)).json()).entries;
  const actions = log.map((e) => e.action);
  for (const action of ['sign_in', 'sign_in_failed', 'invite_created', 'invite_accepted', 'role_changed', 'settings_changed',
    'consent_log_exported', 'identity_refused', 'member_removed']) {
    assert.ok(actions.includes(action), `${action} in ${actions}`);
  }
  assert.ok(log.every((e, i) => i === 0 || log[i - 1].at >= e.at), 'newest first');
  assert.equal(log.find((e) => e.action === 'role_changed').actor, owner.email);
  assert.ok(!JSON.stringify(log).includes('user-1'), 'a refused identity is referenced, not named');
  const csv = await (await owner.get(`/api/v1/workspaces/${site}/audit?format=csv`)).text();
  assert.match(csv, /^at,actor,action,detail\n/);
  assert.ok(csv.includes('"member_removed"'));
  assert.ok(csv.includes(`"${owner.email}","audit_log_exported","CSV"`), 'the download is logged, in the download too');

  // Append-only: no method edits or deletes it, and only owners and admins read it.
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const res = await api.request(method, `/api/v1/workspaces/${site}/audit`, method === 'DELETE' ? undefined : [], { headers: { cookie: owner.cookie } });
    assert.equal(res.status, 404, `${method} has no route`);
  }
  assert.equal((await owner.get(`/api/v1/workspaces/${site}/audit`)).status, 200);
  const reader = await invite(owner, 'agent', 'Rei');
  await api.expectError(await reader.get(`/api/v1/workspaces/${site}/audit`), 403, 'forbidden');
  assert.equal(((await (await owner.get(`/api/v1/workspaces/${site}/audit`)).json()).entries).length >= log.length, true);
});
