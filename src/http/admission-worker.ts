// Large admissions, in a worker thread (large-admission.ts starts it with a heap cap and stops it past
// its hard time budget): parse the review, admit it with the soft budget, serialise the answer. The
// main thread only moves bytes.
import { admitBody, type AdmissionAnswer, type AdmitContext } from './admission-answer.ts';
import { serveJobs, type HostedJob } from './worker-host.ts';

export interface AdmissionJob extends HostedJob, Omit<AdmitContext, 'settings'> {
  body: Uint8Array;
  /** Work time after which the core answers BUDGET_EXCEEDED itself (before the runner's hard stop). */
  softBudgetMs: number;
}

export type AdmissionReply = { ok: true; answer: AdmissionAnswer & { json: Uint8Array } } | { ok: false; message: string };

serveJobs<AdmissionJob, AdmissionReply>(
  (job, settings) => {
    const answer = admitBody(job.body, { settings, urlEnv: job.urlEnv, nodes: job.nodes, proxyConfigs: job.proxyConfigs }, job.softBudgetMs);
    const json = new TextEncoder().encode(answer.json as string);
    return { reply: { ok: true, answer: { ...answer, json } }, transfer: [json.buffer as ArrayBuffer] };
  },
  (message) => ({ ok: false, message: `admission failed: ${message}` }),
);
