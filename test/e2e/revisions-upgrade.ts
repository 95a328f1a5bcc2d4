// The canary upgrade of issue 16, scripted as an operator runs it with the CLI, under load: pods created
// continuously (8 a second; bounded: 600 by the loop, with the restarts ~1,200 at most; and 3 minutes) in two
// namespaces, one on the tag (istio.io/rev=prod, prod -> default) and one on a revision label
// (istio.io/rev=default), while
//   1. `tag set prod --revision canary --overwrite`, then the tag's namespace restarted;
//   2. `namespace enable NS --revision canary`, then that namespace restarted;
//   3. and 4. both moved back to default, each restarted again.
// Every pod must carry a sidecar, none may be refused, and each must carry the revision in force when it
// was created (either one while a move propagates to the API server).
import assert from 'node:assert/strict';
import type { ControlPlane } from './harness/control-plane.ts';
import { allowedOutcomes, restart, startPodStream, tally, waitForMore, type Move, type PodRecord } from './harness/pod-stream.ts';
import { mustRun, waitForRevision, type Revision } from './harness/revisions.ts';

const TAG_NS = 'upgrade-by-tag';
const LABEL_NS = 'upgrade-by-label';
const MAX_STREAM_PODS = 600;
const MAX_MS = 3 * 60_000;
const PODS_PER_SECOND = 8; // 600 pods last 75 s: the script takes 30-40 s on a quiet machine

export interface UpgradeReport {
  pods: number;
  byOutcome: Record<string, Record<string, number>>;
  moves: Array<Move & { restarted: number; podsAfter: number }>;
  ms: number;
  ended: string;
}

export async function runCanaryUpgrade(cp: ControlPlane): Promise<UpgradeReport> {
  const t0 = Date.now();
  const kc = cp.kubeconfigPath;
  await mustRun(['tag', 'set', 'prod', '--revision', 'default', '--overwrite'], kc);
  await cp.createNamespace(TAG_NS, { 'istio.io/rev': 'prod' });
  await cp.createNamespace(LABEL_NS, { 'istio.io/rev': 'default' });
  await waitForRevision(cp, TAG_NS, 'default');
  await waitForRevision(cp, LABEL_NS, 'default');

  const stream = startPodStream(cp, [TAG_NS, LABEL_NS], { maxPods: MAX_STREAM_PODS, maxMs: MAX_MS, concurrency: 2, perSecond: PODS_PER_SECOND });
  const restarts: PodRecord[] = [];
  const moves: UpgradeReport['moves'] = [];
  const move = async (namespace: string, from: Revision, to: Revision, args: string[]) => {
    await waitForMore(stream, namespace, 20); // pods made before the move
    const startedAt = Date.now();
    await mustRun(args, kc);
    const seenAt = await waitForRevision(cp, namespace, to, 60_000);
    const restarted = await restart(cp, namespace, to, restarts);
    moves.push({ namespace, from, to, startedAt, seenAt, restarted, podsAfter: 0 });
  };
  try {
    await move(TAG_NS, 'default', 'canary', ['tag', 'set', 'prod', '--revision', 'canary', '--overwrite']);
    await move(LABEL_NS, 'default', 'canary', ['namespace', 'enable', LABEL_NS, '--revision', 'canary']);
    await move(TAG_NS, 'canary', 'default', ['tag', 'set', 'prod', '--revision', 'default', '--overwrite']);
    await move(LABEL_NS, 'canary', 'default', ['namespace', 'enable', LABEL_NS, '--revision', 'default']);
    await waitForMore(stream, TAG_NS, 20);
    await waitForMore(stream, LABEL_NS, 20);
  } finally {
    await stream.stop();
  }
  const ended = await stream.done;
  const all = [...stream.records, ...restarts];
  // after each move was seen (and before the next one in that namespace): the pods made then, restarts included
  const afterMove = moves.map((m) => {
    const next = moves.find((n) => n.namespace === m.namespace && n.startedAt > m.startedAt);
    const after = all.filter((r) => r.namespace === m.namespace && r.startedAt > m.seenAt && (!next || r.endedAt < next.startedAt));
    m.podsAfter = after.length;
    return after;
  });
  const report: UpgradeReport = { pods: all.length, byOutcome: tally(all), moves, ms: Date.now() - t0, ended };
  console.log(`      canary upgrade: ${JSON.stringify(report, null, 1).replace(/\n\s*/g, ' ')}`);

  assert.ok(all.length <= 1500, `at most 1,500 pods (${all.length})`);
  assert.deepEqual(
    all.filter((r) => r.outcome === 'error' || r.outcome === 'none').map((r) => `${r.namespace}/${r.name}: ${r.outcome} ${r.error ?? ''}`),
    [],
    'every pod created, and with a sidecar',
  );
  const initial = 'default';
  const wrong = all.filter((r) => !allowedOutcomes(r, initial, moves).has(r.outcome));
  assert.deepEqual(
    wrong.map((r) => `${r.namespace}/${r.name} (${r.kind}) got ${r.outcome}, wanted ${[...allowedOutcomes(r, initial, moves)].join('|')}`),
    [],
    'each pod carries the revision in force when it was created',
  );
  moves.forEach((m, i) => {
    const after = afterMove[i]!;
    assert.ok(after.length >= 20, `pods created in ${m.namespace} after its move to ${m.to} (${after.length})`);
    assert.ok(
      after.every((r) => r.outcome === m.to),
      `${m.namespace} after its move to ${m.to}: ${after.map((r) => r.outcome).join(',')}`,
    );
  });
  assert.ok(
    moves.every((m) => m.restarted > 0),
    `each restart replaced the namespace's old pods: ${moves.map((m) => m.restarted).join(', ')}`,
  );
  return report;
}
