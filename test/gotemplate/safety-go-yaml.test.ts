// How istiod's YAML (go-yaml v2 through sigs.k8s.io/yaml) resolves an unquoted scalar, ported in
// go-yaml-schema.ts: the expected values below are what Go printed for `v: <scalar>` (yaml.Unmarshal into
// a map, then JSON; past 2^53 as float64 reads them), so a change in the port that drifts from go-yaml fails here.
import assert from 'node:assert/strict';
import jsyaml from 'js-yaml';
import { GO_YAML_V2_SCHEMA, goYamlResolve } from '../../src/core/gotemplate/safety/go-yaml-schema.ts';

// [scalar, what go-yaml v2 gives]: bools in three cases only, 0-octal, Go's base prefixes, `_` dropped
const GO_SAYS: Array<[string, unknown]> = [
  ['y', true],
  ['Y', true],
  ['yes', true],
  ['Yes', true],
  ['YES', true],
  ['n', false],
  ['NO', false],
  ['on', true],
  ['On', true],
  ['Off', false],
  ['OFF', false],
  ['TRUE', true],
  ['tRUE', 'tRUE'],
  ['True', true],
  ['~', null],
  ['null', null],
  ['Null', null],
  ['NULL', null],
  ['nULL', 'nULL'],
  ['010', 8],
  ['09', 9],
  ['0777', 511],
  ['0x1F_FF', 8191],
  ['0o17', 15],
  ['0O17', 15],
  ['0b101', 5],
  ['-0b11', -3],
  ['+0x10', 16],
  ['1_000', 1000],
  ['.5_0', 0.5],
  ['._5', '._5'],
  ['1e3', 1000],
  ['1E+3', 1000],
  ['-.5', -0.5],
  ['1.', 1],
  ['.', '.'],
  ['+', '+'],
  ['0', 0],
  ['-0', 0],
  ['00', 0],
  ['1e400', '1e400'],
  ['2001-12-14', '2001-12-14'],
  ['9223372036854775807', 2 ** 63],
  ['18446744073709551616', 2 ** 64],
  ['-9223372036854775809', -(2 ** 63)],
  ['0x1FFFFFFFFFFFFFFFF', '0x1FFFFFFFFFFFFFFFF'],
  ['1:20', '1:20'],
  ['valueOf', 'valueOf'],
  ['toString', 'toString'],
];

describe("istiod's YAML 1.1 resolution of unquoted scalars (go-yaml v2)", () => {
  it('resolves as go-yaml v2 does, alone and inside a document', () => {
    for (const [scalar, want] of GO_SAYS) {
      assert.deepEqual(goYamlResolve(scalar), want, scalar);
      assert.deepEqual((jsyaml.load(`v: ${scalar}\n`, { schema: GO_YAML_V2_SCHEMA, json: true }) as { v: unknown }).v, want, scalar);
    }
  });

  it('reads .inf and .nan as numbers (which JSON, and so istiod, then refuses)', () => {
    assert.equal(goYamlResolve('.inf'), Number.POSITIVE_INFINITY);
    assert.equal(goYamlResolve('-.Inf'), Number.NEGATIVE_INFINITY);
    assert.ok(Number.isNaN(goYamlResolve('.NaN') as number));
    assert.equal(goYamlResolve('.iNf'), '.iNf');
  });
});
