// `explain --webhook-config FILE`: the decision the API server would make with those configurations,
// tags resolved, and which entry it calls.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/main.ts';
import { memoryIO } from '../helpers/cli.ts';
import { revisionConfig, tagConfig } from '../helpers/webhook-configs.ts';

const pod = (labels: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels }, spec: { containers: [{ name: 'app', image: 'nginx' }] } });

describe('CLI explain --webhook-config', () => {
  let dir: string;
  let hooks: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'explain-webhooks-'));
    hooks = join(dir, 'hooks.yaml');
    writeFileSync(hooks, [revisionConfig('canary'), tagConfig('prod', 'canary')].map((c) => stringify(c)).join('---\n'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function explain(args: string[], stdin = pod()) {
    const io = memoryIO(stdin);
    const code = await runCli(['explain', '-f', '-', ...args], io);
    return { code, out: io.out(), err: io.err() };
  }

  it('a namespace labelled istio.io/rev=prod (a tag of canary) is injected through the tag, and says so (JSON)', async () => {
    const r = await explain(['--webhook-config', hooks, '--namespace-labels', 'istio.io/rev=prod', '-o', 'json']);
    assert.equal(r.code, 0, r.err);
    const [item] = JSON.parse(r.out);
    assert.equal(item.inject, true);
    assert.deepEqual(item.webhook, {
      configuration: 'istio-revision-tag-prod',
      name: 'rev.namespace.sidecar-injector.istio.io',
      revision: 'canary',
      tag: 'prod',
    });
    assert.ok(item.notes.includes('decided as revision canary would, assuming its settings equal these (revision default)'), item.notes.join('\n'));
    assert.equal(item.alsoMatched, undefined);
  });

  it('without the file, the built-in entries of this revision do not select the tag: NAMESPACE_NOT_SELECTED, webhook null', async () => {
    const r = await explain(['--namespace-labels', 'istio.io/rev=prod', '-o', 'json']);
    const [item] = JSON.parse(r.out);
    assert.equal(item.inject, false);
    assert.equal(item.reason, 'NAMESPACE_NOT_SELECTED');
    assert.equal(item.webhook, null);
  });

  it('text output names the webhook: configuration/entry (revision R, tag T)', async () => {
    const r = await explain(['--webhook-config', hooks, '--namespace-labels', 'istio.io/rev=prod']);
    assert.match(r.out, /^ {2}webhook: istio-revision-tag-prod\/rev\.namespace\.sidecar-injector\.istio\.io \(revision canary, tag prod\)$/m);
  });

  it('a tag no configuration serves is not selected, and the reason says no webhook entry selects it', async () => {
    const r = await explain(['--webhook-config', hooks, '--namespace-labels', 'istio.io/rev=nowhere', '-o', 'json']);
    const [item] = JSON.parse(r.out);
    assert.equal(item.reason, 'NAMESPACE_NOT_SELECTED');
    assert.match(item.message, /istio\.io\/rev=nowhere \(no webhook entry selects it\)/);
  });

  it('two configurations selecting the pod: alsoMatched and a note that it would be injected twice', async () => {
    const twice = join(dir, 'twice.yaml');
    writeFileSync(twice, [revisionConfig('default'), revisionConfig('default', 'zz-istiod')].map((c) => stringify(c)).join('---\n'));
    const r = await explain(['--webhook-config', twice, '--namespace-labels', 'istio-injection=enabled', '-o', 'json']);
    const [item] = JSON.parse(r.out);
    assert.equal(item.webhook.configuration, 'sidecar-injector');
    assert.deepEqual(item.alsoMatched, [{ configuration: 'zz-istiod', name: 'namespace.sidecar-injector.istio.io', revision: 'default' }]);
    assert.ok(item.notes.some((n: string) => /would also call zz-istiod\/namespace\.sidecar-injector\.istio\.io .*injected twice/.test(n)));
  });

  it('a bad file is an error with code INVALID_WEBHOOK_CONFIG naming the field', async () => {
    const bad = join(dir, 'bad.yaml');
    const c = revisionConfig('canary');
    (c.webhooks![0]!.namespaceSelector as unknown) = { matchExpressions: [{ key: 'k', operator: 'Maybe' }] };
    writeFileSync(bad, stringify(c));
    const r = await explain(['--webhook-config', bad, '--namespace-labels', 'istio.io/rev=canary']);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /webhooks\[0\] \(rev\.namespace\.sidecar-injector\.istio\.io\)\.namespaceSelector: matchExpressions\[0\].*\[INVALID_WEBHOOK_CONFIG\]/,
    );
  });
});
