// Access ends when it is revoked, against the real edge: every socket carries what opened it (an
// agent's session and membership, a visitor's token), and ending any of them closes every socket
// it opened, in every object, within a second — the others stay open and keep working.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { signInToInbox } from '../support/inbox.mjs';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

let suite, api;
const HOST = 'http://127.0.0.1:1';
const PASSWORD = 'revocation password 1';
/** "Within a second" of the request that ended the access being answered. */
const WITHIN_MS = 1000;

before(async () => {
  suite = await startSuite('revocation', { browser: true });
  ({ api } = suite);
});
after(() => stopSuite(suite));

let n = 0;
async function newOwner() {
  n += 1;
  const owner = await api.signUp({
    name: 'Olivia', email: `owner${n}@revoke${n}.example`, password: PASSWORD, workspace_name: `Revoke ${n}`, website: '127.0.0.1',
  });
  return Object.assign(owner, { site: owner.me.workspaces[0].id, email: owner.me.email });
}

/** A visitor who has written, so the conversation exists. */
async function startedConversation(site) {
  const session = await api.visitorSession(site, HOST);
  const visitor = await api.visitorSocket(site, session.token);
  await visitor.hello();
  visitor.send({ type: 'send', client_id: 'c_first0001', body: 'Hello?' });
  await visitor.nextOf('ack');
  return { session, visitor };
}

/** An agent session's inbox socket and its socket on `conversation`, both greeted. */
async function agentSockets(agent, site, conversation) {
  const inbox = await agent.socket(`/api/v1/workspaces/${site}/connect`);
  inbox.send({ type: 'hello', protocol: 1, after_seq: 0 });
  await inbox.nextOf('inbox');
  const chat = await agent.socket(`/api/v1/workspaces/${site}/conversations/${conversation}/connect`);
  await chat.hello();
  return [inbox, chat];
}

/** The close code of `socket`, which must close within `ms` of now. */
function closesWithin(socket, ms = WITHIN_MS) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the socket was still open after ${ms} ms`)), ms);
  });
  return Promise.race([socket.closed, late]).finally(() => clearTimeout(timer));
}

/** Whether `socket` is still open and answering: a hello gets its welcome. */
async function stillWorks(socket) {
  assert.equal(socket.ws.readyState, socket.ws.OPEN, 'still open');
  const welcome = await socket.hello();
  assert.ok(Array.isArray(welcome.messages));
}

test('ending a session closes every socket it opened within a second, and only those', async () => {
  const owner = await newOwner();
  const { session, visitor } = await startedConversation(owner.site);
  const conversation = session.conversation_id;
  const here = await api.signIn(owner.email, PASSWORD);
  const there = await api.signIn(owner.email, PASSWORD);
  const [hereInbox, hereChat] = await agentSockets(here, owner.site, conversation);
  const [thereInbox, thereChat] = await agentSockets(there, owner.site, conversation);

  // A password change from "here" signs out every other session: "there"'s sockets close (4001).
  const changed = await here.post('/api/v1/me/password', { current: PASSWORD, new: `${PASSWORD} changed` });
  assert.equal(changed.status, 200);
  assert.deepEqual(await Promise.all([closesWithin(thereInbox), closesWithin(thereChat)]), [4001, 4001]);
  // A new visitor message reaches the session that stayed, and nothing reaches the ended one.
  visitor.send({ type: 'send', client_id: 'c_after0001', body: 'Anyone there?' });
  assert.equal((await hereChat.nextOf('message')).message.body, 'Anyone there?');
  await hereInbox.nextOf('conversations_updated', (f) => f.conversations.some((c) => c.last_message === 'Anyone there?'));
  assert.equal(thereChat.frames.some((f) => f.type === 'message' && f.message.body === 'Anyone there?'), false);
  // The ended session opens nothing again.
  await assert.rejects(there.socket(`/api/v1/workspaces/${owner.site}/connect`), (e) => e.status === 401);
  await assert.rejects(there.socket(`/api/v1/workspaces/${owner.site}/conversations/${conversation}/connect`), (e) => e.status === 401);

  // Revoking one session from the list closes exactly its sockets.
  const third = await api.signIn(owner.email, `${PASSWORD} changed`);
  const [thirdInbox, thirdChat] = await agentSockets(third, owner.site, conversation);
  const sessions = await (await here.get('/api/v1/me/sessions')).json();
  const other = sessions.find((s) => !s.current);
  assert.equal((await here.delete(`/api/v1/me/sessions/${other.id}`)).status, 200);
  assert.deepEqual(await Promise.all([closesWithin(thirdInbox), closesWithin(thirdChat)]), [4001, 4001]);
  await stillWorks(hereChat);

  // Signing out closes the sockets of the session that signed out.
  assert.equal((await here.post('/api/v1/auth/sign-out')).status, 200);
  assert.deepEqual(await Promise.all([closesWithin(hereInbox), closesWithin(hereChat)]), [4001, 4001]);
  await stillWorks(visitor);
  visitor.close();
});

test('a removed member loses the inbox and every conversation at once; the team stays', async () => {
  const owner = await newOwner();
  const res = await owner.post(`/api/v1/workspaces/${owner.site}/invites`, { role: 'agent' });
  const token = new URL((await res.json()).url).hash.replace('#invite=', '');
  const email = `agent${n}@team.example`;
  const agent = await api.signedIn(await api.request('POST', `/api/v1/invites/${token}/accept`, { name: 'Alex', email, password: PASSWORD }));
  const { session, visitor } = await startedConversation(owner.site);
  const [agentInbox, agentChat] = await agentSockets(agent, owner.site, session.conversation_id);
  const [ownerInbox, ownerChat] = await agentSockets(owner, owner.site, session.conversation_id);

  assert.equal((await owner.delete(`/api/v1/workspaces/${owner.site}/members/${encodeURIComponent(email)}`)).status, 200);
  assert.deepEqual(await Promise.all([closesWithin(agentInbox), closesWithin(agentChat)]), [4003, 4003]);
  visitor.send({ type: 'send', client_id: 'c_after0002', body: 'Still here' });
  assert.equal((await ownerChat.nextOf('message')).message.body, 'Still here');
  await assert.rejects(agent.socket(`/api/v1/workspaces/${owner.site}/conversations/${session.conversation_id}/connect`), (e) => e.status === 403);
  for (const s of [visitor, ownerInbox, ownerChat]) s.close();
});

test('a closed workspace closes its visitors\' sockets too and accepts no message any more', async () => {
  const owner = await newOwner();
  const { session, visitor } = await startedConversation(owner.site);
  const [, ownerChat] = await agentSockets(owner, owner.site, session.conversation_id);
  const closed = await owner.post(`/api/v1/workspaces/${owner.site}/close`, { confirm: owner.site });
  assert.equal(closed.status, 200);
  assert.deepEqual(await Promise.all([closesWithin(visitor), closesWithin(ownerChat)]), [4004, 4004]);
  // The visitor's token opens nothing: the conversation admits nobody.
  await assert.rejects(api.visitorSocket(owner.site, session.token), (e) => e.status === 404);
});

test('an anonymous token loses the conversation once it is a verified user\'s: its socket and its data requests', async () => {
  const owner = await newOwner();
  const route = `/api/v1/workspaces/${owner.site}/settings`;
  const settings = await (await owner.get(route)).json();
  assert.equal((await owner.put(route, { ...settings, identity_verification: true })).status, 200);
  const { secret } = await (await owner.get(`/api/v1/workspaces/${owner.site}/identity-secret`)).json();
  const { session, visitor: anonymousTab } = await startedConversation(owner.site);

  // The site logs the visitor in (identify, verified): the same conversation becomes theirs.
  const hash = createHmac('sha256', secret).update('user-5').digest('hex');
  const res = await api.request('POST', `/api/v1/sites/${owner.site}/identify`, { host: HOST, token: session.token, id: 'user-5', hash }, { origin: HOST });
  assert.equal(res.status, 200);
  const identified = await res.json();
  assert.equal(identified.conversation_id, session.conversation_id);
  const verifiedTab = await api.visitorSocket(owner.site, identified.token);
  await verifiedTab.hello();
  // The anonymous tab that was open all along is closed (4011) as soon as the binding happens.
  assert.equal(await closesWithin(anonymousTab), 4011);
  verifiedTab.send({ type: 'send', client_id: 'c_verified1', body: 'Logged in now' });
  await verifiedTab.nextOf('ack');

  // The old anonymous token can neither read, correct nor erase the verified user's data.
  for (const request of [{ kind: 'export' }, { kind: 'erase' }, { kind: 'status' }]) {
    const refused = await api.post(`/api/v1/sites/${owner.site}/my-data`, { token: session.token, request });
    assert.equal(refused.status, 401, `${request.kind} with the old token`);
  }
  const own = await api.post(`/api/v1/sites/${owner.site}/my-data`, { token: identified.token, request: { kind: 'status' } });
  assert.equal(own.status, 200, 'the verified token still can');
  verifiedTab.close();
});

test('an inbox whose session was revoked elsewhere goes back to the sign-in page and says why', async () => {
  const owner = await newOwner();
  const page = await (await suite.browser.newContext()).newPage();
  await signInToInbox(page, suite.edge, { email: owner.email, password: PASSWORD });
  const sessions = await (await owner.get('/api/v1/me/sessions')).json();
  const browserSession = sessions.find((s) => !s.current);
  assert.equal((await owner.delete(`/api/v1/me/sessions/${browserSession.id}`)).status, 200);
  await page.getByText('Your session ended. Sign in again to continue.').waitFor({ timeout: 5000 });
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.close();
});

test('a new identity secret retires verified tokens vouched for by the old one', async () => {
  const owner = await newOwner();
  const route = `/api/v1/workspaces/${owner.site}/settings`;
  const settings = await (await owner.get(route)).json();
  assert.equal((await owner.put(route, { ...settings, identity_verification: true })).status, 200);
  const secretRoute = `/api/v1/workspaces/${owner.site}/identity-secret`;
  const { secret: old } = await (await owner.get(secretRoute)).json();
  const hmac = (key, id) => createHmac('sha256', key).update(id).digest('hex');
  const identify = (body) => api.request('POST', `/api/v1/sites/${owner.site}/identify`, { host: HOST, ...body }, { origin: HOST });
  const before = await (await identify({ id: 'user-9', hash: hmac(old, 'user-9') })).json();
  const socket = await api.visitorSocket(owner.site, before.token);
  await socket.hello();
  socket.close();

  // Agents may not replace it; an owner may, and the audit log says so.
  const rotated = await owner.post(secretRoute);
  assert.equal(rotated.status, 200);
  const { secret: fresh } = await rotated.json();
  assert.notEqual(fresh, old);
  const audit = (await (await owner.get(`/api/v1/workspaces/${owner.site}/audit`)).json()).entries;
  assert.ok(audit.some((e) => e.action === 'identity_secret_rotated' && e.actor === owner.email));

  // The old token no longer opens the verified conversation, and the old hash no longer verifies…
  await assert.rejects(api.visitorSocket(owner.site, before.token), (e) => e.status === 401);
  await api.expectError(await identify({ id: 'user-9', hash: hmac(old, 'user-9') }), 401, 'unauthorized');
  // …while the new one gives the user their conversation back.
  const after = await (await identify({ token: before.token, id: 'user-9', hash: hmac(fresh, 'user-9') })).json();
  assert.equal(after.conversation_id, before.conversation_id);
  const again = await api.visitorSocket(owner.site, after.token);
  await again.hello();
  again.close();
});

test('an agent blocks a visitor: their chat closes at once, they cannot start another, their rights stay; unblocking restores it', async () => {
  const owner = await newOwner();
  const { session, visitor } = await startedConversation(owner.site);
  visitor.send({ type: 'send', client_id: 'c_abusive01', body: 'spam spam spam' });
  await visitor.nextOf('ack');
  const page = await (await suite.browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await signInToInbox(page, suite.edge, { email: owner.email, password: PASSWORD });
  await page.getByRole('button', { name: /spam spam spam/ }).click();
  const pane = page.getByRole('complementary', { name: 'Visitor' });
  await pane.getByRole('button', { name: 'Block visitor' }).click();
  await pane.getByRole('button', { name: 'Block', exact: true }).click();
  await pane.getByRole('status').filter({ hasText: 'Blocked: this visitor cannot chat.' }).waitFor();
  assert.equal(await closesWithin(visitor, 5000), 4012);
  await page.screenshot({ path: artifact('visitor-blocked.png') });

  // No new socket and no new chat session for them; their privacy requests still work.
  await assert.rejects(api.visitorSocket(owner.site, session.token), (e) => e.status === 403);
  const again = await api.request('POST', `/api/v1/sites/${owner.site}/visitor-session`, { host: HOST, token: session.token });
  await api.expectError(again, 403, 'forbidden');
  const status = await api.post(`/api/v1/sites/${owner.site}/my-data`, { token: session.token, request: { kind: 'status' } });
  assert.equal(status.status, 200, 'the right of access does not depend on the chat');
  const audit = (await (await owner.get(`/api/v1/workspaces/${owner.site}/audit`)).json()).entries;
  assert.ok(audit.some((e) => e.action === 'visitor_blocked' && e.actor === owner.email));

  await pane.getByRole('button', { name: 'Unblock visitor' }).click();
  await pane.getByRole('button', { name: 'Block visitor' }).waitFor();
  const back = await api.visitorSocket(owner.site, session.token);
  assert.deepEqual((await back.hello()).messages.map((m) => m.body), ['Hello?', 'spam spam spam']);
  back.close();
  await page.close();
});
