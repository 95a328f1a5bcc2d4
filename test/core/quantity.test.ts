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
    for (const bad of ['', 'm', '1 Gi', '128MB', '1.2.3', '--1', '1x']) assert.equal(parseQuantity(bad), undefined, bad);
  });
});
