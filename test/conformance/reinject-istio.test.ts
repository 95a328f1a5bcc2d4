// A pod istiod injected (Istio's own goldens, written by Go: `cpu: "2"`, `memory: 1Gi`), admitted again
// by us with the settings it was made with: nothing to change, so no patch, not even a respelling of a
// quantity our templates write as `2000m` or `1024Mi`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isList, parseDocuments } from '../../src/core/documents.ts';
import { injectPod } from '../../src/core/inject.ts';
import { isInjectableKind } from '../../src/core/workloads.ts';
import { admittedPod } from '../helpers/admission.ts';
import { istioTestSettings, ISTIO_FIXTURES } from '../helpers/settings.ts';
import { INJECT_CASES } from './cases.ts';

const objectsOf = (text: string) => parseDocuments(text).flatMap((o) => (isList(o) ? (o.items as Record<string, unknown>[]) : [o]));
const fixture = (name: string): string => join(import.meta.dirname, '..', 'fixtures', 'templates', name);

describe("Istio conformance: re-injecting istiod's own output", () => {
  // settlesOnSecondPass (merge-probers): its golden is a classic injection turned native, a named exception in cases.ts
  for (const c of INJECT_CASES.filter((x) => !x.skipWebhook && !x.settlesOnSecondPass)) {
    it(`${c.golden}${c.native ? '' : ' (classic sidecar)'}: an empty patch`, () => {
      const settings = istioTestSettings({
        sets: c.sets,
        native: String(c.native) as 'true' | 'false',
        valuesFiles: (c.valuesFiles ?? []).map(fixture),
        meshFile: c.meshFile && fixture(c.meshFile),
      });
      const goldens = objectsOf(readFileSync(join(ISTIO_FIXTURES, 'inject', c.golden), 'utf8')).filter((o) => isInjectableKind(o.kind));
      for (const golden of goldens) {
        const pod = admittedPod(golden, 'default');
        const r = injectPod(pod, { settings, namespace: 'default' });
        assert.deepEqual(r.patch, [], `${String(golden.kind)} ${String((golden.metadata as { name?: string }).name)}`);
      }
    });
  }
});
