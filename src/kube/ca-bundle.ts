// The webhook's caBundle kept equal to the CA that signed the serving certificate: at start, and after every
// certificate rotation (the server calls sync()), the injector reads its own MutatingWebhookConfiguration
// and sets clientConfig.caBundle on every entry that lacks it or has another one, with one JSON patch.
//
// One patcher keeps one configuration, by name, and only when that carries the label
// sidecar-injector.io/owned: "true" and no istio.io/rev label of another revision (anything else is
// refused, logged and left alone). A configuration created after the injector started is found by
// retrying (a 404 is retried). revision-ca-bundles.ts runs one per configuration of the revision: its
// own, named, and its tags', found by a watch.
//
// Failed attempts are retried with a jittered exponential backoff (capped delay, no cap on attempts) until
// stop(), by retrying-sync.ts. Events follow Istio's webhook patch metrics (pkg/webhooks/monitoring.go): every try is an
// `attempt` (webhook_patch_attempts_total), every failed try a `failure` with a reason
// (webhook_patch_failures_total{reason}), and every failed try that will be tried again a `retry`
// (webhook_patch_retries_total). A refusal (not ours, no entries) is a failure without a retry, as in Istio.
import { X509Certificate } from 'node:crypto';
import { AdmissionregistrationV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { pemCertificates } from '../config/cert-read.ts';
import { toKubeApiError } from './api-errors.ts';
import type { BackoffOptions } from './backoff.ts';
import { requestTimeout } from './request-timeout.ts';
import { startRetryingSync, type AttemptOutcome } from './retrying-sync.ts';

/** The label that marks a MutatingWebhookConfiguration as the injector's to patch. */
export const OWNED_LABEL = 'sidecar-injector.io/owned';
/** The field manager of the patch (it shows in the object's managedFields). */
export const FIELD_MANAGER = 'sidecar-injector';

export type CaBundleFailureReason =
  /** GET answered 404 (retried: the configuration may be applied after the injector starts). */
  | 'webhook_config_not_found'
  /** GET failed otherwise: forbidden, unreachable, timed out, 5xx (retried). */
  | 'webhook_config_read_failure'
  /** The configuration lacks sidecar-injector.io/owned: "true" (refused, not retried). */
  | 'not_owned'
  /** The configuration is labelled istio.io/rev for another revision (refused, not retried; Istio's wrong_revision). */
  | 'wrong_revision'
  /** The configuration has no webhook entries (refused, not retried). */
  | 'webhook_entry_not_found'
  /** caBundle() gave nothing, threw, or gave something that is not a PEM certificate bundle (retried). */
  | 'load_ca_bundle_failure'
  /** PATCH failed: forbidden, conflict (the entries changed since the GET), unreachable, 5xx (retried). */
  | 'webhook_update_failure';

export type CaBundleEvent =
  | { type: 'attempt'; name: string }
  | { type: 'failure'; name: string; reason: CaBundleFailureReason; detail: string }
  /** `attempt`: the number of the next try within this pass (2 for the first retry). */
  | { type: 'retry'; name: string; reason: CaBundleFailureReason; attempt: number; delayMs: number }
  | { type: 'success'; name: string; patched: string[] };

export type CaBundleSyncResult =
  /** caBundle was set on these entries (by name). */
  | { outcome: 'patched'; webhooks: string[] }
  /** Every entry already had this caBundle: nothing was sent. */
  | { outcome: 'unchanged' }
  /** Not ours, or no entries: nothing was sent, and nothing is retried until the next sync(). */
  | { outcome: 'refused'; reason: RefusalReason; message: string }
  /** stop() was called before the sync finished. */
  | { outcome: 'stopped' };

/** Structurally a pino logger. */
export interface CaBundleLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type RefusalReason = 'not_owned' | 'wrong_revision' | 'webhook_entry_not_found';

export interface CaBundlePatcherOptions {
  kubeConfig: KubeConfig;
  webhookConfigurationName: string;
  /** The revision served: a configuration labelled istio.io/rev with another value is refused (two injectors must not fight over one). */
  revision?: string;
  /** The CA certificate(s) in PEM, read afresh on every attempt; undefined while not available. */
  caBundle: () => string | undefined;
  logger?: CaBundleLogger;
  onEvent?: (e: CaBundleEvent) => void;
  /** Delay between failed attempts (default 500 ms doubling to 30 s, half of it random). */
  backoff?: BackoffOptions;
  /** Bound on each API call (default 10 s). */
  requestTimeoutMs?: number;
  /** Also sync every this many ms (undoes a caBundle wiped by a re-apply); 0 or unset: only on start and sync(). */
  resyncMs?: number;
}

export interface CaBundlePatcher {
  /** The pass started by startCaBundlePatcher itself (there is no need to call sync() at start). */
  readonly firstSync: Promise<CaBundleSyncResult>;
  /**
   * Makes the configuration carry the current caBundle. Resolves once a pass that began after this call
   * has finished (retrying as long as it takes); never rejects. Calls made while a pass is running or
   * waiting to retry are served by one more pass, at once.
   */
  sync(): Promise<CaBundleSyncResult>;
  /** Stops retrying, aborts a call in flight; pending sync() promises resolve with outcome "stopped". */
  stop(): void;
}

export const DEFAULT_CA_BUNDLE_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 };

// ---------------------------------------------------------------------------------------------------------
// The pure part: what to send for a configuration as read.

export interface JsonPatchOp {
  op: 'test' | 'add' | 'replace';
  path: string;
  value: unknown;
}

/** The fields of a MutatingWebhookConfiguration the plan reads. */
export interface WebhookConfigurationLike {
  metadata?: { name?: string; labels?: Record<string, string> };
  webhooks?: Array<{ name?: string; clientConfig?: { caBundle?: string } }>;
}

export type CaBundlePlan =
  | { action: 'patch'; ops: JsonPatchOp[]; webhooks: string[] }
  | { action: 'none' }
  | { action: 'refuse'; reason: RefusalReason; message: string };

export class CaBundleError extends Error {}

/**
 * The caBundle field's value (base64 of the PEM) for a CA bundle, after checking that it is one: at least
 * one certificate, each one parseable, and nothing else that is PEM (a private key must never end up in a
 * cluster-readable object). Throws CaBundleError saying what is wrong.
 */
export function encodeCaBundle(pem: string | undefined): string {
  if (pem === undefined || pem.trim() === '') throw new CaBundleError('no CA certificate is available');
  const blocks = pemCertificates(pem);
  if (blocks.length === 0) throw new CaBundleError('the CA bundle holds no PEM certificate');
  const begins = pem.match(/-----BEGIN [A-Z0-9 ]+-----/g) ?? [];
  const other = begins.find((b) => b !== '-----BEGIN CERTIFICATE-----');
  if (other) throw new CaBundleError(`the CA bundle holds a ${other.slice(11, -5)} block, not only certificates; refusing to publish it`);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (e) {
      throw new CaBundleError(`certificate ${i + 1} of the CA bundle cannot be parsed: ${(e as Error).message}`);
    }
  });
  return Buffer.from(pem, 'utf8').toString('base64');
}

/** The label naming the revision of a webhook configuration, as Istio's chart and istioctl tag set it. */
export const REVISION_LABEL = 'istio.io/rev';

/** Why the configuration is not to be touched (not labelled as ours, another revision's, no entries), or undefined. */
export function refusal(config: WebhookConfigurationLike, revision?: string): Extract<CaBundlePlan, { action: 'refuse' }> | undefined {
  const name = config.metadata?.name ?? '(unnamed)';
  const owned = config.metadata?.labels?.[OWNED_LABEL];
  const rev = config.metadata?.labels?.[REVISION_LABEL];
  if (owned !== 'true') {
    return {
      action: 'refuse',
      reason: 'not_owned',
      message: `MutatingWebhookConfiguration "${name}" is not labelled ${OWNED_LABEL}: "true" (${owned === undefined ? 'no such label' : `it is "${owned}"`}); its caBundle is left alone`,
    };
  }
  if (revision !== undefined && rev !== undefined && rev !== revision) {
    return {
      action: 'refuse',
      reason: 'wrong_revision',
      message: `MutatingWebhookConfiguration "${name}" belongs to revision "${rev}" (label ${REVISION_LABEL}), not to revision "${revision}" served here; its caBundle is left alone`,
    };
  }
  if ((config.webhooks ?? []).length === 0) {
    return {
      action: 'refuse',
      reason: 'webhook_entry_not_found',
      message: `MutatingWebhookConfiguration "${name}" has no webhook entries to set a caBundle on`,
    };
  }
  return undefined;
}

/**
 * What to send so that every entry carries `caBundle` (base64): per entry that lacks it, `test` its name
 * and `add` it; per entry with another one, `test` its name and old value and `replace` it. The tests make
 * the patch fail (and the pass retry from a fresh GET) when the entries changed since they were read.
 * Nothing when every entry has it; a refusal when the configuration is not labelled as ours or has no entries.
 */
export function planCaBundlePatch(config: WebhookConfigurationLike, caBundle: string, revision?: string): CaBundlePlan {
  const refused = refusal(config, revision);
  if (refused) return refused;
  const webhooks = config.webhooks ?? [];
  const ops: JsonPatchOp[] = [];
  const changed: string[] = [];
  webhooks.forEach((w, i) => {
    const have = w.clientConfig?.caBundle;
    if (have === caBundle) return;
    const at = `/webhooks/${i}`;
    if (w.name !== undefined) ops.push({ op: 'test', path: `${at}/name`, value: w.name });
    if (!w.clientConfig) {
      ops.push({ op: 'add', path: `${at}/clientConfig`, value: { caBundle } });
    } else if (have === undefined || have === '') {
      // An empty caBundle reads back as absent; `add` sets a member whether or not it exists.
      ops.push({ op: 'add', path: `${at}/clientConfig/caBundle`, value: caBundle });
    } else {
      ops.push({ op: 'test', path: `${at}/clientConfig/caBundle`, value: have });
      ops.push({ op: 'replace', path: `${at}/clientConfig/caBundle`, value: caBundle });
    }
    changed.push(w.name ?? `#${i}`);
  });
  return changed.length === 0 ? { action: 'none' } : { action: 'patch', ops, webhooks: changed };
}

// ---------------------------------------------------------------------------------------------------------
// The running part: GET, plan, PATCH; retrying-sync.ts retries it.

interface Failure {
  reason: CaBundleFailureReason;
  detail: string;
}
type Attempt = AttemptOutcome<CaBundleSyncResult, Failure>;

const failed = (reason: CaBundleFailureReason, detail: string): Attempt => ({ done: false, failure: { reason, detail } });
const finished = (result: CaBundleSyncResult): Attempt => ({ done: true, result });

/** One try: read the configuration, plan, patch; every failure comes back as a result. Each API call is
 * bounded in time and aborted by `stop`. */
function caBundleAttempt(opts: CaBundlePatcherOptions, stop: AbortSignal): () => Promise<Attempt> {
  const name = opts.webhookConfigurationName;
  const api = opts.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const server = opts.kubeConfig.getCurrentCluster()?.server;
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  return async () => {
    let config: WebhookConfigurationLike;
    try {
      config = await api.readMutatingWebhookConfiguration({ name }, requestTimeout(timeoutMs, undefined, stop));
    } catch (e) {
      const err = toKubeApiError(e, `read MutatingWebhookConfiguration "${name}"`, server);
      return failed(err.kind === 'not-found' ? 'webhook_config_not_found' : 'webhook_config_read_failure', err.message);
    }
    // Ownership and entries first (as Istio checks the revision before loading the CA).
    const refused = refusal(config, opts.revision);
    if (refused) return finished({ outcome: 'refused', reason: refused.reason, message: refused.message });
    let encoded: string;
    try {
      encoded = encodeCaBundle(opts.caBundle());
    } catch (e) {
      return failed('load_ca_bundle_failure', (e as Error).message);
    }
    const plan = planCaBundlePatch(config, encoded, opts.revision);
    if (plan.action === 'refuse') return finished({ outcome: 'refused', reason: plan.reason, message: plan.message });
    if (plan.action === 'none') return finished({ outcome: 'unchanged' });
    try {
      await api.patchMutatingWebhookConfiguration(
        { name, body: plan.ops, fieldManager: FIELD_MANAGER },
        requestTimeout(timeoutMs, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch), stop),
      );
    } catch (e) {
      return failed('webhook_update_failure', toKubeApiError(e, `patch the caBundle of MutatingWebhookConfiguration "${name}"`, server).message);
    }
    return finished({ outcome: 'patched', webhooks: plan.webhooks });
  };
}

/** Events and log lines for each attempt, finished pass, failure and crash. */
function caBundleReports(opts: CaBundlePatcherOptions) {
  const name = opts.webhookConfigurationName;
  const log = { name };
  const emit = (e: CaBundleEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      // an observer's failure must not stop the patcher
    }
  };
  return {
    attempt: () => emit({ type: 'attempt', name }),
    done(r: CaBundleSyncResult) {
      if (r.outcome === 'refused') {
        emit({ type: 'failure', name, reason: r.reason, detail: r.message });
        opts.logger?.error({ ...log, reason: r.reason }, `not setting caBundle: ${r.message}`);
      } else if (r.outcome === 'patched') {
        emit({ type: 'success', name, patched: r.webhooks });
        opts.logger?.info(
          { ...log, webhooks: r.webhooks },
          `set caBundle on ${r.webhooks.length} webhook entr${r.webhooks.length === 1 ? 'y' : 'ies'} of MutatingWebhookConfiguration "${name}"`,
        );
      } else {
        emit({ type: 'success', name, patched: [] });
      }
    },
    failed({ reason, detail }: Failure, nextTry: number, delayMs: number) {
      emit({ type: 'failure', name, reason, detail });
      emit({ type: 'retry', name, reason, attempt: nextTry, delayMs });
      opts.logger?.warn({ ...log, reason, error: detail, retryInMs: delayMs }, `caBundle not set (${reason}): ${detail}; retrying in ${delayMs} ms`);
    },
    // the attempt turns every failure into a result, so this is a bug (or a throwing logger)
    crash: (e: unknown) => opts.logger?.error({ ...log, error: (e as Error).message }, 'caBundle patcher failed unexpectedly'),
  };
}

export function startCaBundlePatcher(opts: CaBundlePatcherOptions): CaBundlePatcher {
  const stopper = new AbortController();
  const report = caBundleReports(opts);
  const attempt = caBundleAttempt(opts, stopper.signal);
  const retrying = startRetryingSync<CaBundleSyncResult, Failure>({
    attempt: () => {
      report.attempt();
      return attempt();
    },
    onDone: report.done,
    onFailed: report.failed,
    onCrash: report.crash,
    backoff: opts.backoff ?? DEFAULT_CA_BUNDLE_BACKOFF,
    resyncMs: opts.resyncMs,
    stopped: { outcome: 'stopped' },
  });
  return {
    firstSync: retrying.sync(),
    sync: () => retrying.sync(),
    stop() {
      stopper.abort();
      retrying.stop();
    },
  };
}
