import assert from 'node:assert/strict';
import { clipJson } from '../../src/core/clip.ts';
import { InjectionError, isInjectionError } from '../../src/core/errors.ts';
import { MAX_ECHO_CHARS, MAX_MESSAGE_CHARS } from '../../src/core/limits.ts';

describe('error catalogue', () => {
  it('carries a stable code and the subject it names', () => {
    const e = new InjectionError('INVALID_ANNOTATION', 'bad', 'sidecar.istio.io/proxyCPU');
    assert.ok(isInjectionError(e));
    assert.equal(e.code, 'INVALID_ANNOTATION');
    assert.equal(e.subject, 'sidecar.istio.io/proxyCPU');
    assert.ok(!isInjectionError(new Error('x')));
  });
});

describe('echoed values', () => {
  it('a message and subject quoting megabytes are clipped, saying how long the value was', () => {
    const e = new InjectionError('INVALID_OBJECT', `bad value ${'v'.repeat(4 << 20)}`, 's'.repeat(1 << 20));
    assert.ok(e.message.length <= MAX_MESSAGE_CHARS + 40, `${e.message.length} characters`);
    assert.match(e.message, /… \(4194314 characters\)$/);
    assert.match(e.subject!, /^s{200}… \(1048576 characters\)$/);
  });

  it('clipJson quotes any value, even one too deep to serialise, within MAX_ECHO_CHARS', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(clipJson(deep), '[object Array]');
    assert.equal(clipJson('short'), '"short"');
    assert.equal(clipJson(5), '5');
    assert.equal(clipJson(undefined), 'undefined');
    assert.match(clipJson('x'.repeat(5000)), new RegExp(`^"x{${MAX_ECHO_CHARS}}"… \\(5000 characters\\)$`));
    assert.ok(clipJson({ a: 'y'.repeat(5000) }).length < MAX_ECHO_CHARS + 40);
  });
});
