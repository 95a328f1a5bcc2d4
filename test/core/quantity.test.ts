import assert from 'node:assert/strict';
import { canonicalQuantity, parseQuantity } from '../../src/core/quantity.ts';

describe('resource quantities', () => {
  it('writes quantities the way Kubernetes does', () => {
    const cases: Array<[string, string]> = [
      ['2000m', '2'],
      ['1024Mi', '1Gi'],
      ['100m', '100m'],
      ['128Mi', '128Mi'],
      ['1.5Gi', '1536Mi'],
      ['0.5', '500m'],
      ['4000m', '4'],
      ['0', '0'],
    ];
    for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, input);
  });

  it('reads the exponent form', () => {
    assert.equal(parseQuantity('1e3')?.nano, 1000n * 10n ** 9n);
    assert.equal(canonicalQuantity('2e3'), '2k');
  });

  it('rejects what is not a quantity', () => {
    for (const bad of ['', '1 Gi', ' 1', '128MB', '1.2.3', '--1', '1x', 'e', '1ki', '12e+', '1m1']) assert.equal(parseQuantity(bad), undefined, bad);
  });

  it("accepts what apimachinery's ParseQuantity accepts, with its values (istiod injects these)", () => {
    // a missing number is 0 (`T`, `Mi`, `m`, `+`, `.`); `1.` and `1.G` have an empty fraction
    const cases: Array<[string, bigint]> = [
      ['T', 0n],
      ['Mi', 0n],
      ['m', 0n],
      ['+', 0n],
      ['.', 0n],
      ['1.', 10n ** 9n],
      ['1.G', 10n ** 18n],
      ['+2', 2n * 10n ** 9n],
      ['1E+2', 100n * 10n ** 9n],
    ];
    for (const [input, nano] of cases) assert.equal(parseQuantity(input)?.nano, nano, input);
  });
});
