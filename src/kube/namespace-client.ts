// The API calls the `namespace` command makes: read and label namespaces, list their pods. Errors come
// back as KubeApiError naming the namespace and what was attempted.
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Namespace, type V1Pod } from '@kubernetes/client-node';
import { KubeApiError, toKubeApiError } from './api-errors.ts';
import { requestTimeout } from './request-timeout.ts';

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
  resourceVersion?: string;
}

const CALL_TIMEOUT_MS = 30_000; // a CLI must not hang on an API server that stopped answering
const PAGE_SIZE = 500;
const MAX_PAGES = 1000; // 500k objects: a bound, not a limit anyone should meet

function info(ns: V1Namespace): NamespaceInfo {
  return { name: ns.metadata?.name ?? '', labels: { ...(ns.metadata?.labels ?? {}) }, resourceVersion: ns.metadata?.resourceVersion };
}

export class NamespaceClient {
  private readonly api: CoreV1Api;
  private readonly server: string;

  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(CoreV1Api);
    this.server = kc.getCurrentCluster()?.server ?? '(no server)';
  }

  private fail(e: unknown, action: string, notFound?: string): KubeApiError {
    const err = toKubeApiError(e, action, this.server);
    return err.kind === 'not-found' && notFound ? new KubeApiError('not-found', notFound, 404) : err;
  }

  async get(name: string): Promise<NamespaceInfo> {
    try {
      return info(await this.api.readNamespace({ name }, requestTimeout(CALL_TIMEOUT_MS)));
    } catch (e) {
      throw this.fail(e, `read namespace "${name}"`, `namespace "${name}" not found`);
    }
  }

  async list(): Promise<NamespaceInfo[]> {
    const out: NamespaceInfo[] = [];
    let cont: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await this.api.listNamespace({ limit: PAGE_SIZE, _continue: cont }, requestTimeout(CALL_TIMEOUT_MS));
        out.push(...res.items.map(info));
        cont = res.metadata?._continue;
        if (!cont) break;
      }
    } catch (e) {
      throw this.fail(e, 'list namespaces');
    }
    return out;
  }

  /**
   * Sets (value) or removes (null) labels with one JSON merge patch. With `resourceVersion` the patch is
   * rejected (conflict) when the namespace changed since it was read, so "was → now" reports are exact.
   */
  async setLabels(name: string, labels: Record<string, string | null>, resourceVersion?: string): Promise<NamespaceInfo> {
    const body = { metadata: { labels, ...(resourceVersion ? { resourceVersion } : {}) } };
    try {
      return info(
        await this.api.patchNamespace({ name, body }, requestTimeout(CALL_TIMEOUT_MS, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))),
      );
    } catch (e) {
      throw this.fail(e, `label namespace "${name}"`, `namespace "${name}" not found`);
    }
  }

  setLabel(name: string, key: string, value: string | null, resourceVersion?: string): Promise<NamespaceInfo> {
    return this.setLabels(name, { [key]: value }, resourceVersion);
  }

  /** Pods of one namespace, or of all namespaces when `namespace` is undefined. */
  async listPods(namespace?: string): Promise<V1Pod[]> {
    const out: V1Pod[] = [];
    let cont: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const res =
          namespace === undefined
            ? await this.api.listPodForAllNamespaces({ limit: PAGE_SIZE, _continue: cont }, requestTimeout(CALL_TIMEOUT_MS))
            : await this.api.listNamespacedPod({ namespace, limit: PAGE_SIZE, _continue: cont }, requestTimeout(CALL_TIMEOUT_MS));
        out.push(...res.items);
        cont = res.metadata?._continue;
        if (!cont) break;
      }
    } catch (e) {
      throw this.fail(e, namespace === undefined ? 'list pods in all namespaces' : `list pods in namespace "${namespace}"`);
    }
    return out;
  }
}
