// A field of the wrong type in a pod's JSON (an object where Kubernetes has a string), with fields named
// like JavaScript's own conversions: the API server would refuse such a pod, but whoever calls /inject
// directly gets an answer with the request's uid, never a TypeError.
import assert from 'node:assert/strict';
import { admit } from '../../src/core/admission.ts';
import { defaultSettings } from '../helpers/settings.ts';

const settings = defaultSettings();

function reviewText(portName: string): string {
  return `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"apps","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","annotations":{"prometheus.io/scrape":"true"}},"spec":{"containers":[{"name":"web","image":"web:1","ports":[{"name":${portName},"containerPort":8080}]}]}}}}`;
}

describe('type-confused fields', () => {
  for (const name of ['{"toString":0}', '{"toString":0,"valueOf":0}', '{"valueOf":{}}', '[{"toString":0}]']) {
    it(`answers a pod whose port name is ${name} with its uid`, () => {
      const response = admit(JSON.parse(reviewText(name)), { settings }).review.response as { uid: string; allowed: boolean };
      assert.equal(response.uid, 'u-1');
      assert.equal(typeof response.allowed, 'boolean');
    });
  }
});
