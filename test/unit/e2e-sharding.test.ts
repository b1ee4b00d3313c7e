import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configMapData, controllerEnv } from '../../scripts/fleet/argocd-config.ts';
import { checkSharding, describeShards, metricLabels, replicaView, type ReplicaView } from '../e2e/sharding.ts';

const HUB = 'https://kubernetes.default.svc';
const [DEV, PROD] = ['https://127.0.0.1:6443', 'https://127.0.0.1:7443'];
const names = new Map([
  [HUB, 'in-cluster'],
  [DEV, 'dev-1'],
  [PROD, 'prod-eu-1'],
]);
const APPS: [string, string][] = [
  ['monitoring-fleet', HUB],
  ['dev-1-root', HUB],
  ['prod-eu-1-root', HUB],
  ['dev-1-prometheus', DEV],
  ['dev-1-grafana', DEV],
  ['prod-eu-1-prometheus', PROD],
  ['prod-eu-1-grafana', PROD],
];
const expected = APPS.map(([name]) => name);

/** The metrics a replica serves for the clusters given: their Applications and their cluster caches. */
function metrics(servers: string[], health = 'Healthy'): string {
  const apps = APPS.filter(([, s]) => servers.includes(s)).map(
    ([name, s]) =>
      `argocd_app_info{autosync_enabled="true",dest_namespace="monitoring",dest_server="${s}",health_status="${health}",name="${name}",namespace="argocd",project="p",sync_status="Synced"} 1`,
  );
  const clusters = servers.map((s) => `argocd_cluster_info{k8s_version="1.34",name="${names.get(s)}",server="${s}"} 1`);
  return ['# HELP argocd_app_info Information about application.', '# TYPE argocd_app_info gauge', ...apps, ...clusters, ''].join('\n');
}
const views = (...shards: string[][]): ReplicaView[] => shards.map((servers, shard) => replicaView(shard, metrics(servers)));

test('two replicas splitting the clusters pass, and the line names each shard’s clusters', () => {
  const report = checkSharding(views([DEV], [HUB, PROD]), expected, names);
  assert.deepEqual(report.problems, []);
  assert.equal(describeShards(report), 'shard 0 → dev-1 (2 Applications); shard 1 → in-cluster, prod-eu-1 (5 Applications)');
});

test('sharding off, or both replicas on the same shard: every Application is reconciled twice', () => {
  const all = [HUB, DEV, PROD];
  const report = checkSharding(views(all, all), expected, names);
  assert.equal(report.problems.filter((p) => / is reconciled by shard 0 and shard 1$/.test(p)).length, expected.length, report.problems.join('\n'));
  assert.ok(report.problems.includes('cluster dev-1 has Applications on shard 0 and shard 1'));
});

test('replicas that disagree leave a cluster to nobody (Argo CD issue 24515), which fails', () => {
  const report = checkSharding(views([DEV], [HUB]), expected, names);
  assert.deepEqual(report.problems, [
    'prod-eu-1-prometheus is reconciled by no controller replica',
    'prod-eu-1-grafana is reconciled by no controller replica',
  ]);
});

test('a cluster cache kept by the replica that lost the cluster fails; so does an Application not Healthy', () => {
  const stale = [replicaView(0, `${metrics([DEV])}argocd_cluster_info{name="prod-eu-1",server="${PROD}"} 1\n`), replicaView(1, metrics([HUB, PROD]))];
  assert.deepEqual(checkSharding(stale, expected, names).problems, ['cluster prod-eu-1 is reconciled by shard 1 but watched by shard 0 and shard 1']);
  const progressing = [replicaView(0, metrics([DEV], 'Progressing')), replicaView(1, metrics([HUB, PROD]))];
  assert.deepEqual(checkSharding(progressing, expected, names).problems, [
    'dev-1-prometheus is Synced/Progressing on shard 0',
    'dev-1-grafana is Synced/Progressing on shard 0',
  ]);
});

test('label values are unescaped; other metrics and comments are ignored', () => {
  const text = '# TYPE x gauge\nargocd_app_info_total{name="no"} 1\nargocd_app_info{name="a\\"b",repo="x\\\\y"} 1\n';
  assert.deepEqual(metricLabels(text, 'argocd_app_info'), [{ name: 'a"b', repo: 'x\\y' }]);
});

const STATEFUL_SET = `apiVersion: apps/v1
kind: StatefulSet
spec:
  template:
    spec:
      containers:
        - name: argocd-application-controller
          env:
            - name: ARGOCD_CONTROLLER_REPLICAS
              value: "1"
            - name: ARGOCD_CONTROLLER_SHARDING_ALGORITHM
              valueFrom:
                configMapKeyRef:
                  name: argocd-cmd-params-cm
                  key: controller.sharding.algorithm
                  optional: true
`;

test("each replica gets the shipped params under the StatefulSet's variables, the replica count and its own shard", () => {
  const params = configMapData(
    'kind: ConfigMap\nmetadata: {name: argocd-cm}\ndata: {a: b}\n---\nkind: ConfigMap\nmetadata: {name: argocd-cmd-params-cm}\ndata:\n  controller.sharding.algorithm: consistent-hashing\n  server.insecure: "true"\n',
    'argocd-cmd-params-cm',
  );
  assert.deepEqual(controllerEnv(STATEFUL_SET, params, 2, 1), {
    ARGOCD_CONTROLLER_SHARDING_ALGORITHM: 'consistent-hashing',
    ARGOCD_CONTROLLER_REPLICAS: '2',
    ARGOCD_CONTROLLER_SHARD: '1',
  });
  assert.throws(() => controllerEnv(STATEFUL_SET, { 'controller.sharding.algoritm': 'legacy' }, 2, 0), /does not read: controller\.sharding\.algoritm/);
});
