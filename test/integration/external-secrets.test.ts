import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { KubeClient, KubeObject } from '../../scripts/cluster/client.ts';
import { parse } from 'yaml';
import { externalSecretsYaml } from '../../scripts/generate/external-secrets.ts';
import { startExternalSecrets, startedControllers, type ExternalSecretsController } from '../../scripts/fleet/external-secrets.ts';
import { minimalInventory } from '../helpers/inventory.ts';
import { sharedControlPlane } from '../helpers/control-plane.ts';

// The real controller (built the first time: minutes) against the test process's real control plane.
const KEY = 'monitoring/dev-1/grafana-admin';
const PASSWORD = 'correct horse battery staple';
const STORE = 'external-secrets-test';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
type WithConditions = KubeObject & { status?: { conditions?: Condition[] } };

let client: KubeClient;
let controller: ExternalSecretsController;

before(async () => {
  const plane = await sharedControlPlane();
  client = plane.client;
  controller = await startExternalSecrets({ kubeconfig: plane.kubeconfig, client, progress: (line) => console.error(line) });
});

after(async () => {
  await controller?.stop();
  for (const ref of [
    { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', namespace: 'monitoring', name: 'grafana-admin' },
    { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', namespace: 'monitoring', name: 'missing-key' },
    // No garbage collector runs on the test control plane: the owned Secret goes by hand.
    { apiVersion: 'v1', kind: 'Secret', namespace: 'monitoring', name: 'grafana-admin' },
    { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', namespace: 'monitoring', name: 'prometheus-basic-auth' },
    { apiVersion: 'v1', kind: 'Secret', namespace: 'monitoring', name: 'prometheus-basic-auth' },
    { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', name: STORE },
  ])
    await client?.delete(ref).catch(() => {});
});

const externalSecret = (name: string, key: string): KubeObject => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name, namespace: 'monitoring' },
  spec: {
    refreshInterval: '1h',
    secretStoreRef: { kind: 'ClusterSecretStore', name: STORE },
    target: { name, creationPolicy: 'Owner' },
    dataFrom: [{ extract: { key } }],
  },
});

/** The ExternalSecret's Ready condition once it has one with `status`; fails with the last condition seen. */
async function readyCondition(name: string, status: 'True' | 'False', timeoutMs = 30_000): Promise<Condition> {
  const deadline = Date.now() + timeoutMs;
  let last: Condition | undefined;
  while (Date.now() < deadline) {
    const es = await client.get<WithConditions>({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', namespace: 'monitoring', name });
    last = es.status?.conditions?.find((c) => c.type === 'Ready');
    if (last?.status === status) return last;
    await sleep(200);
  }
  assert.fail(`ExternalSecret ${name} not Ready=${status} within ${timeoutMs / 1000}s (last Ready condition: ${JSON.stringify(last)})`);
}

test('the controller started its three reconcilers against the pinned CRDs, without webhook or cert-controller', async () => {
  assert.deepEqual([...startedControllers(readFileSync(controller.logFile, 'utf8'))].sort(), ['clustersecretstore', 'externalsecret', 'secretstore']);
  const crd = await client.get<KubeObject & { spec: { conversion?: { strategy: string }; versions: { name: string; served: boolean }[] } }>({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    name: 'externalsecrets.external-secrets.io',
  });
  assert.equal(crd.spec.conversion?.strategy ?? 'None', 'None', 'no conversion webhook to run');
  assert.deepEqual(
    crd.spec.versions.filter((v) => v.served).map((v) => v.name),
    ['v1'],
  );
});

test('an ExternalSecret extracting a JSON value of a fake ClusterSecretStore becomes an owned Secret with both keys, Ready=True', async () => {
  await client.ensureNamespace('monitoring');
  await client.apply({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: STORE },
    spec: { provider: { fake: { data: [{ key: KEY, value: JSON.stringify({ 'admin-user': 'admin', 'admin-password': PASSWORD }) }] } } },
  });
  await client.apply(externalSecret('grafana-admin', KEY));
  const ready = await readyCondition('grafana-admin', 'True');
  assert.equal(ready.reason, 'SecretSynced');

  const secret = await client.get<KubeObject & { data: Record<string, string>; metadata: { ownerReferences?: { kind: string; name: string }[] } }>({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace: 'monitoring',
    name: 'grafana-admin',
  });
  const decoded = Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  assert.deepEqual(decoded, { 'admin-user': 'admin', 'admin-password': PASSWORD });
  assert.deepEqual(
    secret.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`),
    ['ExternalSecret/grafana-admin'],
    'creationPolicy Owner',
  );
  const store = await client.get<WithConditions>({ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', name: STORE });
  assert.equal(store.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
});

test('a key the store does not hold leaves the ExternalSecret Ready=False with the reason, and no Secret', async () => {
  await client.apply(externalSecret('missing-key', 'monitoring/dev-1/nope'));
  const notReady = await readyCondition('missing-key', 'False');
  assert.equal(notReady.reason, 'SecretSyncedError');
  await assert.rejects(client.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'monitoring', name: 'missing-key' }), /404/);
});

test("the generator's own ExternalSecret (keys by property, web-config.yml from the property web-config) makes the Secret the stack mounts", async () => {
  const cluster = (await minimalInventory()).clusters[0]!;
  const settings = { storeRef: { kind: 'ClusterSecretStore' as const, name: STORE } };
  const webConfig = 'basic_auth_users:\n  admin: "$2b$10$abcdefghijklmnopqrstuu"\n';
  await client.ensureNamespace('monitoring');
  await client.apply({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: STORE },
    spec: {
      provider: {
        fake: {
          data: [
            { key: KEY, value: JSON.stringify({ 'admin-user': 'admin', 'admin-password': PASSWORD }) },
            {
              key: `monitoring/${cluster.name}/prometheus-basic-auth`,
              value: JSON.stringify({ username: 'admin', password: PASSWORD, 'web-config': webConfig }),
            },
          ],
        },
      },
    },
  });
  const generated = parse(externalSecretsYaml(settings, cluster, [{ name: 'prometheus-basic-auth', keys: ['username', 'password', 'web-config.yml'] }]));
  await client.apply({ ...generated, metadata: { ...generated.metadata, namespace: 'monitoring' } });
  await readyCondition('prometheus-basic-auth', 'True');
  const secret = await client.get<KubeObject & { data: Record<string, string> }>({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace: 'monitoring',
    name: 'prometheus-basic-auth',
  });
  const decoded = Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  assert.deepEqual(decoded, { username: 'admin', password: PASSWORD, 'web-config.yml': webConfig });
});
