// A canary upgrade under load: pods created without pause in some namespaces (bounded in count and time)
// while revisions move, each creation recorded with when it started and ended and who injected the pod;
// the moves recorded with when they were made and when the API server was first seen to follow them. A
// pod is judged against that timeline: before a move it goes to the old revision, after the move was seen
// to the new one, and either while the move propagates; never to none, and never refused.
import { setTimeout as sleep } from 'node:timers/promises';
import { apiCall, createPod, podManifest } from './api.ts';
import type { ControlPlane } from './control-plane.ts';
import type { StoredPod } from './deploy.ts';
import { injectedBy, type Outcome, type Revision } from './revisions.ts';

export const STREAM_LABEL = { app: 'stream' };

export interface PodRecord {
  namespace: string;
  name: string;
  /** 'stream' for the background loop, 'restart' for a replacement made by restart(). */
  kind: 'stream' | 'restart';
  startedAt: number;
  endedAt: number;
  outcome: Outcome | 'error';
  error?: string;
}

export interface Move {
  namespace: string;
  from: Revision;
  to: Revision;
  /** Before the command that moved it. */
  startedAt: number;
  /** When a probe first came back injected by `to`. */
  seenAt: number;
}

export interface PodStream {
  records: PodRecord[];
  /** Why the loop ended, once it has. */
  ended(): 'stopped' | 'max-pods' | 'max-time' | undefined;
  /** Resolves when the loop has stopped (on stop(), or at its bounds); how it ended. */
  done: Promise<'stopped' | 'max-pods' | 'max-time'>;
  stop(): Promise<void>;
}

/** One creation, recorded; a failure is recorded, not thrown. */
export async function createRecorded(
  cp: ControlPlane,
  namespace: string,
  name: string,
  kind: PodRecord['kind'],
  records: PodRecord[],
): Promise<PodRecord> {
  const startedAt = Date.now();
  let rec: PodRecord;
  try {
    const stored = (await createPod(cp, namespace, podManifest(name, { labels: STREAM_LABEL }))) as unknown as StoredPod;
    rec = { namespace, name, kind, startedAt, endedAt: Date.now(), outcome: injectedBy(stored) };
  } catch (e) {
    rec = { namespace, name, kind, startedAt, endedAt: Date.now(), outcome: 'error', error: (e as Error).message.slice(0, 300) };
  }
  records.push(rec);
  return rec;
}

/** `concurrency` loops creating pods round-robin over `namespaces`, at most `perSecond`, until stop(), `maxPods` or `maxMs`. */
export function startPodStream(
  cp: ControlPlane,
  namespaces: string[],
  opts: { maxPods: number; maxMs: number; concurrency: number; perSecond: number },
): PodStream {
  const records: PodRecord[] = [];
  const t0 = Date.now();
  const deadline = t0 + opts.maxMs;
  let stopped = false;
  let next = 0;
  let why: 'stopped' | 'max-pods' | 'max-time' = 'stopped';
  let over = false;
  const loop = async () => {
    while (!stopped) {
      if (next >= opts.maxPods || Date.now() >= deadline) {
        why = next >= opts.maxPods ? 'max-pods' : 'max-time';
        return;
      }
      const n = next++;
      const due = t0 + (n * 1000) / opts.perSecond; // paced, so that the bounds outlast the upgrade's script
      if (due > Date.now()) await sleep(due - Date.now());
      await createRecorded(cp, namespaces[n % namespaces.length]!, `s-${n}`, 'stream', records);
    }
  };
  const done = Promise.all(Array.from({ length: opts.concurrency }, loop)).then(() => {
    over = true;
    return why;
  });
  return {
    records,
    ended: () => (over ? why : undefined),
    done,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/** Waits until the stream has recorded `count` more pods in `namespace` (bounded). */
export async function waitForMore(stream: PodStream, namespace: string, count: number, timeoutMs = 60_000): Promise<void> {
  const have = () => stream.records.filter((r) => r.namespace === namespace).length;
  const target = have() + count;
  const deadline = Date.now() + timeoutMs;
  while (have() < target) {
    const ended = stream.ended();
    if (ended) throw new Error(`the stream ended (${ended}) before ${count} more pods in ${namespace}: the machine is too slow for its bounds`);
    if (Date.now() > deadline) throw new Error(`the stream recorded fewer than ${count} pods in ${namespace} in ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * A rollout's restart: every pod of the namespace not injected by `revision` is deleted and a replacement
 * created (named NAME-r, as a Deployment would make new pods), recorded. Returns how many it replaced.
 */
export async function restart(cp: ControlPlane, namespace: string, revision: Revision, records: PodRecord[]): Promise<number> {
  let replaced = 0;
  // again until none is left: a creation in flight when the list was read shows up in the next one
  for (let pass = 0; pass < 5; pass++) {
    const list = await apiCall<{ items: StoredPod[] }>(cp, 'GET', `/api/v1/namespaces/${namespace}/pods?labelSelector=app%3Dstream`);
    const old = list.items.filter((p) => injectedBy(p) !== revision);
    if (old.length === 0) return replaced;
    // four at a time, as a rollout's maxSurge would
    const replace = async () => {
      for (let p = old.pop(); p; p = old.pop()) {
        await apiCall(cp, 'DELETE', `/api/v1/namespaces/${namespace}/pods/${p.metadata.name}`);
        await createRecorded(cp, namespace, `${p.metadata.name}-r`, 'restart', records);
        replaced++;
      }
    };
    await Promise.all([replace(), replace(), replace(), replace()]);
  }
  throw new Error(`pods of ${namespace} still not on revision ${revision} after 5 restarts`);
}

/** The revisions a pod may have been given: the one in force at its start and at its end, and both sides of a move in between. */
export function allowedOutcomes(rec: PodRecord, initial: Revision, moves: Move[]): Set<PodRecord['outcome']> {
  const mine = moves.filter((m) => m.namespace === rec.namespace).sort((a, b) => a.startedAt - b.startedAt);
  const at = (t: number): Revision[] => {
    let rev = initial;
    for (const m of mine) {
      if (t >= m.seenAt) rev = m.to;
      else if (t >= m.startedAt) return [m.from, m.to];
    }
    return [rev];
  };
  const allowed = new Set<PodRecord['outcome']>([...at(rec.startedAt), ...at(rec.endedAt)]);
  for (const m of mine) if (m.startedAt <= rec.endedAt && m.seenAt >= rec.startedAt) allowed.add(m.from).add(m.to);
  return allowed;
}

/** Per namespace and outcome, how many pods (for the report). */
export function tally(records: PodRecord[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of records) {
    const t = out[r.namespace] ?? {};
    out[r.namespace] = t;
    const k = `${r.kind}:${r.outcome}`;
    t[k] = (t[k] ?? 0) + 1;
  }
  return out;
}
