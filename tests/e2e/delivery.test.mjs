// Nothing a visitor sends is lost from the agents' view, against the real edge: a visitor who
// writes and leaves at once (the tab closed before the ack came back) still reaches the inbox.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO, startSuite, stopSuite } from '../support/suite.mjs';

let suite, api;
const PASSWORD = 'demo-password-e2e';
const LEAVERS = 10;

before(async () => {
  suite = await startSuite('delivery', { browser: false, demo: PASSWORD });
  ({ api } = suite);
});
after(() => stopSuite(suite));

test('a visitor who sends a first message and closes the tab at once still reaches the inbox', async () => {
  const agent = await api.signIn(DEMO.agentEmail, PASSWORD);
  const inbox = await agent.socket('/api/v1/workspaces/demo/connect');
  inbox.send({ type: 'hello', protocol: 1, after_seq: 0 });
  await inbox.nextOf('inbox');

  const sent = new Map();
  for (let i = 0; i < LEAVERS; i++) {
    const session = await api.visitorSession('demo', 'http://127.0.0.1:1');
    const visitor = await api.visitorSocket('demo', session.token);
    const body = `leaving right away ${i}`;
    // Hello and the message go out together and the connection is dropped as soon as they are
    // on the wire, without waiting for anything back, as a closed tab does.
    visitor.send({ type: 'hello', protocol: 1, after_seq: 0 });
    const frame = JSON.stringify({ type: 'send', client_id: `c_leaver${String(i).padStart(4, '0')}`, body });
    await new Promise((resolve) => visitor.ws.send(frame, resolve));
    visitor.ws.terminate();
    sent.set(session.conversation_id, body);
  }

  // Every one of them shows up live in the open inbox…
  const seen = new Map();
  const deadline = Date.now() + 10_000;
  while (seen.size < sent.size && Date.now() < deadline) {
    const frame = await inbox.nextOf('conversations_updated', (f) => f.conversations.some((c) => sent.has(c.id))).catch(() => null);
    for (const c of frame?.conversations ?? []) if (sent.has(c.id)) seen.set(c.id, c.last_message);
  }
  // …and in the list a freshly opened inbox gets.
  const fresh = await agent.socket('/api/v1/workspaces/demo/connect');
  fresh.send({ type: 'hello', protocol: 1, after_seq: 0 });
  const listed = new Set((await fresh.nextOf('inbox')).conversations.map((c) => c.id));

  // The runtime may drop frames of a connection that is already gone before the object reads
  // them (the socket opened, the message never arrived); those were never stored, and nothing
  // was lost. Every message that was stored must be in the inbox.
  let stored = 0;
  for (const [id, body] of sent) {
    const opened = await agent.socket(`/api/v1/workspaces/demo/conversations/${id}/connect`).catch((e) => e);
    if (opened instanceof Error) {
      assert.equal(opened.status, 404, `${id} was either stored or never started`);
      continue;
    }
    const welcome = await opened.hello();
    opened.close();
    if (welcome.messages.length === 0) continue;
    assert.deepEqual(welcome.messages.map((m) => m.body), [body], `${id} holds the one message`);
    stored += 1;
    assert.equal(seen.get(id), body, `${id} reached the live inbox with its message`);
    assert.ok(listed.has(id), `${id} is listed in the inbox`);
  }
  assert.ok(stored >= LEAVERS / 2, `most leavers' messages were stored (${stored} of ${LEAVERS})`);
  inbox.close();
  fresh.close();
});
