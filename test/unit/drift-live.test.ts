import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareLive, normaliseObject, normalisePair, pathSegments } from '../../scripts/drift/live-compare.ts';
import { fieldDriftItem, liveSection, missingItem, type ObjectPlace } from '../../scripts/drift/live-items.ts';
import { fieldOwners, formatOwner } from '../../scripts/drift/live-managers.ts';
import { DEFAULT_IGNORE_RULES, hpaTargets, matchingRule } from '../../scripts/drift/live-rules.ts';

const meta = (extra: Record<string, unknown> = {}) => ({ name: 'web', namespace: 'monitoring', ...extra });
const bookkeeping = {
  uid: 'u-1',
  resourceVersion: '42',
  generation: 3,
  creationTimestamp: '2025-01-01T00:00:00Z',
  selfLink: '/x',
  managedFields: [{ manager: 'a' }],
};

test('normalisation drops status, server bookkeeping, last-applied and Argo CD tracking annotations, and empty maps', () => {
  const live = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta({
      ...bookkeeping,
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"a":"secret"}}',
        'argocd.argoproj.io/tracking-id': 'dev-1-prometheus:/ConfigMap:monitoring/web',
      },
      labels: { team: 'obs' },
    }),
    data: { a: '1' },
    status: { phase: 'x' },
  };
  assert.deepEqual(normaliseObject(live), { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ labels: { team: 'obs' } }), data: { a: '1' } });
  assert.equal((live.metadata as Record<string, unknown>).uid, 'u-1', 'the input is not changed');
});

test("app.kubernetes.io/instance is dropped only when live carries the Application's name (label tracking) and Git differs", () => {
  const obj = (instance?: string) => ({
    kind: 'Service',
    metadata: meta(instance ? { labels: { 'app.kubernetes.io/instance': instance, 'app.kubernetes.io/name': 'prometheus' } } : {}),
  });
  const [d, l] = normalisePair(obj('prometheus'), obj('dev-1-prometheus'), ['dev-1-prometheus']);
  assert.deepEqual([d.metadata?.labels, l.metadata?.labels], [{ 'app.kubernetes.io/name': 'prometheus' }, { 'app.kubernetes.io/name': 'prometheus' }]);
  // The chart's own value, or a hand edit to anything but the Application's name, is compared.
  const [d2, l2] = normalisePair(obj('prometheus'), obj('edited'), ['dev-1-prometheus']);
  assert.deepEqual(
    [
      (d2.metadata!.labels as Record<string, string>)['app.kubernetes.io/instance'],
      (l2.metadata!.labels as Record<string, string>)['app.kubernetes.io/instance'],
    ],
    ['prometheus', 'edited'],
  );
  assert.deepEqual(compareLive(obj('prometheus'), obj('dev-1-prometheus'), { applicationNames: ['dev-1-prometheus'] }).drifts, []);
});

test('paths resolve to segments with dotted keys and list indexes', () => {
  const o = { metadata: { annotations: { 'deployment.kubernetes.io/revision': '2' } }, spec: { containers: [{ env: [{ name: 'A', value: '1' }] }] } };
  assert.deepEqual(pathSegments('metadata.annotations.deployment.kubernetes.io/revision', [o]), [
    'metadata',
    'annotations',
    'deployment.kubernetes.io/revision',
  ]);
  assert.deepEqual(pathSegments('spec.containers[0].env[0].value', [o]), ['spec', 'containers', 0, 'env', 0, 'value']);
  assert.deepEqual(pathSegments('data.only.in.other', [{}, { data: { 'only.in.other': 'x' } }]), ['data', 'only.in.other']);
});

test('the owner of a live field comes from managedFields: f: fields, k: keyed list elements, v: set values, atomic ancestors', () => {
  const live = {
    metadata: {
      managedFields: [
        {
          manager: 'monitoring-gitops',
          operation: 'Apply',
          time: '2025-01-01T00:00:00Z',
          fieldsV1: {
            'f:spec': {
              'f:template': {
                'f:spec': {
                  'f:containers': {
                    'k:{"name":"app"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:env': { 'k:{"name":"B"}': { '.': {}, 'f:name': {}, 'f:value': {} } } },
                  },
                },
              },
            },
          },
        },
        {
          manager: 'kubectl-edit',
          operation: 'Update',
          time: '2025-02-01T00:00:00Z',
          fieldsV1: {
            'f:spec': {
              'f:replicas': {},
              'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { 'f:env': { 'k:{"name":"A"}': { 'f:value': {} } }, 'f:args': {} } } } },
            },
          },
        },
        { manager: 'kube-controller-manager', operation: 'Update', subresource: 'scale', fieldsV1: { 'f:metadata': { 'f:finalizers': { 'v:"x"': {} } } } },
      ],
      finalizers: ['x'],
    },
    spec: {
      replicas: 3,
      template: {
        spec: {
          containers: [
            {
              name: 'app',
              image: 'i',
              args: ['--a'],
              env: [
                { name: 'A', value: 'edited' },
                { name: 'B', value: 'b' },
              ],
            },
          ],
        },
      },
    },
  };
  const owners = (path: (string | number)[]) => fieldOwners(live, path).map((o) => o.manager);
  assert.deepEqual(owners(['spec', 'replicas']), ['kubectl-edit']);
  assert.deepEqual(owners(['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'value']), ['kubectl-edit']);
  assert.deepEqual(owners(['spec', 'template', 'spec', 'containers', 0, 'env', 1, 'value']), ['monitoring-gitops']);
  assert.deepEqual(owners(['spec', 'template', 'spec', 'containers', 0, 'args', 0]), ['kubectl-edit'], 'an atomic list is owned whole');
  assert.deepEqual(owners(['metadata', 'finalizers', 0]), ['kube-controller-manager']);
  assert.deepEqual(owners(['spec', 'paused']), []);
  assert.equal(formatOwner(fieldOwners(live, ['spec', 'replicas'])[0]!), 'kubectl-edit (Update, 2025-02-01T00:00:00Z)');
  assert.equal(formatOwner({ manager: 'hpa', operation: 'Update', subresource: 'scale' }), 'hpa (Update via scale)');
});

test('comparison: defaults on both sides cancel out; each difference carries desired → live and its manager', () => {
  const managedFields = [{ manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:data': { 'f:level': {} } } }];
  const merged = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ ...bookkeeping, resourceVersion: '43' }), data: { level: 'info', keep: 'same' } };
  const live = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ ...bookkeeping, managedFields }), data: { level: 'debug', keep: 'same' } };
  const { drifts, suppressed } = compareLive(merged, live);
  assert.deepEqual(suppressed, {});
  assert.deepEqual(
    drifts.map((d) => [d.path, d.change.before, d.change.after, d.owners.map((o) => o.manager)]),
    [['data.level', 'info', 'debug', ['kubectl-edit']]],
  );
  assert.deepEqual(compareLive(merged, { ...merged, metadata: meta({ uid: 'other' }) }).drifts, []);
});

test('Secret values never show: not the value, not its hash', () => {
  const secret = (password: string, extra?: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(),
    data: { password, ...(extra ? { extra } : {}) },
  });
  const { drifts } = compareLive(secret('b2xk'), secret('bmV3', 'c2VjcmV0'));
  const text = JSON.stringify(drifts.map((d) => fieldDriftItem(place, d)));
  assert.deepEqual(
    drifts.map((d) => d.path),
    ['data.extra', 'data.password'],
  );
  for (const value of ['b2xk', 'bmV3', 'c2VjcmV0', 'masked sha']) assert.ok(!text.includes(value), `${value} in ${text}`);
  assert.match(text, /data\.password: \(masked\) → \(masked, differs\)/);
});

test('ignore rules: HPA-scaled replicas, webhook CA bundles and the deployment revision are counted, not reported', () => {
  const deployment = (replicas: number, revision: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta({ annotations: { 'deployment.kubernetes.io/revision': revision } }),
    spec: { replicas },
  });
  assert.deepEqual(compareLive(deployment(1, '1'), deployment(4, '2'), { scaledByHpa: true }), {
    drifts: [],
    suppressed: { 'deployment-revision': 1, 'hpa-replicas': 1 },
  });
  const unscaled = compareLive(deployment(1, '1'), deployment(4, '1'));
  assert.deepEqual(
    unscaled.drifts.map((d) => d.path),
    ['spec.replicas'],
    'no HPA: a replicas change is drift',
  );
  const webhook = (caBundle: string, timeoutSeconds: number) => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'w' },
    webhooks: [{ name: 'a', clientConfig: { caBundle }, timeoutSeconds }],
  });
  const hooks = compareLive(webhook('', 10), webhook('LS0t', 30));
  assert.deepEqual([hooks.drifts.map((d) => d.path), hooks.suppressed], [['webhooks[0].timeoutSeconds'], { 'webhook-ca-bundle': 1 }]);
  assert.equal(matchingRule(DEFAULT_IGNORE_RULES, { kind: 'ConfigMap', scaledByHpa: true }, ['spec', 'replicas']), undefined);
  assert.deepEqual(compareLive(deployment(1, '1'), deployment(4, '1'), { rules: [] }).suppressed, {});
  assert.deepEqual(
    [...hpaTargets([{ metadata: { namespace: 'm' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' } } }, {}])],
    ['Deployment m/web'],
  );
});

const place: ObjectPlace = { cluster: 'dev-1', environment: 'dev', app: 'prometheus', application: 'dev-1-prometheus', resource: 'Deployment monitoring/web' };

test('items: stable keys, desired → live with the manager, missing is critical, the section counts coverage', () => {
  const item = fieldDriftItem(place, {
    path: 'spec.replicas',
    segments: ['spec', 'replicas'],
    change: { path: 'spec.replicas', before: 1, after: 3 },
    owners: [{ manager: 'kubectl-edit', operation: 'Update', time: '2025-02-01T00:00:00Z' }],
  });
  assert.equal(item.key, 'live:resource:dev-1/Deployment monitoring/web:spec.replicas');
  assert.deepEqual([item.kind, item.severity, item.since], ['field-drift', 'warning', '2025-02-01T00:00:00Z']);
  assert.equal(item.summary, 'Deployment monitoring/web: spec.replicas differs from Git (live field managed by kubectl-edit)');
  assert.deepEqual(item.details, ['spec.replicas: 1 → 3', 'manager: kubectl-edit (Update, 2025-02-01T00:00:00Z)']);
  assert.match(item.action ?? '', /sync the Argo CD Application 'dev-1-prometheus'.*move the change into Git/);
  const missing = missingItem(place);
  assert.deepEqual([missing.kind, missing.severity, missing.key], ['missing', 'critical', 'live:resource:dev-1/Deployment monitoring/web:missing']);

  const section = liveSection([
    { cluster: 'dev-1', reached: true, items: [item, missing], suppressed: { 'hpa-replicas': 1 } },
    { cluster: 'prod-1', reached: false, reason: 'connect ECONNREFUSED' },
  ]);
  assert.deepEqual(
    [section.status, section.coverage, section.suppressed],
    ['partial', { reached: ['dev-1'], expected: ['dev-1', 'prod-1'] }, { 'hpa-replicas': 1 }],
  );
  assert.match(section.reason ?? '', /cannot reach cluster prod-1: connect ECONNREFUSED/);
  assert.deepEqual(
    section.items.map((i) => i.kind),
    ['missing', 'field-drift'],
  );
  assert.equal(liveSection([{ cluster: 'prod-1', reached: false, reason: 'x' }]).status, 'skipped');
  assert.equal(liveSection([]).status, 'skipped');
  assert.equal(liveSection([{ cluster: 'dev-1', reached: true, items: [], suppressed: {} }]).status, 'checked');
});
