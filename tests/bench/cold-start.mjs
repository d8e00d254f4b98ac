// Cold-start command (not part of the suite; loopback only):
//   node tests/bench/cold-start.mjs [--runs=5] [--warm=20] [--build=edge/build] [--build=OTHER …]
// How long the edge takes to answer the first request that runs the Rust worker after a start,
// against the same request once warm. `--build` names a worker-build output folder (index.js and
// index_bg.wasm); given more than once, the runs take turns between the builds, so a busy machine
// slows each of them alike (compare a copy of an older build with the current one this way).
//
// The edge is started with the DevTools inspector off (startEdge({ inspector: false }), see
// ../shared/TOOLCHAIN.md), on one state folder for every run: the demo workspace is seeded once,
// then each run starts the edge afresh and, from the moment it is asked to start, asks
// GET /api/v1/sites/demo/consent-config every 10 ms (one request at a time) until one is answered.
// That request runs the router and the workspace's Durable Object: the worker's module, its wasm
// and the object all load for it. Per run it reports
//   start→answer  from asking for a start to that first answer (wrangler's own start included),
//   first         how long that answered request took (what loading the worker added to it),
//   warm          the median of `warm` of the same requests after it,
// then the median of each over a build's runs.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, freePort, seedDemo, startEdge, stopEdge } from '../../scripts/edge.mjs';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    warm: { type: 'string', default: '20' },
    build: { type: 'string', multiple: true, default: ['edge/build'] },
  },
});
const RUNS = Number(args.runs);
const WARM = Number(args.warm);
if (!(RUNS >= 1 && RUNS <= 50 && WARM >= 1 && WARM <= 1000)) throw new Error('runs 1–50, warm 1–1000');
const builds = args.build.map((dir) => {
  const abs = path.resolve(ROOT, dir);
  const name = abs.startsWith(ROOT) ? path.relative(ROOT, abs) : abs;
  return { name, entrypoint: path.join(abs, 'index.js'), wasm: path.join(abs, 'index_bg.wasm'), rows: [] };
});

const ROUTE = '/api/v1/sites/demo/consent-config';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(1).padStart(7)} ms`;

/** Asks for ROUTE every 10 ms until it is answered 200; returns when it was asked and answered. */
async function firstAnswer(base, deadline) {
  while (performance.now() < deadline) {
    const asked = performance.now();
    try {
      const res = await fetch(base + ROUTE);
      await res.arrayBuffer();
      if (res.status === 200) return { asked, answered: performance.now() };
      if (res.status !== 503 && res.status !== 502) throw new Error(`${ROUTE}: ${res.status}`);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e; // TypeError: not listening yet
    }
    await sleep(10);
  }
  throw new Error(`${ROUTE} not answered within the deadline`);
}

async function timed(base) {
  const t = performance.now();
  const res = await fetch(base + ROUTE);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${ROUTE}: ${res.status}`);
  return performance.now() - t;
}

/** One start of `build` on `stateDir`: the first answer, then `WARM` more. */
async function run(build, stateDir) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const start = performance.now();
  const first = firstAnswer(base, start + 60_000);
  first.catch(() => {}); // awaited below; a failed start throws first
  const edge = await startEdge({ port, stateDir, inspector: false, entrypoint: build.entrypoint });
  try {
    const { asked, answered } = await first;
    const warm = [];
    for (let i = 0; i < WARM; i++) warm.push(await timed(base));
    return { startToAnswer: answered - start, first: answered - asked, warm: median(warm) };
  } finally {
    await stopEdge(edge);
  }
}

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'pvx-cold-'));
try {
  {
    const edge = await startEdge({ port: await freePort(), stateDir, inspector: false, entrypoint: builds[0].entrypoint });
    await seedDemo(edge.base, 'cold-start-password');
    await stopEdge(edge);
  }
  console.log(`${RUNS} runs per build, ${WARM} warm requests each`);
  for (let i = 1; i <= RUNS; i++) {
    for (const build of builds) {
      const row = await run(build, stateDir);
      build.rows.push(row);
      console.log(`${build.name} run ${i}: start→answer ${ms(row.startToAnswer)}   first ${ms(row.first)}   warm ${ms(row.warm)}`);
    }
  }
  for (const build of builds) {
    const m = (k) => median(build.rows.map((r) => r[k]));
    const wasm = statSync(build.wasm).size;
    console.log(`${build.name} (wasm ${wasm} B) median: start→answer ${ms(m('startToAnswer'))}   first ${ms(m('first'))}   `
      + `warm ${ms(m('warm'))}`);
  }
} finally {
  rmSync(stateDir, { recursive: true, force: true });
}
