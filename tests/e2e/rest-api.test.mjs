// The REST API against the real edge, as a site owner's own tools use it: tokens made by an
// owner or admin (shown once, scoped, revocable, expiring), bearer requests for conversations
// and messages, problem details (RFC 9457) for every refusal, and the audit log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible } from '../support/axe.mjs';
import { signInToInbox } from '../support/inbox.mjs';
import { artifact, startSuite, stopSuite } from '../support/suite.mjs';

let suite, api, edge;
before(async () => {
  suite = await startSuite('rest');
  ({ api, edge } = suite);
});
after(() => stopSuite(suite));

let n = 0;
async function newOwner() {
  n += 1;
  const email = `olga${n}@api${n}.example`;
  const owner = await api.signUp({ name: 'Olga', email, password: 'api tests password', workspace_name: `Shop ${n}`, website: `https://shop${n}.example/` });
  return Object.assign(owner, { email, password: 'api tests password', site: owner.me.workspaces[0].id, host: `https://shop${n}.example` });
}

async function newToken(owner, scopes, extra = {}) {
  const res = await owner.post(`/api/v1/workspaces/${owner.site}/tokens`, { name: 'Helpdesk sync', scopes, ...extra });
  assert.equal(res.status, 201);
  return res.json();
}

/** A request with a bearer token, as a tool would send it (no Origin, no cookie). */
function call(method, route, token, body) {
  return fetch(`${edge.base}/api/v1${route}`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function problem(res, status, code) {
  assert.equal(res.status, status, `status for ${code}`);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const body = await res.json();
  assert.equal(body.code, code);
  assert.equal(body.type, `urn:provixchat:problem:${code}`);
  assert.equal(body.status, status);
  assert.ok(body.title.length > 0 && body.detail.length > 0, 'a title and a readable detail');
  return body;
}

/** A visitor who wrote `text`: their conversation's id and their open socket. */
async function visitorWrites(owner, text) {
  const session = await api.visitorSession(owner.site, owner.host);
  const visitor = await api.visitorSocket(owner.site, session.token);
  await visitor.hello();
  visitor.send({ type: 'send', client_id: `c_v${String(Math.random()).slice(2, 12)}`, body: text });
  await visitor.nextOf('ack');
  return { id: session.conversation_id, visitor };
}

/** Waits until the index lists `count` conversations for the token (its feeds batch updates). */
async function listed(token, count, query = '') {
  let body;
  for (let i = 0; i < 50; i++) {
    body = await (await call('GET', `/conversations${query}`, token)).json();
    if (body.conversations.length >= count) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${count} conversations listed: ${JSON.stringify(body)}`);
}

test('an owner makes a token that is shown once, sees it listed without its secret, and revokes it with effect on the next request', async () => {
  const owner = await newOwner();
  const made = await newToken(owner, ['conversations:read', 'messages:write']);
  assert.match(made.token, new RegExp(`^pvx_${owner.site}_[0-9a-f]{8}_[0-9a-f]{40}$`));
  assert.deepEqual(made.scopes, ['conversations:read', 'messages:write']);
  assert.equal((await call('GET', '/conversations', made.token)).status, 200);

  const list = await (await owner.get(`/api/v1/workspaces/${owner.site}/tokens`)).json();
  assert.equal(list.length, 1);
  assert.equal(list[0].id, made.id);
  assert.ok(list[0].last_used_at > 0, 'last used is shown');
  assert.ok(!JSON.stringify(list).includes(made.token.split('_')[3]), 'the secret is never shown again');

  const revoked = await owner.delete(`/api/v1/workspaces/${owner.site}/tokens/${made.id}`);
  assert.equal(revoked.status, 200);
  assert.ok((await revoked.json()).revoked_at > 0);
  await problem(await call('GET', '/conversations', made.token), 401, 'unauthorized');

  const audit = await (await owner.get(`/api/v1/workspaces/${owner.site}/audit?action=api`)).json();
  assert.deepEqual(audit.entries.map((e) => e.detail), [
    'Revoked API token "Helpdesk sync"',
    'Created API token "Helpdesk sync" (conversations:read, messages:write)',
  ]);
});

test('tokens are for owners and admins, from the inbox\'s own origin, with a name, scopes and an expiry in the future', async () => {
  const owner = await newOwner();
  const invite = await (await owner.post(`/api/v1/workspaces/${owner.site}/invites`, { role: 'agent' })).json();
  const token = new URL(invite.url).hash.split('=')[1];
  const joined = await api.request('POST', `/api/v1/invites/${token}/accept`, { name: 'Ada', email: `ada${n}@x.example`, password: 'agent password 1' });
  const agent = await api.signedIn(joined);
  await api.expectError(await agent.post(`/api/v1/workspaces/${owner.site}/tokens`, { name: 'x', scopes: ['consent:read'] }), 403, 'forbidden');
  await api.expectError(await agent.get(`/api/v1/workspaces/${owner.site}/tokens`), 403, 'forbidden');
  const foreign = await api.request('POST', `/api/v1/workspaces/${owner.site}/tokens`, { name: 'x', scopes: ['consent:read'] }, { origin: 'https://evil.example', headers: { cookie: owner.cookie } });
  await api.expectError(foreign, 403, 'origin_not_allowed');
  const tokens = `/api/v1/workspaces/${owner.site}/tokens`;
  await api.expectError(await owner.post(tokens, { name: ' ', scopes: ['consent:read'] }), 400, 'invalid_input');
  await api.expectError(await owner.post(tokens, { name: 'x', scopes: [] }), 400, 'invalid_input');
  await api.expectError(await owner.post(tokens, { name: 'x', scopes: ['everything'] }), 400, 'malformed_frame');
  await api.expectError(await owner.post(tokens, { name: 'x', scopes: ['consent:read'], expires_at: Date.now() - 1 }), 400, 'invalid_input');

  // An expiring token works until its time, then is refused.
  const soon = await newToken(owner, ['conversations:read'], { expires_at: Date.now() + 1500 });
  assert.equal((await call('GET', '/conversations', soon.token)).status, 200);
  await new Promise((r) => setTimeout(r, 1600));
  await problem(await call('GET', '/conversations', soon.token), 401, 'unauthorized');
});

test('conversations are listed with filters and a cursor that skips or repeats nothing while messages arrive', async () => {
  const owner = await newOwner();
  const { token } = await newToken(owner, ['conversations:read']);
  const started = [];
  for (let i = 0; i < 5; i++) started.push(await visitorWrites(owner, `Question ${i}`));
  await listed(token, 5);

  const seen = [];
  let next = null;
  let pages = 0;
  do {
    const page = await (await call('GET', `/conversations?limit=2${next ? `&after=${next}` : ''}`, token)).json();
    seen.push(...page.conversations.map((c) => c.id));
    // Every page, a listed conversation gets a new message: it must not move in the list.
    started[pages % 5].visitor.send({ type: 'send', client_id: `c_more${String(pages).padStart(6, '0')}`, body: 'Anyone?' });
    await started[pages % 5].visitor.nextOf('ack');
    next = page.next;
    pages += 1;
  } while (next);
  assert.equal(pages, 3);
  assert.deepEqual([...seen].sort(), started.map((s) => s.id).sort(), 'each once');
  assert.deepEqual(seen, [...seen].sort(), 'in id order');

  // Filters: status (an agent sets one pending), updated_since, and the one conversation read.
  const agentSocket = await owner.socket(`/api/v1/workspaces/${owner.site}/conversations/${started[2].id}/connect`);
  await agentSocket.hello();
  const before = Date.now();
  agentSocket.send({ type: 'set_status', status: 'pending' });
  await agentSocket.nextOf('details', (f) => f.details.status === 'pending');
  const pending = await listed(token, 1, '?status=pending');
  assert.deepEqual(pending.conversations.map((c) => c.id), [started[2].id]);
  const recent = await listed(token, 1, `?updated_since=${before}`);
  assert.ok(recent.conversations.some((c) => c.id === started[2].id));
  assert.ok(recent.conversations.length < 5, 'older changes left out');
  assert.equal((await listed(token, 5, '?assignee=none')).conversations.length, 5);
  const one = await (await call('GET', `/conversations/${started[0].id}`, token)).json();
  assert.equal(one.id, started[0].id);
  await problem(await call('GET', '/conversations?status=archived', token), 400, 'invalid_input');
  await problem(await call('GET', '/conversations?limit=0', token), 400, 'invalid_input');
  await problem(await call('GET', '/conversations?limit=abc', token), 400, 'invalid_input');
  await problem(await call('GET', '/conversations/cv_doesnotexist00', token), 404, 'not_found');

  // Messages after a sequence number.
  const messages = await (await call('GET', `/conversations/${started[0].id}/messages?after=1`, token)).json();
  assert.deepEqual(messages.map((m) => [m.seq, m.body]), [[2, 'Anyone?']]);
  agentSocket.close();
  for (const s of started) s.visitor.close();
});

test('messages are sent as a member or a named bot, a retried POST is one message, and the visitor receives it', async () => {
  const owner = await newOwner();
  const { token } = await newToken(owner, ['messages:write']);
  const { id, visitor } = await visitorWrites(owner, 'Where is my order?');
  const route = `/conversations/${id}/messages`;
  const sent = await call('POST', route, token, { client_id: 'c_api0000001', body: 'It ships today.', bot: 'Shopbot' });
  assert.equal(sent.status, 201);
  const message = await sent.json();
  assert.deepEqual([message.seq, message.author, message.body], [2, { kind: 'agent', name: 'Shopbot' }, 'It ships today.']);
  const heard = await visitor.nextOf('message');
  assert.deepEqual([heard.message.seq, heard.message.author.name], [2, 'Shopbot']);

  // The tool's connection dropped before the answer: it sends again, with the same id.
  const retried = await call('POST', route, token, { client_id: 'c_api0000001', body: 'It ships today.', bot: 'Shopbot' });
  assert.equal(retried.status, 201);
  assert.deepEqual(await retried.json(), message);
  assert.equal(await visitor.sawWithin(300, (f) => f.type === 'message'), false, 'the visitor hears it once');

  const asOlga = await (await call('POST', route, token, { client_id: 'c_api0000002', body: 'Olga here.', agent: owner.email })).json();
  assert.deepEqual([asOlga.seq, asOlga.author.name], [3, 'Olga']);
  await problem(await call('POST', route, token, { client_id: 'c_api0000003', body: 'x', agent: 'eve@else.example' }), 400, 'invalid_input');
  await problem(await call('POST', route, token, { client_id: 'c_api0000003', body: 'x' }), 400, 'invalid_input');
  await problem(await call('POST', route, token, { client_id: 'c_api0000003', body: 'x', bot: 'B', agent: owner.email }), 400, 'invalid_input');
  await problem(await call('POST', route, token, { client_id: 'c_api0000003', body: ' ', bot: 'B' }), 400, 'empty_message');
  await problem(await call('POST', route, token, { client_id: 'c_api0000003', body: 'x'.repeat(4001), bot: 'B' }), 400, 'message_too_long');
  await problem(await call('POST', route, token, { body: 'x', bot: 'B' }), 400, 'malformed_frame');
  await problem(await call('POST', '/conversations/cv_doesnotexist00/messages', token, { client_id: 'c_api0000003', body: 'x', bot: 'B' }), 404, 'not_found');
  visitor.close();
});

test('every route wants its scope, a token works only for its own workspace, and a bad or missing token is refused', async () => {
  const owner = await newOwner();
  const other = await newOwner();
  const { id } = await visitorWrites(owner, 'Hello');
  const read = (await newToken(owner, ['conversations:read'])).token;
  const write = (await newToken(owner, ['messages:write'])).token;
  const unrelated = (await newToken(owner, ['consent:read', 'contacts:read', 'contacts:write'])).token;
  const routes = [
    ['GET', '/conversations', undefined, read],
    ['GET', `/conversations/${id}`, undefined, read],
    ['GET', `/conversations/${id}/messages`, undefined, read],
    ['POST', `/conversations/${id}/messages`, { client_id: 'c_scope000001', body: 'Hi', bot: 'Bot' }, write],
    ['PATCH', `/conversations/${id}`, { status: 'pending' }, write],
  ];
  await listed(read, 1);
  for (const [method, route, body, right] of routes) {
    for (const wrong of [read, write, unrelated].filter((t) => t !== right)) {
      await problem(await call(method, route, wrong, body), 403, 'forbidden');
    }
    const ok = await call(method, route, right, body);
    assert.ok(ok.status === 200 || ok.status === 201, `${method} ${route}: ${ok.status}`);
  }
  // Another workspace's token sees nothing of this one.
  const theirs = (await newToken(other, ['conversations:read'])).token;
  assert.deepEqual((await (await call('GET', '/conversations', theirs)).json()).conversations, []);
  await problem(await call('GET', `/conversations/${id}`, theirs), 404, 'not_found');
  await problem(await call('GET', `/conversations/${id}/messages`, theirs), 404, 'not_found');
  // Missing, malformed, forged.
  await problem(await call('GET', '/conversations'), 401, 'unauthorized');
  await problem(await call('GET', '/conversations', 'not-a-token'), 401, 'unauthorized');
  const forged = read.replace(/_[0-9a-f]{40}$/, `_${'0'.repeat(40)}`);
  const refused = await call('GET', '/conversations', forged);
  assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="provixchat"');
  await problem(refused, 401, 'unauthorized');
  const elsewhere = read.replace(`pvx_${owner.site}_`, `pvx_${other.site}_`);
  await problem(await call('GET', '/conversations', elsewhere), 401, 'unauthorized');
});

test('a token over its budget is refused with when to try again, and other tokens go on', async () => {
  const owner = await newOwner();
  const busy = (await newToken(owner, ['conversations:read'])).token;
  const calm = (await newToken(owner, ['conversations:read'])).token;
  const statuses = [];
  for (let i = 0; i < 31; i++) {
    const batch = await Promise.all(Array.from({ length: 10 }, () => call('GET', '/conversations?limit=1', busy)));
    statuses.push(...batch.map((r) => r.status));
    for (const r of batch) await r.arrayBuffer();
  }
  assert.equal(statuses.filter((s) => s === 200).length, 300);
  const over = await call('GET', '/conversations', busy);
  const body = await problem(over, 429, 'rate_limited');
  assert.ok(body.retry_after_s > 0 && Number(over.headers.get('retry-after')) === body.retry_after_s);
  assert.equal((await call('GET', '/conversations', calm)).status, 200);
});

test('an owner makes and revokes a token on the Integrations page, opened from the inbox', async () => {
  const owner = await newOwner();
  const page = await suite.browser.newPage();
  try {
    await signInToInbox(page, edge, owner);
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    await page.getByText('No tokens yet.').waitFor();
    // Nothing ticked: refused, and what was typed stays.
    await page.getByRole('textbox', { name: 'Name' }).fill('Helpdesk sync');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('alert').filter({ hasText: 'choose at least one scope' }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).inputValue(), 'Helpdesk sync');
    await page.getByRole('checkbox', { name: /conversations:read/ }).check();
    await page.getByRole('checkbox', { name: /messages:write/ }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('textbox', { name: 'Token' });
    await shown.waitFor();
    const token = await shown.inputValue();
    assert.match(token, /^pvx_/);
    await assertAccessible(page, 'integrations page with a new token');
    await page.screenshot({ path: artifact('integrations.png'), fullPage: true });
    assert.equal((await call('GET', '/conversations', token)).status, 200);

    // Shown once: the page opened again lists the token, not its secret.
    // (On the inbox's own host: its session cookie is that host's.)
    await page.goto(new URL(`/integrations/${owner.site}`, page.url()).href);
    const row = page.getByRole('row', { name: /Helpdesk sync/ });
    await row.waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Token' }).count(), 0);
    assert.ok(!(await page.content()).includes(token.split('_')[3]));
    assert.match(await row.textContent(), /conversations:read, messages:write/);
    await row.getByRole('button', { name: 'Revoke Helpdesk sync' }).click();
    await page.getByText('Token revoked').waitFor();
    assert.match(await page.getByRole('row', { name: /Helpdesk sync/ }).textContent(), /Revoked \d{4}-\d{2}-\d{2}/);
    await problem(await call('GET', '/conversations', token), 401, 'unauthorized');
  } finally {
    await page.close();
  }
  // Signed out, the page sends you to sign in; an agent may not open it.
  const signedOut = await fetch(`${edge.base}/integrations/${owner.site}`, { redirect: 'manual' });
  assert.equal(signedOut.status, 303);
  assert.equal(new URL(signedOut.headers.get('location')).pathname, '/inbox');
});

test('a tool sets status and assignee as an agent would, and sees visitors\' emails only with contacts:read', async () => {
  const owner = await newOwner();
  const write = (await newToken(owner, ['messages:write'])).token;
  const read = (await newToken(owner, ['conversations:read'])).token;
  const contacts = (await newToken(owner, ['conversations:read', 'contacts:read'])).token;
  const { id, visitor } = await visitorWrites(owner, 'Hello');
  visitor.send({ type: 'contact', name: 'Ana', email: 'ana@example.com' });
  const agentSocket = await owner.socket(`/api/v1/workspaces/${owner.site}/conversations/${id}/connect`);
  await agentSocket.hello();

  const changed = await call('PATCH', `/conversations/${id}`, write, { status: 'pending', assignee: owner.email });
  assert.equal(changed.status, 200);
  const summary = await changed.json();
  assert.deepEqual([summary.status, summary.assignee?.email], ['pending', owner.email]);
  assert.equal(summary.visitor_email ?? null, null, 'no contacts:read, no email');
  await agentSocket.nextOf('details', (f) => f.details.status === 'pending' && f.details.assignee?.email === owner.email);
  const mine = await listed(read, 1, `?assignee=${encodeURIComponent(owner.email)}`);
  assert.deepEqual(mine.conversations.map((c) => c.id), [id]);
  assert.equal(mine.conversations[0].visitor_name, 'Ana');
  assert.equal(mine.conversations[0].visitor_email ?? null, null);
  const withContacts = await (await call('GET', `/conversations/${id}`, contacts)).json();
  assert.equal(withContacts.visitor_email, 'ana@example.com');

  const cleared = await (await call('PATCH', `/conversations/${id}`, write, { assignee: null })).json();
  assert.deepEqual([cleared.status, cleared.assignee ?? null], ['pending', null]);
  await problem(await call('PATCH', `/conversations/${id}`, write, {}), 400, 'invalid_input');
  await problem(await call('PATCH', `/conversations/${id}`, write, { assignee: 'eve@else.example' }), 400, 'invalid_input');
  await problem(await call('PATCH', `/conversations/${id}`, write, { status: 'archived' }), 400, 'malformed_frame');
  await problem(await call('PATCH', `/conversations/${id}`, write, { stat: 'open' }), 400, 'malformed_frame');
  await problem(await call('PATCH', '/conversations/cv_doesnotexist00', write, { status: 'open' }), 404, 'not_found');
  agentSocket.close();
  visitor.close();
});

test('contacts are found, read, corrected and erased through the data-subject path, and consent records exported', async () => {
  const owner = await newOwner();
  const read = (await newToken(owner, ['contacts:read'])).token;
  const write = (await newToken(owner, ['contacts:write', 'conversations:read'])).token;
  const consent = (await newToken(owner, ['consent:read'])).token;
  const { id, visitor } = await visitorWrites(owner, 'Hello');
  visitor.send({ type: 'contact', name: 'Ana', email: 'ana@example.com' });

  let found = [];
  for (let i = 0; i < 50 && found.length === 0; i++) {
    found = await (await call('GET', '/contacts?q=ana@example.com', read)).json();
    if (found.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(found.length, 1);
  const [ana] = found;
  assert.deepEqual([ana.name, ana.email, ana.conversations], ['Ana', 'ana@example.com', 1]);
  assert.deepEqual(await (await call('GET', `/contacts/${ana.visitor_id}`, read)).json(), ana);
  await problem(await call('GET', '/contacts', read), 400, 'invalid_input');
  await problem(await call('GET', '/contacts/vs_nobodyhere00000', read), 404, 'not_found');
  await problem(await call('PATCH', `/contacts/${ana.visitor_id}`, read, { name: 'Ana Lima' }), 403, 'forbidden');
  await problem(await call('GET', `/contacts/${ana.visitor_id}`, write), 403, 'forbidden');

  // Corrected: the agents' view of the conversation follows.
  const corrected = await call('PATCH', `/contacts/${ana.visitor_id}`, write, { name: 'Ana Lima' });
  assert.equal(corrected.status, 200);
  assert.equal((await corrected.json()).name, 'Ana Lima');
  assert.equal((await (await call('GET', `/conversations/${id}`, write)).json()).visitor_name, 'Ana Lima');
  await problem(await call('PATCH', `/contacts/${ana.visitor_id}`, write, {}), 400, 'invalid_input');
  await problem(await call('PATCH', `/contacts/${ana.visitor_id}`, write, { email: 'not an email' }), 400, 'invalid_input');

  // The site's consent log.
  const config = await (await fetch(`${edge.base}/api/v1/sites/${owner.site}/consent-config`)).json();
  const decided = await api.post(`/api/v1/sites/${owner.site}/consent`, {
    host: owner.host,
    decision: { policy_version: config.policy_version, choices: { preferences: false, analytics: true, marketing: false }, method: 'custom', lang: 'en', gpc: false },
  });
  assert.equal(decided.status, 201);
  const records = await (await call('GET', '/consent-records', consent)).json();
  assert.equal(records.length, 1);
  assert.deepEqual(records[0].choices, { preferences: false, analytics: true, marketing: false });
  await problem(await call('GET', '/consent-records', read), 403, 'forbidden');

  // Erased: everything goes, as when the visitor asks; the audit log names the token.
  const erased = await call('DELETE', `/contacts/${ana.visitor_id}`, write);
  assert.equal(erased.status, 200);
  assert.equal((await erased.json()).conversations, 1);
  await problem(await call('GET', `/contacts/${ana.visitor_id}`, read), 404, 'not_found');
  await problem(await call('GET', `/conversations/${id}`, write), 404, 'not_found');
  assert.deepEqual(await (await call('GET', '/contacts?q=ana@example.com', read)).json(), []);
  const audit = await (await owner.get(`/api/v1/workspaces/${owner.site}/audit?action=data_erased`)).json();
  assert.equal(audit.entries.length, 1);
  assert.match(audit.entries[0].actor, /^API token [0-9a-f]{8}$/);
  visitor.close();
});

test('every route in the OpenAPI document answers as documented, each refused without its scope', async () => {
  const owner = await newOwner();
  const doc = await (await fetch(`${edge.base}/api/v1/openapi.json`)).json();
  assert.equal(doc.openapi, '3.1.0');
  const scopes = ['conversations:read', 'messages:write', 'contacts:read', 'contacts:write', 'consent:read'];
  const only = {};
  const allBut = {};
  for (const scope of scopes) {
    only[scope] = (await newToken(owner, [scope])).token;
    allBut[scope] = (await newToken(owner, scopes.filter((s) => s !== scope))).token;
  }
  const { id: conversation, visitor } = await visitorWrites(owner, 'Hello');
  visitor.send({ type: 'contact', name: 'Ana', email: 'ana@example.com' });
  let contact;
  for (let i = 0; i < 50 && !contact; i++) {
    [contact] = await (await call('GET', '/contacts?q=ana@example.com', only['contacts:read'])).json();
    if (!contact) await new Promise((r) => setTimeout(r, 100));
  }
  const bodies = {
    'post /api/v1/conversations/{id}/messages': { client_id: 'c_openapi0001', body: 'Hi', bot: 'Docs' },
    'patch /api/v1/conversations/{id}': { status: 'pending' },
    'patch /api/v1/contacts/{id}': { name: 'Ana L.' },
  };
  const operations = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) operations.push({ path, method, op });
  }
  // The erasure last: everything else still has its contact and conversation.
  operations.sort((a, b) => (a.method === 'delete') - (b.method === 'delete'));
  assert.equal(operations.length, 11);
  for (const { path, method, op } of operations) {
    const id = path.startsWith('/api/v1/contacts/') ? contact.visitor_id : conversation;
    const route = path.replace('/api/v1', '').replace('{id}', id) + (path === '/api/v1/contacts' ? '?q=ana@example.com' : '');
    const body = bodies[`${method} ${path}`];
    const scope = op.security[0]?.token[0];
    if (scope) {
      await problem(await call(method.toUpperCase(), route, allBut[scope], body), 403, 'forbidden');
      await problem(await call(method.toUpperCase(), route, undefined, body), 401, 'unauthorized');
    }
    const res = await call(method.toUpperCase(), route, scope && only[scope], body);
    const documented = Object.keys(op.responses).find((s) => s.startsWith('2'));
    assert.equal(String(res.status), documented, `${method} ${path}: ${res.status}`);
    await res.arrayBuffer();
  }
  visitor.close();
});
