// The preview's work, in a worker thread (preview-runner.ts starts it with a heap cap and stops it when
// it runs past its time budget): parse the body (YAML or JSON, up to 6 MiB), preview every object with
// the same core as /inject, and serialise the answer, refusing one over the byte cap. None of it runs on
// the event loop that answers /inject and /healthz.
import type { NodeKubelets } from '../core/native-sidecars.ts';
import { parseDocuments } from '../core/documents.ts';
import { isInjectionError, statusOfCode } from '../core/errors.ts';
import { previewObjects } from '../core/preview.ts';
import type { ProxyConfigSet } from '../core/proxy-configs.ts';
import type { Settings } from '../core/settings/index.ts';
import type { InjectionEntry } from '../core/webhooks/entries.ts';
import { asBuffer, serveJobs, type HostedJob, type HostedReply } from './worker-host.ts';

export interface PreviewJob extends HostedJob {
  body: Uint8Array;
  namespace: string;
  /** The query named the namespace: an object in another one gets a warning. */
  namespaceExplicit?: boolean;
  namespaceLabels: Record<string, string> | undefined;
  namespaceLabelsSource: 'query' | 'cluster' | 'unknown';
  /** Kubelet versions by node name (a Map crosses to the worker by structured clone). */
  nodes: NodeKubelets | undefined;
  proxyConfigs: ProxyConfigSet | undefined;
  /** The cluster's injection entries; undefined: deploy/'s for the settings' revision. */
  webhooks: readonly InjectionEntry[] | undefined;
  maxAnswerBytes: number;
  /** Work time after which the core answers BUDGET_EXCEEDED itself (before the runner's hard stop). */
  softBudgetMs: number;
}

export type PreviewReply = { ok: true; answer: Uint8Array } | { ok: false; status: number; code: string; message: string; subject?: string };

/** The answer's JSON, item by item, so an answer over the cap is measured without being held whole. */
function serialise(job: PreviewJob, items: unknown[], settings: Settings): PreviewReply {
  const broken = settings.brokenTemplates;
  const head = JSON.stringify({
    namespace: job.namespace,
    namespaceLabels: job.namespaceLabels ?? null,
    namespaceLabelsSource: job.namespaceLabelsSource,
    // what the decisions' webhook entries come from
    webhooksSource: job.webhooks ? 'cluster' : 'built-in',
    // templates of the configuration in use that pods cannot ask for, and why
    ...(Object.keys(broken).length > 0 ? { brokenTemplates: broken } : {}),
  });
  const parts = [`${head.slice(0, -1)},"items":[`];
  let bytes = Buffer.byteLength(parts[0]!) + 2;
  for (const [i, item] of items.entries()) {
    const text = (i > 0 ? ',' : '') + JSON.stringify(item);
    bytes += Buffer.byteLength(text);
    if (bytes <= job.maxAnswerBytes) parts.push(text);
  }
  if (bytes > job.maxAnswerBytes) {
    return {
      ok: false,
      status: 413,
      code: 'PREVIEW_ANSWER_TOO_LARGE',
      message: `preview answer would be ${bytes} bytes (${items.length} objects), over the cap of ${job.maxAnswerBytes}: send fewer objects`,
    };
  }
  parts.push(']}');
  return { ok: true, answer: new TextEncoder().encode(parts.join('')) };
}

function runPreviewJob(job: PreviewJob, settings: Settings): PreviewReply {
  const end = performance.now() + job.softBudgetMs;
  const overBudget = () => performance.now() > end;
  try {
    const objects = parseDocuments(asBuffer(job.body).toString('utf8'), 'body', { overBudget });
    const items = previewObjects(objects, {
      settings,
      namespace: job.namespace,
      namespaceExplicit: job.namespaceExplicit === true,
      namespaceLabels: job.namespaceLabels,
      nodes: job.nodes,
      proxyConfigs: job.proxyConfigs,
      webhooks: job.webhooks,
      overBudget,
    });
    return serialise(job, items, settings);
  } catch (e) {
    if (!isInjectionError(e)) throw e;
    return {
      ok: false,
      status: statusOfCode(e.code),
      code: e.code,
      message: e.message,
      ...(e.subject ? { subject: e.subject } : {}),
    };
  }
}

serveJobs<PreviewJob, PreviewReply>(
  (job, settings): HostedReply<PreviewReply> => {
    const reply = runPreviewJob(job, settings);
    return { reply, transfer: reply.ok ? [reply.answer.buffer as ArrayBuffer] : [] };
  },
  (message) => ({ ok: false, status: 500, code: 'INTERNAL', message: `preview failed: ${message}` }),
);
