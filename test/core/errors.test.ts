import assert from 'node:assert/strict';
import { InjectionError, isInjectionError } from '../../src/core/errors.ts';

describe('error catalogue', () => {
  it('carries a stable code and the subject it names', () => {
    const e = new InjectionError('INVALID_ANNOTATION', 'bad', 'sidecar.istio.io/proxyCPU');
    assert.ok(isInjectionError(e));
    assert.equal(e.code, 'INVALID_ANNOTATION');
    assert.equal(e.subject, 'sidecar.istio.io/proxyCPU');
    assert.ok(!isInjectionError(new Error('x')));
  });
});
