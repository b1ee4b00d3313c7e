import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crdScopes, kindScopes } from '../../scripts/catalog/scopes.ts';

test('kind scopes come from the OpenAPI paths', () => {
  const gvk = (group: string, version: string, kind: string) => ({ 'x-kubernetes-group-version-kind': { group, version, kind } });
  const document = {
    paths: {
      '/api/v1/namespaces': { post: gvk('', 'v1', 'Namespace') },
      '/api/v1/namespaces/{name}': { get: gvk('', 'v1', 'Namespace') },
      '/api/v1/pods': { get: gvk('', 'v1', 'Pod') },
      '/api/v1/namespaces/{namespace}/pods': { post: gvk('', 'v1', 'Pod') },
      '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas': { post: gvk('flowcontrol.apiserver.k8s.io', 'v1', 'FlowSchema') },
      '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status': { patch: gvk('apps', 'v1', 'Deployment') },
    },
  };
  assert.deepEqual(kindScopes(document), {
    'v1/Namespace': 'Cluster',
    'v1/Pod': 'Namespaced',
    'flowcontrol.apiserver.k8s.io/v1/FlowSchema': 'Cluster',
    'apps/v1/Deployment': 'Namespaced',
  });
});

test('CRDs declare their scope for every version', () => {
  const crd = {
    kind: 'CustomResourceDefinition',
    spec: { group: 'example.com', scope: 'Cluster', names: { kind: 'Widget' }, versions: [{ name: 'v1' }, { name: 'v2' }] },
  };
  assert.deepEqual(crdScopes([crd, { kind: 'ConfigMap' }]), { 'example.com/v1/Widget': 'Cluster', 'example.com/v2/Widget': 'Cluster' });
});
