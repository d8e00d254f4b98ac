// Talking to the real edge the way the widget and the inbox do: JSON requests from our own
// origin, sockets with a queue of parsed frames, and agents signed in with their cookie.
import assert from 'node:assert/strict';
import WebSocket from 'ws';

/** Frames that describe state rather than answer a request; `next()` passes over them. */
const AMBIENT = new Set(['read', 'details', 'team', 'typing', 'availability']);

export function client(base) {
  const wsBase = base.replace('http', 'ws');

  function request(method, route, body, { origin = base, headers = {} } = {}) {
    return fetch(`${base}${route}`, {
      method,
      headers: { origin, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** A socket with a queue of parsed server frames. */
  async function socket(route, { origin = base, headers = {} } = {}) {
    const ws = new WebSocket(route.startsWith('ws') ? route : `${wsBase}${route}`, { origin, headers });
    const frames = [];
    let wake = () => {};
    ws.on('message', (m) => { frames.push(JSON.parse(String(m))); wake(); });
    // Settles with the close code however early the edge closes it.
    const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('unexpected-response', (_, res) => reject(Object.assign(new Error('refused'), { status: res.statusCode })));
      ws.once('error', reject);
    });
    /** The next frame `pick` accepts, within `ms`; frames before it are dropped. */
    async function take(pick, what, ms = 5000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const i = frames.findIndex(pick);
        if (i >= 0) return frames.splice(0, i + 1).pop();
        const left = deadline - Date.now();
        assert.ok(left > 0, `${what} arrived within ${ms} ms`);
        await new Promise((r) => { wake = r; setTimeout(r, Math.min(left, 250)); });
      }
    }
    return {
      ws,
      frames,
      closed,
      send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
      /** The next frame that is not a state snapshot (read, details, team, typing). */
      next: () => take((f) => !AMBIENT.has(f.type), 'a frame'),
      /** The next frame of `type` (optionally also matching `where`). */
      nextOf: (type, where = () => true) => take((f) => f.type === type && where(f), `a ${type} frame`),
      /** Opens the conversation as the clients do (hello, protocol 1, from the start); answers the welcome. */
      hello() {
        ws.send(JSON.stringify({ type: 'hello', protocol: 1, after_seq: 0 }));
        return take((f) => f.type === 'welcome', 'a welcome frame');
      },
      /** Waits `ms` and says whether any frame matching `pick` came (for "never receives"). */
      async sawWithin(ms, pick) {
        await new Promise((r) => setTimeout(r, ms));
        return frames.some(pick);
      },
      close: () => ws.close(),
    };
  }

  async function expectError(res, status, code) {
    assert.equal(res.status, status, `status for ${code}`);
    const body = await res.json();
    assert.equal(body.error, code);
    assert.ok(body.message.length > 0, 'a readable message');
  }

  /** An agent's session: requests and sockets carry its cookie. */
  function agent(cookie) {
    const headers = { cookie };
    return {
      cookie,
      get: (route) => request('GET', route, undefined, { headers }),
      post: (route, body = {}) => request('POST', route, body, { headers }),
      put: (route, body) => request('PUT', route, body, { headers }),
      delete: (route) => request('DELETE', route, undefined, { headers }),
      socket: (route) => socket(route, { headers }),
    };
  }

  async function signedIn(res) {
    assert.ok(res.status === 200 || res.status === 201, `signed in (${res.status})`);
    const cookie = res.headers.get('set-cookie').split(';')[0];
    return Object.assign(agent(cookie), { me: await res.json() });
  }

  return {
    request,
    post: (route, body, origin = base, headers = {}) => request('POST', route, body, { origin, headers }),
    socket,
    expectError,
    agent,
    signIn: async (email, password) => signedIn(await request('POST', '/api/v1/auth/sign-in', { email, password })),
    signUp: async (body) => signedIn(await request('POST', '/api/v1/auth/sign-up', body)),
    signedIn,
    async visitorSession(site, host, token) {
      const res = await request('POST', `/api/v1/sites/${site}/visitor-session`, { host, ...(token && { token }) });
      assert.equal(res.status, 200);
      return res.json();
    },
    visitorSocket: (site, token) => socket(`/api/v1/sites/${site}/connect?token=${encodeURIComponent(token)}`),
  };
}
