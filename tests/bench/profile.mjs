// A CPU profile of the local runtime's isolate, for `load.mjs --profile=FILE`: where the worker's
// time goes and how long V8's garbage collector holds it up. wrangler's own inspector stays off
// (it traces every call between objects through Node, see ../shared/TOOLCHAIN.md); instead workerd
// is started with its own (`--inspector-addr`), through a wrapper that miniflare runs in its place
// (MINIFLARE_WORKERD_PATH), and the profiler attaches to the worker's isolate directly. Sampling
// costs the runtime some CPU: a profiled run's CPU figures are not comparable with others.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import WebSocket from 'ws';
import { ROOT } from '../../scripts/edge.mjs';

/** Writes the wrapper into `dir` and returns the environment that makes miniflare use it. Each
 * workerd process (wrangler starts two: its proxy and the runtime) listens on a port of its own,
 * noted in `dir/inspector-ports`. */
export function profiledRuntime(dir) {
  const real = createRequire(path.join(ROOT, 'package.json'))('workerd').default;
  if (!existsSync(real)) throw new Error(`workerd binary not found at ${real}`);
  const wrapper = path.join(dir, 'workerd-inspected');
  const ports = path.join(dir, 'inspector-ports');
  writeFileSync(wrapper, `#!/bin/sh
if [ "$1" = serve ]; then
  shift
  port=$((20000 + $$ % 20000))
  echo "$port" >> '${ports}'
  exec '${real}' serve --inspector-addr=127.0.0.1:$port "$@"
fi
exec '${real}' "$@"
`);
  chmodSync(wrapper, 0o755);
  return { env: { MINIFLARE_WORKERD_PATH: wrapper }, ports };
}

/** Attaches to the isolate of the worker `script` (wrangler names it `core:user:NAME`) and starts
 * sampling every `intervalUs`; `stop()` answers the profile (Chrome's .cpuprofile format). */
export async function startProfile(ports, script = 'core:user:provixchat', intervalUs = 500) {
  for (const port of new Set(readFileSync(ports, 'utf8').trim().split('\n'))) {
    let targets;
    try {
      targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    } catch {
      continue; // the proxy's process, or one that has gone
    }
    const target = targets.find((t) => t.id === script);
    if (!target) continue;
    const ws = new WebSocket(target.webSocketDebuggerUrl.split('#')[0]);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    let id = 0;
    const pending = new Map();
    ws.on('message', (m) => {
      const reply = JSON.parse(String(m));
      pending.get(reply.id)?.(reply);
      pending.delete(reply.id);
    });
    const call = (method, params = {}) => new Promise((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
    await call('Profiler.enable');
    await call('Profiler.setSamplingInterval', { interval: intervalUs });
    await call('Profiler.start');
    return {
      async stop() {
        const reply = await call('Profiler.stop');
        ws.close();
        if (!reply.result?.profile) throw new Error(`no profile: ${JSON.stringify(reply).slice(0, 200)}`);
        return reply.result.profile;
      },
    };
  }
  throw new Error(`no inspector lists ${script}`);
}

/** What a profile says: self time per function (the top `n`), and the garbage collector's pauses
 * (runs of consecutive samples in it) longer than `pauseMs`. */
export function summarize(profile, n = 8, pauseMs = 5) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const nameOf = (id) => {
    const f = nodes.get(id).callFrame;
    return f.functionName || `(anonymous ${path.basename(f.url || '?')}:${f.lineNumber})`;
  };
  const self = new Map();
  const pauses = [];
  let run = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample lasts until the next one.
    const ms = (timeDeltas[i + 1] ?? 0) / 1000;
    const name = nameOf(samples[i]);
    self.set(name, (self.get(name) ?? 0) + ms);
    if (name === '(garbage collector)') run += ms;
    else if (run > 0) {
      if (run > pauseMs) pauses.push(run);
      run = 0;
    }
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([name, ms]) => `${name} ${((100 * ms) / total).toFixed(1)} %`);
  pauses.sort((a, b) => b - a);
  return {
    seconds: total / 1000,
    gcShare: (100 * (self.get('(garbage collector)') ?? 0)) / total,
    pauses,
    top,
  };
}
