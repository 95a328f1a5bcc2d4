// `explain` on pods whose capture the init container would refuse: one line naming the annotation, or a
// note for a pod's own istio-init, never a stack trace.
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/main.ts';
import { memoryIO } from '../helpers/cli.ts';

const PODS = `apiVersion: v1
kind: Pod
metadata: {name: escape, annotations: {traffic.sidecar.istio.io/kubevirtInterfaces: "-n"}}
spec: {containers: [{name: app, image: app}]}
---
apiVersion: v1
kind: Pod
metadata: {name: own-init}
spec:
  containers: [{name: app, image: app}]
  initContainers: [{name: istio-init, image: mine, args: [istio-iptables, -c, --dry-run]}]
`;

describe('CLI explain: capture the init container would refuse', () => {
  it("names the annotation for an annotation value, and notes a pod's own unreadable istio-init", async () => {
    const io = memoryIO(PODS);
    assert.equal(await runCli(['explain', '-f', '-'], io), 1);
    const out = io.out();
    assert.match(
      out,
      /Pod "escape": error INVALID_ANNOTATION\n {2}invalid value '-n' for annotation 'traffic\.sidecar\.istio\.io\/kubevirtInterfaces'/,
    );
    assert.match(
      out,
      /Pod "own-init": inject[^\n]*\n(.*\n)*? {2}note: the capture init container's arguments cannot be read as istio-iptables flags: invalid value "--dry-run" for -c/,
    );
    assert.equal(io.err(), '');
  });
});
