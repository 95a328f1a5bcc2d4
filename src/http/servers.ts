// The two listeners: HTTPS (TLS >= 1.2, certificate swappable at run time) for the webhook, plain HTTP
// for health and metrics. Timeouts keep slow clients from holding either; shutdown lets requests in
// flight finish, within a bound.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

export interface Listen {
  host: string;
  port: number;
}

export interface TlsPair {
  cert: string;
  key: string;
}

export interface Servers {
  webhookPort: number;
  opsPort: number;
  /** New handshakes use the new certificate; established connections keep theirs. */
  setCertificate(pair: TlsPair): void;
  inFlight(): number;
  close(graceMs: number): Promise<void>;
}

const TLS_OPTS = { minVersion: 'TLSv1.2' as const };
// how often Node checks the header and request timeouts (its default, 30 s, would let a stalled client
// hold a connection three times longer than headersTimeout says)
const CHECK = { connectionsCheckingInterval: 1000 };

function harden(server: HttpServer | HttpsServer): void {
  server.headersTimeout = 10_000; // a client has 10 s to send its headers
  server.requestTimeout = 30_000; // and 30 s for the whole request (the API server waits at most 30 s)
  server.keepAliveTimeout = 90_000; // as istiod: the API server reuses connections
  server.maxHeadersCount = 100;
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

export async function startServers(webhook: RequestListener, ops: RequestListener, tls: TlsPair, at: { webhook: Listen; ops: Listen }): Promise<Servers> {
  const https = createHttpsServer({ ...TLS_OPTS, ...CHECK, cert: tls.cert, key: tls.key }, webhook);
  const http = createHttpServer(CHECK, ops);
  harden(https);
  harden(http);
  let active = 0;
  const track = (_req: unknown, res: { on(e: 'close', f: () => void): void }) => {
    active++;
    res.on('close', () => { active--; });
  };
  https.on('request', track);
  const webhookPort = await listen(https, at.webhook);
  let opsPort: number;
  try {
    opsPort = await listen(http, at.ops);
  } catch (e) {
    https.close();
    throw e;
  }
  return {
    webhookPort,
    opsPort,
    setCertificate: (pair) => https.setSecureContext({ ...TLS_OPTS, cert: pair.cert, key: pair.key }),
    inFlight: () => active,
    async close(graceMs: number) {
      const closed = Promise.all([new Promise((r) => https.close(r)), new Promise((r) => http.close(r))]);
      https.closeIdleConnections();
      http.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      https.closeAllConnections();
      http.closeAllConnections();
      await closed;
    },
  };
}
