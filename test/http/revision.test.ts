// serve --revision R: the revision reaches what a user sees, the injected pod's istio.io/rev annotation and
// sidecar status (Istio's template reads .Revision, istiod's own revision), and the decision /preview
// makes from namespace labels (Istio's entries for R); the values' revision keeps pointing the proxy at
// its istiod (CA_ADDR), whatever revision the injector serves.
import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import { plainPod, reviewJson } from '../helpers/admission.ts';
import { startTestInjector, type TestInjector } from '../helpers/server.ts';
import { withRevision } from '../../src/serve/revision.ts';
import type { SettingsSource } from '../../src/config/config-dir.ts';
import { buildSettings } from '../../src/core/settings/index.ts';
import { readTemplatesDir } from '../../src/config/files.ts';

type Pod = { metadata: { annotations: Record<string, string> }; spec: { containers: any[] } };

/** The pod the API server stores: the plain pod with the webhook's patch applied. */
async function injected(inj: TestInjector): Promise<Pod> {
  const r = await inj.post('/inject', reviewJson('rev-1'));
  assert.equal(r.status, 200, r.body);
  const { response } = r.json();
  assert.equal(response.allowed, true);
  const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
  return jsonpatch.applyPatch(structuredClone(plainPod('rev-1')), ops, true, false).newDocument as unknown as Pod;
}

// Istio's sidecar template writes .Revision as the pod's istio.io/rev annotation
const revOf = (pod: Pod) => pod.metadata.annotations['istio.io/rev'];
const status = (pod: Pod) => JSON.parse(pod.metadata.annotations['sidecar.istio.io/status']!);
const caAddr = (pod: Pod) => pod.spec.containers.find((c) => c.name === 'istio-proxy').env.find((e: { name: string }) => e.name === 'CA_ADDR').value;

describe('serve --revision', function () {
  this.timeout(30_000);
  const running: TestInjector[] = [];
  after(async () => {
    for (const i of running) await i.stop(1000);
  });
  const start = async (revision?: string) => {
    const inj = await startTestInjector({ ...(revision ? { revision } : {}), nativeSidecars: 'false' });
    running.push(inj);
    return inj;
  };

  it('annotates injected pods istio.io/rev=<R> and records R in the sidecar status; the proxy still points at istiod (values.revision)', async () => {
    const pod = await injected(await start('canary'));
    assert.equal(revOf(pod), 'canary');
    assert.equal(status(pod).revision, 'canary');
    assert.equal(caAddr(pod), 'istiod.istio-system.svc:15012');
  });

  it('serves the default revision without the flag: istio.io/rev=default', async () => {
    const pod = await injected(await start());
    assert.equal(revOf(pod), 'default');
    assert.equal(status(pod).revision, 'default');
  });

  it("/preview decides with the revision's entries: istio.io/rev=<R> selects, istio-injection=enabled does not (only the default revision has that entry)", async () => {
    const inj = await start('canary');
    const preview = async (labels: string) =>
      (await inj.post(`/preview?namespace=shop&namespaceLabels=${labels}`, JSON.stringify(plainPod('p')))).json().items[0];
    const byRev = await preview('istio.io/rev=canary');
    assert.equal(byRev.inject, true, JSON.stringify(byRev));
    assert.match(byRev.decidedBy[0], /rev\.namespace\.sidecar-injector\.istio\.io/);
    const byLabel = await preview('istio-injection=enabled');
    assert.equal(byLabel.inject, false);
    assert.equal(byLabel.reason, 'NAMESPACE_NOT_SELECTED');
    const other = await preview('istio.io/rev=default');
    assert.equal(other.inject, false, 'another revision');
  });

  it('hands out one settings object per load (the admission and preview workers receive settings again only when the object changes)', () => {
    let loaded = buildSettings({ templates: readTemplatesDir() });
    const source: SettingsSource = { current: () => loaded, problem: () => undefined, reload: () => false, close: () => undefined };
    const canary = withRevision(source, 'canary');
    const first = canary.current()!;
    assert.equal(first.summary.revision, 'canary');
    assert.equal(canary.current(), first, 'the same object while the load is the same');
    assert.equal(loaded.summary.revision, '', 'the loaded settings are left as they are');
    loaded = buildSettings({ templates: readTemplatesDir() });
    assert.notEqual(canary.current(), first, 'a new load, a new object');
    assert.equal(canary.current()!.summary.revision, 'canary');
  });
});
