// README "Install into a cluster", step by step, against a real API server: `helm install
// --create-namespace --set hub=…,tag=…` (the image lands in the Deployment), no certificate step (the
// injector, `serve --cert-secret` with the chart's ServiceAccount and RBAC, makes the Secret and sets the
// caBundle), `namespace enable`, an injected pod, `explain`/`namespace status --kubeconfig`, `helm
// uninstall` and deleting the Secret. No kubelet runs here: the injector is a local `serve` process with
// the Deployment's flags, and the webhook calls it at its URL (injectionURL, as helm-install.test.ts does).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../src/cli/main.ts';
import { memoryIO } from '../helpers/cli.ts';
import { CHART_DIR, helmOrSkip, helmTemplate } from '../helpers/deploy-render.ts';
import { apiCall, ApiError, createPod, podManifest } from './harness/api.ts';
import { startControlPlane, type ControlPlane } from './harness/control-plane.ts';
import { containerNames, initContainerNames, serviceAccountKubeconfig, waitForInjection, type StoredPod } from './harness/deploy.ts';
import { startWebhookProcess, type WebhookProcess } from './harness/injector.ts';
import { freePort } from './harness/ports.ts';
import { waitFor } from './harness/wait.ts';

const run = promisify(execFile);
const NS = 'sidecar-injector';
const SECRET = `/api/v1/namespaces/${NS}/secrets/sidecar-injector-tls`;
const MWC = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/sidecar-injector';

describe('README "Install into a cluster", walked through (real API server, real helm)', function () {
  this.timeout(5 * 60_000);
  let cp: ControlPlane | undefined;
  let helm = '';
  let injector: WebhookProcess | undefined;
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };
  const helmRun = async (args: string[]) => {
    const env = {
      ...process.env,
      HELM_CACHE_HOME: join(plane().dir, 'helm-cache'),
      HELM_CONFIG_HOME: join(plane().dir, 'helm-config'),
      HELM_DATA_HOME: join(plane().dir, 'helm-data'),
    };
    return (await run(helm, [...args, '--kubeconfig', plane().kubeconfigPath], { env, timeout: 120_000 })).stdout;
  };
  const cli = async (argv: string[]) => {
    const io = memoryIO();
    const code = await runCli([...argv, '--kubeconfig', plane().kubeconfigPath], io);
    assert.equal(code, 0, io.err());
    return io.out();
  };

  before(async function () {
    this.timeout(16 * 60_000);
    helm = helmOrSkip(this);
    cp = await startControlPlane();
  });
  after(async function () {
    this.timeout(60_000);
    await injector?.stop();
    await cp?.stop();
  });

  it('installs with helm (image from hub and tag), bootstraps its certificate, injects a labelled namespace, and uninstalls', async () => {
    // 1-2. image and install
    const port = await freePort();
    const set = ['hub=registry.example/team', 'tag=1.2.3', `injectionURL=https://127.0.0.1:${port}/inject`];
    const deployment = helmTemplate(helm, set).find((o) => o.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: Array<{ image: string; args: string[] }> } } };
    };
    assert.equal(deployment.spec.template.spec.containers[0]!.image, 'registry.example/team/sidecar-injector:1.2.3');
    const args = deployment.spec.template.spec.containers[0]!.args;
    assert.ok(args.includes('--cert-secret=sidecar-injector-tls'));
    await helmRun(['install', 'sidecar-injector', CHART_DIR, '--namespace', NS, '--create-namespace', ...set.flatMap((s) => ['--set', s])]);
    // the pod, as its Deployment runs it: the chart's ServiceAccount, its flags, no certificate given
    const kubeconfig = await serviceAccountKubeconfig(plane(), NS, 'sidecar-injector');
    injector = await startWebhookProcess({
      ca: plane().ca,
      dir: plane().dir,
      kubeconfig,
      certSecret: { name: 'sidecar-injector-tls', namespace: NS },
      extraArgs: ['--port', String(port), '--webhook-config', 'sidecar-injector', '--revision', 'default'],
    });
    // certificates bootstrapped: the Secret exists and its CA is the caBundle
    const secret = await apiCall<{ data: Record<string, string> }>(plane(), 'GET', SECRET);
    const ca = Buffer.from(secret.data['ca.crt']!, 'base64').toString();
    await waitFor(
      async () => {
        const m = await apiCall<{ webhooks: Array<{ clientConfig: { caBundle?: string } }> }>(plane(), 'GET', MWC);
        return m.webhooks.every((w) => Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString() === ca) ? true : undefined;
      },
      { what: "the bootstrapped CA as every entry's caBundle", timeoutMs: 60_000, intervalMs: 300 },
    );
    // 3. opt a namespace in, check, and an injected pod
    await plane().createNamespace('my-app');
    await cli(['namespace', 'enable', 'my-app']);
    await waitForInjection(plane(), 'my-app');
    const pod = (await createPod(plane(), 'my-app', podManifest('web'))) as unknown as StoredPod;
    assert.ok([...containerNames(pod), ...initContainerNames(pod)].includes('istio-proxy'), 'the pod is injected');
    const status = await cli(['namespace', 'status', 'my-app']);
    assert.match(status, /my-app/);
    const file = join(plane().dir, 'deployment.yaml');
    writeFileSync(
      file,
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web2' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } }),
    );
    assert.match(await cli(['explain', '-f', file, '-n', 'my-app']), /inject/i);
    // uninstall
    await injector.stop();
    injector = undefined;
    await helmRun(['uninstall', 'sidecar-injector', '--namespace', NS, '--wait', '--timeout', '60s']);
    await apiCall(plane(), 'DELETE', SECRET);
    for (const path of [MWC, SECRET, `/apis/apps/v1/namespaces/${NS}/deployments/sidecar-injector`]) {
      await assert.rejects(apiCall(plane(), 'GET', path), (e: unknown) => e instanceof ApiError && e.status === 404, `${path} removed`);
    }
  });
});
