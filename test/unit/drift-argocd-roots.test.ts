import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rootSpecChanges } from '../../scripts/drift/argocd-roots.ts';
import { argoCdSection } from '../../scripts/drift/argocd-section.ts';
import { plannedApplications, type PlannedApplication } from '../../scripts/drift/argocd-targets.ts';
import type { ArgoApplication } from '../../scripts/argocd/types.ts';
import { hasDrift } from '../../scripts/drift/report.ts';
import { planGenerate } from '../../scripts/generate/plan.ts';
import type { Inventory } from '../../scripts/inventory/types.ts';
import { minimalInventory } from '../helpers/inventory.ts';

const MAIN = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const NOW = new Date('2026-05-04T12:00:00Z');

/** The minimal fixture's plan (its fleet roots apps/fleet-argocd.yaml and apps/fleet-gitops.yaml left out when asked), `change` applied to apps/fleet-argocd.yaml: what drift expects on the hub. */
async function plan(withFleetRoot: boolean, change = (yaml: string) => yaml): Promise<{ inventory: Inventory; planned: PlannedApplication[] }> {
  const inventory = await minimalInventory();
  const files = planGenerate(inventory)
    .filter((f) => withFleetRoot || !/^apps\/fleet-[^/]+\.yaml$/.test(f.path))
    .map((f) => (f.path === 'apps/fleet-argocd.yaml' ? { ...f, content: change(f.content) } : f));
  return { inventory, planned: plannedApplications(files) };
}

/** The planned Applications as Argo CD's API answers them once synced and healthy (no apiVersion/kind, status written). */
function hubOf(planned: PlannedApplication[]): ArgoApplication[] {
  return planned.map((p) => ({
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
    spec: structuredClone(p.spec),
    status: { sync: { status: 'Synced', revision: MAIN }, health: { status: 'Healthy' }, reconciledAt: '2026-05-04T11:58:00Z' },
  }));
}

const without = (hub: ArgoApplication[], ...names: string[]) => hub.filter((a) => !names.includes(a.metadata.name));
const edit = (hub: ArgoApplication[], name: string, change: (a: ArgoApplication) => void) =>
  hub.map((a) => {
    if (a.metadata.name !== name) return a;
    const copy = structuredClone(a);
    change(copy);
    return copy;
  });
const section = (inventory: Inventory, planned: PlannedApplication[], applications: ArgoApplication[]) =>
  argoCdSection({ applications, inventory, planned, mainRevision: MAIN, now: NOW });
const summary = (items: ReturnType<typeof argoCdSection>['items']) => items.map((i) => [i.key, i.severity]);

test('the planned Applications: roots are the ones whose source holds other Argo CD files, each synced by the closest root', async () => {
  const { planned } = await plan(true);
  assert.deepEqual(
    planned.map((p) => [p.file, p.name, p.root, p.parent]),
    [
      ['apps/alpha/children/grafana.yaml', 'alpha-grafana', false, 'alpha-root'],
      ['apps/alpha/children/prometheus.yaml', 'alpha-prometheus', false, 'alpha-root'],
      ['apps/alpha/root.yaml', 'alpha-root', true, 'monitoring-fleet-argocd'],
      ['apps/beta/children/prometheus.yaml', 'beta-prometheus', false, 'beta-root'],
      ['apps/beta/root.yaml', 'beta-root', true, 'monitoring-fleet-gitops'],
      ['apps/fleet-argocd.yaml', 'monitoring-fleet-argocd', true, undefined],
      ['apps/fleet-gitops.yaml', 'monitoring-fleet-gitops', true, undefined],
    ],
  );
  const today = (await plan(false)).planned.find((p) => p.name === 'alpha-root');
  assert.deepEqual([today?.root, today?.parent], [true, undefined], 'without a fleet root, a cluster root is applied by hand');
  const flat = (await plan(true, (yaml) => yaml.replace('recurse: true', 'recurse: false'))).planned;
  assert.deepEqual(
    flat.filter((p) => p.root).map((p) => [p.name, p.parent]),
    [
      ['alpha-root', undefined],
      ['beta-root', 'monitoring-fleet-gitops'],
      ['monitoring-fleet-argocd', undefined],
      ['monitoring-fleet-gitops', undefined],
    ],
    'a source path without recurse holds only its own folder (apps/fleet-argocd.yaml itself); beta is the other namespace’s',
  );
});

test('a clean hub has no items, with or without the fleet root in the plan', async () => {
  for (const withFleetRoot of [true, false]) {
    const { inventory, planned } = await plan(withFleetRoot);
    const clean = section(inventory, planned, hubOf(planned));
    assert.deepEqual([clean.status, clean.items, clean.coverage], ['checked', [], { reached: ['alpha', 'beta'], expected: ['alpha', 'beta'] }]);
  }
});

test('a cluster root missing while its children run is a warning; the action syncs the fleet root, or applies the root by hand without one', async () => {
  const { inventory, planned } = await plan(true);
  const result = section(inventory, planned, without(hubOf(planned), 'alpha-root'));
  assert.equal(result.status, 'checked', 'its children are there: the cluster is reached');
  assert.deepEqual(summary(result.items), [['live:argocd:alpha/root:missing', 'warning']]);
  const [item] = result.items;
  assert.deepEqual([item?.kind, item?.environment, item?.cluster, item?.app], ['missing', 'dev', 'alpha', 'root']);
  assert.equal(
    item?.summary,
    'root Application alpha-root is missing from Argo CD: the 2 Applications it syncs run on without it, but changes to apps/alpha/children are not applied',
  );
  assert.equal(
    item?.action,
    'argocd app sync monitoring-fleet-argocd (it applies apps/alpha/root.yaml); if that does not help, check that apps/alpha/root.yaml is committed on main',
  );
  const today = await plan(false);
  const [byHand] = section(inventory, today.planned, without(hubOf(today.planned), 'alpha-root')).items;
  assert.equal(byHand?.action, 'apply it as bootstrap does: kubectl -n argocd apply -f apps/alpha/root.yaml');
});

test('a cluster in Git with nothing on the hub: its root is missing (critical), its apps are not listed one by one, and it is not reached', async () => {
  const { inventory, planned } = await plan(true);
  const result = section(inventory, planned, without(hubOf(planned), 'beta-root', 'beta-prometheus'));
  assert.deepEqual(summary(result.items), [['live:argocd:beta/root:missing', 'critical']]);
  assert.equal(result.items[0]?.summary, 'root Application beta-root is missing from Argo CD, and so is everything it syncs from apps/beta/children');
  assert.equal(result.items[0]?.action?.split(' (')[0], 'argocd app sync monitoring-fleet-gitops', 'beta is in the gitops namespace');
  assert.deepEqual([result.status, result.coverage?.reached], ['partial', ['alpha']]);
  assert.match(result.reason ?? '', /no Application of beta \(not bootstrapped yet: their roots are reported missing\)/);
  // A child of the same cluster missing beside its root: the root brings it, so the action applies the root.
  const reached = section(inventory, planned, without(hubOf(planned), 'alpha-root', 'alpha-grafana'));
  const child = reached.items.find((i) => i.key === 'live:argocd:alpha/grafana:missing');
  assert.equal(child?.severity, 'critical');
  assert.equal(
    child?.action,
    'argocd app sync monitoring-fleet-argocd (it brings back alpha-root, which applies apps/alpha/children/grafana.yaml); if that does not help, check that apps/alpha/children/grafana.yaml is committed on main',
  );
});

test('the fleet root missing is reported when the plan has one, with bootstrap as the action; a cluster root missing too points at it', async () => {
  const { inventory, planned } = await plan(true);
  const alone = section(inventory, planned, without(hubOf(planned), 'monitoring-fleet-argocd'));
  assert.deepEqual(summary(alone.items), [['live:argocd:-/monitoring-fleet-argocd:missing', 'warning']]);
  const [fleet] = alone.items;
  assert.deepEqual([fleet?.environment, fleet?.cluster, fleet?.app], [undefined, undefined, 'monitoring-fleet-argocd']);
  assert.equal(
    fleet?.summary,
    'root Application monitoring-fleet-argocd is missing from Argo CD: the Application it syncs runs on without it, but changes to apps are not applied',
  );
  assert.equal(fleet?.action, 'apply it as bootstrap does: kubectl -n argocd apply -f apps/fleet-argocd.yaml');
  const both = section(inventory, planned, without(hubOf(planned), 'monitoring-fleet-argocd', 'alpha-root'));
  assert.deepEqual(summary(both.items), [
    // alpha-root is all the argocd namespace's fleet root syncs (beta is gitops'): nothing of it is on the hub.
    ['live:argocd:-/monitoring-fleet-argocd:missing', 'critical'],
    ['live:argocd:alpha/root:missing', 'warning'],
  ]);
  assert.equal(both.items[1]?.action, 'kubectl -n argocd apply -f apps/fleet-argocd.yaml (monitoring-fleet-argocd is missing too; it brings back alpha-root)');
  const noRoots = section(inventory, planned, without(hubOf(planned), 'monitoring-fleet-argocd', 'alpha-root', 'beta-root'));
  assert.equal(noRoots.items[0]?.severity, 'critical', 'nothing the fleet root syncs is on the hub');
  const today = await plan(false);
  assert.deepEqual(section(inventory, today.planned, hubOf(today.planned)).items, [], 'no fleet root in the plan, none expected');
});

test('a root whose spec differs from Git names each field Git sets, Git → live; the fleet root too', async () => {
  const { inventory, planned } = await plan(true);
  let hub = edit(hubOf(planned), 'alpha-root', (a) => {
    a.spec!.source!.targetRevision = 'HEAD';
    a.spec!.syncPolicy!.automated!.selfHeal = false;
    a.spec!.destination = { server: 'https://kubernetes.default.svc', namespace: 'argocd' };
    a.spec!.syncPolicy!.syncOptions = ['CreateNamespace=true'];
  });
  hub = edit(hub, 'monitoring-fleet-argocd', (a) => {
    a.spec!.source!.directory = { recurse: true, include: '*/root.yaml', exclude: '*/children/*' };
    a.spec!.project = 'default';
  });
  const result = section(inventory, planned, hub);
  assert.deepEqual(summary(result.items), [
    ['live:argocd:-/monitoring-fleet-argocd:spec-drift', 'warning'],
    ['live:argocd:alpha/root:spec-drift', 'warning'],
  ]);
  const [fleet, alpha] = result.items;
  assert.equal(fleet?.summary, 'root Application monitoring-fleet-argocd differs from Git in spec.project, spec.source.directory.include');
  assert.deepEqual(fleet?.details, [
    'spec.project: monitoring-fleet-argocd → default  (Git → live)',
    'spec.source.directory.include: {fleet-argocd.yaml,alpha/root.yaml} → */root.yaml  (Git → live)',
  ]);
  assert.equal(
    fleet?.action,
    'if the change is not meant to stay: apply it as bootstrap does: kubectl -n argocd apply -f apps/fleet-argocd.yaml; if it is, make it in the inventory and run npm run generate',
  );
  assert.equal(
    alpha?.summary,
    'root Application alpha-root differs from Git in 5 fields: spec.destination.name, spec.destination.server, spec.source.targetRevision, …',
  );
  assert.deepEqual(alpha?.details, [
    'spec.destination.name: in-cluster (removed)  (Git → live)',
    'spec.destination.server: (added) https://kubernetes.default.svc  (Git → live)',
    'spec.source.targetRevision: main → HEAD  (Git → live)',
    'spec.syncPolicy.automated.selfHeal: true → false  (Git → live)',
    'spec.syncPolicy.syncOptions[1]: ServerSideApply=true (removed)  (Git → live)',
  ]);
  assert.match(alpha?.action ?? '', /^if the change is not meant to stay: argocd app sync monitoring-fleet-argocd \(it applies apps\/alpha\/root\.yaml\)/);
});

test("what Argo CD's API adds or leaves out on its own is not spec drift; fields Git does not set are not compared", async () => {
  const { planned } = await plan(true);
  const fleet = planned.find((p) => p.name === 'monitoring-fleet-argocd')!.spec;
  const live = structuredClone(fleet);
  live.source!.directory!.jsonnet = {}; // Argo CD before 3.x wrote the empty jsonnet struct
  live.source!.helm = { valueFiles: ['x.yaml'] };
  live.revisionHistoryLimit = 3;
  live.syncPolicy!.managedNamespaceMetadata = {};
  assert.deepEqual(rootSpecChanges(fleet, live), []);
  // `automated: {}` turns automated sync on (without prune or self-heal): it is not the same as no `automated`.
  const manual = structuredClone(fleet);
  delete manual.syncPolicy!.automated;
  const automated = structuredClone(fleet);
  automated.syncPolicy!.automated = {};
  assert.deepEqual(rootSpecChanges(manual, automated), [{ path: 'spec.syncPolicy.automated', after: {} }]);
  assert.deepEqual(rootSpecChanges(automated, manual), [{ path: 'spec.syncPolicy.automated', before: {} }]);
  assert.deepEqual(
    rootSpecChanges(fleet, { ...structuredClone(fleet), source: undefined, sources: [fleet.source] }).map((c) => c.path),
    [
      'spec.source.directory.exclude',
      'spec.source.directory.include',
      'spec.source.directory.recurse',
      'spec.source.path',
      'spec.source.repoURL',
      'spec.source.targetRevision',
    ],
    'a root turned multi-source no longer has the source Git sets',
  );
});

test('Applications of a cluster gone from Git are one info item with the deletion step; a leftover app of a cluster in Git stays unexpected', async () => {
  const { inventory, planned } = await plan(true);
  const labels = (app?: string) => ({
    'app.kubernetes.io/managed-by': 'monitoring-gitops',
    'monitoring-gitops/cluster': 'gamma',
    'monitoring-gitops/environment': 'prod',
    ...(app ? { 'monitoring-gitops/app': app } : {}),
  });
  const gone: ArgoApplication[] = [
    { metadata: { name: 'gamma-grafana', labels: labels('grafana') } },
    { metadata: { name: 'gamma-prometheus', labels: labels('prometheus') } },
    { metadata: { name: 'gamma-root', labels: labels() } },
  ];
  const leftover: ArgoApplication = { metadata: { name: 'alpha-loki', labels: { 'monitoring-gitops/cluster': 'alpha', 'monitoring-gitops/app': 'loki' } } };
  const result = section(inventory, planned, [...hubOf(planned), ...gone, leftover]);
  assert.deepEqual(summary(result.items), [
    ['live:argocd:alpha/alpha-loki:unexpected', 'warning'],
    ['live:argocd:gamma/-:cluster-removed', 'info'],
  ]);
  const removed = result.items[1]!;
  assert.deepEqual([removed.kind, removed.environment, removed.cluster, removed.app], ['cluster-removed', 'prod', 'gamma', undefined]);
  assert.equal(
    removed.summary,
    'cluster gamma is gone from clusters/, but its 3 Applications are still on Argo CD (gamma-grafana, gamma-prometheus, gamma-root): its monitoring is kept until they are deleted',
  );
  assert.equal(
    removed.action,
    'delete them on purpose when the cluster is gone (README: Remove a cluster): kubectl -n argocd delete application gamma-root, then kubectl -n argocd delete application gamma-grafana gamma-prometheus',
  );
  assert.deepEqual(result.coverage?.expected, ['alpha', 'beta'], 'a removed cluster is not expected');
  const onlyRoot = section(inventory, planned, [...hubOf(planned), gone[2]!]);
  assert.equal(
    onlyRoot.items[0]?.action,
    'delete them on purpose when the cluster is gone (README: Remove a cluster): kubectl -n argocd delete application gamma-root',
  );
  const report = { sections: [onlyRoot] } as unknown as Parameters<typeof hasDrift>[0];
  assert.equal(hasDrift(report), false, 'kept on purpose: not drift that fails the run or opens the issue');
});
