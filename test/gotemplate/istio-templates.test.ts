// Every Go template of Istio's injector ConfigMap (as Istio's chart renders it) parses in ours and in Go,
// defining the same templates.
import assert from 'node:assert/strict';
import { GoParseOracle, type ParseRequest, goAvailable, parseOurs } from './go-parse-oracle.ts';
import { istiodOracleBinary as oracleBinary, renderIstioConfig } from './istio-config.ts';

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
    const config = renderIstioConfig(oracleBinary as string);
    requests = Object.entries(config.templates).map(([name, text]) => ({ name, text, functions: null }));
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
