// The uid and apiVersion the main thread echoes when it refuses a large review itself, read from the
// bytes without JSON.parse: they must be the ones JSON.parse would give, wherever the fields are.
import assert from 'node:assert/strict';
import { reviewHead } from '../../src/http/review-head.ts';

const head = (text: string) => reviewHead(Buffer.from(text, 'utf8'));

describe("reading a review's uid and apiVersion from its bytes", () => {
  it('finds them as the API server writes them, and as JSON.parse reads them in any order', () => {
    const object = {
      metadata: { uid: 'pod-uid', ownerReferences: [{ uid: 'owner-uid', apiVersion: 'apps/v1' }] },
      spec: { containers: [{ name: 'a', apiVersion: 'x' }] },
    };
    const reviews = [
      { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1', request: { uid: 'u-1', kind: { kind: 'Pod', apiVersion: 'v1' }, object } },
      {
        request: { object, kind: { kind: 'Pod' }, uid: 'u-1', nested: { uid: 'not-this' } },
        kind: 'AdmissionReview',
        apiVersion: 'admission.k8s.io/v1',
      },
      { apiVersion: 'admission.k8s.io/v1', response: { uid: 'no' }, items: [{ request: { uid: 'no' } }], request: { object, uid: 'u-1' } },
    ];
    for (const r of reviews) {
      const text = JSON.stringify(r, null, r === reviews[1] ? 2 : undefined);
      assert.deepEqual(head(text), { apiVersion: 'admission.k8s.io/v1', uid: 'u-1' }, text);
    }
  });

  it('decodes escapes in keys and values, and skips strings holding quotes, brackets and colons', () => {
    const text = '{"k":"a\\"b{[:\\\\","\\u0061piVersion":"admission.k8s.io/v1beta1","request":{"x":"}]\\"","u\\u0069d":"\\u00e9t\\u00e9-1"}}';
    assert.deepEqual(JSON.parse(text).request.uid, 'été-1');
    assert.deepEqual(head(text), { apiVersion: 'admission.k8s.io/v1beta1', uid: 'été-1' });
  });

  it('ignores values that are not strings, and says nothing it did not find', () => {
    assert.deepEqual(head('{"apiVersion":5,"request":{"uid":null}}'), {});
    assert.deepEqual(head('{"request":"uid","uid":"top"}'), {});
    assert.deepEqual(head('[{"apiVersion":"admission.k8s.io/v1","request":{"uid":"in-a-list"}}]'), {});
    assert.deepEqual(head(''), {});
    assert.deepEqual(head(']]}} "uid": "x" ]'), {}, 'brackets closed before opened leave no top level');
    assert.deepEqual(head('] "uid": "x"'), {});
  });

  it('reads what there is of a body cut off or broken after the fields', () => {
    assert.deepEqual(head('{"apiVersion":"admission.k8s.io/v1","request":{"uid":"u-2","object":{"metadata":'), {
      apiVersion: 'admission.k8s.io/v1',
      uid: 'u-2',
    });
    assert.deepEqual(head('{"request":{"uid":"u-3"'), { uid: 'u-3' });
  });
});
