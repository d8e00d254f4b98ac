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
    const frame = await inbox.nextOf('conversation_updated', (f) => sent.has(f.conversation.id)).catch(() => null);
    if (frame) seen.set(frame.conversation.id, frame.conversation.last_message);
  }
  assert.deepEqual([...sent.keys()].filter((id) => !seen.has(id)), [], 'every leaver reached the live inbox');
  for (const [id, body] of sent) assert.equal(seen.get(id), body, `the message of ${id} is in its summary`);

  // …and in the list a freshly opened inbox gets.
  const fresh = await agent.socket('/api/v1/workspaces/demo/connect');
  fresh.send({ type: 'hello', protocol: 1, after_seq: 0 });
  const { conversations } = await fresh.nextOf('inbox');
  const listed = new Set(conversations.map((c) => c.id));
  assert.deepEqual([...sent.keys()].filter((id) => !listed.has(id)), [], 'every leaver is listed');
  inbox.close();
  fresh.close();
});
