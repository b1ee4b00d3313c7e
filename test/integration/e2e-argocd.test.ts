import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkPodAdmission, podSpecOf } from '../../scripts/cluster/pod-security.ts';
import { E2E_CLUSTERS, E2E_EXTERNAL_SECRETS_CLUSTER, expectedApplications, prometheusAvailableAt, startE2e, type E2e } from '../e2e/harness.ts';
import { roots } from '../e2e/roots.ts';
import { runScenarios } from '../e2e/scenarios.ts';
import { WORKLOAD_NODES } from '../../scripts/fleet/fleet.ts';
import { DRILL_CLUSTER, pipeline } from '../e2e/pipeline/scenario.ts';
import { listApplications, table, waitConverged, waveViolations } from '../e2e/status.ts';

// The core of `npm run e2e` (which also runs the prune, promotion and drift scenarios): a real Argo CD
// v3.6.1 on a simulated hub syncs a generated dev and prod cluster, one commit reaches one cluster, and the
// fire drill runs on dev-1 meanwhile up to the firing notifications (the resolved ones come a group_interval
// later: `npm run e2e -- --only pipeline` and the nightly workflow wait for them).
let e2e: E2e;
let drill: Promise<string> | undefined;
before(async () => {
  e2e = await startE2e((line) => console.log(`# ${line}`));
  // The drill waits minutes for alerts to fire: it starts as soon as dev-1's two apps are synced, beside the tests below.
  drill = waitConverged(e2e.argocd.url, e2e.token, [`${DRILL_CLUSTER}-prometheus`, `${DRILL_CLUSTER}-grafana`], { revision: e2e.repo.head() }).then(() =>
    pipeline(e2e, (line) => console.log(`# ${line}`), { until: 'firing' }),
  );
  drill.catch(() => {}); // awaited by the fire drill's test
});
after(async () => {
  await e2e?.stop();
});

test('the fleet root, and every root and child Application of both clusters, the onboarded one included, become Synced and Healthy at the head of main', {
  timeout: 600_000,
}, async () => {
  const expected = expectedApplications(E2E_CLUSTERS);
  const seconds = await waitConverged(e2e.argocd.url, e2e.token, expected, { revision: e2e.repo.head() });
  const apps = await listApplications(e2e.argocd.url, e2e.token);
  console.log(table(apps, seconds).replace(/^/gm, '# '));
  assert.deepEqual(
    apps.map((a) => a.name),
    [...expected].sort(),
  );
  // Bootstrap applied the fleet root only; the onboarded cluster's root came from its merged file.
  assert.deepEqual(e2e.roots, ['monitoring-fleet']);
  assert.equal(apps.find((a) => a.name === `${e2e.onboarded.cluster}-root`)?.revision, e2e.onboarded.commit);
  assert.deepEqual(waveViolations(apps, await prometheusAvailableAt(e2e)), [], 'sync waves in order');
  // Workloads really ran: node-exporter's DaemonSet has a Ready pod on each fake node.
  const dev = e2e.fleet.workloads.get('dev-1')!.client;
  const daemonSets = await dev.list<
    { metadata: { name: string }; status: { numberReady: number; desiredNumberScheduled: number } } & { apiVersion: string; kind: string }
  >({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'monitoring' });
  assert.ok(
    daemonSets.length > 0 && daemonSets.every((d) => d.status.numberReady === WORKLOAD_NODES && d.status.desiredNumberScheduled === WORKLOAD_NODES),
    JSON.stringify(daemonSets.map((d) => d.status)),
  );
});

test('a commit that changes one value on prod-eu-1 reaches exactly prod-eu-1, as diff predicted', { timeout: 600_000 }, async () => {
  await runScenarios(e2e, ['change'], (line) => console.log(`# ${line}`));
});

test('the Argo CD settings the repository ships are live: argocd-cm applied server-side, diff, retry, the web config Secret, no test hooks', async () => {
  const hub = e2e.fleet.hub.client;
  type Meta = { name: string; annotations?: Record<string, string>; managedFields?: { manager: string; fieldsV1?: { 'f:data'?: Record<string, unknown> } }[] };
  type Live = { apiVersion: string; kind: string; metadata: Meta; spec?: { syncPolicy?: { retry?: unknown } } };
  const cm = await hub.get<Live>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'argocd', name: 'argocd-cm' });
  const owned = cm.metadata.managedFields?.find((m) => m.manager === 'monitoring-gitops')?.fieldsV1?.['f:data'] ?? {};
  assert.ok(
    'f:kustomize.buildOptions' in owned,
    `README step 1 owns argocd-cm's settings: ${JSON.stringify(cm.metadata.managedFields?.map((m) => m.manager))}`,
  );
  const app = await hub.get<Live>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd', name: 'prod-eu-1-prometheus' });
  assert.equal(app.metadata.annotations?.['argocd.argoproj.io/compare-options'], 'ServerSideDiff=true');
  assert.equal(app.metadata.annotations?.['argocd.argoproj.io/manifest-generate-paths'], '.');
  assert.deepEqual(app.spec?.syncPolicy?.retry, { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' }, refresh: true });
  const prod = e2e.fleet.workloads.get('prod-eu-1')!.client;
  const secret = await prod.get<Live & { data: Record<string, string> }>({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace: 'monitoring',
    name: 'prometheus-basic-auth',
  });
  assert.match(
    Buffer.from(secret.data['web-config.yml'] ?? '', 'base64').toString(),
    /basic_auth_users:\n\s+e2e: "\$2[aby]\$10\$/,
    'README step 4 wrote the web config',
  );
  const pods = await prod.list<Live>({ apiVersion: 'v1', kind: 'Pod', namespace: 'monitoring' });
  assert.deepEqual(
    pods.filter((p) => p.metadata.name.endsWith('-test')).map((p) => p.metadata.name),
    [],
    "no chart's helm test Pod was synced",
  );
});

test(`${E2E_EXTERNAL_SECRETS_CLUSTER}'s Secrets come from External Secrets: each ExternalSecret Ready, each Secret owned by it (the fire drill's pods mount them)`, async () => {
  const dev = e2e.fleet.workloads.get(E2E_EXTERNAL_SECRETS_CLUSTER)!.client;
  type Owned = { apiVersion: string; kind: string; metadata: { name: string; ownerReferences?: { kind: string; name: string }[] } };
  const externalSecrets = await dev.list<Owned & { status?: { conditions?: { type: string; status: string }[] } }>({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    namespace: 'monitoring',
  });
  assert.deepEqual(externalSecrets.map((es) => [es.metadata.name, es.status?.conditions?.find((c) => c.type === 'Ready')?.status]).sort(), [
    ['alertmanager-receivers', 'True'],
    ['grafana-admin', 'True'],
    ['prometheus-basic-auth', 'True'],
  ]);
  for (const es of externalSecrets) {
    const secret = await dev.get<Owned>({ apiVersion: 'v1', kind: 'Secret', namespace: 'monitoring', name: es.metadata.name });
    assert.deepEqual(
      secret.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`),
      [`ExternalSecret/${es.metadata.name}`],
    );
  }
});

test('node-exporter is admitted on clusters that enforce Pod Security baseline because of its namespace label, and refused without it', async () => {
  const prod = e2e.fleet.workloads.get('prod-eu-1')!.client;
  type Labelled = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> } };
  const ns = await prod.get<Labelled>({ apiVersion: 'v1', kind: 'Namespace', name: 'monitoring' });
  assert.equal(ns.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'privileged', 'managedNamespaceMetadata labels the namespace');
  const daemonSet = await prod.get<Labelled & { spec: unknown }>({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    namespace: 'monitoring',
    name: 'prometheus-prometheus-node-exporter',
  });
  const spec = podSpecOf(daemonSet)!;
  assert.deepEqual(await checkPodAdmission(prod, 'monitoring', spec), { admitted: true });
  await prod.ensureNamespace('no-pod-security-label');
  const refused = await checkPodAdmission(prod, 'no-pod-security-label', spec);
  assert.equal(refused.admitted, false);
  assert.match(refused.admitted ? '' : refused.message, /violates PodSecurity "baseline:latest": host namespaces/);
});

test('roots from Git: a root change reaches the hub, a removed cluster file keeps its monitoring until the documented step', { timeout: 600_000 }, async () => {
  console.log(`# ${await roots(e2e, (line) => console.log(`# ${line}`))}`);
});

test(`the fire drill on ${DRILL_CLUSTER}: an alert reaches a person on the channels the README promises`, { timeout: 1_200_000 }, async () => {
  assert.ok(drill, 'the drill starts once dev-1 is synced');
  console.log(`# ${await drill}`);
});
