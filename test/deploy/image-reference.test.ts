// Pointing deploy/ at an image pushed to your registry (README, "The image"): kustomize's `images:` in a
// kustomization of your own over deploy/ (rendered with the real kubectl). The Helm chart's hub/tag/image
// values are checked in test/deploy/helm.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { kubectlBin, kustomize, one, REPO_ROOT } from '../helpers/deploy-render.ts';

describe('the image reference in deploy/', () => {
  it("is set by kustomize's images: (newName, newTag) in a kustomization over deploy/", function () {
    const kubectl = kubectlBin();
    if (!kubectl) {
      console.log('    (skipped: no kubectl; scripts/build-control-plane.sh builds one)');
      this.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), 'si-kustomize-'));
    try {
      // kustomize takes a resource directory by a relative path only
      const resources = [relative(dir, join(REPO_ROOT, 'deploy'))];
      const images = [{ name: 'sidecar-injector', newName: 'registry.example/mesh/sidecar-injector', newTag: '1.2.3' }];
      writeFileSync(join(dir, 'kustomization.yaml'), JSON.stringify({ resources, images }));
      const deployment = one(kustomize(kubectl!, relative(REPO_ROOT, dir)), 'Deployment');
      const containers = deployment.spec.template.spec.containers as Array<{ image: string }>;
      assert.deepEqual(
        containers.map((c) => c.image),
        ['registry.example/mesh/sidecar-injector:1.2.3'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
