// Nothing lost, nothing doubled when the server dies: visitors and agents chat over the real
// socket protocol while `wrangler dev` (wrangler and both workerd processes) is killed with SIGKILL
// at random moments and restarted on the same state. Afterwards every message either side wrote
// is stored exactly once, every acknowledgement names the stored message, every message that was
// unacknowledged when its connection dropped was found stored or resent, and both sides and the
// inbox show exactly the stored conversation, in order. The long run (100 cycles) is
// tests/bench/faults.mjs; the scenario and the checks are in tests/support/faults.mjs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { check, runFaults } from '../support/faults.mjs';
import { startSuite, stopSuite } from '../support/suite.mjs';

const CYCLES = 6;
let suite;

before(async () => {
  suite = await startSuite('faults', {
    browser: false,
    owner: { name: 'Kai', email: 'kai@faults.example', password: 'faults tests password', workspace_name: 'Faults Shop', website: '127.0.0.1' },
  });
});
after(() => stopSuite(suite));

test(`chats survive ${CYCLES} SIGKILLs of the edge with nothing lost or doubled`, { timeout: 90_000 }, async () => {
  const { problems, stats } = check(await runFaults(suite, { cycles: CYCLES }));
  console.log(`faults: ${JSON.stringify(stats)}`);
  assert.deepEqual(problems, []);
  // The run must have exercised what it claims: messages were unacknowledged at the kills
  // (at least those written while the edge was down) and went out again after the restarts.
  assert.ok(stats.pendingAtDrop >= CYCLES, `messages pending at the kills (${stats.pendingAtDrop})`);
  assert.ok(stats.resent > 0, 'messages were resent after reconnecting');
  assert.ok(stats.stored > CYCLES * 4, `messages flowed (${stats.stored} stored)`);
});
