import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { apiErrorFrom } from '../../scripts/cluster/api-error.ts';
import { parseBuildInfo, versionLdflags } from '../../scripts/cluster/binaries.ts';
import { isNotFound, KubeApiError, type KubeClient, type KubeObject } from '../../scripts/cluster/client.ts';
import { kubeconfigYaml, readKubeconfig } from '../../scripts/cluster/kubeconfig.ts';
import { readControlPlanePin, stagingVersion } from '../../scripts/cluster/pin.ts';
import { sharedArgoCdCrds, sharedControlPlane } from '../helpers/control-plane.ts';
import { PROJECT_ROOT, tempRepo } from '../helpers/repo.ts';

describe('helpers', () => {
  test('the staging modules of Kubernetes v1.34.2 are v0.34.2; other versions are refused', () => {
    assert.equal(stagingVersion('v1.34.2'), 'v0.34.2');
    assert.throws(() => stagingVersion('v1.34.2-rc.0'), /not a release version/);
  });

  test('version ldflags set component-base and client-go', () => {
    const flags = versionLdflags({ kubernetes: 'v1.34.2', published: '2025-11-11T19:00:37Z' });
    assert.match(flags, /-X k8s\.io\/component-base\/version\.gitVersion=v1\.34\.2 /);
    assert.match(flags, /-X k8s\.io\/client-go\/pkg\/version\.gitMinor=34 /);
    assert.match(flags, /-X k8s\.io\/component-base\/version\.buildDate=2025-11-11T19:00:37Z/);
  });

  test('go version -m: replacements win, build settings are read', () => {
    const info = parseBuildInfo(
      'x: go1.26.8\n\tpath\tk8s.io/kubernetes/cmd/kube-apiserver\n\tmod\tk8s.io/kubernetes\tv1.34.2\th1:y=\n\tdep\tk8s.io/api\tv0.0.0\n\t=>\tk8s.io/api\tv0.34.2\th1:x=\n\tbuild\t-tags=selinux,notest\n\tbuild\tCGO_ENABLED=0\n',
    );
    assert.equal(info.path, 'k8s.io/kubernetes/cmd/kube-apiserver');
    assert.deepEqual(
      [...info.deps],
      [
        ['k8s.io/kubernetes', 'v1.34.2'],
        ['k8s.io/api', 'v0.34.2'],
      ],
    );
    assert.equal(info.settings.get('-tags'), 'selinux,notest');
    assert.equal(info.settings.get('CGO_ENABLED'), '0');
  });

  test('a kubeconfig written for the control plane reads back; relative CA paths resolve', async () => {
    const dir = await tempRepo({ 'ca.pem': 'PEM' });
    const path = join(dir, 'kubeconfig');
    await writeFile(path, kubeconfigYaml('https://127.0.0.1:6443/', 'ca.pem', 't0k'));
    assert.deepEqual(await readKubeconfig(path), { server: 'https://127.0.0.1:6443', ca: 'PEM', caFile: join(dir, 'ca.pem'), token: 't0k' });
  });

  test('an answer that is not a Status still becomes a KubeApiError with the body', () => {
    const err = apiErrorFrom({ method: 'GET', path: '/nope' }, 404, 'Not Found', '404 page not found\n');
    assert.equal(err.code, 404);
    assert.equal(err.reason, 'NotFound');
    assert.equal(err.message, 'GET /nope: 404 NotFound: 404 page not found');
  });
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

// The real kube-apiserver and etcd of the pin (built once: minutes), started once for this file.
describe('real control plane', () => {
  let client: KubeClient;

  before(async () => {
    const plane = await sharedControlPlane();
    client = plane.client;
    if (plane.startMs) console.error(`control plane started in ${plane.startMs} ms`);
    await sharedArgoCdCrds();
    await Promise.all(['argocd', 'monitoring'].map((ns) => client.ensureNamespace(ns)));
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
    const crds = await client.list<KubeObject & { status: { conditions: { type: string; status: string }[] } }>({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
    });
    for (const name of names) {
      const crd = crds.find((c) => c.metadata.name === name);
      assert.ok(crd, `${name} is listed`);
      assert.ok(
        crd.status.conditions.some((c) => c.type === 'Established' && c.status === 'True'),
        `${name} is Established`,
      );
    }
    assert.ok(await client.serves('argoproj.io/v1alpha1', 'AppProject'));
  });

  test('server-side apply dry-run accepts a valid Deployment, defaults it and stores nothing', async () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'dry-run-web', namespace: 'monitoring', labels: { app: 'web' } },
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
    await assert.rejects(client.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'monitoring', name: 'dry-run-web' }), isNotFound);
  });

  test('server-side apply dry-run accepts the generated Application of dev-1 prometheus', async () => {
    const generated = parse(readFileSync(join(PROJECT_ROOT, 'apps/dev-1/children/prometheus.yaml'), 'utf8')) as KubeObject;
    const applied = await client.apply(generated, { dryRun: true });
    assert.equal(applied.metadata.name, 'dev-1-prometheus');
    assert.deepEqual(applied.spec, generated.spec);
    assert.deepEqual(applied.metadata.finalizers, ['resources-finalizer.argocd.argoproj.io']);
  });

  test('a Service with port 70000 is rejected with the field path and the reason', async () => {
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bad-port', namespace: 'monitoring' },
      spec: { ports: [{ port: 70000, targetPort: 8080 }] },
    };
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
    assert.ok(
      missing.causes.some((c) => c.field === 'spec.source.repoURL' && c.reason === 'FieldValueRequired'),
      missing.describeCauses().join('\n'),
    );
    assert.match(missing.message, /Application\.argoproj\.io "no-repo" is invalid: spec\.source\.repoURL: Required value/);

    // A wrong type fails server-side apply before validation (500, "failed to create typed patch object");
    // create runs the CRD's schema validation and names the field.
    const wrongType = application('odd-path', { source: { repoURL: 'https://example.com/r.git', path: 5 } });
    const applyType = await rejection(client.apply(wrongType, { dryRun: true }));
    assert.equal(applyType.code, 500);
    assert.match(
      applyType.apiMessage,
      /failed to create typed patch object \(argocd\/odd-path; argoproj\.io\/v1alpha1, Kind=Application\): \.spec\.source\.path: expected string/,
    );
    const createType = await rejection(client.create(wrongType, { dryRun: true }));
    assert.equal(createType.code, 422);
    assert.ok(
      createType.causes.some((c) => c.field === 'spec.source.path' && c.reason === 'FieldValueTypeInvalid' && /must be of type string/.test(c.message ?? '')),
      createType.describeCauses().join('\n'),
    );

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
    const template = {
      metadata: { name: '{{.name}}' },
      spec: {
        project: 'default',
        source: { repoURL: 'https://example.com/r.git', path: '{{.name}}' },
        destination: { name: 'in-cluster', namespace: 'monitoring' },
      },
    };
    const set: KubeObject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name, namespace: 'argocd' },
      spec: { generators: [{ list: { elements: [{ name: 'a' }] } }], template },
    };
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
});
