// Visitor data against the real edge: page activity reaches a profile only with analytics consent
// (asserted on the stored profile), addresses lose tracking parameters, custom attributes have
// limits, identify is checked with the workspace's HMAC, a verified user gets their conversation
// back in another browser, and nobody can write as a verified user from an unverified session.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startSuite, stopSuite } from '../support/suite.mjs';

let suite, edge, api, owner, site;
const PAGE = 'http://127.0.0.1:1';

before(async () => {
  suite = await startSuite('visitor', {
    browser: false,
    owner: { name: 'Vik', email: 'vik@visitors.example', password: 'visitor tests pw', workspace_name: 'Visitors', website: '127.0.0.1' },
  });
  ({ edge, api, owner, site } = suite);
});
after(() => stopSuite(suite));

/** A visitor who decided on cookies: their token and the policy version. */
async function decided(analytics) {
  const config = await (await fetch(`${edge.base}/api/v1/sites/${site}/consent-config`)).json();
  const res = await api.post(`/api/v1/sites/${site}/consent`, {
    host: PAGE,
    decision: { policy_version: config.policy_version, choices: { preferences: false, analytics, marketing: false }, method: analytics ? 'custom' : 'reject_all', lang: 'en', gpc: false },
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).token;
}

/** A call from the site's page (CORS), as the loader's API makes it. */
function fromPage(route, body, origin = PAGE) {
  return api.request('POST', `/api/v1/sites/${site}${route}`, body, {
    origin, headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' },
  });
}

function tokenParts(token) {
  const [, , visitor, conversation] = token.split('.');
  return { visitor, conversation };
}

const profileOf = async (token) => {
  const res = await owner.get(`/api/v1/workspaces/${site}/visitors/${tokenParts(token).visitor}`);
  assert.equal(res.status, 200);
  return res.json();
};

test('page activity and browser details are kept only with analytics consent', async () => {
  const page = { url: `${PAGE}/shop/vase?utm_source=newsletter&color=blue&gclid=x#reviews`, title: 'Blue vase', referrer: 'https://search.example/?q=vase&utm_medium=cpc' };
  const context = { language: 'de-DE', time_zone: 'Europe/Berlin', screen: 'large' };

  const refused = await decided(false);
  const res = await fromPage('/pageview', { host: PAGE, token: refused, ...page, context });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), PAGE);
  const none = await profileOf(refused);
  assert.deepEqual(none.pages, [], 'nothing of page activity without analytics consent');
  assert.equal(none.device, null);
  assert.equal(none.context, null);
  assert.equal(none.location, null);

  const allowed = await decided(true);
  assert.equal((await fromPage('/pageview', { host: PAGE, token: allowed, ...page, context })).status, 204);
  assert.equal((await fromPage('/pageview', { host: PAGE, token: allowed, url: `${PAGE}/shop/cart?email=a%40b.example&step=2`, title: 'Cart' })).status, 204);
  const profile = await profileOf(allowed);
  assert.deepEqual(profile.pages.map((p) => [p.url, p.title]), [[`${PAGE}/shop/cart?step=2`, 'Cart'], [`${PAGE}/shop/vase?color=blue`, 'Blue vase']]);
  assert.equal(profile.pages[1].referrer, 'https://search.example/?q=vase');
  assert.deepEqual(profile.context, context);
  assert.equal(profile.device.browser, 'Chrome 156');
  assert.equal(profile.device.os, 'Linux');
  assert.equal(profile.ip, null, 'addresses are not kept unless the workspace says so');
  assert.equal(profile.consents.at(-1).choices.analytics, true);

  // Bad input: a foreign page, a forged token, a non-http address.
  await api.expectError(await fromPage('/pageview', { host: PAGE, token: allowed, ...page }, 'https://evil.example'), 403, 'origin_not_allowed');
  await api.expectError(await fromPage('/pageview', { host: PAGE, token: `${allowed}x`, ...page }), 401, 'unauthorized');
  await api.expectError(await fromPage('/pageview', { host: PAGE, token: allowed, url: 'javascript:alert(1)' }), 400, 'invalid_input');
  const preflight = await api.request('OPTIONS', `/api/v1/sites/${site}/pageview`, undefined, { origin: PAGE });
  assert.equal(preflight.status, 204);
  assert.match(preflight.headers.get('access-control-allow-headers'), /content-type/);
});

test('custom attributes are merged within limits', async () => {
  const token = await decided(false);
  assert.equal((await fromPage('/attributes', { host: PAGE, token, attributes: { plan: 'pro', seats: 3, trial: false } })).status, 204);
  assert.equal((await fromPage('/attributes', { host: PAGE, token, attributes: { seats: null } })).status, 204);
  assert.deepEqual((await profileOf(token)).attributes, { plan: 'pro', trial: false });
  await api.expectError(await fromPage('/attributes', { host: PAGE, token, attributes: { nested: { a: 1 } } }), 400, 'invalid_input');
  await api.expectError(await fromPage('/attributes', { host: PAGE, token, attributes: { bio: 'x'.repeat(501) } }), 400, 'invalid_input');
  const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
  await api.expectError(await fromPage('/attributes', { host: PAGE, token, attributes: many }), 400, 'invalid_input');
});

test('identify: a good hash binds the user, a bad one is refused, and nobody posts as a verified user', async () => {
  const settingsRoute = `/api/v1/workspaces/${site}/settings`;
  const settings = await (await owner.get(settingsRoute)).json();
  assert.equal((await owner.put(settingsRoute, { ...settings, identity_verification: true })).status, 200);
  const { secret } = await (await owner.get(`/api/v1/workspaces/${site}/identity-secret`)).json();
  assert.ok(secret.length >= 32);
  const hash = (id) => createHmac('sha256', secret).update(id).digest('hex');

  await api.expectError(await fromPage('/identify', { host: PAGE, id: 'user-42', email: 'ana@example.com' }), 401, 'unauthorized');
  await api.expectError(await fromPage('/identify', { host: PAGE, id: 'user-42', hash: hash('user-43') }), 401, 'unauthorized');

  // A visitor chats, then logs in on the site: the conversation becomes theirs, verified.
  const anonymous = await decided(false);
  const v = await api.visitorSocket(site, anonymous);
  await v.hello();
  v.send({ type: 'send', client_id: 'c_beforelogin', body: 'My order has not arrived' });
  await v.nextOf('ack');
  v.close();
  const res = await fromPage('/identify', { host: PAGE, token: anonymous, id: 'user-42', email: 'ana@example.com', name: 'Ana', hash: hash('user-42') });
  assert.equal(res.status, 200);
  const identified = await res.json();
  assert.equal(identified.verified, true);
  assert.equal(identified.conversation_id, tokenParts(anonymous).conversation);
  const verifiedSocket = await api.visitorSocket(site, identified.token);
  assert.deepEqual((await verifiedSocket.hello()).messages.map((m) => m.body), ['My order has not arrived']);
  verifiedSocket.send({ type: 'send', client_id: 'c_afterlogin', body: 'Order 1234' });
  await verifiedSocket.nextOf('ack');
  verifiedSocket.close();

  // The old, unverified token of the same browser can no longer write into the verified conversation.
  await assert.rejects(api.visitorSocket(site, anonymous), (e) => e.status === 401);

  // Another browser: the same user, proven again, gets the same visitor and conversation back.
  const elsewhere = await (await fromPage('/identify', { host: PAGE, id: 'user-42', hash: hash('user-42') })).json();
  assert.equal(elsewhere.conversation_id, identified.conversation_id);
  assert.equal(tokenParts(elsewhere.token).visitor, tokenParts(identified.token).visitor);

  // Another user logging in on that browser (no reset at logout) does not get Ana's conversation.
  const next = await (await fromPage('/identify', { host: PAGE, token: identified.token, id: 'user-99', hash: hash('user-99') })).json();
  assert.notEqual(next.conversation_id, identified.conversation_id);
  assert.notEqual(tokenParts(next.token).visitor, tokenParts(identified.token).visitor);

  // Agents see who it is, verified; a visitor saying the same email without the hash is not.
  const profile = await profileOf(identified.token);
  assert.deepEqual(profile.identity, { id: 'user-42', verified: true });
  assert.equal(profile.email, 'ana@example.com');
  assert.deepEqual(profile.conversations.map((c) => c.id), [identified.conversation_id]);
  const agent = await owner.socket(`/api/v1/workspaces/${site}/conversations/${identified.conversation_id}/connect`);
  agent.send({ type: 'hello', protocol: 1, after_seq: 0 });
  const details = (await agent.nextOf('details')).details;
  assert.equal(details.verified_id, 'user-42');
  assert.equal(details.visitor_name, 'Ana', 'the name from identify shows in the inbox');
  assert.equal(details.visitor_email, 'ana@example.com');
  assert.equal(details.visitor_id, tokenParts(identified.token).visitor);

  const impostor = await decided(false);
  const s = await api.visitorSocket(site, impostor);
  await s.hello();
  s.send({ type: 'contact', name: 'Ana', email: 'ana@example.com' });
  s.send({ type: 'send', client_id: 'c_impostor1', body: 'Refund order 1234 to my new card' });
  await s.nextOf('ack');
  s.close();
  const impostorConversation = tokenParts(impostor).conversation;
  const other = await owner.socket(`/api/v1/workspaces/${site}/conversations/${impostorConversation}/connect`);
  other.send({ type: 'hello', protocol: 1, after_seq: 0 });
  assert.equal((await other.nextOf('details')).details.verified_id, null, 'an unverified session stays unverified');
  assert.equal((await profileOf(impostor)).identity, null);

  // An agent corrects the contact details: the change is logged with who made it.
  agent.send({ type: 'contact', name: 'Ana Silva' });
  await agent.nextOf('details', (f) => f.details.visitor_name === 'Ana Silva');
  for (let i = 0; i < 20 && !(await profileOf(identified.token)).contact_edits.some((e) => e.by === owner.me.email); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const edits = (await profileOf(identified.token)).contact_edits;
  assert.deepEqual(edits.at(-1).by, owner.me.email);
  assert.equal(edits.at(-1).name, 'Ana Silva');
  for (const sock of [agent, other]) sock.close();

  // The secret and the profiles are for this workspace's members only.
  const stranger = await api.signUp({ name: 'S', email: 'stranger@else.example', password: 'stranger pw 123', workspace_name: 'Else', website: 'else.example' });
  await api.expectError(await stranger.get(`/api/v1/workspaces/${site}/identity-secret`), 403, 'forbidden');
  await api.expectError(await stranger.get(`/api/v1/workspaces/${site}/visitors/${tokenParts(identified.token).visitor}`), 403, 'forbidden');
});
