// The serving certificate, reloaded from its directory (or, with --cert-secret, from its Secret: any
// source that reports loads and failures), each load and failure counted in the metrics and logged; `onLoaded` hands every good pair (the first included) to the listeners and the caBundle patcher.
import type { Logger } from 'pino';
import { startCertSource, type CertSource, type ServingCertificate } from '../config/cert-source.ts';
import type { Metrics } from '../http/metrics.ts';

/** Starts a certificate source, given the events to report to. */
export type OpenCertSource = (events: { loaded(p: ServingCertificate, first: boolean): void; failed(e: Error): void }) => CertSource;

export const certDirSource =
  (certDir: string, pollMs: number | undefined): OpenCertSource =>
  (events) =>
    startCertSource(certDir, events, { pollMs });

export function watchCertificate(
  open: OpenCertSource,
  where: Record<string, string>,
  metrics: Metrics,
  logger: Logger,
  onLoaded: (p: ServingCertificate) => void,
): CertSource {
  let certLoaded = false;
  return open({
    loaded(p, first) {
      certLoaded = true;
      metrics.certReloads.inc({ result: 'success' });
      metrics.certLastSuccess.set(Date.now() / 1000);
      metrics.certExpiry.set(p.notAfter.getTime() / 1000);
      onLoaded(p);
      logger.info({ ...where, notAfter: p.notAfter.toISOString() }, first ? 'certificate loaded' : 'certificate reloaded');
    },
    failed(e) {
      metrics.certReloads.inc({ result: 'failure' });
      // before the first good one there is none to keep: start-up fails instead
      logger.error(
        { ...where, error: e.message },
        certLoaded ? 'certificate failed to load; the last good one keeps serving' : 'certificate failed to load',
      );
    },
  });
}
