// Long fault-injection run (not part of the suite): the scenario of tests/e2e/faults.test.mjs
// (tests/support/faults.mjs) for many kill cycles, on its own edge and state folder:
//   node tests/bench/faults.mjs [cycles=100] [conversations=4]
// Prints one line per cycle on stderr, then the figures and every problem found (a message lost,
// doubled, out of order, or shown or acknowledged wrongly); exits with 1 if there is any.
import { rmSync } from 'node:fs';
import { check, runFaults } from '../support/faults.mjs';
import { startSuite, stopSuite } from '../support/suite.mjs';

const cycles = Number(process.argv[2] || 100);
const conversations = Number(process.argv[3] || 4);
const suite = await startSuite('faults-long', {
  browser: false,
  owner: { name: 'Kai', email: 'kai@faults.example', password: 'faults bench password', workspace_name: 'Faults Bench', website: '127.0.0.1' },
});
let result;
try {
  result = check(await runFaults(suite, { cycles, conversations, log: (line) => process.stderr.write(`${line}\n`) }));
} finally {
  await stopSuite(suite);
  rmSync(suite.stateDir, { recursive: true, force: true });
}
const { problems, stats } = result;
console.log(`SIGKILL cycles survived: ${stats.cycles} of ${cycles} in ${stats.seconds} s, ${conversations} conversations`);
console.log(`messages written ${stats.sent}, stored ${stats.stored}; pending at a kill ${stats.pendingAtDrop} ` +
  `(found stored with the ack lost ${stats.storedAckLost}, sent again ${stats.resent}); ` +
  `${stats.transmissions} transmissions, ${stats.reconnects} reconnects, ${stats.notices} error notices`);
console.log(problems.length === 0 ? 'no message lost, duplicated or shown wrongly' : `${problems.length} problems:`);
for (const p of problems) console.log(`  ${p}`);
process.exitCode = problems.length === 0 ? 0 : 1;
