// Differential tests against istiod's own injector: generated pods, annotations, paths and settings;
// both injectors get the same AdmissionReview with the same ConfigMap data; their pods must be equal, or
// both refuse, or both skip, unless an entry of exceptions.ts names the difference.
import { nodeKubelets } from '../../src/core/native-sidecars.ts';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { gatewayPodArb } from './arbitraries/gateway-pod.ts';
import { podArb, pathArb, reviewOf } from './arbitraries/pod.ts';
import { disagreement, istiodOutcome, type Outcome, ourOutcome } from './compare.ts';
import { acceptedDifference } from './exceptions.ts';
import { IstiodInjector, oracleDir, renderIstioSettings } from './istiod.ts';
import { type ClusterState, ourInjection, ourProxyConfigs, ourSettings } from './ours.ts';
import { VARIANTS } from './variants.ts';

const valueAt = (doc: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), doc);

/** Whether a container name is given twice across containers and init containers (the API server refuses it). */
function duplicateContainerName(pod: Record<string, unknown>): boolean {
  const spec = (pod.spec ?? {}) as { containers?: Array<{ name?: string }>; initContainers?: Array<{ name?: string }> };
  const names = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name);
  return new Set(names).size !== names.length;
}

const RUNS = Number(process.env.ORACLE_RUNS ?? 300);
const SEED = Number(process.env.ORACLE_SEED ?? 20261130);
/** ORACLE_SURVEY=1: record every disagreement (by where it is) instead of stopping at the first; ORACLE_DUMP=DIR writes the first pod of each. */
const SURVEY = process.env.ORACLE_SURVEY === '1';
const signature = (line: string) =>
  line
    .replace(/:.*$/, '')
    .replace(/\[\d+\]/g, '[i]')
    .slice(0, 160);
const tally = new Map<string, number>();
const examples: string[] = [];
const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);

after(() => {
  const lines = [...tally.entries()].sort().map(([k, n]) => `    ${k}: ${n}`);
  console.log(`  oracle cases by outcome (seed ${SEED}, ${RUNS} per property):\n${lines.join('\n')}`);
  if (examples.length > 0) console.log(`  first example of each difference:\n    ${examples.join('\n    ')}`);
});

for (const [index, variant] of VARIANTS.entries()) {
  describe(`istiod's injector and ours agree: ${variant.name}`, function () {
    this.timeout(15 * 60_000);
    let istiod: IstiodInjector;
    let settings: ReturnType<typeof ourSettings>;
    const cluster: ClusterState = {
      nodes: variant.nodes ? nodeKubelets(new Map(Object.entries(variant.nodes))) : undefined,
      proxyConfigs: variant.proxyConfigs ? ourProxyConfigs(variant.proxyConfigs) : undefined,
    };

    before(() => {
      const oracle = oracleDir();
      const rendered = renderIstioSettings(oracle, variant.sets);
      // Istio's renderer ignores some --set paths silently: check the variant renders what it names
      for (const [path, want] of Object.entries(variant.expect ?? {})) {
        assert.deepEqual(valueAt(JSON.parse(rendered.values), path), want, `${variant.name}: values.${path} as rendered`);
      }
      let proxyConfigs: string | undefined;
      if (variant.proxyConfigs) {
        proxyConfigs = join(rendered.dir, 'proxy-configs.json');
        writeFileSync(proxyConfigs, JSON.stringify(variant.proxyConfigs));
      }
      const revision = variant.sets.find((s) => s.startsWith('revision='))?.slice('revision='.length);
      istiod = new IstiodInjector(oracle, rendered.dir, {
        native: variant.native,
        revision,
        proxyConfigs,
        nodes: variant.nodes,
        env: variant.istiodEnv,
      });
      settings = ourSettings(rendered, variant.native);
    });
    after(() => istiod?.close());

    /** An injected pod as the API server would store it (what both patches end up as). */
    async function canonical(o: Outcome): Promise<Outcome> {
      return o.kind === 'injected' ? { kind: 'injected', pod: await istiod.canonical(o.pod) } : o;
    }

    /** Both answers for one review, compared; throws with both outcomes when they differ unaccepted. */
    async function compare(generated: Record<string, unknown>, namespace: string, path: string): Promise<{ ours: Outcome; istiod: Outcome }> {
      // the object as the API server sends it: serialised from Kubernetes' Go types (`grpc.service: null`, …)
      const pod = (await istiod.canonical(generated)) as Record<string, unknown>;
      const review = reviewOf({ pod, namespace }, 'oracle-case');
      const theirs = await canonical(istiodOutcome(await istiod.inject(path, review), pod));
      const ours = await canonical(ourOutcome(ourInjection(settings, path, review, cluster), pod));
      const why = disagreement(ours, theirs);
      const accepted = why.length > 0 ? acceptedDifference({ pod, path, ours, istiod: theirs }) : undefined;
      if (why.length > 0 && !accepted) {
        if (!SURVEY) throw new Error(`injectors disagree at ${path}:\n  ${why.join('\n  ')}`);
        for (const line of why) {
          const key = `DIFFERENT ${variant.name}: ${signature(line)}`;
          if (!tally.has(key) && process.env.ORACLE_DUMP)
            writeFileSync(join(process.env.ORACLE_DUMP, `${tally.size}.json`), JSON.stringify({ key, path, pod }));
          if (!tally.has(key))
            examples.push(`${key}\n      ${line}\n      annotations ${JSON.stringify((pod.metadata as { annotations?: unknown }).annotations)}`);
          count(key);
        }
        return { ours, istiod: theirs };
      }
      count(accepted ? `accepted: ${accepted.name}` : `agreed: ${theirs.kind}`);
      return { ours, istiod: theirs };
    }

    it(`inject, skip or refuse the same pods (${RUNS} generated cases)`, async () => {
      await fc.assert(
        fc.asyncProperty(podArb, pathArb, (g, path) => compare(g.pod, g.namespace, path).then(() => true)),
        { numRuns: RUNS, seed: SEED + index, endOnFailure: false },
      );
    });

    it(`inject pods of Istio's gateway chart the same (${Math.ceil(RUNS / 3)} generated cases)`, async () => {
      await fc.assert(
        fc.asyncProperty(gatewayPodArb, (g) => compare(g.pod, g.namespace, '/inject').then(() => true)),
        { numRuns: Math.ceil(RUNS / 3), seed: SEED + 2000 + index, endOnFailure: false },
      );
    });

    it(`leave a pod that istiod injected as it is (${RUNS} generated cases)`, async () => {
      await fc.assert(
        fc.asyncProperty(podArb, async (g) => {
          const { ours: ourFirst, istiod: first } = await compare(g.pod, g.namespace, '/inject');
          // a pod ours refused (an accepted difference) is refused again: nothing to re-inject
          if (first.kind !== 'injected' || ourFirst.kind !== 'injected') return true;
          const again = first.pod as Record<string, unknown>;
          // a pod with a container name twice (native sidecar,grpc-agent: istio-proxy among both init and
          // app containers) is refused by the API server: it never comes back to be re-injected
          if (duplicateContainerName(again)) {
            count('re-injection skipped: istiod made a pod the API server refuses (a container name twice)');
            return true;
          }
          const review = reviewOf({ pod: again, namespace: g.namespace }, 'oracle-reinject');
          const ours = ourOutcome(ourInjection(settings, '/inject', review, cluster), again);
          if (ours.kind !== 'skipped') throw new Error(`re-injecting istiod's pod: ours ${ours.kind}, want no change`);
          count('re-injection left alone');
          return true;
        }),
        { numRuns: RUNS, seed: SEED + 1000 + index },
      );
    });
  });
}
