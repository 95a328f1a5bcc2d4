// Istio's own injection cases, both paths: the whole file through the CLI, and each pod through the
// webhook core (decide -> patch -> apply), then injected again (must change nothing).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import jsyaml from 'js-yaml';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { isList, parseDocuments } from '../../src/core/documents.ts';
import { injectPod } from '../../src/core/inject.ts';
import { applyPatch } from '../../src/core/patch.ts';
import { isInjectableKind, podOf } from '../../src/core/workloads.ts';
import { admittedPod, asTemplate } from '../helpers/admission.ts';
import { memoryIO } from '../helpers/cli.ts';
import { normalize } from '../helpers/semantic.ts';
import { istioTestSettings, MESH_FILE, ISTIO_FIXTURES, VALUES_FILE } from '../helpers/settings.ts';
import { ERROR_CASES, INJECT_CASES } from './cases.ts';

const file = (name: string): string => join(ISTIO_FIXTURES, 'inject', name);
const fixture = (name: string): string => join(import.meta.dirname, '..', 'fixtures', 'templates', name);

/**
 * The one Go serialization artefact the goldens carry that normalize() cannot know about: Go writes a
 * StatefulSet's `status: {replicas: 0, availableReplicas: 0}` (fields without omitempty) although the
 * input has no status. We pass status through untouched, so the golden's all-zero status is dropped.
 */
function withoutGoZeroStatus(objects: Record<string, unknown>[]): Record<string, unknown>[] {
  return objects.map((o) => {
    const st = o.status as Record<string, unknown> | undefined;
    if (o.kind !== 'StatefulSet' || !st || !Object.values(st).every((v) => v === 0)) return o;
    const { status: _, ...rest } = o;
    return rest;
  });
}
const objectsOf = (text: string) => parseDocuments(text).flatMap((o) => (isList(o) ? (o.items as Record<string, unknown>[]) : [o]));

describe('Istio conformance: injection goldens', () => {
  it("custom-template: its values carry Istio's own Go template, not a port of it", () => {
    type Values = { sidecarInjectorWebhook: { templates: Record<string, string> } };
    const iop = jsyaml.load(readFileSync(file('custom-template.iop.yaml'), 'utf8')) as { spec: { values: Values } };
    const ours = jsyaml.load(readFileSync(fixture('custom-template.values.yaml'), 'utf8')) as Values;
    assert.deepEqual(ours.sidecarInjectorWebhook.templates, iop.spec.values.sidecarInjectorWebhook.templates);
  });

  for (const c of INJECT_CASES) {
    const label = `${c.golden}${c.native ? '' : ' (classic sidecar)'}`;

    it(`${label}: the CLI writes Istio's objects`, async () => {
      const io = memoryIO();
      const args = [
        'inject',
        '-f',
        file(c.input),
        '--values',
        VALUES_FILE,
        ...(c.valuesFiles ?? []).flatMap((v) => ['--values', fixture(v)]),
        '--mesh',
        c.meshFile ? fixture(c.meshFile) : MESH_FILE,
        '--native-sidecars',
        String(c.native),
        ...(c.sets ?? []).flatMap((s) => ['--set', s]),
      ];
      const code = await runCli(args, io);
      assert.equal(code, 0, io.err());
      const got = parseDocuments(io.out());
      const want = withoutGoZeroStatus(parseDocuments(readFileSync(file(c.golden), 'utf8')));
      assert.deepEqual(normalize(got), normalize(want));
    });

    if (c.skipWebhook) continue;
    it(`${label}: the webhook patch gives Istio's pod, and re-injection changes nothing`, () => {
      const settings = istioTestSettings({
        sets: c.sets,
        native: String(c.native) as 'true' | 'false',
        valuesFiles: (c.valuesFiles ?? []).map(fixture),
        meshFile: c.meshFile && fixture(c.meshFile),
      });
      const inputs = objectsOf(readFileSync(file(c.input), 'utf8')).filter((o) => isInjectableKind(o.kind));
      const goldens = objectsOf(readFileSync(file(c.golden), 'utf8'));
      assert.equal(inputs.length, goldens.length);
      for (const [i, obj] of inputs.entries()) {
        const pod = admittedPod(obj, 'default');
        const r = injectPod(pod, { settings, namespace: 'default' });
        const patched = applyPatch(pod, r.patch);
        assert.deepEqual(patched, r.pod, 'applying the patch to the request pod must give the injected pod');
        const want = String(obj.kind) === 'Pod' ? goldens[i]! : { metadata: podOf(goldens[i]!).metadata, spec: podOf(goldens[i]!).spec };
        assert.deepEqual(normalize(asTemplate(patched, String(obj.kind))), normalize(want));
        let again = injectPod(patched, { settings, namespace: 'default' });
        if (c.settlesOnSecondPass) {
          assert.deepEqual(
            applyPatch(patched, again.patch).spec.containers.map((x) => x.name),
            patched.spec.containers.map((x) => x.name),
            'the second pass keeps the containers',
          );
          again = injectPod(again.pod, { settings, namespace: 'default' });
        }
        assert.deepEqual(again.patch, [], 'injecting an injected pod must not change it');
      }
    });
  }

  for (const c of ERROR_CASES) {
    it(`${c.input}: injection fails naming the annotation, on both paths`, async () => {
      const io = memoryIO();
      const code = await runCli(['inject', '-f', file(c.input), '--values', VALUES_FILE, '--mesh', MESH_FILE], io);
      assert.equal(code, 1);
      assert.equal(io.out(), '', 'nothing is written when an object fails');
      assert.match(io.err().toLowerCase(), new RegExp(c.mentions));
      const obj = objectsOf(readFileSync(file(c.input), 'utf8'))[0]!;
      assert.throws(
        () => injectPod(admittedPod(obj, 'default'), { settings: istioTestSettings(), namespace: 'default' }),
        (e: Error & { code?: string }) => e.code === 'INVALID_ANNOTATION' && e.message.toLowerCase().includes(c.mentions),
      );
    });
  }
});
