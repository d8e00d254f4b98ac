// The set-up browser end-to-end files share: the real edge with its state in a fresh folder, a
// client for its API and headless Chromium, stopped in that order (Chromium first) afterwards.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { client } from './api.mjs';
import { launch } from './browser.mjs';
import { freePort, startEdge, stopEdge } from './edge.mjs';

/** Starts the edge (state under a temporary `pvx-NAME-` folder) and Chromium. */
export async function startSuite(name) {
  const edge = await startEdge({ port: await freePort(), stateDir: mkdtempSync(path.join(os.tmpdir(), `pvx-${name}-`)) });
  return { edge, api: client(edge.base), browser: await launch() };
}

export async function stopSuite({ edge, browser }) {
  try {
    await browser?.close();
  } finally {
    if (edge) await stopEdge(edge);
  }
}
