// A Service in front of replicas, as far as the API server can tell: one address on 127.0.0.1 that hands
// each new TCP connection to the next backend in turn (round robin) and copies bytes both ways. TLS passes
// through it untouched: each replica terminates it with its own certificate, as behind a ClusterIP.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpBalancer {
  port: number;
  /** Connections handed to each backend so far, in the order of `backends`. */
  connections: number[];
  close(): Promise<void>;
}

export async function startTcpBalancer(backends: number[]): Promise<TcpBalancer> {
  const connections = backends.map(() => 0);
  const open = new Set<Socket>();
  let next = 0;
  const server: Server = createServer((client) => {
    const i = next++ % backends.length;
    connections[i]!++;
    const upstream = connect(backends[i]!, '127.0.0.1');
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('the balancer has no port');
  return {
    port: addr.port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
