// Bad input on the chat path, against the real edge: each case gets a typed error, and nothing
// is stored or lost. Also exactly-once delivery (a resend never duplicates) and access control.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO, seedWorkspace, startSuite, stopSuite } from '../support/suite.mjs';

let suite, edge, api, otherOwner;
const PASSWORD = 'demo-password-e2e';

before(async () => {
  suite = await startSuite('err', { browser: false, demo: PASSWORD });
  ({ edge, api } = suite);
  await seedWorkspace(edge.base, {
    site: 'other-shop', name: 'Other Shop', greeting: 'Hello', allowedDomains: ['other.example'],
    policyUrl: 'https://other.example/privacy',
    owner: { email: 'owner@other.example', name: 'Olga', password: 'other-password' },
  });
  // Signed in before the tests below spend this address's sign-in budget.
  otherOwner = await api.signIn('owner@other.example', 'other-password');
});
after(() => stopSuite(suite));

const post = (...args) => api.post(...args);
const expectError = (...args) => api.expectError(...args);
const socket = (url, options = {}) => api.socket(url, options);

async function visitorSession(token) {
  return api.visitorSession('demo', 'http://127.0.0.1:1', token);
}

const visitorUrl = (token) => `${edge.base.replace('http', 'ws')}/api/v1/sites/demo/connect?token=${encodeURIComponent(token)}`;

test('an unknown site is refused with unknown_site', async () => {
  await expectError(await post('/api/v1/sites/no-such-site/visitor-session', { host: 'http://127.0.0.1:1' }), 404, 'unknown_site');
  // The widget shows a refused chat's message in place of the chat: in the visitor's language.
  const refused = await post('/api/v1/sites/no-such-site/visitor-session', { host: 'http://127.0.0.1:1', lang: 'de-AT,de' });
  assert.equal(refused.status, 404);
  assert.deepEqual(await refused.json(), { error: 'unknown_site', message: 'Der Chat ist gerade nicht verfügbar.' });
  await expectError(await post('/api/v1/sites/NOT%20VALID/visitor-session', { host: 'http://127.0.0.1:1' }), 404, 'unknown_site');
  await expectError(await fetch(`${edge.base}/embed/no-such-site?host=http%3A%2F%2F127.0.0.1%3A1`), 404, 'unknown_site');
});

test('a host page that is not allowed, or a foreign Origin, is refused with origin_not_allowed', async () => {
  await expectError(await post('/api/v1/sites/demo/visitor-session', { host: 'https://evil.example' }), 403, 'origin_not_allowed');
  await expectError(await fetch(`${edge.base}/embed/demo?host=https%3A%2F%2Fevil.example`), 403, 'origin_not_allowed');
  // Another site's page calling the API directly.
  await expectError(await post('/api/v1/sites/demo/visitor-session', { host: 'http://127.0.0.1:1' }, 'https://evil.example'), 403, 'origin_not_allowed');
  // The banner's script asked for by another site's page (a script's request names its page in
  // the Referer, not in Origin); the allowed page gets the configuration and the code in one answer.
  await expectError(await fetch(`${edge.base}/api/v1/sites/demo/banner.js`, { headers: { referer: 'https://evil.example/shop' } }),
    403, 'origin_not_allowed');
  const script = await fetch(`${edge.base}/api/v1/sites/demo/banner.js?lang=de`, { headers: { referer: 'http://127.0.0.1:1/shop' } });
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type'), /^text\/javascript/);
  assert.match(await script.text(), /^\(P=>P&&P\.g&&P\.g\(\{.*"lang":"de".*pvx-banner.*\)\(window\.__provixchat\);\n.+/s);
  const { token } = await visitorSession();
  await assert.rejects(socket(visitorUrl(token), { origin: 'https://evil.example' }), (e) => e.status === 403);
  // The allowed page gets the embed, and the CSP lets only allowed domains frame it.
  const ok = await fetch(`${edge.base}/embed/demo?host=http%3A%2F%2F127.0.0.1%3A1`);
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-security-policy'), /frame-ancestors 'self' https:\/\/127\.0\.0\.1:\* http:\/\/127\.0\.0\.1:\*/);
});

test('a forged or foreign visitor token cannot open a conversation', async () => {
  const { token } = await visitorSession();
  await assert.rejects(socket(visitorUrl(token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))), (e) => e.status === 401);
  const other = token.replace('v3.demo.', 'v3.other-shop.');
  await assert.rejects(socket(visitorUrl(other)), (e) => e.status === 401);
});

test('malformed, empty and over-long messages get typed errors and store nothing', async () => {
  const { token } = await visitorSession();
  const ws = await socket(visitorUrl(token));
  ws.send({ type: 'send', client_id: 'c_early0001', body: 'before hello' });
  assert.equal((await ws.next()).code, 'hello_required');
  ws.send({ type: 'hello', protocol: 1, after_seq: 0 });
  assert.equal((await ws.next()).type, 'welcome');
  for (const [frame, code] of [
    ['this is not json', 'malformed_frame'],
    [{ type: 'launch_missiles' }, 'malformed_frame'],
    [{ type: 'send', client_id: 'short', body: 'hi' }, 'malformed_frame'],
    [{ type: 'send', client_id: 'c_empty0001', body: '  \n\t ' }, 'empty_message'],
    [{ type: 'send', client_id: 'c_toolong01', body: 'x'.repeat(4001) }, 'message_too_long'],
    [{ type: 'hello', protocol: 99, after_seq: 0 }, 'unsupported_protocol'],
  ]) {
    ws.send(frame);
    const reply = await ws.next();
    assert.equal(reply.type, 'error', JSON.stringify(frame).slice(0, 60));
    assert.equal(reply.code, code);
  }
  // The socket still works and nothing was stored: the first real message is number 1.
  ws.send({ type: 'send', client_id: 'c_first0001', body: 'x'.repeat(4000) });
  const ack = await ws.next();
  assert.equal(ack.type, 'ack');
  assert.equal(ack.seq, 1);
  ws.close();
});

test('a resend after a reconnect is acknowledged again but stored once', async () => {
  const { token } = await visitorSession();
  const first = await socket(visitorUrl(token));
  first.send({ type: 'hello', protocol: 1, after_seq: 0 });
  await first.next();
  first.send({ type: 'send', client_id: 'c_resend001', body: 'Is this stored once?' });
  const ack = await first.next();
  first.close();

  const again = await socket(visitorUrl(token));
  again.send({ type: 'hello', protocol: 1, after_seq: 0 });
  const welcome = await again.next();
  assert.deepEqual(welcome.messages.map((m) => m.body), ['Is this stored once?']);
  again.send({ type: 'send', client_id: 'c_resend001', body: 'Is this stored once?' });
  assert.deepEqual(await again.next(), ack, 'the same ack, same seq and time');
  again.send({ type: 'send', client_id: 'c_resend002', body: 'second' });
  assert.equal((await again.next()).seq, 2);
  // Resume: everything after seq 1 only.
  again.send({ type: 'hello', protocol: 1, after_seq: 1 });
  assert.deepEqual((await again.next()).messages.map((m) => m.seq), [2]);
  again.close();

  // The returning visitor's token keeps the same conversation.
  const back = await visitorSession(token);
  assert.equal(back.conversation_id, welcome.conversation_id);
});

test('sign-in refuses wrong passwords and the API refuses missing sessions', async () => {
  await expectError(await post('/api/v1/auth/sign-in', { email: DEMO.agentEmail, password: 'wrong-password' }), 401, 'invalid_credentials');
  await expectError(await post('/api/v1/auth/sign-in', { email: 'nobody@nowhere.example', password: 'whatever1' }), 401, 'invalid_credentials');
  await expectError(await post('/api/v1/auth/sign-in', '{"email":'), 400, 'malformed_frame');
  await expectError(await post('/api/v1/auth/sign-in', { email: DEMO.agentEmail, password: PASSWORD }, 'https://evil.example'), 403, 'origin_not_allowed');
  await expectError(await fetch(`${edge.base}/api/v1/me`), 401, 'unauthorized');
  await expectError(await fetch(`${edge.base}/api/v1/me`, { headers: { cookie: '__Host-pvx_session=forged.value' } }), 401, 'unauthorized');
  await expectError(await post('/api/v1/admin/workspaces', {}, edge.base, { authorization: 'Bearer wrong' }), 401, 'unauthorized');
});

test('an agent reaches only their own workspace, and a session ends at sign-out', async () => {
  const res = await post('/api/v1/auth/sign-in', { email: 'owner@other.example', password: 'other-password' });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  assert.match(res.headers.get('set-cookie'), /^__Host-pvx_session=.+; Path=\/; Secure; HttpOnly; SameSite=Strict/);
  const { conversation_id, token } = await visitorSession();
  const v = await socket(visitorUrl(token));
  v.send({ type: 'hello', protocol: 1, after_seq: 0 });
  await v.next();
  v.send({ type: 'send', client_id: 'c_private01', body: 'for demo agents only' });
  await v.next();
  v.close();
  const ws = edge.base.replace('http', 'ws');
  const opts = { origin: edge.base, headers: { cookie } };
  await assert.rejects(socket(`${ws}/api/v1/workspaces/demo/connect`, opts), (e) => e.status === 403);
  await assert.rejects(socket(`${ws}/api/v1/workspaces/demo/conversations/${conversation_id}/connect`, opts), (e) => e.status === 403);
  // Their own workspace cannot reach the demo's conversation either: objects are named per site.
  await assert.rejects(socket(`${ws}/api/v1/workspaces/other-shop/conversations/${conversation_id}/connect`, opts), (e) => e.status === 404);
  // Cross-site socket hijacking: the right cookie from a foreign page is refused.
  await assert.rejects(socket(`${ws}/api/v1/workspaces/other-shop/connect`, { ...opts, origin: 'https://evil.example' }), (e) => e.status === 403);
  const inbox = await socket(`${ws}/api/v1/workspaces/other-shop/connect`, opts);
  inbox.send({ type: 'hello', protocol: 1, after_seq: 0 });
  assert.deepEqual(await inbox.next(), { type: 'inbox', conversations: [] });
  inbox.close();

  assert.equal((await post('/api/v1/auth/sign-out', {}, edge.base, { cookie })).status, 200);
  await expectError(await fetch(`${edge.base}/api/v1/me`, { headers: { cookie } }), 401, 'unauthorized');
});

// Last in this file: it spends this address's sign-in budget.
test('repeated failed sign-ins lock the account, and one address cannot keep guessing', async () => {
  const signIn = (email, password) => post('/api/v1/auth/sign-in', { email, password });
  for (let i = 0; i < 5; i++) await expectError(await signIn('owner@other.example', `wrong-${i}`), 401, 'invalid_credentials');
  // Locked: even the right password is refused, with a typed error that says when to come back.
  const locked = await signIn('owner@other.example', 'other-password');
  assert.equal(locked.status, 429);
  const body = await locked.json();
  assert.equal(body.error, 'rate_limited');
  assert.match(body.message, /try again in 1 minute/);
  // Another account is not affected by that lockout.
  assert.equal((await signIn(DEMO.agentEmail, PASSWORD)).status, 200);

  // Across accounts, an address gets 20 attempts per ten minutes.
  let status = 0;
  let attempts = 0;
  while (status !== 429 && attempts < 30) {
    attempts += 1;
    status = (await signIn(`guess${attempts}@nowhere.example`, 'guess-password')).status;
  }
  assert.equal(status, 429, 'the address is limited');
  assert.ok(attempts <= 20, `limited within the budget (after ${attempts} more attempts)`);
});

test('a deployment without billing configured has no billing: no limits, no pages, no webhook', async () => {
  const owner = otherOwner;
  assert.equal((await (await owner.get('/api/v1/me')).json()).billing, false, 'the inbox shows no Billing link');
  await expectError(await owner.get('/billing/other-shop'), 404, 'not_found');
  await expectError(await post('/api/v1/billing/webhook', { id: 'evt_1' }), 404, 'not_found');
  // No plan limits: more members than any plan's seats could hold are fine without billing.
  for (let i = 0; i < 3; i++) {
    assert.equal((await owner.post('/api/v1/workspaces/other-shop/invites', { role: 'agent' })).status, 201);
  }
});
