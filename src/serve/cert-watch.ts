// The serving certificate, reloaded from its directory, each load and failure counted in the metrics and
// logged; `onLoaded` hands every good pair (the first included) to the listeners and the caBundle patcher.
import type { Logger } from 'pino';
import { startCertSource, type CertSource, type ServingCertificate } from '../config/cert-source.ts';
import type { Metrics } from '../http/metrics.ts';

export function watchCertificate(
  certDir: string,
  pollMs: number | undefined,
  metrics: Metrics,
  logger: Logger,
  onLoaded: (p: ServingCertificate) => void,
): CertSource {
  let certLoaded = false;
  return startCertSource(
    certDir,
    {
      loaded(p, first) {
        certLoaded = true;
        metrics.certReloads.inc({ result: 'success' });
        metrics.certLastSuccess.set(Date.now() / 1000);
        metrics.certExpiry.set(p.notAfter.getTime() / 1000);
        onLoaded(p);
        logger.info({ certDir, notAfter: p.notAfter.toISOString() }, first ? 'certificate loaded' : 'certificate reloaded');
      },
      failed(e) {
        metrics.certReloads.inc({ result: 'failure' });
        // before the first good one there is none to keep: start-up fails instead
        logger.error(
          { certDir, error: e.message },
          certLoaded ? 'certificate failed to load; the last good one keeps serving' : 'certificate failed to load',
        );
      },
    },
    { pollMs },
  );
}
