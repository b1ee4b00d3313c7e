import assert from 'node:assert/strict';
import { access, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse, parseAllDocuments, parseDocument } from 'yaml';
import { run } from '../../scripts/lib/exec.ts';
import { ensureTool } from '../../scripts/tools/install.ts';
import {
  CHART_REPO_ENV,
  helmEnv,
  pinnedHelm,
  runHelm,
  seedLeafChart,
  sharedChartRepository,
  startChartRepository,
  stopSharedChartRepository,
} from '../helpers/chart-repo.ts';
import { PROJECT_ROOT } from '../helpers/repo.ts';

// Rendered Kubernetes objects are checked field by field; a loose type keeps the assertions readable.
type Obj = Record<string, any>;

const repo = await startChartRepository();
const helmHome = await mkdtemp(join(tmpdir(), 'monitoring-gitops-helm-'));
after(async () => {
  await repo.stop();
  await rm(helmHome, { recursive: true, force: true });
});
const helm = (...args: string[]) => runHelm(args, helmHome);
let kustomizePath: Promise<string> | undefined;
const kustomize = () => (kustomizePath ??= ensureTool('kustomize'));

const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding', 'Namespace', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass']);
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const id = (o: Obj) => `${o.kind}/${o.metadata?.name}`;

function one(objects: Obj[], kind: string, name: string): Obj {
  const found = objects.filter((o) => o.kind === kind && o.metadata?.name === name);
  assert.equal(found.length, 1, `expected one ${kind}/${name}; rendered: ${objects.map(id).join(', ')}`);
  return found[0]!;
}

const container = (workload: Obj, name: string): Obj => workload.spec.template.spec.containers.find((c: Obj) => c.name === name);
const envVar = (c: Obj, name: string): Obj => c.env.find((e: Obj) => e.name === name);
const parseObjects = (text: string): Obj[] =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as Obj)
    .filter((o) => o);
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Every namespaced object in `namespace`, cluster-scoped ones without a namespace. */
function assertNamespaces(objects: Obj[], namespace: string): void {
  const wrong = objects.filter((o) => (CLUSTER_SCOPED.has(o.kind) ? o.metadata.namespace !== undefined : o.metadata.namespace !== namespace));
  assert.deepEqual(
    wrong.map((o) => `${id(o)} in ${o.metadata.namespace}`),
    [],
  );
}

/** Workload selectors select their own pods; every Service selects the pods of some workload. */
function assertSelectors(objects: Obj[]): void {
  const workloads = objects.filter((o) => WORKLOADS.has(o.kind));
  for (const w of workloads) assert.ok(matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels), `${id(w)} selects its pods`);
  for (const s of objects.filter((o) => o.kind === 'Service')) {
    assert.ok(
      workloads.some((w) => matches(s.spec.selector, w.spec.template.metadata.labels)),
      `${id(s)} selects no pods`,
    );
  }
}

/** Runs `use` on a temporary copy of a committed leaf of the default fleet, removed as soon as it returns. */
async function withLeafCopy<T>(path: string, use: (leaf: string) => Promise<T>): Promise<T> {
  const leaf = await mkdtemp(join(tmpdir(), 'monitoring-gitops-leaf-'));
  try {
    await cp(join(PROJECT_ROOT, 'overlays', path), leaf, { recursive: true });
    return await use(leaf);
  } finally {
    await rm(leaf, { recursive: true, force: true });
  }
}

async function build(leaf: string): Promise<Obj[]> {
  const result = await run(await kustomize(), ['build', '--enable-helm', '--helm-command', await pinnedHelm(), leaf]);
  assert.equal(result.exitCode, 0, `kustomize build failed:\n${result.stderr}`);
  return parseObjects(result.stdout);
}

/** Points the leaf's only helmCharts entry at `version` (and optionally at another repository). */
async function repin(leaf: string, version: string, repoUrl?: string): Promise<void> {
  const file = join(leaf, 'kustomization.yaml');
  const doc = parseDocument(await readFile(file, 'utf8'));
  doc.setIn(['helmCharts', 0, 'version'], version);
  if (repoUrl) doc.setIn(['helmCharts', 0, 'repo'], repoUrl);
  await writeFile(file, doc.toString());
}

/** The status of a GET sent with exactly this path (fetch would normalise `..` away before sending). */
function statusOf(path: string): Promise<number | undefined> {
  return new Promise((done, fail) => {
    get(`${repo.url}/`, { path }, (res) => done(res.resume().statusCode)).on('error', fail);
  });
}

/** `helm template` of the packaged test chart `<app>-<version>` as release `<app>` in monitoring, with `args` (--set …). */
async function template(app: 'prometheus' | 'grafana', version: string, ...args: string[]): Promise<Obj[]> {
  const chart = join(repo.dir, `${app}-${version}.tgz`);
  return parseObjects(await helm('template', app, chart, '--namespace', 'monitoring', '--kube-version', '1.34.2', ...args));
}

const PROMETHEUS_VERSIONS = ['29.27.0', '29.28.0'];
const GRAFANA_VERSIONS = ['12.11.1', '12.12.0'];
/** Only the server of the prometheus chart (the subcharts stay out of these renders). */
const SERVER_ONLY = ['alertmanager', 'kube-state-metrics', 'prometheus-node-exporter', 'prometheus-pushgateway'].flatMap((c) => [
  '--set',
  `${c}.enabled=false`,
]);
const RELOADER = 'prometheus-server-configmap-reload';

let prometheusRender: Promise<Obj[]> | undefined;

/**
 * prod-us-1's Prometheus leaf built with the pre-pulled chart 29.27.0 (once; several tests read it). The leaf
 * still names the upstream repository, unreachable here: the build passing shows kustomize used the seeded chart.
 */
function prometheusLeaf(): Promise<Obj[]> {
  prometheusRender ??= withLeafCopy('prod/prod-us-1/prometheus', async (leaf) => {
    await seedLeafChart(leaf, { repo: repo.url, name: 'prometheus', version: '29.27.0' });
    return build(leaf);
  });
  return prometheusRender;
}

test('the repository serves index.yaml and the packaged charts over HTTP', async () => {
  const index = await fetch(`${repo.url}/index.yaml`);
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'application/x-yaml');
  const entries = parse(await index.text()).entries as Record<string, Obj[]>;
  const versions = (name: string) => entries[name]!.map((e) => e.version).sort();
  assert.deepEqual(versions('prometheus'), ['29.27.0', '29.28.0']);
  assert.deepEqual(versions('grafana'), ['12.11.1', '12.12.0']);
  assert.deepEqual(versions('prometheus-blackbox-exporter'), ['11.17.2']);
  const url = entries.prometheus!.find((e) => e.version === '29.27.0')!.urls[0];
  assert.equal(url, `${repo.url}/prometheus-29.27.0.tgz`);
  const tgz = await fetch(url);
  assert.equal(tgz.status, 200);
  assert.equal(tgz.headers.get('content-type'), 'application/gzip');
  assert.ok((await tgz.arrayBuffer()).byteLength > 1000);
  for (const missing of ['/prometheus-9.9.9.tgz', '/', '/../../../etc/hostname', '/%2e%2e/%2e%2e/etc/hostname'])
    assert.equal(await statusOf(missing), 404, missing);
});

test("sharedChartRepository uses the runner's repository, else starts one per process", async (t) => {
  const fromRunner = process.env[CHART_REPO_ENV];
  t.after(() => {
    if (fromRunner === undefined) delete process.env[CHART_REPO_ENV];
    else process.env[CHART_REPO_ENV] = fromRunner;
  });
  process.env[CHART_REPO_ENV] = 'http://127.0.0.1:9/charts/';
  assert.equal(await sharedChartRepository(), 'http://127.0.0.1:9/charts');
  delete process.env[CHART_REPO_ENV];
  const url = await sharedChartRepository();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(await sharedChartRepository(), url, 'started once');
  assert.equal((await fetch(`${url}/index.yaml`)).status, 200);
  await stopSharedChartRepository();
});

test("helm searches and pulls from it; an unknown version fails with helm's message", async () => {
  await helm('repo', 'add', 'test', repo.url);
  const found = JSON.parse(await helm('search', 'repo', 'test/', '--versions', '--output', 'json')) as Obj[];
  const names = found.map((c) => `${c.name}@${c.version} (${c.app_version})`).sort();
  assert.deepEqual(names, [
    'test/grafana@12.11.1 (13.2.0)',
    'test/grafana@12.12.0 (13.3.0)',
    'test/prometheus-blackbox-exporter@11.17.2 (v0.28.0)',
    'test/prometheus@29.27.0 (v3.14.0)',
    'test/prometheus@29.28.0 (v3.15.0)',
  ]);
  const dest = join(helmHome, 'pulled');
  await mkdir(dest);
  await helm('pull', '--repo', repo.url, 'prometheus', '--version', '29.27.0', '--destination', dest);
  await access(join(dest, 'prometheus-29.27.0.tgz'));
  const missing = await run(await pinnedHelm(), ['pull', '--repo', repo.url, 'prometheus', '--version', '9.9.9', '--destination', dest], {
    env: helmEnv(helmHome),
  });
  assert.notEqual(missing.exitCode, 0);
  assert.match(missing.stderr, /chart "prometheus" version "9\.9\.9" not found in http:\/\/127\.0\.0\.1:\d+ repository/);
});

test('every packaged chart puts namespaced objects in the release namespace and selects its own pods', async () => {
  // The blackbox exporter runs on no cluster of the default fleet: its base values stand in for a leaf's.
  const values = {
    prometheus: 'overlays/prod/prod-us-1/prometheus/values.yaml',
    grafana: 'overlays/dev/dev-1/grafana/values.yaml',
    'prometheus-blackbox-exporter': 'base/prometheus-blackbox-exporter/values.yaml',
  };
  // Turn on what the fleet leaves off (pushgateway, the generated admin Secret) so every template renders,
  // and inject one object through each chart's extra-objects list (a map in one, a string in the other).
  const injected = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{ .Release.Name }}-extra","namespace":"{{ .Release.Namespace }}"}}';
  const extra = {
    prometheus: ['--set', 'prometheus-pushgateway.enabled=true', '--set-json', `extraManifests=[${injected}]`],
    grafana: ['--set', 'admin.existingSecret=', '--set-json', `extraObjects=[${JSON.stringify(injected)}]`],
    'prometheus-blackbox-exporter': ['--set-json', `extraManifests=[${injected}]`],
  };
  const packages = (await readdir(repo.dir)).filter((f) => f.endsWith('.tgz'));
  assert.equal(packages.length, 5);
  for (const pkg of packages) {
    const app = pkg.startsWith('grafana') ? 'grafana' : pkg.startsWith('prometheus-blackbox-exporter') ? 'prometheus-blackbox-exporter' : 'prometheus';
    const args = ['template', app, join(repo.dir, pkg), '--namespace', 'elsewhere', '--kube-version', '1.34.2'];
    const objects = parseObjects(await helm(...args, '-f', join(PROJECT_ROOT, values[app]), ...extra[app]));
    assert.ok(objects.length > (app === 'prometheus-blackbox-exporter' ? 4 : 8), `${pkg} renders ${objects.length} objects`);
    one(objects, 'ConfigMap', `${app}-extra`);
    assertNamespaces(objects, 'elsewhere');
    assertSelectors(objects);
  }
});

test('prod-us-1 Prometheus on chart 29.27.0: rules, global settings, scrape jobs and alerting in prometheus.yml', async () => {
  const objects = await prometheusLeaf();
  assertNamespaces(objects, 'monitoring');
  assertSelectors(objects);
  const files = one(objects, 'ConfigMap', 'prometheus-server').data;
  const rules = parse(files['alerting_rules.yml']).groups.flatMap((g: Obj) => g.rules);
  const cpu = rules.find((r: Obj) => r.alert === 'HighCpuUsage');
  assert.equal(cpu.for, '5m');
  assert.match(cpu.expr, /> 80$/);
  const config = parse(files['prometheus.yml']);
  assert.deepEqual(config.global, {
    scrape_interval: '1m',
    scrape_timeout: '10s',
    evaluation_interval: '1m',
    external_labels: { cluster: 'prod-us-1', environment: 'prod' },
  });
  assert.ok(config.rule_files.includes('/etc/config/alerting_rules.yml'));
  const endpoints = config.scrape_configs.find((j: Obj) => j.job_name === 'kubernetes-service-endpoints');
  assert.ok(
    endpoints.relabel_configs.some((r: Obj) => r.action === 'labelmap' && r.regex === '__meta_kubernetes_service_label_(.+)'),
    'service labels become target labels (NodeExporterDown relies on it)',
  );
  assert.deepEqual(config.alerting.alertmanagers[0].static_configs[0].targets, ['prometheus-alertmanager.monitoring.svc:9093']);
  const nodeExporter = one(objects, 'Service', 'prometheus-prometheus-node-exporter');
  assert.equal(nodeExporter.metadata.labels['app.kubernetes.io/name'], 'prometheus-node-exporter');
  assert.equal(nodeExporter.metadata.annotations['prometheus.io/scrape'], 'true');
  one(objects, 'DaemonSet', 'prometheus-prometheus-node-exporter');
  one(objects, 'Deployment', 'prometheus-kube-state-metrics');
  assert.ok(!objects.some((o) => o.metadata.name.includes('pushgateway')), 'pushgateway is disabled');
});

test('prod-us-1 Prometheus on chart 29.27.0: volume, Recreate Deployment with WAL compression, Service and Ingress', async () => {
  const objects = await prometheusLeaf();
  const pvc = one(objects, 'PersistentVolumeClaim', 'prometheus-server').spec;
  assert.deepEqual([pvc.resources.requests.storage, pvc.storageClassName, pvc.accessModes], ['16Gi', 'openebs-hostpath', ['ReadWriteOnce']]);
  const server = one(objects, 'Deployment', 'prometheus-server');
  assert.equal(server.spec.strategy.type, 'Recreate');
  assert.deepEqual(
    server.spec.template.spec.containers.map((c: Obj) => c.name),
    [RELOADER, 'prometheus-server'],
    'the config reloader comes first, as in the real chart',
  );
  assert.ok(server.spec.template.spec.volumes.some((v: Obj) => v.persistentVolumeClaim?.claimName === 'prometheus-server'));
  const prom = container(server, 'prometheus-server');
  assert.equal(prom.image, 'quay.io/prometheus/prometheus:v3.14.0');
  for (const arg of ['--storage.tsdb.wal-compression', '--storage.tsdb.retention.time=15d', '--web.external-url=https://prometheus.prod-us-1.example.com'])
    assert.ok(prom.args.includes(arg), arg);
  assert.equal(one(objects, 'Service', 'prometheus-server').spec.ports[0].port, 80, "Grafana's datasource is http://prometheus-server");
  const ingress = one(objects, 'Ingress', 'prometheus-server');
  assert.equal(ingress.metadata.annotations['cert-manager.io/cluster-issuer'], 'letsencrypt-prod');
  assert.equal(ingress.spec.rules[0].host, 'prometheus.prod-us-1.example.com');
  assert.deepEqual(ingress.spec.tls, [{ hosts: ['prometheus.prod-us-1.example.com'], secretName: 'prometheus-tls' }]);
  assert.deepEqual(ingress.spec.rules[0].http.paths[0].backend, { service: { name: 'prometheus-server', port: { number: 80 } } });
});

test('prod-us-1 Prometheus on chart 29.27.0: Alertmanager sends to Slack with the webhook read from the mounted Secret', async () => {
  const objects = await prometheusLeaf();
  const alertmanager = parse(one(objects, 'ConfigMap', 'prometheus-alertmanager').data['alertmanager.yml']);
  assert.equal(alertmanager.route.receiver, 'slack');
  const slack = alertmanager.receivers.find((r: Obj) => r.name === 'slack').slack_configs[0];
  assert.equal(slack.api_url_file, '/etc/alertmanager/secrets/slack-webhook-url');
  assert.equal(slack.text, '{{ range .Alerts }}{{ .Annotations.summary }}{{ "\\n" }}{{ end }}', 'Alertmanager templates reach the config untouched');
  const statefulSet = one(objects, 'StatefulSet', 'prometheus-alertmanager');
  assert.ok(statefulSet.spec.template.spec.volumes.some((v: Obj) => v.secret?.secretName === 'alertmanager-receivers'));
  assert.ok(container(statefulSet, 'alertmanager').volumeMounts.some((m: Obj) => m.mountPath === '/etc/alertmanager/secrets' && m.readOnly));
  const claim = statefulSet.spec.volumeClaimTemplates[0].spec;
  assert.deepEqual([claim.resources.requests.storage, claim.storageClassName], ['2Gi', 'openebs-hostpath']);
});

test('the same Prometheus values on chart 29.28.0 (pulled by kustomize itself) show the upgrade', async () => {
  const before = await prometheusLeaf();
  const objects = await withLeafCopy('prod/prod-us-1/prometheus', async (leaf) => {
    await repin(leaf, '29.28.0', repo.url);
    const built = await build(leaf);
    await access(join(leaf, 'charts/prometheus-29.28.0/prometheus/Chart.yaml'));
    return built;
  });
  assertNamespaces(objects, 'monitoring');
  assert.ok(!before.some((o) => o.kind === 'PodDisruptionBudget'));
  const pdb = one(objects, 'PodDisruptionBudget', 'prometheus-server');
  const server = one(objects, 'Deployment', 'prometheus-server');
  assert.deepEqual(pdb.spec.selector.matchLabels, server.spec.selector.matchLabels);
  assert.equal(container(server, 'prometheus-server').image, 'quay.io/prometheus/prometheus:v3.15.0');
  assert.equal(server.metadata.labels['app.kubernetes.io/managed-by'], 'Helm');
  assert.equal(one(before, 'Deployment', 'prometheus-server').metadata.labels['app.kubernetes.io/managed-by'], undefined);
  assert.equal(one(objects, 'PersistentVolumeClaim', 'prometheus-server').spec.resources.requests.storage, '16Gi');
});

test('both Prometheus charts run the config reloader before the server: its reload URL, env, args and the config volume read-only', async () => {
  for (const version of PROMETHEUS_VERSIONS) {
    const byDefault = one(await template('prometheus', version, ...SERVER_ONLY), 'Deployment', 'prometheus-server');
    assert.deepEqual(
      byDefault.spec.template.spec.containers.map((c: Obj) => c.name),
      [RELOADER, 'prometheus-server'],
      version,
    );
    assert.deepEqual(container(byDefault, RELOADER), {
      name: RELOADER,
      image: 'quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1',
      imagePullPolicy: 'IfNotPresent',
      args: ['--watched-dir=/etc/config', '--listen-address=0.0.0.0:8080', '--reload-url=http://127.0.0.1:9090/-/reload'],
      ports: [{ containerPort: 8080, name: 'metrics' }],
      livenessProbe: { httpGet: { path: '/healthz', port: 'metrics', scheme: 'HTTP' }, periodSeconds: 10, initialDelaySeconds: 2 },
      readinessProbe: { httpGet: { path: '/healthz', port: 'metrics', scheme: 'HTTP' }, periodSeconds: 10 },
      volumeMounts: [{ name: 'config-volume', mountPath: '/etc/config', readOnly: true }],
    });
    const prefixed = one(await template('prometheus', version, ...SERVER_ONLY, '--set', 'server.prefixURL=/prom'), 'Deployment', 'prometheus-server');
    assert.ok(container(prefixed, RELOADER).args.includes('--reload-url=http://127.0.0.1:9090/prom/-/reload'), 'the default URL follows prefixURL');

    // A reload URL of one's own, and env (literal and from a Secret) for the reloader alone.
    const env = [
      { name: 'RELOAD_USER', value: 'reloader' },
      { name: 'RELOAD_PASSWORD', valueFrom: { secretKeyRef: { name: 'prometheus-web-config', key: 'password' } } },
    ];
    const custom = await template(
      'prometheus',
      version,
      ...SERVER_ONLY,
      ...['--set', 'configmapReload.reloadUrl=http://localhost:9090/-/reload'],
      ...['--set-json', `configmapReload.env=${JSON.stringify(env)}`],
      ...['--set', 'configmapReload.prometheus.extraArgs.log-level=debug', '--set', 'configmapReload.prometheus.extraArgs.watch-interval='],
      ...['--set-json', 'configmapReload.prometheus.extraVolumeDirs=["/etc/prometheus/web"]'],
      ...['--set-json', 'configmapReload.prometheus.extraVolumeMounts=[{"name":"web-config","mountPath":"/etc/prometheus/web","readOnly":true}]'],
    );
    const reloader = container(one(custom, 'Deployment', 'prometheus-server'), RELOADER);
    assert.equal(container(one(custom, 'Deployment', 'prometheus-server'), 'prometheus-server').env, undefined, 'the server gets none of it');
    assert.deepEqual(reloader.args, [
      '--watched-dir=/etc/config',
      '--listen-address=0.0.0.0:8080',
      '--reload-url=http://localhost:9090/-/reload',
      '--log-level=debug',
      '--watch-interval',
      '--watched-dir=/etc/prometheus/web',
    ]);
    assert.deepEqual(reloader.env, env);
    assert.deepEqual(reloader.volumeMounts, [
      { name: 'config-volume', mountPath: '/etc/config', readOnly: true },
      { name: 'web-config', mountPath: '/etc/prometheus/web', readOnly: true },
    ]);

    const off = one(
      await template('prometheus', version, ...SERVER_ONLY, '--set', 'configmapReload.prometheus.enabled=false'),
      'Deployment',
      'prometheus-server',
    );
    assert.deepEqual(
      off.spec.template.spec.containers.map((c: Obj) => c.name),
      ['prometheus-server'],
    );
  }
});

test('the Prometheus server probes: HTTP GETs with the scheme and headers, or only a TCP connection to the same port', async () => {
  for (const version of PROMETHEUS_VERSIONS) {
    const server = (...args: string[]) =>
      template('prometheus', version, ...SERVER_ONLY, ...args).then((o) => container(one(o, 'Deployment', 'prometheus-server'), 'prometheus-server'));
    const plain = await server();
    assert.deepEqual(plain.ports, [{ containerPort: 9090 }]);
    assert.deepEqual(plain.readinessProbe, {
      httpGet: { path: '/-/ready', port: 9090, scheme: 'HTTP' },
      initialDelaySeconds: 30,
      periodSeconds: 5,
      timeoutSeconds: 4,
      failureThreshold: 3,
      successThreshold: 1,
    });
    assert.deepEqual(plain.livenessProbe, {
      httpGet: { path: '/-/healthy', port: 9090, scheme: 'HTTP' },
      initialDelaySeconds: 30,
      periodSeconds: 15,
      timeoutSeconds: 10,
      failureThreshold: 3,
      successThreshold: 1,
    });
    assert.equal(plain.startupProbe, undefined);

    const header = { name: 'Authorization', value: 'Basic cHJvbWV0aGV1czpzZWNyZXQ=' };
    const authed = await server(
      '--set',
      'server.probeScheme=HTTPS',
      '--set-json',
      `server.probeHeaders=[${JSON.stringify(header)}]`,
      '--set',
      'server.readinessProbeTimeout=7',
    );
    assert.deepEqual(authed.readinessProbe.httpGet, { path: '/-/ready', port: 9090, scheme: 'HTTPS', httpHeaders: [header] });
    assert.deepEqual(authed.livenessProbe.httpGet, { path: '/-/healthy', port: 9090, scheme: 'HTTPS', httpHeaders: [header] });
    assert.equal(authed.readinessProbe.timeoutSeconds, 7);

    const tcp = await server('--set', 'server.tcpSocketProbeEnabled=true', '--set', 'server.startupProbe.enabled=true', '--set', 'server.portName=web');
    assert.deepEqual(tcp.ports, [{ containerPort: 9090, name: 'web' }]);
    assert.deepEqual(tcp.readinessProbe, {
      tcpSocket: { port: 'web' },
      initialDelaySeconds: 30,
      periodSeconds: 5,
      timeoutSeconds: 4,
      failureThreshold: 3,
      successThreshold: 1,
    });
    assert.deepEqual(tcp.livenessProbe, {
      tcpSocket: { port: 'web' },
      initialDelaySeconds: 30,
      periodSeconds: 15,
      timeoutSeconds: 10,
      failureThreshold: 3,
      successThreshold: 1,
    });
    assert.deepEqual(tcp.startupProbe, { tcpSocket: { port: 'web' }, failureThreshold: 30, periodSeconds: 5, timeoutSeconds: 10 });
  }
});

test('the Prometheus web config Secret mounts like the real chart: subPath and readOnly always written, optional on the volume', async () => {
  const mounts = [
    { name: 'web-config', secretName: 'prometheus-web-config', mountPath: '/etc/prometheus/web', readOnly: true },
    { name: 'web-tls', secretName: 'prometheus-tls', mountPath: '/etc/prometheus/tls/tls.crt', subPath: 'tls.crt', optional: true },
  ];
  for (const version of PROMETHEUS_VERSIONS) {
    const server = one(
      await template('prometheus', version, ...SERVER_ONLY, '--set-json', `server.extraSecretMounts=${JSON.stringify(mounts)}`),
      'Deployment',
      'prometheus-server',
    );
    const named = (list: Obj[]) => list.filter((m) => m.name.startsWith('web-'));
    assert.deepEqual(named(container(server, 'prometheus-server').volumeMounts), [
      { name: 'web-config', mountPath: '/etc/prometheus/web', subPath: null, readOnly: true },
      { name: 'web-tls', mountPath: '/etc/prometheus/tls/tls.crt', subPath: 'tls.crt', readOnly: null },
    ]);
    assert.deepEqual(named(server.spec.template.spec.volumes), [
      { name: 'web-config', secret: { secretName: 'prometheus-web-config' } },
      { name: 'web-tls', secret: { secretName: 'prometheus-tls', optional: true } },
    ]);
    assert.deepEqual(named(container(server, RELOADER).volumeMounts), [], 'the reloader mounts only the config volume');
  }
});

test('server.route renders one HTTPRoute to the Prometheus Service per enabled entry, parentRefs and hostnames as given', async () => {
  const parentRefs = [{ name: 'public', namespace: 'gateway', sectionName: 'https' }];
  for (const version of PROMETHEUS_VERSIONS) {
    assert.deepEqual(
      (await template('prometheus', version, ...SERVER_ONLY)).filter((o) => o.kind === 'HTTPRoute'),
      [],
      'none by default',
    );
    const objects = await template(
      'prometheus',
      version,
      ...SERVER_ONLY,
      ...['--set', 'server.route.main.enabled=true', '--set', 'server.route.main.labels.exposure=public'],
      ...['--set-json', `server.route.main.parentRefs=${JSON.stringify(parentRefs)}`],
      ...['--set-json', 'server.route.main.hostnames=["prometheus.{{ .Release.Namespace }}.example.com"]'],
    );
    assertNamespaces(objects, 'monitoring');
    const route = one(objects, 'HTTPRoute', 'prometheus-server');
    assert.equal(one(objects, 'Service', 'prometheus-server').spec.ports[0].port, 80, 'the port the route sends to');
    assert.equal(route.apiVersion, 'gateway.networking.k8s.io/v1');
    assert.equal(route.metadata.labels['app.kubernetes.io/component'], 'server');
    assert.equal(route.metadata.labels.exposure, 'public');
    assert.deepEqual(route.spec, {
      parentRefs,
      hostnames: ['prometheus.monitoring.example.com'],
      rules: [{ backendRefs: [{ name: 'prometheus-server', port: 80 }], matches: [{ path: { type: 'PathPrefix', value: '/' } }] }],
    });

    const redirect = await template(
      'prometheus',
      version,
      ...SERVER_ONLY,
      '--set',
      'server.route.main.enabled=true',
      '--set',
      'server.route.main.httpsRedirect=true',
    );
    assert.deepEqual(one(redirect, 'HTTPRoute', 'prometheus-server').spec.rules, [
      { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] },
    ]);
  }
});

test('the dev-1 Grafana leaf renders with chart 12.11.1: no generated Secret, datasource, dashboards, storage', async () => {
  const objects = await withLeafCopy('dev/dev-1/grafana', async (leaf) => {
    await seedLeafChart(leaf, { repo: repo.url, name: 'grafana', version: '12.11.1' });
    return build(leaf);
  });
  assertNamespaces(objects, 'monitoring');
  assertSelectors(objects);
  assert.deepEqual(objects.filter((o) => o.kind === 'Secret').map(id), [], 'admin.existingSecret is set: the chart must not generate a password');
  const grafana = one(objects, 'Deployment', 'grafana');
  assert.equal(grafana.spec.strategy.type, 'Recreate');
  assert.deepEqual(envVar(container(grafana, 'grafana'), 'GF_SECURITY_ADMIN_PASSWORD').valueFrom.secretKeyRef, {
    name: 'grafana-admin',
    key: 'admin-password',
  });
  assert.equal(container(grafana, 'grafana').image, 'docker.io/grafana/grafana:13.2.0');

  const config = one(objects, 'ConfigMap', 'grafana').data;
  const datasource = parse(config['datasources.yaml']).datasources[0];
  assert.deepEqual([datasource.url, datasource.uid, datasource.isDefault], ['http://prometheus-server', 'prometheus', true]);
  assert.match(config['grafana.ini'], /^\[server\]\n(.+\n)*root_url = https:\/\/grafana\.dev-1\.example\.com$/m);

  const dashboards = one(objects, 'ConfigMap', 'grafana-dashboard-node-overview');
  assert.equal(JSON.parse(dashboards.data['node-overview.json']).uid, 'node-overview');
  const sidecar = container(grafana, 'grafana-sc-dashboard');
  assert.equal(
    dashboards.metadata.labels[envVar(sidecar, 'LABEL').value],
    envVar(sidecar, 'LABEL_VALUE').value,
    'the sidecar picks up the dashboard ConfigMap',
  );

  const pvc = one(objects, 'PersistentVolumeClaim', 'grafana').spec;
  assert.deepEqual([pvc.storageClassName, pvc.resources.requests.storage], ['openebs-hostpath', '10Gi']);
  const ingress = one(objects, 'Ingress', 'grafana');
  assert.equal(ingress.spec.rules[0].host, 'grafana.dev-1.example.com');
  assert.deepEqual(ingress.spec.tls, [{ hosts: ['grafana.dev-1.example.com'], secretName: 'grafana-tls' }]);
});

test('without admin.existingSecret Grafana 12.12.0 renders a new random admin password every time (the drift trap)', async () => {
  const [first, second] = await withLeafCopy('dev/dev-1/grafana', async (leaf) => {
    const values = parseDocument(await readFile(join(leaf, 'values.yaml'), 'utf8'));
    values.delete('admin');
    await writeFile(join(leaf, 'values.yaml'), values.toString());
    await seedLeafChart(leaf, { repo: repo.url, name: 'grafana', version: '12.12.0' });
    await repin(leaf, '12.12.0');
    return [await build(leaf), await build(leaf)];
  });
  const password = (objects: Obj[]) => one(objects, 'Secret', 'grafana').data['admin-password'];
  assert.notEqual(password(first), password(second));
  const grafana = container(one(first, 'Deployment', 'grafana'), 'grafana');
  assert.equal(envVar(grafana, 'GF_SECURITY_ADMIN_PASSWORD').valueFrom.secretKeyRef.name, 'grafana');
  assert.equal(grafana.image, 'docker.io/grafana/grafana:13.3.0');
});

test('Grafana takes env vars from envValueFrom (after its own, before env) and mounts extraSecretMounts like the real chart', async () => {
  const envValueFrom = {
    GF_DATASOURCE_PROMETHEUS_PASSWORD: { secretKeyRef: { name: '{{ .Release.Name }}-prometheus-basic-auth', key: 'password' } },
    GF_DATASOURCE_PROMETHEUS_USER: { configMapKeyRef: { name: 'prometheus-basic-auth', key: 'user', optional: true } },
  };
  const mounts = [
    { name: 'prometheus-ca', secretName: 'prometheus-tls', mountPath: '/etc/grafana/prometheus-ca.crt', subPath: 'ca.crt', readOnly: true },
    { name: 'plain', secretName: 'grafana-files', mountPath: '/etc/secrets', defaultMode: 288, optional: true },
  ];
  for (const version of GRAFANA_VERSIONS) {
    const objects = await template(
      'grafana',
      version,
      ...['--set', 'admin.existingSecret=grafana-admin', '--set', 'env.GF_LOG_LEVEL=debug'],
      ...['--set-json', `envValueFrom=${JSON.stringify(envValueFrom)}`, '--set-json', `extraSecretMounts=${JSON.stringify(mounts)}`],
    );
    const deployment = one(objects, 'Deployment', 'grafana');
    const grafana = container(deployment, 'grafana');
    assert.deepEqual(
      grafana.env.map((e: Obj) => e.name),
      [
        'GF_SECURITY_ADMIN_USER',
        'GF_SECURITY_ADMIN_PASSWORD',
        'GF_PATHS_DATA',
        'GF_DATASOURCE_PROMETHEUS_PASSWORD',
        'GF_DATASOURCE_PROMETHEUS_USER',
        'GF_LOG_LEVEL',
      ],
      version,
    );
    assert.deepEqual(envVar(grafana, 'GF_DATASOURCE_PROMETHEUS_PASSWORD').valueFrom, {
      secretKeyRef: { name: 'grafana-prometheus-basic-auth', key: 'password' },
    });
    assert.deepEqual(envVar(grafana, 'GF_DATASOURCE_PROMETHEUS_USER').valueFrom, envValueFrom.GF_DATASOURCE_PROMETHEUS_USER);

    const names = new Set(mounts.map((m) => m.name));
    assert.deepEqual(
      grafana.volumeMounts.filter((m: Obj) => names.has(m.name)),
      [
        { name: 'prometheus-ca', mountPath: '/etc/grafana/prometheus-ca.crt', readOnly: true, subPath: 'ca.crt' },
        { name: 'plain', mountPath: '/etc/secrets', readOnly: null, subPath: null },
      ],
    );
    assert.deepEqual(
      deployment.spec.template.spec.volumes.filter((v: Obj) => names.has(v.name)),
      [
        { name: 'prometheus-ca', secret: { secretName: 'prometheus-tls', defaultMode: null } },
        { name: 'plain', secret: { secretName: 'grafana-files', defaultMode: 288, optional: true } },
      ],
    );
  }
});

test('Grafana route renders an HTTPRoute per enabled entry to the grafana Service, parentRefs and hostnames as given', async () => {
  const parentRefs = [{ name: 'public', namespace: 'gateway', sectionName: 'https' }];
  for (const version of GRAFANA_VERSIONS) {
    const base = ['--set', 'admin.existingSecret=grafana-admin'];
    assert.deepEqual(
      (await template('grafana', version, ...base)).filter((o) => o.kind === 'HTTPRoute'),
      [],
      'none by default',
    );
    const objects = await template(
      'grafana',
      version,
      ...base,
      ...['--set', 'route.main.enabled=true', '--set-json', `route.main.parentRefs=${JSON.stringify(parentRefs)}`],
      ...['--set-json', 'route.main.hostnames=["grafana.{{ .Release.Namespace }}.example.com"]', '--set', 'route.main.timeouts.request=30s'],
      ...[
        '--set',
        'route.redirect.enabled=true',
        '--set',
        'route.redirect.httpsRedirect=true',
        '--set-json',
        'route.redirect.hostnames=["grafana.example.com"]',
      ],
    );
    assertNamespaces(objects, 'monitoring');
    const route = one(objects, 'HTTPRoute', 'grafana');
    assert.equal(one(objects, 'Service', 'grafana').spec.ports[0].port, 80, 'the port the route sends to');
    assert.equal(route.apiVersion, 'gateway.networking.k8s.io/v1');
    assert.deepEqual(route.spec, {
      parentRefs,
      hostnames: ['grafana.monitoring.example.com'],
      rules: [
        {
          backendRefs: [{ name: 'grafana', port: 80, group: '', kind: 'Service', weight: 1 }],
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          timeouts: { request: '30s' },
        },
      ],
    });
    const redirect = one(objects, 'HTTPRoute', 'grafana-redirect');
    assert.deepEqual(redirect.spec, {
      hostnames: ['grafana.example.com'],
      rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
    });
  }
});
