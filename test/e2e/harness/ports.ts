// Free TCP ports on 127.0.0.1, asked of the kernel (bind to port 0, read it, close).
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Distinct free ports (two in a row from the kernel can in principle repeat). */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let i = 0; ports.size < n && i < n * 10; i++) ports.add(await freePort());
  if (ports.size < n) throw new Error(`could not find ${n} distinct free ports on 127.0.0.1`);
  return [...ports];
}
