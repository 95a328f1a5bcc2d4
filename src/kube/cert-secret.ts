// The serving certificate from a Secret in the injector's namespace (`serve --cert-secret NAME`): read it,
// or, when it is absent, make a CA and a serving certificate for the Service's names and CREATE it. Replicas
// starting together all try; the API server lets one create win, the others get 409 AlreadyExists, read
// the Secret again and use the winner's, so every replica serves (and publishes as caBundle) the same CA.
// Each later step (cert-plan.ts: renewal at 2/3 of the lifetime; cert-rotation.ts: the CA's rotation) is a
// replace with the resourceVersion read: replicas racing again lose with 409 and read the winner's. Every
// replica watches the Secret (by name), and reads it again itself when the plan says the next step is due,
// and hands each new certificate (and ca.crt, the caBundle) to the listeners and the caBundle patcher
// without a restart; a deleted Secret is made again.
import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { plannedSecret } from '../config/cert-issue.ts';
import { type CertStep, planCertSecret, readCertSecret } from '../config/cert-plan.ts';
import type { CertSource, ServingCertificate } from '../config/cert-source.ts';
import { toKubeApiError } from './api-errors.ts';
import { requestTimeout } from './request-timeout.ts';
import { ResilientInformer, type KubeLogger } from './resilient-informer.ts';

export interface CertSecretOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** The names the serving certificate is for (the Service's). */
  dnsNames: readonly string[];
  /** Lifetime of a serving certificate made here (the CA's is 10 times that; rotations wait a tenth of it, at most an hour). */
  lifetimeMs: number;
  logger: KubeLogger & { error(obj: object, msg: string): void };
  requestTimeoutMs?: number;
  /** After a failed renewal or re-creation, try again this much later (default 10 s). */
  retryMs?: number;
}

export interface CertEvents {
  loaded(p: ServingCertificate, first: boolean): void;
  failed(e: Error): void;
}

export interface CertSecretSource {
  /** The certificate read (or made) at start. */
  readonly initial: ServingCertificate;
  /** Watches the Secret and renews it when due; `loaded` is called at once with the initial certificate. */
  start(events: CertEvents): CertSource;
}

const MAX_ROUNDS = 6;

const STEP_LOG: Record<CertStep, string> = {
  create: 'created the certificate Secret (a new CA)',
  renew: 'renewed the serving certificate in the Secret (same CA)',
  'add-ca': 'added a new CA to the Secret (published beside the old one; the serving certificate is kept)',
  'renew-with-new-ca': 'renewed the serving certificate in the Secret, signed by the new CA',
  'drop-old-ca': 'dropped the old CA from the Secret',
  'replace-expired-ca': 'replaced the expiring CA and the serving certificate at once (no time to publish the new CA first)',
};

/** Reads the Secret and takes the plan's steps until it holds a certificate to use; returns it with when to look again. */
async function settle(api: CoreV1Api, opts: CertSecretOptions): Promise<{ certificate: ServingCertificate; renewAt?: Date }> {
  const { namespace, name, logger } = opts;
  const timeout = () => requestTimeout(opts.requestTimeoutMs ?? 10_000);
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    let secret: V1Secret | undefined;
    try {
      secret = await api.readNamespacedSecret({ name, namespace }, timeout());
    } catch (e) {
      const err = toKubeApiError(e, `read Secret ${namespace}/${name}`);
      if (err.kind !== 'not-found') throw err;
    }
    const now = new Date();
    const plan = planCertSecret(secret, now, opts);
    if (plan.action === 'use') return plan;
    const verb = plan.resourceVersion === undefined ? 'create' : 'update';
    try {
      const body: V1Secret = await plannedSecret(plan, secret, opts, now);
      if (plan.resourceVersion === undefined) await api.createNamespacedSecret({ namespace, body }, timeout());
      else await api.replaceNamespacedSecret({ name, namespace, body }, timeout());
      logger.info({ secret: `${namespace}/${name}`, step: plan.step, why: plan.why }, STEP_LOG[plan.step]);
    } catch (e) {
      const err = toKubeApiError(e, `${verb} Secret ${namespace}/${name} (${plan.step})`);
      if (err.kind !== 'conflict') throw err;
      // another replica won the create (409 AlreadyExists) or the update (409 Conflict): read what it wrote
      logger.info(
        { secret: `${namespace}/${name}`, step: plan.step },
        `another replica ${verb === 'create' ? 'created' : 'updated'} the certificate Secret first: reading it again`,
      );
    }
  }
  throw new Error(`Secret ${namespace}/${name} kept changing while the injector tried to ${MAX_ROUNDS} times to settle its certificate`);
}

const same = (a: ServingCertificate | undefined, b: ServingCertificate) => a !== undefined && a.cert === b.cert && a.key === b.key && a.ca === b.ca;

/** Settles the Secret once (rejects when it cannot be read, made, or is malformed), then returns the source. */
export async function bootstrapCertSecret(opts: CertSecretOptions): Promise<CertSecretSource> {
  const api = opts.kubeConfig.makeApiClient(CoreV1Api);
  const first = await settle(api, opts);
  return { initial: first.certificate, start: (events) => watchCertSecret(api, opts, first, events) };
}

function watchCertSecret(
  api: CoreV1Api,
  opts: CertSecretOptions,
  first: { certificate: ServingCertificate; renewAt?: Date },
  events: CertEvents,
): CertSource {
  const { namespace, name, logger } = opts;
  let current = first.certificate;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastFailure = '';
  const take = (c: ServingCertificate) => {
    if (same(current, c)) return;
    current = c;
    lastFailure = '';
    events.loaded(c, false);
  };
  const fail = (e: Error) => {
    if (e.message === lastFailure) return;
    lastFailure = e.message;
    events.failed(e);
  };
  const schedule = (at: Date | undefined, fallbackMs?: number) => {
    if (stopped) return;
    clearTimeout(timer);
    const delay = fallbackMs ?? (at ? Math.max(0, at.getTime() - Date.now()) + Math.random() * 1000 : undefined);
    if (delay === undefined) return;
    timer = setTimeout(run, Math.min(delay, 2 ** 31 - 1));
  };
  const run = () => {
    settle(api, opts).then(
      (s) => {
        if (stopped) return;
        take(s.certificate);
        schedule(s.renewAt);
      },
      (e: Error) => {
        fail(e);
        schedule(undefined, opts.retryMs ?? 10_000);
      },
    );
  };
  const informer = new ResilientInformer<V1Secret, V1Secret, 'certsecret'>({
    name: 'certsecret',
    kubeConfig: opts.kubeConfig,
    path: `/api/v1/namespaces/${namespace}/secrets?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`,
    list: (ms) => api.listNamespacedSecret({ namespace, fieldSelector: `metadata.name=${name}` }, requestTimeout(ms)),
    project: (o) => o,
    logger,
    onChange: () => {
      if (stopped) return;
      const s = informer.get(name);
      if (s === undefined) {
        logger.warn({ secret: `${namespace}/${name}` }, 'the certificate Secret was deleted: making it again');
        schedule(undefined, Math.random() * 1000);
        return;
      }
      try {
        take(readCertSecret(s).certificate);
        const plan = planCertSecret(s, new Date(), opts);
        schedule(plan.action === 'use' ? plan.renewAt : new Date());
      } catch (e) {
        fail(e as Error); // the last good certificate keeps serving
      }
    },
  });
  events.loaded(current, true);
  informer.start();
  schedule(first.renewAt);
  return {
    current: () => current,
    close: () => {
      stopped = true;
      clearTimeout(timer);
      informer.stop();
    },
  };
}
