import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { KubeClient } from '../../scripts/cluster/client.ts';
import { ArgoCdApiError, readArgoCdApplications, readArgoCdState, type ArgoCdConnection } from '../../scripts/argocd/api.ts';
import { argoCdSection, argoCdSectionFrom, type ArgoCdSectionInput } from '../../scripts/drift/argocd-section.ts';
import { plannedApplications, type PlannedApplication } from '../../scripts/drift/argocd-targets.ts';
import type { ArgoApplication } from '../../scripts/argocd/types.ts';

/** Read, then build: the order drift itself follows. */
const readArgoCdSection = async (connection: ArgoCdConnection, input: Omit<ArgoCdSectionInput, 'applications' | 'uiUrl'>) =>
  argoCdSectionFrom(await readArgoCdState(connection), { ...input, uiUrl: connection.url });
import { planGenerate } from '../../scripts/generate/plan.ts';
import { parseInventory } from '../../scripts/inventory/parse.ts';
import { readInventorySources } from '../../scripts/inventory/read.ts';
import type { Inventory } from '../../scripts/inventory/types.ts';
import { generatedApplication, generatedRoot, readStoredApplication, writeApplicationStatus, type ApplicationStatus } from '../helpers/argocd/fixture.ts';
import { startArgoCdStandIn, type ArgoCdStandIn } from '../helpers/argocd/server.ts';
import { sharedArgoCdCrds, sharedControlPlane } from '../helpers/control-plane.ts';
import { PROJECT_ROOT } from '../helpers/repo.ts';

const TOKEN = 'argocd-test-token-3f9a';
const MAIN = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const OLD = '0123456789abcdef0123456789abcdef01234567';
const NOW = new Date('2026-05-04T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
const REPO = 'https://github.com/example-org/monitoring-gitops.git';

function status(
  cluster: string,
  app: string,
  changes: Partial<ApplicationStatus> & { revision?: string; sync?: string; health?: ApplicationStatus['health'] },
): ApplicationStatus {
  const { revision = MAIN, sync = 'Synced', ...rest } = changes;
  const source = { repoURL: REPO, path: `overlays/${cluster.replace(/-\d+$/, '')}/${cluster}/${app}`, targetRevision: 'main' };
  return {
    sync: { status: sync, revision, comparedTo: { source, destination: { name: cluster, namespace: 'monitoring' } } },
    health: { status: 'Healthy', lastTransitionTime: minutesAgo(600) },
    reconciledAt: minutesAgo(3),
    sourceType: 'Kustomize',
    resources: [
      { version: 'v1', kind: 'ConfigMap', namespace: 'monitoring', name: `${app}`, status: 'Synced' },
      { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'monitoring', name: `${app}-server`, status: 'Synced', health: { status: 'Healthy' } },
    ],
    operationState: {
      operation: { sync: { revision }, initiatedBy: { automated: true } },
      phase: 'Succeeded',
      message: 'successfully synced (all tasks run)',
      startedAt: minutesAgo(30),
      finishedAt: minutesAgo(29),
      syncResult: { revision, source },
    },
    ...rest,
  } as ApplicationStatus;
}

const STATUSES: Record<string, ApplicationStatus> = {
  'dev-1-root': status('dev-1', 'root', {}),
  'dev-1-prometheus': status('dev-1', 'prometheus', {}),
  'dev-1-grafana': status('dev-1', 'grafana', {
    sync: 'OutOfSync',
    resources: [
      { version: 'v1', kind: 'ConfigMap', namespace: 'monitoring', name: 'grafana', status: 'OutOfSync' },
      { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'monitoring', name: 'grafana', status: 'Synced', health: { status: 'Healthy' } },
    ],
  }),
  'staging-1-prometheus': status('staging-1', 'prometheus', {
    revision: OLD,
    reconciledAt: minutesAgo(125),
    health: { status: 'Degraded', message: 'Deployment "prometheus-server" exceeded its progress deadline', lastTransitionTime: minutesAgo(200) },
    resources: [
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'monitoring',
        name: 'prometheus-server',
        status: 'Synced',
        health: { status: 'Degraded', message: 'Deployment "prometheus-server" exceeded its progress deadline' },
      },
    ],
  }),
  'staging-1-grafana': status('staging-1', 'grafana', {
    operationState: {
      operation: { sync: { revision: MAIN } },
      phase: 'Failed',
      startedAt: minutesAgo(12),
      finishedAt: minutesAgo(11),
      message: 'one or more objects failed to apply, reason: Deployment.apps "grafana" is invalid: spec.template.spec.containers[0].image: Required value',
    } as ApplicationStatus['operationState'],
  }),
};

describe('Argo CD live drift: the stand-in backed by the real API server', () => {
  let client: KubeClient;
  let namespace: string;
  let inventory: Inventory;
  let planned: PlannedApplication[];
  let standIn: ArgoCdStandIn;

  before(async () => {
    ({ client } = await sharedControlPlane());
    await sharedArgoCdCrds();
    namespace = `argocd-drift-${randomBytes(3).toString('hex')}`;
    await client.ensureNamespace(namespace);
    const { inventory: parsed, findings } = parseInventory(await readInventorySources(PROJECT_ROOT));
    assert.ok(parsed, JSON.stringify(findings));
    inventory = parsed;
    planned = plannedApplications(planGenerate(inventory));
    for (const cluster of ['dev-1', 'staging-1'])
      for (const app of ['prometheus', 'grafana']) await client.apply(await generatedApplication(cluster, app, namespace));
    // One root as Git has it: its spec must read back from the API server and Argo CD's JSON without drift.
    await client.apply(await generatedRoot('dev-1', namespace));
    // Not this repository's: the selector must leave it out.
    const stranger = await generatedApplication('dev-1', 'prometheus', namespace);
    await client.apply({
      ...stranger,
      metadata: { name: 'someone-elses-app', namespace, labels: { team: 'other' } },
      spec: { ...(stranger.spec as object), project: 'default' },
    });
    for (const [name, s] of Object.entries(STATUSES)) await writeApplicationStatus(client, namespace, name, s);
    standIn = await startArgoCdStandIn({ client, token: TOKEN, namespace });
  });

  after(() => standIn?.stop());

  test('the status written through the API server reads back', async () => {
    const stored = await readStoredApplication(client, namespace, 'staging-1-prometheus');
    assert.equal(stored.status?.sync?.revision, OLD);
    assert.equal(stored.status?.health?.status, 'Degraded');
    assert.equal((await readStoredApplication(client, namespace, 'staging-1-grafana')).status?.operationState?.phase, 'Failed');
    assert.equal((await readStoredApplication(client, namespace, 'dev-1-grafana')).status?.resources?.[0]?.status, 'OutOfSync');
  });

  test("readArgoCdApplications lists the managed Applications, sorted, in Argo CD's shape", async () => {
    const apps = await readArgoCdApplications({ url: standIn.url, token: TOKEN });
    assert.deepEqual(
      apps.map((a) => a.metadata.name),
      ['dev-1-grafana', 'dev-1-prometheus', 'dev-1-root', 'staging-1-grafana', 'staging-1-prometheus'],
    );
    assert.equal((apps[0] as unknown as Record<string, unknown>).kind, undefined, 'Argo CD answers items without apiVersion/kind');
    const last = standIn.requests.at(-1)!;
    assert.equal(last.path, '/api/v1/applications?selector=app.kubernetes.io%2Fmanaged-by%3Dmonitoring-gitops');
    assert.equal(last.status, 200);
  });

  test('argoCdSection reports exactly the drift that was written, and which clusters were reached', async () => {
    const applications = await readArgoCdApplications({ url: standIn.url, token: TOKEN });
    const section = argoCdSection({ applications, inventory, planned, mainRevision: MAIN, now: NOW, uiUrl: 'https://argocd.example.com' });
    assert.equal(section.status, 'partial');
    assert.match(section.reason ?? '', /prod-eu-1, prod-us-1/);
    assert.deepEqual(section.coverage, { reached: ['dev-1', 'staging-1'], expected: ['dev-1', 'prod-eu-1', 'prod-us-1', 'staging-1'] });
    // The fleet's root, once generate plans one: nothing of it is on this hub.
    const fleetRoots = planned.filter((p) => p.root && !p.labels['monitoring-gitops/cluster']);
    const rootMissing = (cluster: string, severity: string, summary: string) => [`live:argocd:${cluster}/root:missing`, 'missing', severity, summary];
    assert.deepEqual(
      section.items.map((i) => [i.key, i.kind, i.severity, i.summary]),
      [
        ...fleetRoots.map(({ name, spec }) => [
          `live:argocd:-/${name}:missing`,
          'missing',
          'warning',
          `root Application ${name} is missing from Argo CD: 1 of the 4 Applications it syncs runs on without it, but changes to ${spec.source?.path} are not applied`,
        ]),
        ['live:argocd:dev-1/grafana:out-of-sync', 'out-of-sync', 'warning', 'dev-1-grafana is OutOfSync: 1 resource differs from git'],
        rootMissing(
          'prod-eu-1',
          'critical',
          'root Application prod-eu-1-root is missing from Argo CD, and so is everything it syncs from apps/prod-eu-1/children',
        ),
        rootMissing(
          'prod-us-1',
          'critical',
          'root Application prod-us-1-root is missing from Argo CD, and so is everything it syncs from apps/prod-us-1/children',
        ),
        [
          'live:argocd:staging-1/grafana:operation-failed',
          'operation-failed',
          'critical',
          'last sync of staging-1-grafana ended Failed: one or more objects failed to apply, reason: Deployment.apps "grafana" is invalid: spec.template.spec.containers[0].image: Required value',
        ],
        [
          'live:argocd:staging-1/prometheus:unhealthy',
          'unhealthy',
          'critical',
          'staging-1-prometheus is Degraded: Deployment "prometheus-server" exceeded its progress deadline',
        ],
        ['live:argocd:staging-1/prometheus:revision-behind', 'revision-behind', 'warning', 'staging-1-prometheus is at revision 0123456, main is at a1b2c3d'],
        ['live:argocd:staging-1/prometheus:stale-reconcile', 'stale-reconcile', 'warning', 'staging-1-prometheus was last reconciled 2 h 5 min ago'],
        rootMissing(
          'staging-1',
          'warning',
          'root Application staging-1-root is missing from Argo CD: the 2 Applications it syncs run on without it, but changes to apps/staging-1/children are not applied',
        ),
      ],
    );
    const byKey = (kind: string) => section.items.find((i) => i.key === `live:argocd:${kind}`);
    const [oos, sick, behind, stale, failed] = [
      'dev-1/grafana:out-of-sync',
      'staging-1/prometheus:unhealthy',
      'staging-1/prometheus:revision-behind',
      'staging-1/prometheus:stale-reconcile',
      'staging-1/grafana:operation-failed',
    ].map(byKey);
    assert.deepEqual(oos?.details, ['ConfigMap monitoring/grafana (OutOfSync)']);
    assert.equal(oos?.action, 'argocd app diff dev-1-grafana, then argocd app sync dev-1-grafana');
    assert.deepEqual([oos?.environment, oos?.cluster, oos?.app], ['dev', 'dev-1', 'grafana']);
    assert.deepEqual(sick?.details, ['Deployment monitoring/prometheus-server: Degraded: Deployment "prometheus-server" exceeded its progress deadline']);
    assert.equal(sick?.since, minutesAgo(200));
    assert.match(sick?.action ?? '', /https:\/\/argocd\.example\.com\/applications\/argocd-drift-\w+\/staging-1-prometheus/);
    assert.deepEqual(behind?.details, [`synced: ${OLD}`, `main:   ${MAIN}`]);
    assert.equal(stale?.since, minutesAgo(125));
    assert.equal(failed?.since, minutesAgo(11));
    assert.match(failed?.action ?? '', /argocd app sync staging-1-grafana/);
  });

  test('a missing Application of a reached cluster, a leftover one and a never-reconciled one', async () => {
    const applications = (await readArgoCdApplications({ url: standIn.url, token: TOKEN })).filter((a) => a.metadata.name !== 'dev-1-grafana');
    const unknown = applications.find((a) => a.metadata.name === 'dev-1-prometheus')!;
    unknown.status = {
      ...unknown.status,
      sync: { status: 'Unknown' },
      conditions: [{ type: 'ComparisonError', message: 'rpc error: code = Unknown desc = kustomize build failed\nmore' }],
    };
    const leftover: ArgoApplication = { metadata: { name: 'dev-1-loki', labels: { 'monitoring-gitops/cluster': 'dev-1', 'monitoring-gitops/app': 'loki' } } };
    const fresh: ArgoApplication = { metadata: { name: 'prod-eu-1-prometheus' }, status: {} };
    const section = argoCdSection({ applications: [...applications, leftover, fresh], inventory, planned, mainRevision: MAIN, now: NOW });
    const kinds = section.items.map((i) => `${i.key} ${i.severity}`);
    assert.ok(kinds.includes('live:argocd:dev-1/grafana:missing critical'), kinds.join('\n'));
    assert.ok(kinds.includes('live:argocd:dev-1/dev-1-loki:unexpected warning'), kinds.join('\n'));
    const comparison = section.items.find((i) => i.key === 'live:argocd:dev-1/prometheus:out-of-sync');
    assert.equal(comparison?.summary, 'dev-1-prometheus: sync status Unknown (Argo CD could not compare it with git)');
    assert.deepEqual(comparison?.details, ['ComparisonError: rpc error: code = Unknown desc = kustomize build failed']);
    assert.ok(kinds.includes('live:argocd:prod-eu-1/prometheus:stale-reconcile warning'), kinds.join('\n'));
    assert.ok(kinds.includes('live:argocd:prod-eu-1/grafana:missing critical'), "a reached cluster's absent apps are missing");
    assert.deepEqual(
      kinds.filter((k) => k.startsWith('live:argocd:prod-us-1/')),
      ['live:argocd:prod-us-1/root:missing critical'],
      'an unreached cluster is coverage and its missing root, not each missing app',
    );
    assert.deepEqual(section.coverage?.reached, ['dev-1', 'prod-eu-1', 'staging-1']);
    const empty = argoCdSection({ applications: [], inventory, planned, mainRevision: MAIN, now: NOW });
    assert.equal(empty.status, 'skipped');
    assert.match(empty.reason ?? '', /applications, get/);
  });

  test("a root edited through the API server is spec-drift, each field Git → live, as Argo CD's JSON carries it", async () => {
    const root = await generatedRoot('dev-1', namespace);
    const spec = structuredClone(root.spec) as { source: { targetRevision: string }; syncPolicy: { automated: { selfHeal: boolean } } };
    spec.source.targetRevision = 'HEAD';
    spec.syncPolicy.automated.selfHeal = false;
    await client.apply({ ...root, spec }, { force: true });
    try {
      const applications = await readArgoCdApplications({ url: standIn.url, token: TOKEN });
      const section = argoCdSection({ applications, inventory, planned, mainRevision: MAIN, now: NOW });
      const drift = section.items.filter((i) => i.kind === 'spec-drift');
      assert.deepEqual(
        drift.map((i) => [i.key, i.severity, i.summary, i.details]),
        [
          [
            'live:argocd:dev-1/root:spec-drift',
            'warning',
            'root Application dev-1-root differs from Git in spec.source.targetRevision, spec.syncPolicy.automated.selfHeal',
            ['spec.source.targetRevision: main → HEAD  (Git → live)', 'spec.syncPolicy.automated.selfHeal: true → false  (Git → live)'],
          ],
        ],
      );
    } finally {
      await client.apply(root, { force: true });
    }
  });

  test('a wrong token is a typed 401 error that does not print the token; the section is skipped', async () => {
    const wrong = 'not-the-token-77';
    const err = await readArgoCdApplications({ url: standIn.url, token: wrong }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ArgoCdApiError, String(err));
    assert.equal(err.failure, 'unauthenticated');
    assert.equal(err.status, 401);
    assert.match(err.message, /refused the token \(401 Unauthenticated: invalid session: token signature is invalid\)\nfix: .*argocd account generate-token/);
    assert.ok(!err.message.includes(wrong));
    const section = await readArgoCdSection({ url: standIn.url, token: wrong }, { inventory, planned, mainRevision: MAIN, now: NOW });
    assert.equal(section.status, 'skipped');
    assert.match(section.reason ?? '', /401/);
  });

  test('403, a server error and a dropped connection are typed errors', async () => {
    const read = () =>
      readArgoCdApplications({ url: standIn.url, token: TOKEN }).then(
        () => undefined,
        (e: unknown) => e as ArgoCdApiError,
      );
    standIn.failNext({ route: 'GET /api/v1/applications', status: 403 });
    const forbidden = await read();
    assert.equal(forbidden?.failure, 'forbidden');
    assert.match(forbidden?.message ?? '', /403 PermissionDenied: permission denied\)\nfix: .*applications, get/);
    standIn.failNext({ status: 503 });
    const unavailable = await read();
    assert.equal(unavailable?.failure, 'http');
    assert.match(unavailable?.message ?? '', /answered 503 to GET \/api\/v1\/applications: connection error/);
    standIn.failNext({ drop: true });
    const dropped = await read();
    assert.equal(dropped?.failure, 'unreachable');
    assert.match(dropped?.message ?? '', /cannot reach Argo CD at .*socket hang up/);
  });

  test('an unreachable Argo CD is a typed error; the section is skipped', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const err = await readArgoCdApplications({ url, token: TOKEN }).then(
      () => undefined,
      (e: unknown) => e as ArgoCdApiError,
    );
    assert.equal(err?.failure, 'unreachable');
    assert.match(err?.message ?? '', new RegExp(`cannot reach Argo CD at ${url}: ECONNREFUSED.*\\nfix: check the Argo CD URL`));
    const section = await readArgoCdSection({ url, token: TOKEN }, { inventory, planned, mainRevision: MAIN, now: NOW });
    assert.deepEqual([section.status, section.items.length], ['skipped', 0]);
  });

  test("GET /api/v1/applications/{name} and the list filters behave as Argo CD's", async () => {
    const get = async (path: string) => {
      const res = await fetch(`${standIn.url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> & { items?: ArgoApplication[] } };
    };
    const one = await get('/api/v1/applications/dev-1-grafana');
    assert.equal(one.status, 200);
    assert.equal((one.body.status as ApplicationStatus).sync?.status, 'OutOfSync');
    assert.deepEqual(await get('/api/v1/applications/nope'), { status: 403, body: { error: 'permission denied', code: 7, message: 'permission denied' } });
    assert.equal((await get('/api/v1/applications/nope?project=monitoring-dev-1')).status, 404);
    assert.equal((await get('/api/v1/applications/dev-1-grafana?projects=monitoring-staging-1')).status, 404);
    const names = (r: { body: { items?: ArgoApplication[] } }) => (r.body.items ?? []).map((a) => a.metadata.name);
    assert.deepEqual(names(await get('/api/v1/applications?projects=monitoring-dev-1&projects=monitoring-staging-1&refresh=normal')), [
      'dev-1-grafana',
      'dev-1-prometheus',
      'staging-1-grafana',
      'staging-1-prometheus',
    ]);
    assert.deepEqual(names(await get('/api/v1/applications?selector=monitoring-gitops/cluster%20in%20(staging-1),monitoring-gitops/app!=grafana')), [
      'staging-1-prometheus',
    ]);
    assert.deepEqual(names(await get(`/api/v1/applications?repo=${encodeURIComponent(REPO)}&projects=monitoring-dev-1`)), [
      'dev-1-grafana',
      'dev-1-prometheus',
    ]);
    assert.deepEqual(names(await get('/api/v1/applications?repo=https://example.com/other.git')), []);
    assert.deepEqual(names(await get('/api/v1/applications')).length, 6, 'no selector: the unlabelled Application too');
    const bad = await get('/api/v1/applications?selector=a%20in%20b');
    assert.equal(bad.status, 500);
    assert.match(String(bad.body.message), /^error parsing the selector: /);
    const anonymous = await fetch(`${standIn.url}/api/v1/applications`);
    assert.deepEqual([anonymous.status, await anonymous.json()], [401, { error: 'no session information', code: 16, message: 'no session information' }]);
  });

  test('every request and answer so far kept to the pinned swagger.json', () => {
    assert.deepEqual(standIn.contractViolations, []);
    assert.deepEqual(standIn.unexpectedRoutes, []);
  });

  test('the contract check bites: a tampered answer and an undocumented parameter are violations', async () => {
    const probe = await startArgoCdStandIn({ client, token: TOKEN, namespace });
    try {
      probe.tamperNext({
        route: 'GET /api/v1/applications',
        mutate: (body) => {
          const list = body as { items: Array<Record<string, Record<string, unknown>>> };
          list.items[0]!.status!.syncStatus = 'Synced'; // a field Argo CD does not have
          (list.items[1]!.status!.health as Record<string, unknown>).status = 'Fine'; // not a health code
          list.items[2]!.metadata!.generation = 'two';
          return body;
        },
      });
      const err = await readArgoCdApplications({ url: probe.url, token: TOKEN }).then(
        () => undefined,
        (e: unknown) => e as ArgoCdApiError,
      );
      assert.equal(err?.failure, 'http');
      assert.equal(err?.status, 500);
      const violations = probe.contractViolations.join('\n');
      assert.match(violations, /\/items\/0\/status must NOT have additional properties \('syncStatus'\)/);
      assert.match(violations, /\/items\/1\/status\/health\/status must be equal to one of the allowed values/);
      assert.match(violations, /\/items\/2\/metadata\/generation/);
      probe.contractViolations.length = 0;
      const res = await fetch(`${probe.url}/api/v1/applications?labelSelector=x&refresh=normal&refresh=hard`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(res.status, 500);
      assert.deepEqual(probe.contractViolations, [
        "GET /api/v1/applications: query parameter 'labelSelector' is not documented",
        "GET /api/v1/applications: query parameter 'refresh' is not repeatable (sent 2 times)",
      ]);
    } finally {
      await probe.stop();
    }
  });
});

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
