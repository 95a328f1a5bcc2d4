// The three listeners: HTTPS for the webhook (/inject), HTTPS for the dry-run preview (its own port, so
// it can never take the webhook's connections), plain HTTP for health and metrics. Both HTTPS listeners
// share one certificate, swappable at run time. Every listener bounds what a client can hold: a TLS
// handshake timeout (a connection that never sends a ClientHello), header and request timeouts, an
// inactivity timeout while a request is answered (a client that never reads), and a cap on open
// connections, per listener, so probes and admissions never compete with preview callers.
import { clientErrorJson } from './client-error-json.ts';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createHttpServer } from './node-http.ts';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { RequestListener } from 'node:http';
import type { CertKeyPair } from '../config/cert-source.ts';
import { MAX_BODY_BYTES } from './body.ts';

export interface Listen {
  host: string;
  port: number;
}

export interface Servers {
  webhookPort: number;
  previewPort: number;
  opsPort: number;
  /** New handshakes use the new certificate; established connections keep theirs. */
  setCertificate(pair: CertKeyPair): void;
  inFlight(): number;
  close(graceMs: number): Promise<void>;
}

/** What one listener lets a client hold. */
export interface ConnectionLimits {
  /** Time to finish the TLS handshake, from the TCP connect (Node's default: 120 s). */
  handshakeMs: number;
  headersMs: number;
  requestMs: number;
  keepAliveMs: number;
  /** Inactivity while a request is answered: a client that stops reading is cut off after 1-2 times this. */
  idleMs: number;
  maxConnections: number;
}

// The webhook's request bound is the API server's longest wait (30 s) and its keep-alive istiod's (the
// API server reuses connections). The three connection caps add up to 576, under the common soft fd
// limit of 1024 with room for files and the Kubernetes client; the API server opens one connection per
// concurrent admission.
export const WEBHOOK_LIMITS: ConnectionLimits = {
  handshakeMs: 5_000,
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 90_000,
  idleMs: 30_000,
  maxConnections: 512,
};
export const PREVIEW_LIMITS: ConnectionLimits = {
  handshakeMs: 5_000,
  headersMs: 10_000,
  requestMs: 20_000,
  keepAliveMs: 5_000,
  idleMs: 5_000,
  maxConnections: 16,
};
export const OPS_LIMITS: ConnectionLimits = {
  handshakeMs: 0,
  headersMs: 5_000,
  requestMs: 10_000,
  keepAliveMs: 10_000,
  idleMs: 10_000,
  maxConnections: 48,
};

const TLS_OPTS = { minVersion: 'TLSv1.2' as const };
// how often Node checks the header and request timeouts (its default, 30 s, would let a stalled client
// hold a connection three times longer than headersTimeout says)
const CHECK = { connectionsCheckingInterval: 1000 };
/** How far below a listener's connection cap idle keep-alive connections start being closed. */
const IDLE_SHED_MARGIN = 4;

function harden(server: HttpServer | HttpsServer, limits: ConnectionLimits): void {
  server.headersTimeout = limits.headersMs;
  server.requestTimeout = limits.requestMs;
  server.keepAliveTimeout = limits.keepAliveMs;
  server.maxHeadersCount = 100;
  server.maxConnections = limits.maxConnections;
  // Node applies server.timeout to a connection's first request only (keep-alive resets it to 0), so the
  // inactivity bound is set per request: with no 'timeout' listener, Node destroys the socket, which
  // frees whatever answer was waiting for a client that does not read.
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    res.setTimeout(limits.idleMs);
  });
  // A client that asks first (Expect: 100-continue, as curl does past 1 MiB) is invited to send its body
  // only when the declared length is within the cap; otherwise its 413 comes without the upload.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!(Number(req.headers['content-length']) > MAX_BODY_BYTES)) res.writeContinue();
    server.emit('request', req, res);
  });
}

function listen(server: HttpServer | HttpsServer, at: Listen): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

export interface ServerSet {
  webhook: { handler: RequestListener; at: Listen; limits?: ConnectionLimits };
  preview: { handler: RequestListener; at: Listen; limits?: ConnectionLimits };
  ops: { handler: RequestListener; at: Listen; limits?: ConnectionLimits };
}

type OnConnection = (listener: keyof ServerSet, delta: number) => void;

function tlsServer(handler: RequestListener, limits: ConnectionLimits, tls: CertKeyPair): HttpsServer {
  const s = createHttpsServer({ ...TLS_OPTS, ...CHECK, handshakeTimeout: limits.handshakeMs, cert: tls.cert, key: tls.key }, handler);
  harden(s, limits);
  // a connection dropped before or during the handshake (timeout, garbage) only ends that socket
  s.on('tlsClientError', (_e, socket) => socket.destroy());
  return s;
}

/**
 * Counts each listener's open connections (for the metric, and to shed idle ones near the cap) and
 * returns the set of open sockets: those still in their TLS handshake are not the http layer's yet,
 * so closeAllConnections misses them and close() destroys them from this set.
 */
function trackConnections(named: Record<keyof ServerSet, HttpServer | HttpsServer>, onConnection: OnConnection): Set<Socket> {
  const raw = new Set<Socket>();
  for (const [name, s] of Object.entries(named) as Array<[keyof ServerSet, HttpServer | HttpsServer]>) {
    let open = 0;
    s.on('connection', (sock: Socket) => {
      raw.add(sock);
      onConnection(name, 1);
      // Near the cap, idle keep-alive connections go first: otherwise clients that hold connections open
      // and send nothing fill the cap, and Node refuses every new connection (the API server's too)
      // until their keep-alive ends. A client whose idle connection is closed simply reconnects.
      if (++open >= s.maxConnections - IDLE_SHED_MARGIN) s.closeIdleConnections();
      sock.once('close', () => {
        open--;
        raw.delete(sock);
        onConnection(name, -1);
      });
    });
  }
  return raw;
}

/** `onConnection(listener, +1 | -1)` follows every listener's open connections (for a metric). */
export async function startServers(set: ServerSet, tls: CertKeyPair, onConnection: OnConnection = () => undefined): Promise<Servers> {
  const webhook = tlsServer(set.webhook.handler, set.webhook.limits ?? WEBHOOK_LIMITS, tls);
  const preview = tlsServer(set.preview.handler, set.preview.limits ?? PREVIEW_LIMITS, tls);
  preview.on('clientError', clientErrorJson); // its refusals are JSON, Node's own ones too
  const ops = createHttpServer(CHECK, set.ops.handler);
  harden(ops, set.ops.limits ?? OPS_LIMITS);
  const all = [webhook, preview, ops];
  const raw = trackConnections({ webhook, preview, ops }, onConnection);
  let active = 0;
  const track = (_req: unknown, res: { on(e: 'close', f: () => void): void }) => {
    active++;
    res.on('close', () => {
      active--;
    });
  };
  webhook.on('request', track);
  preview.on('request', track);
  const ports: number[] = [];
  try {
    ports.push(await listen(webhook, set.webhook.at), await listen(preview, set.preview.at), await listen(ops, set.ops.at));
  } catch (e) {
    for (const s of all) if (s.listening) s.close();
    throw e;
  }
  return {
    webhookPort: ports[0]!,
    previewPort: ports[1]!,
    opsPort: ports[2]!,
    setCertificate: (pair) => {
      webhook.setSecureContext({ ...TLS_OPTS, cert: pair.cert, key: pair.key });
      preview.setSecureContext({ ...TLS_OPTS, cert: pair.cert, key: pair.key });
    },
    inFlight: () => active,
    async close(graceMs: number) {
      const closed = Promise.all(all.map((s) => new Promise((r) => s.close(r))));
      for (const s of all) s.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const s of all) s.closeAllConnections();
      for (const sock of raw) sock.destroy();
      await closed;
    },
  };
}
