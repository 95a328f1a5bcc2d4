import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { KubeApiError, toKubeApiError } from '../../src/kube/api-errors.ts';

const status = (code: number, message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code });

describe('Kubernetes API errors as messages', () => {
  it("says what was attempted and quotes the API server's Status message", () => {
    const e = toKubeApiError(
      new ApiException(403, 'Unknown API Status Code!', status(403, 'namespaces "x" is forbidden: User "u" cannot get resource "namespaces"'), {}),
      'read namespace "x"',
    );
    assert.equal(e.kind, 'forbidden');
    assert.equal(e.status, 403);
    assert.equal(e.message, 'cannot read namespace "x": forbidden: namespaces "x" is forbidden: User "u" cannot get resource "namespaces"');
  });

  it('classifies not found, conflict and unauthorized, and keeps other statuses as HTTP codes', () => {
    assert.equal(toKubeApiError(new ApiException(404, '', status(404, 'not there'), {}), 'x').kind, 'not-found');
    assert.equal(toKubeApiError(new ApiException(409, '', status(409, 'changed'), {}), 'x').kind, 'conflict');
    assert.match(
      toKubeApiError(new ApiException(401, 'Unauthorized', undefined, {}), 'list pods').message,
      /^cannot list pods: unauthorized \(are the credentials/,
    );
    const e = toKubeApiError(new ApiException(500, '', 'etcdserver: request timed out', {}), 'list pods');
    assert.equal(e.kind, 'api');
    assert.equal(e.message, 'cannot list pods: HTTP 500: etcdserver: request timed out');
  });

  it('names the server when it cannot be reached or does not answer', () => {
    const refused = Object.assign(new Error('request to https://10.0.0.1:6443/api failed, reason: connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const e = toKubeApiError(refused, 'list namespaces', 'https://10.0.0.1:6443');
    assert.equal(e.kind, 'unreachable');
    assert.equal(e.message, 'cannot list namespaces: the Kubernetes API server at https://10.0.0.1:6443 cannot be reached (ECONNREFUSED)');
    const aborted = Object.assign(new Error('The user aborted a request.'), { name: 'AbortError' });
    assert.match(toKubeApiError(aborted, 'list namespaces', 'https://10.0.0.1:6443').message, /did not answer in time$/);
  });

  it('passes a KubeApiError through unchanged', () => {
    const e = new KubeApiError('not-found', 'namespace "x" not found', 404);
    assert.equal(toKubeApiError(e, 'anything'), e);
  });
});
