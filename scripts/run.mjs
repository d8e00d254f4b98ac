// scripts/run's second half: starts the built edge with the demo workspace and prints where to go.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO, ROOT, seedDemo, startEdge, stopEdge } from './edge.mjs';

const port = Number(process.env.PORT || 8787);
const state = path.join(ROOT, '.state');
mkdirSync(state, { recursive: true });
// The demo password is made once per checkout and kept with the local state (git-ignored).
const passwordFile = path.join(state, 'demo-password');
if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(12).toString('base64url') + '\n');
const password = readFileSync(passwordFile, 'utf8').trim();

console.log(`==> starting wrangler dev on port ${port} (state in .state/wrangler)`);
const edge = await startEdge({ port, stateDir: path.join(state, 'wrangler'), log: 'inherit' });
await seedDemo(edge.base, password);
console.log(`
  Demo page (a customer's site):  ${edge.base}/demo
  Inbox (agents):                 ${edge.edge}/inbox
  Demo sign-in:                   ${DEMO.agentEmail} / ${password}
  Mail the edge sends (.eml):     .state/wrangler/tmp/miniflare-*/files/email/

  Press Ctrl-C to stop. Conversations persist in .state/ across restarts.
`);
const stop = async () => { await stopEdge(edge); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
await edge.exited;
