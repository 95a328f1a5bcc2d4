// Attacks on connections rather than on parsing: sockets that never start TLS, and clients that ask for a
// large /preview answer and never read it. Each holds for a bounded time and then lets go.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { post, type Outcome, type Target } from './client.ts';
import { fdLimit, openFds } from './watch.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when every socket has connected (or failed), or after waitMs. */
async function allSettled(sockets: Socket[], waitMs: number): Promise<number> {
  const connected = sockets.map((s) => new Promise<boolean>((resolve) => {
    s.once('connect', () => resolve(true));
    s.once('error', () => resolve(false));
    s.once('close', () => resolve(false));
  }));
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
    s.once('close', () => { closed++; });
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
      status: admission.status, bytes: admission.bytes, elapsedMs: performance.now() - t0, ok: admission.ok,
      ...(closed < count ? { miss: `connections held > ${holdMs / 1000} s` } : {}),
      answer: `${opened} silent connections open, injector fds up to ${most} (limit ${fdLimit(pid)}); /inject meanwhile: ${admission.answer} in ` +
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
      bytes: 0, elapsedMs: performance.now() - t0, ok: true, // nothing to answer: the row is about memory
      answer: `${opened} clients sent ${(Buffer.byteLength(body) / 1024).toFixed(0)} KiB each and read nothing for ${holdMs / 1000} s; ` +
        `injector fds ${fdsAtStart} -> ${fdsAtEnd} (the server dropping them shows as fewer)`,
    };
  } finally {
    for (const s of sockets) s.destroy();
  }
}
