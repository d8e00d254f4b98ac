// Webhooks against the real edge, with a receiver running here (a plain Node HTTP server on
// loopback, allowed by the local WEBHOOKS_LOOPBACK setting) that checks every delivery's
// signature with the `standardwebhooks` npm package, an implementation of the scheme written
// elsewhere. WEBHOOK_SECOND_MS=1 makes a "second" of the retry schedule last 1 ms, so a day of
// retries takes a moment; the schedule itself is tested natively (edge/src/webhooks/logic/tests.rs).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { assertAccessible } from '../support/axe.mjs';
import { signInToInbox } from '../support/inbox.mjs';
import { nextMail } from '../support/mail.mjs';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

let suite, api, edge, receiver;
before(async () => {
  suite = await startSuite('webhooks', { vars: { WEBHOOK_SECOND_MS: '1' } });
  ({ api, edge } = suite);
  receiver = await startReceiver();
});
after(async () => {
  receiver?.close();
  await stopSuite(suite);
});

/** The receiver: each path (`/NAME`) has its secrets (to verify with), a plan for its answers and
 * a log of what came: `{ id, timestamp, signature, body, verified (the parsed payload or null),
 * status }`. A plan answers a status for the n-th request, or 'hang' (never answers). */
async function startReceiver() {
  const hooks = new Map();
  const hanging = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const hook = hooks.get(req.url);
      if (!hook) { res.writeHead(404).end(); return; }
      const headers = { 'webhook-id': req.headers['webhook-id'], 'webhook-timestamp': req.headers['webhook-timestamp'], 'webhook-signature': req.headers['webhook-signature'] };
      const check = (secret) => { try { return new Webhook(secret).verify(body, headers); } catch { return null; } };
      const status = hook.plan(hook.log.length);
      hook.log.push({
        id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'],
        body, verified: hook.secrets.length ? check(hook.secrets[0]) : null, verifiedBy: hook.secrets.map(check), status,
      });
      if (status === 'hang') { hanging.push(res); return; }
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    /** A new path: its URL and its state. */
    hook(name, plan = () => 200) {
      const hook = { secrets: [], plan, log: [] };
      hooks.set(`/${name}`, hook);
      return Object.assign(hook, { url: `${base}/${name}` });
    },
    hanging,
    close() { for (const res of hanging) res.destroy(); server.close(); },
  };
}

let n = 0;
async function newOwner() {
  n += 1;
  const email = `olga${n}@hooks${n}.example`;
  const owner = await api.signUp({ name: 'Olga', email, password: 'hooks tests password', workspace_name: `Shop ${n}`, website: `https://shop${n}.example/` });
  return Object.assign(owner, { email, password: 'hooks tests password', site: owner.me.workspaces[0].id, host: `https://shop${n}.example` });
}

/** Posts an Integrations form as the owner's browser would (their cookie, the edge's Origin). */
function form(owner, path, fields = []) {
  return fetch(`${edge.base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: owner.cookie, origin: edge.base, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Adds an endpoint for `hook` by the form; answers its id, and keeps its secret on the hook. */
async function addEndpoint(owner, hook, events) {
  const res = await form(owner, `/integrations/${owner.site}/webhooks`, [['url', hook.url], ...events.map((e) => ['event', e])]);
  const html = await res.text();
  assert.equal(res.status, 201, html);
  hook.secrets.unshift(html.match(/id="new-secret" readonly value="(whsec_[A-Za-z0-9+/=]+)"/)[1]);
  const page = await (await fetch(`${edge.base}/integrations/${owner.site}`, { headers: { cookie: owner.cookie } })).text();
  const ids = [...page.matchAll(/\/integrations\/[^/]+\/webhooks\/([0-9a-f]{12})"/g)].map((m) => m[1]);
  return ids[ids.length - 1];
}

async function newToken(owner, scopes) {
  const res = await owner.post(`/api/v1/workspaces/${owner.site}/tokens`, { name: 'Hooks test', scopes });
  assert.equal(res.status, 201);
  return (await res.json()).token;
}

function call(method, route, token, body) {
  return fetch(`${edge.base}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

let cid = 0;
const clientId = () => `c_h${String(++cid).padStart(9, '0')}`;

/** A visitor who wrote `texts`, each acked: their conversation's id and open socket. */
async function visitorWrites(owner, ...texts) {
  const session = await api.visitorSession(owner.site, owner.host);
  const visitor = await api.visitorSocket(owner.site, session.token);
  await visitor.hello();
  for (const body of texts) {
    visitor.send({ type: 'send', client_id: clientId(), body });
    await visitor.nextOf('ack');
  }
  return { id: session.conversation_id, visitor };
}

/** Waits until `pick` holds for the hook's log. */
async function until(hook, pick, what, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!pick(hook.log)) {
    assert.ok(Date.now() < deadline, `${what}; log: ${JSON.stringify(hook.log.map((l) => [l.id, l.status]))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const delivered = (hook) => hook.log.filter((l) => l.status >= 200 && l.status < 300);

test('a conversation\'s events arrive signed, in order, with only what each needs', async () => {
  const owner = await newOwner();
  const hook = receiver.hook('conversation');
  await addEndpoint(owner, hook, ['conversation.created', 'message.created', 'conversation.status_changed']);
  const token = await newToken(owner, ['messages:write']);
  const { id, visitor } = await visitorWrites(owner, 'Hello', 'Is the blue one in stock?');
  const reply = await call('POST', `/conversations/${id}/messages`, token, { client_id: clientId(), body: 'Yes, two left.', bot: 'Shopbot' });
  assert.equal(reply.status, 201);
  assert.equal((await call('PATCH', `/conversations/${id}`, token, { status: 'resolved' })).status, 200);
  await until(hook, (log) => log.length >= 5, 'five deliveries');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(hook.log.length, 5, 'nothing more');
  for (const entry of hook.log) {
    assert.ok(entry.verified, `signature of ${entry.id} verifies with standardwebhooks`);
    assert.ok(Math.abs(Number(entry.timestamp) - Date.now() / 1000) < 60);
  }
  const payloads = hook.log.map((l) => l.verified);
  assert.deepEqual(payloads.map((p) => p.type), ['conversation.created', 'message.created', 'message.created', 'message.created', 'conversation.status_changed']);
  assert.deepEqual(hook.log.map((l) => l.id), [`${owner.site}_${id}_created`, `${owner.site}_${id}_m1`, `${owner.site}_${id}_m2`, `${owner.site}_${id}_m3`, hook.log[4].id]);
  assert.deepEqual(payloads[0].data, { conversation_id: id, visitor_id: payloads[0].data.visitor_id, started_at: payloads[0].data.started_at });
  assert.match(payloads[0].data.visitor_id, /^v/);
  assert.deepEqual(payloads[2].data, { conversation_id: id, seq: 2, author: { kind: 'visitor' }, text: 'Is the blue one in stock?', sent_at: payloads[2].data.sent_at });
  assert.deepEqual(payloads[3].data.author, { kind: 'agent', name: 'Shopbot' });
  assert.deepEqual(payloads[4].data, { conversation_id: id, status: 'resolved', previous_status: 'open' });
  assert.ok(!hook.log.some((l) => /shop\d+\.example|user.?agent|"ip"|"url"|"page/i.test(l.body)), 'no page, device or address in any payload');
  visitor.close();
});

test('a receiver that fails three times gets the event again until it answers, in order and once per webhook-id', async () => {
  const owner = await newOwner();
  const hook = receiver.hook('flaky', (i) => (i < 3 ? 500 : 200));
  const endpoint = await addEndpoint(owner, hook, ['message.created']);
  const { visitor } = await visitorWrites(owner, 'one', 'two', 'three');
  await until(hook, (log) => delivered(hook).length >= 3, 'three delivered');
  await new Promise((r) => setTimeout(r, 300));
  // The first message was tried 4 times (3 refusals), the ones after it waited behind it.
  assert.deepEqual(hook.log.map((l) => [l.verified.data.text, l.status]), [['one', 500], ['one', 500], ['one', 500], ['one', 200], ['two', 200], ['three', 200]]);
  const ids = delivered(hook).map((l) => l.id);
  assert.equal(new Set(ids).size, 3, 'no webhook-id delivered twice');
  assert.equal(new Set(hook.log.slice(0, 4).map((l) => l.id)).size, 1, 'a retry keeps its webhook-id');
  // The endpoint's log says so.
  const page = await (await fetch(`${edge.base}/integrations/${owner.site}/webhooks/${endpoint}`, { headers: { cookie: owner.cookie } })).text();
  assert.match(page, /<td>4<\/td><td>Delivered \(answered 200\)<\/td>/);
  visitor.close();
});

test('a receiver that hangs does not hold up the chat', async () => {
  const owner = await newOwner();
  const hook = receiver.hook('hanging', () => 'hang');
  await addEndpoint(owner, hook, ['message.created']);
  const { id, visitor } = await visitorWrites(owner, 'first');
  await until(hook, (log) => log.length >= 1, 'the first delivery reached the receiver');
  // While that delivery hangs, the chat goes on: the visitor's messages are acked and the team
  // reads them.
  for (const body of ['second', 'third']) {
    visitor.send({ type: 'send', client_id: clientId(), body });
    await visitor.nextOf('ack');
  }
  const token = await newToken(owner, ['conversations:read']);
  const messages = await (await call('GET', `/conversations/${id}/messages`, token)).json();
  assert.deepEqual(messages.map((m) => m.body), ['first', 'second', 'third']);
  assert.equal(hook.log.length, 1, 'the receiver still holds the first one, and the rest wait behind it');
  assert.equal(receiver.hanging.length, 1);
  visitor.close();
});

test('contact and consent events arrive; nothing while a visitor pauses processing; an erasure sends contact.erased and forgets the rest', async () => {
  const owner = await newOwner();
  const hook = receiver.hook('contacts');
  const endpoint = await addEndpoint(owner, hook, ['message.created', 'contact.updated', 'contact.erased', 'consent.recorded']);
  const token = await newToken(owner, ['contacts:write']);
  const config = await (await fetch(`${edge.base}/api/v1/sites/${owner.site}/consent-config`)).json();
  const decided = await api.post(`/api/v1/sites/${owner.site}/consent`, {
    host: owner.host,
    decision: { policy_version: config.policy_version, choices: { preferences: false, analytics: true, marketing: false }, method: 'custom', lang: 'en', gpc: false },
  });
  assert.equal(decided.status, 201);
  const { token: visitorToken, record } = await decided.json();
  const visitorId = visitorToken.split('.')[2];
  const session = await api.visitorSession(owner.site, owner.host, visitorToken);
  const visitor = await api.visitorSocket(owner.site, session.token);
  await visitor.hello();
  const say = async (body) => { visitor.send({ type: 'send', client_id: clientId(), body }); await visitor.nextOf('ack'); };
  await say('hi');
  assert.equal((await call('PATCH', `/contacts/${visitorId}`, token, { name: 'Ann Lee', email: 'ann@customer.example' })).status, 200);
  await until(hook, (log) => log.length >= 3, 'consent, message and contact');
  const byType = (type) => hook.log.filter((l) => l.verified?.type === type).map((l) => l.verified.data);
  assert.deepEqual(byType('consent.recorded'), [record]);
  assert.equal(byType('consent.recorded')[0].visitor_hash, record.visitor_hash);
  assert.deepEqual(byType('contact.updated'), [{ visitor_id: visitorId, name: 'Ann Lee', email: 'ann@customer.example' }]);

  // Paused processing: what the visitor writes meanwhile is not sent, and is not sent later either.
  const subject = `/api/v1/workspaces/${owner.site}/data-subjects/${visitorId}`;
  assert.equal((await owner.post(subject, { kind: 'restrict', on: true })).status, 200);
  await say('while paused');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(byType('message.created').length, 1);
  assert.equal((await owner.post(subject, { kind: 'restrict', on: false })).status, 200);
  await say('back again');
  await until(hook, () => byType('message.created').length >= 2, 'the message after the pause');
  assert.deepEqual(byType('message.created').map((m) => m.text), ['hi', 'back again']);

  // Erased: contact.erased goes out, the log about them is gone (it held their words).
  assert.equal((await call('DELETE', `/contacts/${visitorId}`, token)).status, 200);
  await until(hook, () => byType('contact.erased').length >= 1, 'contact.erased');
  assert.deepEqual(Object.keys(byType('contact.erased')[0]).sort(), ['erased_at', 'visitor_id']);
  assert.equal(byType('contact.erased')[0].visitor_id, visitorId);
  const log = await (await fetch(`${edge.base}/integrations/${owner.site}/webhooks/${endpoint}`, { headers: { cookie: owner.cookie } })).text();
  // A delivery is a row headed by its event (the page's event check boxes name them all too).
  const row = (kind) => `<th scope="row"><code>${kind}</code>`;
  assert.ok(log.includes(row('contact.erased')), 'the erasure event is logged');
  for (const gone of ['message.created', 'contact.updated', 'consent.recorded']) assert.ok(!log.includes(row(gone)), `${gone} deliveries deleted`);
  // The record of processing lists the endpoint's host as a recipient.
  const recordPage = await (await fetch(`${edge.base}/privacy/${owner.site}/record`)).text();
  assert.match(recordPage, /<th scope="row">127\.0\.0\.1<\/th><td>message\.created, contact\.updated, contact\.erased, consent\.recorded — since \d{4}-\d{2}-\d{2}<\/td>/);
  visitor.close();
});

test('the address rules refuse private, metadata and plain-http endpoints; only owners and admins manage them', async () => {
  const owner = await newOwner();
  const refused = [
    ['https://169.254.169.254/latest/meta-data', 'not a public address'],
    ['https://10.0.0.8/hook', 'not a public address'],
    ['https://[::ffff:192.168.0.1]/', 'not a public address'],
    ['http://hooks.example.com/in', 'must start with https://'],
    ['https://metadata.google.internal/', 'not a public host name'],
    ['https://user:pw@hooks.example.com/', 'user name or password'],
  ];
  for (const [url, why] of refused) {
    const res = await form(owner, `/integrations/${owner.site}/webhooks`, [['url', url], ['event', 'message.created']]);
    assert.equal(res.status, 400, url);
    const html = await res.text();
    assert.ok(html.includes(why), `${url}: ${why}`);
    assert.ok(html.includes(`value="${url.replace(/&/g, '&amp;')}"`), 'what was typed stays');
  }
  const none = await form(owner, `/integrations/${owner.site}/webhooks`, [['url', 'https://hooks.example.com/in']]);
  assert.equal(none.status, 400);
  assert.match(await none.text(), /choose at least one event/);

  const hook = receiver.hook('rules');
  const endpoint = await addEndpoint(owner, hook, ['contact.erased']);
  // An agent of the workspace may not manage endpoints; another workspace cannot reach this one.
  const invite = await (await owner.post(`/api/v1/workspaces/${owner.site}/invites`, { role: 'agent' })).json();
  const inviteToken = new URL(invite.url).hash.split('=')[1];
  const agent = await api.signedIn(await api.request('POST', `/api/v1/invites/${inviteToken}/accept`, { name: 'Ada', email: `ada${n}@hooks.example`, password: 'agent password 1' }));
  assert.equal((await form(agent, `/integrations/${owner.site}/webhooks/${endpoint}/test`)).status, 403);
  assert.equal((await form(agent, `/integrations/${owner.site}/webhooks`, [['url', 'https://a.example/'], ['event', 'message.created']])).status, 403);
  const other = await newOwner();
  assert.equal((await form(other, `/integrations/${owner.site}/webhooks/${endpoint}/test`)).status, 403);
  assert.equal((await form(other, `/integrations/${other.site}/webhooks/${endpoint}/test`)).status, 404);
  // A form from another origin is refused before anything happens.
  const forged = await fetch(`${edge.base}/integrations/${owner.site}/webhooks/${endpoint}/delete`, {
    method: 'POST', redirect: 'manual', headers: { cookie: owner.cookie, origin: 'https://evil.example' },
  });
  assert.equal(forged.status, 403);
  const page = await (await fetch(`${edge.base}/integrations/${owner.site}`, { headers: { cookie: owner.cookie } })).text();
  assert.ok(page.includes(hook.url), 'still there');
});

test('on the endpoint\'s page an owner sends a test event, rotates the secret, redelivers and deletes', async () => {
  const owner = await newOwner();
  const hook = receiver.hook('page');
  const page = await suite.browser.newPage();
  try {
    await signInToInbox(page, edge, owner);
    await page.goto(new URL(`/integrations/${owner.site}`, page.url()).href);
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByText('No endpoints yet.').waitFor();
    await page.getByRole('textbox', { name: 'Endpoint URL' }).fill(hook.url);
    await page.getByRole('checkbox', { name: /message\.created/ }).check();
    await page.getByRole('checkbox', { name: /contact\.erased/ }).check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = page.getByRole('textbox', { name: 'Signing secret' });
    await secret.waitFor();
    hook.secrets.unshift(await secret.inputValue());
    assert.match(hook.secrets[0], /^whsec_/);
    await assertAccessible(page, 'integrations page with a new endpoint');
    await page.screenshot({ path: artifact('webhooks.png'), fullPage: true });

    await page.getByRole('link', { name: `Deliveries and settings of ${hook.url}` }).click();
    await page.getByRole('heading', { name: 'Webhook endpoint', level: 1 }).waitFor();
    const endpointPage = page.url();
    await page.getByRole('button', { name: 'Send a test event' }).click();
    await page.getByText('Test event queued').waitFor();
    await until(hook, (log) => log.length >= 1, 'the test event');
    assert.equal(hook.log[0].verified.type, 'webhook.test');
    await page.reload();
    const row = page.getByRole('row', { name: /webhook\.test/ });
    await row.getByText('Delivered (answered 200)').waitFor();

    // A new secret: shown once; for a day both sign, so a receiver with either verifies.
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = page.getByRole('textbox', { name: 'Signing secret' });
    await rotated.waitFor();
    hook.secrets.unshift(await rotated.inputValue());
    assert.notEqual(hook.secrets[0], hook.secrets[1]);
    await page.getByText(/the previous secret signs too until/).waitFor();
    await page.goto(endpointPage);
    assert.equal(await page.getByRole('textbox', { name: 'Signing secret' }).count(), 0, 'shown once');
    await page.getByRole('button', { name: /^Redeliver test_/ }).click();
    await page.getByText('Delivery queued again.').waitFor();
    await until(hook, (log) => log.length >= 2, 'the redelivery');
    const again = hook.log[1];
    assert.equal(again.id, hook.log[0].id, 'a redelivery keeps its webhook-id');
    assert.equal(again.signature.split(' ').length, 2, 'two signatures during the overlap');
    assert.deepEqual(again.verifiedBy.map((v) => v?.type), ['webhook.test', 'webhook.test'], 'each secret verifies it');
    await assertAccessible(page, 'webhook endpoint page');
    await page.screenshot({ path: artifact('webhook-endpoint.png'), fullPage: true });

    // Its events change without a new secret; none ticked is refused with what was ticked kept.
    const events = page.getByRole('group', { name: 'Events it receives' });
    await events.getByRole('checkbox', { name: /contact\.erased/ }).uncheck();
    await events.getByRole('checkbox', { name: /conversation\.created/ }).check();
    await page.getByRole('button', { name: 'Save events' }).click();
    await page.getByText('Events saved').waitFor();
    await page.getByRole('row', { name: /Events conversation\.created, message\.created$/ }).waitFor();
    for (const box of await page.getByRole('group', { name: 'Events it receives' }).getByRole('checkbox').all()) await box.uncheck();
    await page.getByRole('button', { name: 'Save events' }).click();
    await page.getByRole('alert').filter({ hasText: 'choose at least one event' }).waitFor();

    await page.goto(endpointPage);
    await page.getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByText('Endpoint deleted').waitFor();
    await page.getByText('No endpoints yet.').waitFor();
  } finally {
    await page.close();
  }
  const { visitor } = await visitorWrites(owner, 'after the endpoint went');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(hook.log.length, 2, 'nothing is sent to a deleted endpoint');
  visitor.close();
  // Each change is in the audit log.
  const audit = await (await owner.get(`/api/v1/workspaces/${owner.site}/audit`)).json();
  const details = audit.entries.map((e) => e.detail).join('\n');
  for (const what of ['added (message.created, contact.erased)', 'given a new signing secret', 'now receives conversation.created, message.created', 'deleted']) {
    assert.ok(details.includes(what), `audit: ${what}\n${details}`);
  }
});

test('an endpoint that keeps failing is disabled, its owners are told, and it receives again once enabled', async () => {
  // Its own edge: a retry schedule of about three days, each "second" 0 ms.
  const fast = await startSuite('webhooks-disable', { browser: false, vars: { WEBHOOK_SECOND_MS: '0' } });
  try {
    const email = 'olga@failing.example';
    const owner = await fast.api.signUp({ name: 'Olga', email, password: 'hooks tests password', workspace_name: 'Failing shop', website: 'https://failing.example/' });
    owner.site = owner.me.workspaces[0].id;
    let up = false;
    const hook = receiver.hook('down', () => (up ? 200 : 503));
    const res = await fetch(`${fast.edge.base}/integrations/${owner.site}/webhooks`, {
      method: 'POST',
      headers: { cookie: owner.cookie, origin: fast.edge.base, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([['url', hook.url], ['event', 'message.created']]).toString(),
    });
    assert.equal(res.status, 201);
    hook.secrets.unshift((await res.text()).match(/id="new-secret" readonly value="(whsec_[A-Za-z0-9+/=]+)"/)[1]);
    const session = await fast.api.visitorSession(owner.site, 'https://failing.example');
    const visitor = await fast.api.visitorSocket(owner.site, session.token);
    await visitor.hello();
    visitor.send({ type: 'send', client_id: clientId(), body: 'anyone?' });
    await visitor.nextOf('ack');
    const mail = await nextMail(fast.stateDir, email, 'A webhook endpoint of Failing shop was disabled');
    assert.match(mail.text, /failed for about three days\s+\(the receiver answered\s+503\)/);
    assert.equal(hook.log.length, 15, 'the first try and 14 retries');
    // Disabled: nothing is queued for it; enabled again, new events go (and the given-up one can
    // be redelivered from its log).
    visitor.send({ type: 'send', client_id: clientId(), body: 'still there?' });
    await visitor.nextOf('ack');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.log.length, 15);
    const list = await (await fetch(`${fast.edge.base}/integrations/${owner.site}`, { headers: { cookie: owner.cookie } })).text();
    assert.match(list, /Disabled \d{4}-\d{2}-\d{2}: a delivery failed for about three days/);
    const endpoint = list.match(/\/webhooks\/([0-9a-f]{12})"/)[1];
    up = true;
    const enable = await fetch(`${fast.edge.base}/integrations/${owner.site}/webhooks/${endpoint}/enable`, {
      method: 'POST', redirect: 'manual', headers: { cookie: owner.cookie, origin: fast.edge.base },
    });
    assert.equal(enable.status, 303);
    visitor.send({ type: 'send', client_id: clientId(), body: 'back?' });
    await visitor.nextOf('ack');
    await until(hook, (log) => log.length >= 16, 'a new event after enabling', 15_000);
    assert.deepEqual([hook.log[15].verified.data.text, hook.log[15].status], ['back?', 200]);
    const audit = await (await owner.get(`/api/v1/workspaces/${owner.site}/audit`)).json();
    assert.ok(audit.entries.some((e) => /disabled: a delivery failed/.test(e.detail)), 'audited');
    visitor.close();
  } finally {
    await stopSuite(fast);
  }
});
