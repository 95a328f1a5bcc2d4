// Every Go template of Istio's injector ConfigMap (as Istio's chart renders it) parses in ours and in Go,
// defining the same templates.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { globSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { GoParseOracle, type ParseRequest, goAvailable, parseOurs } from './go-parse-oracle.ts';

const ISTIO_MODULE = '/root/go/pkg/mod/istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad';
const oracleBinary = globSync(join(homedir(), '.cache/sidecar-injector/oracle/*/oracle'))[0];

describe('Go templates of Istio injector ConfigMap: ours parse as Go does', () => {
  let oracle: GoParseOracle;
  let requests: ParseRequest[] = [];
  before(function () {
    this.timeout(120_000);
    if (!goAvailable()) {
      console.log('    skipped: `go` is not on PATH');
      this.skip();
    }
    if (oracleBinary === undefined) {
      console.log('    skipped: the istiod oracle binary is not built (test/oracle)');
      this.skip();
    }
    oracle = new GoParseOracle();
    const out = mkdtempSync(join(tmpdir(), 'gotpl-istio-'));
    try {
      execFileSync(oracleBinary as string, ['render', '--manifests', join(ISTIO_MODULE, 'manifests'), '--out', out], {
        timeout: 60_000,
        stdio: 'pipe',
      });
      const config = parseYaml(readFileSync(join(out, 'config'), 'utf8')) as { templates: Record<string, string> };
      requests = Object.entries(config.templates).map(([name, text]) => ({ name, text, functions: null }));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
  after(() => oracle?.close());

  it('covers the templates Istio ships', () => {
    const names = requests.map((r) => r.name);
    for (const expected of ['sidecar', 'gateway', 'grpc-agent', 'grpc-simple', 'waypoint', 'kube-gateway'])
      assert.ok(names.includes(expected), `${expected} missing from ${names}`);
  });

  it('parses every one of them, with the same defined templates as Go', () => {
    const theirs = oracle.parse(requests);
    requests.forEach((r, i) => {
      assert.equal(theirs[i]?.ok, true, `Go rejects ${r.name}: ${JSON.stringify(theirs[i])}`);
      assert.deepEqual(parseOurs(r), theirs[i], r.name);
    });
  });
});
