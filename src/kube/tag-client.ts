// The API calls of the `tag` command: MutatingWebhookConfigurations by label or name (read, create,
// replace, JSON-patch, delete) and namespaces. Errors come back as KubeApiError saying what was attempted.
import {
  AdmissionregistrationV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1MutatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { InjectionEntry } from '../core/webhooks/entries.ts';
import { injectionEntriesOf } from '../core/webhooks/read.ts';
import type { JsonPatchOp, WebhookConfig } from '../core/webhooks/tags.ts';
import { type KubeApiError, toKubeApiError } from './api-errors.ts';
import { FIELD_MANAGER } from './ca-bundle.ts';
import { requestTimeout } from './request-timeout.ts';

const CALL_TIMEOUT_MS = 30_000; // a CLI must not hang on an API server that stopped answering

const asConfig = (o: V1MutatingWebhookConfiguration): WebhookConfig => o as unknown as WebhookConfig;
const asBody = (c: WebhookConfig): V1MutatingWebhookConfiguration => c as unknown as V1MutatingWebhookConfiguration;

export class TagClient {
  private readonly api: AdmissionregistrationV1Api;
  private readonly server: string;

  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(AdmissionregistrationV1Api);
    this.server = kc.getCurrentCluster()?.server ?? '(no server)';
  }

  private fail(e: unknown, action: string): KubeApiError {
    return toKubeApiError(e, action, this.server);
  }

  /** Configurations matching a label selector (there are few: one list call, no paging). */
  async list(labelSelector: string): Promise<WebhookConfig[]> {
    const what = labelSelector ? ` labelled ${labelSelector}` : '';
    try {
      const res = await this.api.listMutatingWebhookConfiguration({ labelSelector: labelSelector || undefined }, requestTimeout(CALL_TIMEOUT_MS));
      return res.items.map(asConfig);
    } catch (e) {
      throw this.fail(e, `list MutatingWebhookConfigurations${what}`);
    }
  }

  async get(name: string): Promise<WebhookConfig | undefined> {
    try {
      return asConfig(await this.api.readMutatingWebhookConfiguration({ name }, requestTimeout(CALL_TIMEOUT_MS)));
    } catch (e) {
      const err = this.fail(e, `read MutatingWebhookConfiguration "${name}"`);
      if (err.kind === 'not-found') return undefined;
      throw err;
    }
  }

  /** Creates it, or replaces the one read at `resourceVersion` (a conflict when it changed meanwhile). */
  async write(config: WebhookConfig, resourceVersion?: string): Promise<WebhookConfig> {
    const name = config.metadata.name;
    try {
      if (resourceVersion === undefined)
        return asConfig(
          await this.api.createMutatingWebhookConfiguration({ body: asBody(config), fieldManager: FIELD_MANAGER }, requestTimeout(CALL_TIMEOUT_MS)),
        );
      const body = asBody({ ...config, metadata: { ...config.metadata, resourceVersion } });
      return asConfig(
        await this.api.replaceMutatingWebhookConfiguration({ name, body, fieldManager: FIELD_MANAGER }, requestTimeout(CALL_TIMEOUT_MS)),
      );
    } catch (e) {
      throw this.fail(e, `${resourceVersion === undefined ? 'create' : 'replace'} MutatingWebhookConfiguration "${name}"`);
    }
  }

  async patch(name: string, ops: JsonPatchOp[]): Promise<void> {
    try {
      await this.api.patchMutatingWebhookConfiguration(
        { name, body: ops, fieldManager: FIELD_MANAGER },
        requestTimeout(CALL_TIMEOUT_MS, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)),
      );
    } catch (e) {
      throw this.fail(e, `patch MutatingWebhookConfiguration "${name}"`);
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.api.deleteMutatingWebhookConfiguration({ name }, requestTimeout(CALL_TIMEOUT_MS));
    } catch (e) {
      throw this.fail(e, `delete MutatingWebhookConfiguration "${name}"`);
    }
  }
}

/**
 * The injection entries the API server evaluates for a new pod, from every MutatingWebhookConfiguration of
 * the cluster (webhooks/read.ts picks Istio's, in call order). Items of a list have no kind: it is put back.
 */
export async function clusterInjectionEntries(client: TagClient): Promise<InjectionEntry[]> {
  const configs = await client.list('');
  return injectionEntriesOf(configs.map((c) => ({ ...c, kind: 'MutatingWebhookConfiguration' })));
}

/** What the CLI says when the cluster has no injection entries, and decides with deploy/'s instead. */
export const noClusterEntriesWarning = (revision: string | undefined): string =>
  `warning: no MutatingWebhookConfiguration of the cluster injects pods (none labelled istio.io/rev or with *.sidecar-injector.istio.io entries for pods CREATE): deciding with the entries deploy/ makes for revision "${revision || 'default'}"\n`;
