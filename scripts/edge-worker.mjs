// Runs the built worker through wrangler's JS API with the DevTools inspector off, for
// benchmarks (../shared/TOOLCHAIN.md: `wrangler dev` keeps an inspector attached that traces every
// call between Durable Objects through its own Node process, which costs milliseconds per call
// under load and cannot be switched off from the command line). Started by `startEdge({
// inspector: false })` in scripts/edge.mjs, in its own process group like `wrangler dev`;
// arguments come as one JSON value in PVX_EDGE (`config`: another wrangler.toml than the product's,
// e.g. the load benchmark's relay).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unstable_startWorker } from 'wrangler';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { port, stateDir, vars, config, entrypoint } = JSON.parse(process.env.PVX_EDGE);

const worker = await unstable_startWorker({
  config: config ? path.resolve(ROOT, config) : path.join(ROOT, 'wrangler.toml'),
  // Another build's index.js than wrangler.toml's `main`, when a benchmark compares builds.
  ...(entrypoint ? { entrypoint: path.resolve(ROOT, entrypoint) } : {}),
  // The same variables `wrangler dev --var` sets in scripts/edge.mjs; secrets come from .dev.vars.
  bindings: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, { type: 'plain_text', value: v }])),
  dev: {
    server: { hostname: '127.0.0.1', port },
    inspector: false,
    // `wrangler dev --persist-to DIR` keeps its state under DIR/v3; the same layout here.
    persist: path.join(stateDir, 'v3'),
    watch: false,
    liveReload: false,
    logLevel: 'warn',
  },
});
await worker.ready;
const stop = async () => {
  await worker.dispose();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
