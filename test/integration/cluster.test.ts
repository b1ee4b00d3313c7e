import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { parse } from 'yaml';
import { isNotFound, KubeApiError, type KubeClient, type KubeObject } from '../../scripts/cluster/client.ts';
import { readControlPlanePin } from '../../scripts/cluster/pin.ts';
import { sharedArgoCdCrds, sharedControlPlane } from '../helpers/control-plane.ts';
import { PROJECT_ROOT } from '../helpers/repo.ts';

// The real kube-apiserver and etcd of the pin (built once, minutes), started once for this file.
let client: KubeClient;

before(async () => {
  const plane = await sharedControlPlane();
  client = plane.client;
  if (plane.startMs) console.error(`control plane started in ${plane.startMs} ms`);
  await sharedArgoCdCrds();
  await Promise.all(['argocd', 'monitoring'].map((ns) => client.ensureNamespace(ns)));
});

/** The error a rejected request throws; fails the test when the request is accepted. */
async function rejection(request: Promise<unknown>): Promise<KubeApiError> {
  const err = await request.then(
    () => assert.fail('the API server accepted the request'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof KubeApiError, `expected a KubeApiError, got ${String(err)}`);
  return err;
}

const application = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: { project: 'default', destination: { name: 'in-cluster', namespace: 'monitoring' }, ...spec },
});

test('/version reports the pinned Kubernetes version', async () => {
  const pin = await readControlPlanePin();
  assert.match(pin.kubernetes, /^v1\.34\.\d+$/);
  const version = await client.version();
  assert.equal(version.gitVersion, pin.kubernetes);
  assert.deepEqual([version.major, version.minor], ['1', '34']);
  assert.equal(version.gitTreeState, 'clean');
});

test('the Argo CD CRDs are installed and established', async () => {
  const names = await sharedArgoCdCrds();
  assert.deepEqual([...names].sort(), ['applications.argoproj.io', 'applicationsets.argoproj.io', 'appprojects.argoproj.io']);
  const crds = await client.list<KubeObject & { status: { conditions: { type: string; status: string }[] } }>({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' });
  for (const name of names) {
    const crd = crds.find((c) => c.metadata.name === name);
    assert.ok(crd, `${name} is listed`);
    assert.ok(crd.status.conditions.some((c) => c.type === 'Established' && c.status === 'True'), `${name} is Established`);
  }
  assert.ok(await client.serves('argoproj.io/v1alpha1', 'AppProject'));
});

test('server-side apply dry-run accepts a valid Deployment, defaults it and stores nothing', async () => {
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'monitoring', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } },
    },
  };
  const applied = await client.apply(deployment, { dryRun: true });
  const spec = applied.spec as { replicas: number; strategy: { type: string }; template: { spec: { containers: { terminationMessagePath: string }[] } } };
  assert.equal(spec.replicas, 2);
  assert.equal(spec.strategy.type, 'RollingUpdate', 'defaulted by the API server');
  assert.equal(spec.template.spec.containers[0]?.terminationMessagePath, '/dev/termination-log');
  await assert.rejects(client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'monitoring', name: 'web' }), isNotFound);
});

test('server-side apply dry-run accepts the generated Application of dev-1 prometheus', async () => {
  const generated = parse(readFileSync(join(PROJECT_ROOT, 'apps/dev-1/children/prometheus.yaml'), 'utf8')) as KubeObject;
  const applied = await client.apply(generated, { dryRun: true });
  assert.equal(applied.metadata.name, 'dev-1-prometheus');
  assert.deepEqual(applied.spec, generated.spec);
  assert.deepEqual(applied.metadata.finalizers, ['resources-finalizer.argocd.argoproj.io']);
});

test('a Service with port 70000 is rejected with the field path and the reason', async () => {
  const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad-port', namespace: 'monitoring' }, spec: { ports: [{ port: 70000 }] } };
  const err = await rejection(client.apply(service, { dryRun: true }));
  assert.equal(err.code, 422);
  assert.equal(err.reason, 'Invalid');
  assert.match(err.apiMessage, /Service "bad-port" is invalid: spec\.ports\[0\]\.port: Invalid value: 70000: must be between 1 and 65535, inclusive/);
  const cause = err.causes.find((c) => c.field === 'spec.ports[0].port');
  assert.equal(cause?.reason, 'FieldValueInvalid');
  assert.deepEqual(err.describeCauses(), ['spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive (FieldValueInvalid)']);
});

test('Applications violating the CRD schema are rejected with the API server message', async () => {
  const missing = await rejection(client.apply(application('no-repo', { source: { path: 'x', targetRevision: 'main' } }), { dryRun: true }));
  assert.equal(missing.code, 422);
  assert.ok(missing.causes.some((c) => c.field === 'spec.source.repoURL' && c.reason === 'FieldValueRequired'), missing.describeCauses().join('\n'));
  assert.match(missing.message, /Application\.argoproj\.io "no-repo" is invalid: spec\.source\.repoURL: Required value/);

  const wrongType = await rejection(client.apply(application('odd-path', { source: { repoURL: 'https://example.com/r.git', path: 5 } }), { dryRun: true }));
  assert.equal(wrongType.code, 422);
  assert.ok(wrongType.causes.some((c) => c.field === 'spec.source.path' && /must be of type string/.test(c.message ?? '')), wrongType.describeCauses().join('\n'));

  const unknown = await rejection(client.apply(application('typo', { sourc: { repoURL: 'https://example.com/r.git' } }), { dryRun: true }));
  assert.match(unknown.apiMessage, /\.spec\.sourc: field not declared in schema/);
});

test('an Application is created, read back and its status updated and read back', async (t) => {
  const name = `status-${process.pid}`;
  const created = await client.create(application(name, { source: { repoURL: 'https://example.com/r.git', path: 'apps', targetRevision: 'main' } }));
  t.after(() => client.delete({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd', name }));
  assert.ok(created.metadata.uid);
  const read = await client.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd', name });
  assert.equal((read.spec as { source: { path: string } }).source.path, 'apps');
  await client.updateStatus({ ...read, status: { sync: { status: 'Synced', revision: 'abc123' }, health: { status: 'Healthy' } } });
  const after = await client.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd', name });
  assert.deepEqual(after.status, { sync: { status: 'Synced', revision: 'abc123' }, health: { status: 'Healthy' } });
  const listed = await client.list({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd' });
  assert.ok(listed.some((a) => a.metadata.name === name));
});

test('the status subresource of an ApplicationSet takes status and ignores spec', async (t) => {
  const name = `set-${process.pid}`;
  const template = { metadata: { name: '{{.name}}' }, spec: { project: 'default', source: { repoURL: 'https://example.com/r.git', path: '{{.name}}' }, destination: { name: 'in-cluster', namespace: 'monitoring' } } };
  const set: KubeObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name, namespace: 'argocd' }, spec: { generators: [{ list: { elements: [{ name: 'a' }] } }], template } };
  const created = await client.create(set);
  t.after(() => client.delete({ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', namespace: 'argocd', name }));
  const changedSpec = { ...(created.spec as object), generators: [] };
  await client.updateStatus({ ...created, spec: changedSpec, status: { health: { status: 'Healthy' } } });
  const after = await client.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', namespace: 'argocd', name });
  assert.deepEqual(after.status, { health: { status: 'Healthy' } });
  assert.deepEqual((after.spec as { generators: unknown[] }).generators, [{ list: { elements: [{ name: 'a' }] } }], 'spec is not written through /status');
});

test('/openapi/v2 serves the built-in kinds and the Argo CD CRDs', async () => {
  const doc = await client.openApiV2();
  assert.equal(doc.swagger, '2.0');
  assert.ok(doc.definitions['io.k8s.api.apps.v1.Deployment'], 'Deployment');
  assert.ok(doc.definitions['io.argoproj.v1alpha1.Application'], 'Application from the CRD');
});
