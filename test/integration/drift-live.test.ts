import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KubeClient, KubeObject } from '../../scripts/cluster/client.ts';
import { kubeconfigYaml } from '../../scripts/cluster/kubeconfig.ts';
import { freePorts } from '../../scripts/cluster/ports.ts';
import { liveDriftSection, type LiveTarget } from '../../scripts/drift/live.ts';
import type { DriftItem } from '../../scripts/drift/types.ts';
import { sharedControlPlane } from '../helpers/control-plane.ts';
import { tempRepo } from '../helpers/repo.ts';

/** Git's objects for one app, in namespace `ns`: left for the server to default (cpu 0.5, Service type, ports). */
function desiredObjects(ns: string): KubeObject[] {
  const labels = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'prometheus' };
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace: ns, labels }, data: { level: 'info', 'retention.yaml': 'days: 15\n' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'registry.k8s.io/pause:3.10',
                env: [{ name: 'LEVEL', value: 'info' }],
                ports: [{ containerPort: 8080 }],
                resources: { limits: { cpu: '0.5', memory: '64Mi' } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns, labels },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-auth', namespace: ns }, stringData: { password: 's3cret-one' } },
  ];
}

/** A fresh namespace with Git's objects applied for real (field manager monitoring-gitops), and the target that compares them. */
async function deployed(): Promise<{ client: KubeClient; ns: string; target: LiveTarget }> {
  const { client, kubeconfig } = await sharedControlPlane();
  const ns = `drift-live-${randomBytes(4).toString('hex')}`;
  await client.ensureNamespace(ns);
  const objects = desiredObjects(ns);
  for (const o of objects) await client.apply(o);
  return { client, ns, target: { cluster: 'dev-1', environment: 'dev', kubeconfig, desired: [{ app: 'prometheus', objects: desiredObjects(ns) }] } };
}

/** A change by hand: a strategic merge patch (what `kubectl edit` sends) as field manager `manager`. */
async function editByHand(
  client: KubeClient,
  ref: { apiVersion: string; kind: string; name: string; namespace: string },
  patch: unknown,
  manager = 'kubectl-edit',
) {
  await client.request('PATCH', await client.pathOf(ref), {
    query: { fieldManager: manager },
    body: patch,
    contentType: 'application/strategic-merge-patch+json',
  });
}

const brief = (items: DriftItem[]) =>
  items.map((i) => ({ key: i.key, kind: i.kind, details: i.details?.map((d) => d.replace(/, \d{4}-\d\d-\d\dT[\d:]+Z\)$/, ')')) }));

test('objects applied from Git, with every server default and Argo CD tracking metadata added, show no drift', async () => {
  const { client, ns, target } = await deployed();
  await editByHand(
    client,
    { apiVersion: 'v1', kind: 'Service', name: 'web', namespace: ns },
    {
      metadata: {
        labels: { 'app.kubernetes.io/instance': 'dev-1-prometheus' },
        annotations: { 'argocd.argoproj.io/tracking-id': `dev-1-prometheus:/Service:${ns}/web` },
      },
    },
    'argocd-controller',
  );
  const section = await liveDriftSection({ targets: [target] });
  assert.deepEqual(section.items, []);
  assert.deepEqual([section.status, section.coverage, section.suppressed], ['checked', { reached: ['dev-1'], expected: ['dev-1'] }, {}]);
});

test('hand edits are field drift: resource, path, desired → live and the manager that made them; a deleted object is missing', async () => {
  const { client, ns, target } = await deployed();
  await editByHand(client, { apiVersion: 'v1', kind: 'ConfigMap', name: 'web-config', namespace: ns }, { data: { level: 'debug' } });
  await editByHand(
    client,
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: ns },
    { spec: { replicas: 3, template: { spec: { containers: [{ name: 'app', env: [{ name: 'LEVEL', value: 'debug' }] }] } } } },
  );
  await client.delete({ apiVersion: 'v1', kind: 'Service', name: 'web', namespace: ns });
  const section = await liveDriftSection({ targets: [target] });
  assert.equal(section.status, 'checked');
  assert.deepEqual(brief(section.items), [
    {
      key: `live:resource:dev-1/ConfigMap ${ns}/web-config:data.level`,
      kind: 'field-drift',
      details: ['data.level: info → debug', 'manager: kubectl-edit (Update)'],
    },
    { key: `live:resource:dev-1/Deployment ${ns}/web:spec.replicas`, kind: 'field-drift', details: ['spec.replicas: 1 → 3', 'manager: kubectl-edit (Update)'] },
    {
      key: `live:resource:dev-1/Deployment ${ns}/web:spec.template.spec.containers[0].env[0].value`,
      kind: 'field-drift',
      details: ['spec.template.spec.containers[0].env[0].value: info → debug', 'manager: kubectl-edit (Update)'],
    },
    { key: `live:resource:dev-1/Service ${ns}/web:missing`, kind: 'missing', details: ['services "web" not found'] },
  ]);
  const replicas = section.items[1]!;
  assert.deepEqual(
    [replicas.severity, replicas.cluster, replicas.environment, replicas.app, replicas.resource],
    ['warning', 'dev-1', 'dev', 'prometheus', `Deployment ${ns}/web`],
  );
  assert.equal(replicas.summary, `Deployment ${ns}/web: spec.replicas differs from Git (live field managed by kubectl-edit)`);
  assert.ok(replicas.since && Date.now() - Date.parse(replicas.since) < 60_000, replicas.since);
  assert.equal(section.items[3]!.severity, 'critical');
});

test('with an HPA targeting the Deployment, a replicas change is suppressed and counted; other drift still shows', async () => {
  const { client, ns, target } = await deployed();
  await client.apply({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: ns },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    },
  });
  await editByHand(
    client,
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: ns },
    { spec: { replicas: 4, template: { spec: { containers: [{ name: 'app', env: [{ name: 'LEVEL', value: 'debug' }] }] } } } },
    'kube-controller-manager',
  );
  const section = await liveDriftSection({ targets: [target] });
  assert.deepEqual(
    section.items.map((i) => i.key),
    [`live:resource:dev-1/Deployment ${ns}/web:spec.template.spec.containers[0].env[0].value`],
  );
  assert.deepEqual(section.suppressed, { 'hpa-replicas': 1 });
});

test('a Secret difference shows the field and the manager, never a value', async () => {
  const { client, ns, target } = await deployed();
  await editByHand(
    client,
    { apiVersion: 'v1', kind: 'Secret', name: 'web-auth', namespace: ns },
    { data: { password: Buffer.from('s3cret-two').toString('base64'), token: Buffer.from('t0ken').toString('base64') } },
    'manual-test',
  );
  const section = await liveDriftSection({ targets: [target] });
  assert.deepEqual(brief(section.items), [
    {
      key: `live:resource:dev-1/Secret ${ns}/web-auth:data.password`,
      kind: 'field-drift',
      details: ['data.password: (masked) → (masked, differs)', 'manager: manual-test (Update)'],
    },
  ]);
  const text = JSON.stringify(section);
  for (const secret of ['s3cret', 't0ken', Buffer.from('s3cret-one').toString('base64'), Buffer.from('s3cret-two').toString('base64')])
    assert.ok(!text.includes(secret), `${secret} leaked`);
});

test('an unreachable cluster is left out of coverage: the section is partial, or skipped when no cluster answers', async () => {
  const { target } = await deployed();
  const { client } = await sharedControlPlane();
  const dir = await tempRepo();
  writeFileSync(join(dir, 'ca.crt'), client.connection.ca);
  const [port] = await freePorts(1);
  writeFileSync(join(dir, 'prod-1.yaml'), kubeconfigYaml(`https://127.0.0.1:${port}`, join(dir, 'ca.crt'), 'token'));
  const prod: LiveTarget = { ...target, cluster: 'prod-1', environment: 'prod', kubeconfig: join(dir, 'prod-1.yaml') };
  const section = await liveDriftSection({ targets: [target, prod] });
  assert.deepEqual([section.status, section.coverage, section.items], ['partial', { reached: ['dev-1'], expected: ['dev-1', 'prod-1'] }, []]);
  assert.match(section.reason ?? '', /cannot reach cluster prod-1: cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  const none = await liveDriftSection({ targets: [prod, { ...prod, cluster: 'prod-2', kubeconfig: join(dir, 'absent.yaml') }] });
  assert.deepEqual([none.status, none.coverage], ['skipped', { reached: [], expected: ['prod-1', 'prod-2'] }]);
  assert.match(none.reason ?? '', /cannot reach cluster prod-2: cannot read kubeconfig/);
});

test("Git's object the server refuses to apply over the live one (an immutable selector) is reported, not skipped", async () => {
  const { target } = await deployed();
  const objects = target.desired[0]!.objects.map((o) =>
    o.kind === 'Deployment'
      ? {
          ...o,
          spec: {
            ...(o.spec as object),
            selector: { matchLabels: { app: 'web', tier: 'x' } },
            template: { metadata: { labels: { app: 'web', tier: 'x' } }, spec: (o.spec as { template: { spec: unknown } }).template.spec },
          },
        }
      : o,
  );
  const section = await liveDriftSection({ targets: [{ ...target, desired: [{ app: 'prometheus', objects }] }] });
  assert.deepEqual(
    section.items.map((i) => [i.kind, i.resource]),
    [['dry-run-failed', `Deployment ${target.desired[0]!.objects[0]!.metadata?.namespace}/web`]],
  );
  assert.match(section.items[0]!.details?.join('\n') ?? '', /spec\.selector: Invalid value: .*field is immutable/);
});
