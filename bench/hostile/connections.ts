// Attacks on connections rather than on parsing: sockets that never start TLS, and clients that ask for a
// large /preview answer and never read it. Each holds for a bounded time and then lets go.
import { connect as netConnect, type Socket } from 'node:net';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { post, type Outcome, type Target } from './client.ts';
import { fdLimit, openFds } from './watch.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when every socket has connected (or failed), or after waitMs. */
async function allSettled(sockets: Socket[], waitMs: number): Promise<number> {
  const connected = sockets.map(
    (s) =>
      new Promise<boolean>((resolve) => {
        s.once('connect', () => resolve(true));
        s.once('error', () => resolve(false));
        s.once('close', () => resolve(false));
      }),
  );
  const timeout = sleep(waitMs).then(() => undefined);
  const results = await Promise.all(connected.map((p) => Promise.race([p, timeout])));
  return results.filter((r) => r === true).length;
}

/**
 * `count` TCP connections to the webhook port that never send a ClientHello; with them open, one ordinary
 * admission; then up to holdMs to see how many of them the server closes.
 */
export async function silentConnections(inject: Target, pid: number, body: string, count: number, holdMs: number): Promise<Outcome> {
  const { hostname, port } = new URL(inject.url);
  const t0 = performance.now();
  const sockets = Array.from({ length: count }, () => netConnect({ host: hostname, port: Number(port) }));
  let closed = 0;
  for (const s of sockets) {
    s.on('error', () => undefined);
    s.once('close', () => {
      closed++;
    });
    s.resume();
  }
  try {
    const opened = await allSettled(sockets, 10_000);
    const fds = openFds(pid);
    const admission = await post(inject, body, 'application/json', 10_000);
    const deadline = Date.now() + holdMs;
    let most = fds;
    while (closed < count && Date.now() < deadline) {
      await sleep(100);
      most = Math.max(most, openFds(pid));
    }
    return {
      status: admission.status,
      bytes: admission.bytes,
      elapsedMs: performance.now() - t0,
      ok: admission.ok,
      ...(closed < count ? { miss: `connections held > ${holdMs / 1000} s` } : {}),
      answer:
        `${opened} silent connections open, injector fds up to ${most} (limit ${fdLimit(pid)}); /inject meanwhile: ${admission.answer} in ` +
        `${admission.elapsedMs.toFixed(0)} ms; server closed ${closed} of ${count} within ${holdMs / 1000} s`,
    };
  } finally {
    for (const s of sockets) s.destroy();
  }
}

/**
 * `count` clients POST `body` to /preview and never read the answer (their sockets are paused from the
 * start, so the server's writes pile up in its own memory); held for holdMs.
 */
export async function stalledReaders(preview: Target, pid: number, body: string, count: number, holdMs: number): Promise<Outcome> {
  const url = new URL(preview.url);
  const head = `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  const t0 = performance.now();
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const options = { host: url.hostname, port: Number(url.port) };
      const s = url.protocol === 'https:' ? tlsConnect({ ...options, ca: preview.ca }) : netConnect(options);
      s.on('error', () => undefined);
      s.pause();
      sockets.push(s);
    }
    const opened = await allSettled(sockets, 10_000);
    for (const s of sockets) s.write(head + body);
    const fdsAtStart = openFds(pid);
    await sleep(holdMs);
    const fdsAtEnd = openFds(pid);
    return {
      bytes: 0,
      elapsedMs: performance.now() - t0,
      ok: true, // nothing to answer: the row is about memory
      answer:
        `${opened} clients sent ${(Buffer.byteLength(body) / 1024).toFixed(0)} KiB each and read nothing for ${holdMs / 1000} s; ` +
        `injector fds ${fdsAtStart} -> ${fdsAtEnd} (the server dropping them shows as fewer)`,
    };
  } finally {
    for (const s of sockets) s.destroy();
  }
}

/**
 * `count` TLS connections to the webhook, each makes one admission (in batches of 32) and then stays open,
 * idle with keep-alive; with them held: a fresh admission and, after holdMs, another. Both must answer.
 */
export async function idleKeepAlive(inject: Target, pid: number, body: string, count: number, holdMs: number): Promise<Outcome> {
  // an agent per connection: one shared agent would reuse a socket once its answer came
  const agents = Array.from(
    { length: count },
    () => new HttpsAgent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, timeout: 120_000, ca: inject.ca }),
  );
  const t0 = performance.now();
  try {
    const answered = new Map<string, number>();
    for (let i = 0; i < count; i += 32) {
      const batch = agents.slice(i, i + 32).map((agent) => postVia(agent, inject, body));
      for (const a of await Promise.all(batch)) answered.set(a, (answered.get(a) ?? 0) + 1);
    }
    const idle = () => agents.filter((a) => Object.values(a.freeSockets).some((list) => (list?.length ?? 0) > 0)).length;
    const [fds, heldAtStart] = [openFds(pid), idle()];
    const first = await post(inject, body, 'application/json', 10_000);
    await sleep(holdMs);
    const later = await post(inject, body, 'application/json', 10_000);
    return {
      status: later.status,
      bytes: later.bytes,
      elapsedMs: performance.now() - t0,
      ok: first.ok && later.ok,
      answer:
        `${count} keep-alive admissions: ${[...answered].map(([a, n]) => `${n}x ${a}`).join(', ')}; ${heldAtStart} held idle, injector fds ${fds}; ` +
        `a new admission then: ${first.answer} in ${first.elapsedMs.toFixed(0)} ms; after ${holdMs / 1000} s (${idle()} still idle): ${later.answer} in ${later.elapsedMs.toFixed(0)} ms`,
    };
  } finally {
    for (const a of agents) a.destroy();
  }
}

/** One admission through a keep-alive agent (the socket goes back to the agent's pool, open). */
function postVia(agent: HttpsAgent, inject: Target, body: string): Promise<string> {
  return new Promise((resolve) => {
    const req = httpsRequest(
      inject.url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 20_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
    req.end(body);
  });
}
