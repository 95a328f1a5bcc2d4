// The cluster view (namespace and node informers) against a real kube-apiserver: it follows changes,
// survives an API server restart, and its watchdog replaces a watch that went silent.
import assert from 'node:assert/strict';
import { detectNativeSidecars } from '../../src/core/native-sidecars.ts';
import { startClusterView, type ClusterView, type ClusterViewEvent } from '../../src/kube/cluster-view.ts';
import { loadKubeConfig } from '../../src/kube/client.ts';
import { apiCall } from './harness/api.ts';
import { startControlPlane, type ControlPlane } from './harness/control-plane.ts';
import { waitFor } from './harness/wait.ts';

/** Native sidecars `auto` for a pod on `nodeName` (or not scheduled yet), from what the view holds. */
const native = (v: ClusterView, nodeName?: string) =>
  detectNativeSidecars({ nodes: v.nodeKubeletVersions(), nodeName, requestCluster: '', localCluster: '' }).native;

describe('cluster view (real API server)', () => {
  let cp: ControlPlane | undefined;
  let view: ClusterView | undefined;
  let events: ClusterViewEvent[] = [];
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };

  before(async function () {
    this.timeout(16 * 60_000); // a cold build of the binaries takes ~5 min; the start itself is bounded at 90 s
    cp = await startControlPlane();
  });
  afterEach(() => {
    view?.stop();
    view = undefined;
  });
  after(async function () {
    this.timeout(60_000);
    view?.stop();
    plane().resumeApiServer(); // in case a test failed while it was frozen
    await cp?.stop();
  });

  async function startView(opts: { stallAfterMs?: number } = {}): Promise<ClusterView> {
    events = [];
    const kubeConfig = loadKubeConfig({ kubeconfigPath: plane().kubeconfigPath });
    assert.ok(kubeConfig);
    view = startClusterView({
      kubeConfig,
      onEvent: (e) => events.push(e),
      backoff: { initialMs: 100, maxMs: 1000 },
      listTimeoutMs: 3000,
      stallAfterMs: opts.stallAfterMs ?? 60_000,
    });
    const v = view;
    await waitFor(() => v.synced(), { what: 'the cluster view to sync', timeoutMs: 15_000 });
    return v;
  }

  const setLabels = (name: string, labels: Record<string, string | null>) =>
    apiCall(plane(), 'PATCH', `/api/v1/namespaces/${name}`, { metadata: { labels } });

  it('shows the labels of a namespace created after it started, and follows label changes', async () => {
    const v = await startView();
    assert.equal(v.namespaceLabels('cv-labels'), undefined);
    assert.ok(v.namespaces().some((n) => n.name === 'default'));
    await plane().createNamespace('cv-labels', { team: 'a' });
    await waitFor(() => v.namespaceLabels('cv-labels')?.team === 'a', { what: 'label team=a in the view', timeoutMs: 10_000 });
    assert.equal(v.namespaceLabels('cv-labels')?.['kubernetes.io/metadata.name'], 'cv-labels');

    await setLabels('cv-labels', { team: null, 'istio-injection': 'enabled' });
    await waitFor(() => v.namespaceLabels('cv-labels')?.['istio-injection'] === 'enabled', {
      what: 'istio-injection=enabled in the view',
      timeoutMs: 10_000,
    });
    assert.equal(v.namespaceLabels('cv-labels')?.team, undefined);
    assert.deepEqual(
      events
        .filter((e) => e.type === 'synced')
        .map((e) => e.informer)
        .sort(),
      ['namespaces', 'nodes'],
    );
  });

  it("decides native sidecars from the pod's own node, else from every node's kubelet version", async () => {
    const v = await startView();
    assert.equal(v.nodeKubeletVersions()?.versions.size, 0, 'no nodes registered yet');
    assert.equal(native(v), true, 'no node holds native sidecars back (as Istio: every node of none qualifies)');
    const node = (name: string, kubeletVersion: string) =>
      apiCall(plane(), 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { nodeInfo: { kubeletVersion } } });
    await node('node-new', 'v1.33.0');
    await waitFor(() => v.nodeKubeletVersions()?.versions.get('node-new') === 'v1.33.0', { what: 'node-new in the view', timeoutMs: 10_000 });
    assert.equal(native(v), true);
    await node('node-old', 'v1.32.0');
    await waitFor(() => native(v) === false, { what: 'no native sidecars once a v1.32.0 node joins', timeoutMs: 10_000 });
    assert.equal(native(v, 'node-new'), true, "a pod scheduled on node-new: its own node's kubelet decides");
    assert.equal(native(v, 'node-old'), false);
    assert.equal(native(v, 'node-unknown'), false, 'a node not in the view: every node decides');
    // The kubelet reports its version in status; only the status subresource changes it.
    await apiCall(plane(), 'PATCH', '/api/v1/nodes/node-old/status', { status: { nodeInfo: { kubeletVersion: 'v1.34.0' } } });
    await waitFor(() => native(v) === true, { what: 'native sidecars once node-old reports v1.34.0', timeoutMs: 10_000 });
  });

  it('recovers after the API server restarts, and shows changes made after it came back', async function () {
    this.timeout(120_000);
    const v = await startView();
    await plane().createNamespace('cv-restart', { phase: 'before' });
    await waitFor(() => v.namespaceLabels('cv-restart')?.phase === 'before', { what: 'phase=before in the view', timeoutMs: 10_000 });

    await plane().stopApiServer();
    await waitFor(() => events.some((e) => e.informer === 'namespaces' && e.type === 'error'), {
      what: 'the namespaces informer to report the outage',
      timeoutMs: 20_000,
    });
    assert.equal(v.namespaceLabels('cv-restart')?.phase, 'before', 'the last known labels stay available during the outage');

    const outageEnd = events.length;
    await plane().startApiServer();
    await setLabels('cv-restart', { phase: 'after' });
    await waitFor(() => v.namespaceLabels('cv-restart')?.phase === 'after', { what: 'phase=after in the view after the restart', timeoutMs: 30_000 });
    const later = events
      .slice(outageEnd)
      .filter((e) => e.informer === 'namespaces')
      .map((e) => e.type);
    assert.ok(later.includes('restart') && later.includes('synced'), `events after the outage: ${later.join(',')}`);
  });

  it('replaces a watch that went silent (API server frozen) once the stall timeout passes', async function () {
    this.timeout(120_000);
    const v = await startView({ stallAfterMs: 2000 });
    await plane().createNamespace('cv-stall', { phase: 'before' });
    await waitFor(() => v.namespaceLabels('cv-stall')?.phase === 'before', { what: 'phase=before in the view', timeoutMs: 10_000 });

    plane().pauseApiServer();
    try {
      await waitFor(() => events.some((e) => e.informer === 'namespaces' && e.type === 'stall'), {
        what: 'a stall event while the API server is frozen',
        timeoutMs: 20_000,
      });
    } finally {
      plane().resumeApiServer();
    }
    await setLabels('cv-stall', { phase: 'after' });
    await waitFor(() => v.namespaceLabels('cv-stall')?.phase === 'after', { what: 'phase=after in the view after the freeze', timeoutMs: 30_000 });
  });
});

describe('cluster view when the API server compacts history away (410 Gone)', () => {
  let cp: ControlPlane | undefined;
  let view: ClusterView | undefined;

  before(async function () {
    this.timeout(16 * 60_000);
    // Without the watch cache, watches read etcd directly; compacting every second makes a resourceVersion a
    // few seconds old "too old", so a quiet informer's next watch gets 410 Gone.
    cp = await startControlPlane({ extraApiServerArgs: ['--watch-cache=false', '--etcd-compaction-interval=1s'] });
  });
  after(async function () {
    this.timeout(60_000);
    view?.stop();
    await cp?.stop();
  });

  it('lists again and keeps following changes', async function () {
    this.timeout(60_000);
    const plane = cp!;
    const events: ClusterViewEvent[] = [];
    const kubeConfig = loadKubeConfig({ kubeconfigPath: plane.kubeconfigPath });
    assert.ok(kubeConfig);
    // A short stall window makes the server end each watch after 1–2 s, so the informer re-watches often.
    const v = startClusterView({ kubeConfig, onEvent: (e) => events.push(e), backoff: { initialMs: 100, maxMs: 1000 }, stallAfterMs: 4000 });
    view = v;
    await waitFor(() => v.synced(), { what: 'the cluster view to sync', timeoutMs: 15_000 });
    let i = 0;
    // Writes advance etcd's revision past the nodes informer's (nothing changes for nodes).
    await waitFor(
      async () => {
        await plane.createNamespace(`gone-${i++}`);
        return events.some((e) => e.informer === 'nodes' && e.type === 'relist');
      },
      { what: 'a relist of the nodes informer after 410 Gone', timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.ok(!events.some((e) => e.type === 'error'), `no errors: ${JSON.stringify(events.filter((e) => e.type === 'error'))}`);

    await apiCall(plane, 'POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'after-relist' },
      status: { nodeInfo: { kubeletVersion: 'v1.32.3' } },
    });
    await waitFor(() => v.nodeKubeletVersions()?.versions.get('after-relist') === 'v1.32.3', {
      what: 'the node created after the relist',
      timeoutMs: 10_000,
    });
    assert.equal(native(v), false);
  });
});
