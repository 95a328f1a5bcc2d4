// The floor: what any admission webhook on Node pays, and nothing else. A bare https server (TLS >= 1.2,
// the injector's certificate) that reads the body, JSON.parses the AdmissionReview and answers a fixed
// AdmissionReview with the request's uid and a base64 patch of the same size as the real injector's
// answer to that review (the patches, by request uid, come from BENCH_FLOOR_CONFIG: each distinct patch
// once, so thousands of uids answered alike cost the floor one string, not thousands).
//
// This file has no type syntax on purpose: servers.ts runs it as plain JavaScript (`node
// --input-type=module -e <source>`), so the floor does not carry the tsx loader (+36 MB RSS, compile
// hooks) that the injector, run from dist/, does not have either. tsc still type-checks it.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';

const cfg = JSON.parse(readFileSync(process.env.BENCH_FLOOR_CONFIG ?? '', 'utf8'));
const patches = new Map(Object.entries(cfg.byUid).map(([uid, i]) => [uid, cfg.patches[Number(i)]])); // uid -> base64 patch, '' for none

const server = createServer(
  { minVersion: 'TLSv1.2', cert: readFileSync(join(cfg.certDir, 'tls.crt')), key: readFileSync(join(cfg.certDir, 'tls.key')) },
  (req, res) => {
    const chunks = [Buffer.alloc(0)]; // (typed without type syntax; the empty buffer costs nothing)
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = ''; // no type syntax here (see the header): the initial value types it
      try {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const uid = review.request.uid;
        const patch = patches.get(uid);
        const response = patch ? { uid, allowed: true, patchType: 'JSONPatch', patch } : { uid, allowed: true };
        body = JSON.stringify({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response });
      } catch (e) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`${e}\n`);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  },
);
server.keepAliveTimeout = 90_000; // as the injector
server.listen(cfg.port, cfg.host, () => process.stdout.write('listening\n'));
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
