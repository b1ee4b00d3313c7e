import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { planGenerate } from '../../scripts/generate/plan.ts';
import { appCatalog, parseAppCatalog } from '../../scripts/inventory/app-catalog.ts';
import { parseValuePath, renderValues, type TemplateContext } from '../../scripts/inventory/app-templates.ts';
import { inventoryValues, schedulingValues } from '../../scripts/inventory/app-values.ts';
import { parseInventory } from '../../scripts/inventory/parse.ts';
import { derivedSchemaFiles } from '../../scripts/inventory/schemas.ts';
import { formatFinding } from '../../scripts/lib/findings.ts';
import { minimalInventory, minimalSources } from '../helpers/inventory.ts';
import { PROJECT_ROOT } from '../helpers/repo.ts';

const CATALOG = readFileSync(`${PROJECT_ROOT}/app-catalog.yaml`, 'utf8');
const problems = (text: string) => parseAppCatalog('app-catalog.yaml', text).findings.map(formatFinding);

test('the committed cluster, pins and fleet schemas are the ones app-catalog.yaml derives (npm run schemas)', () => {
  for (const f of derivedSchemaFiles()) assert.equal(f.stale, false, `${f.file} is stale: run npm run schemas`);
  const cluster = JSON.parse(readFileSync(`${PROJECT_ROOT}/schemas/cluster.schema.json`, 'utf8'));
  assert.deepEqual(
    Object.keys(cluster.properties.apps.properties),
    appCatalog().apps.map((a) => a.name),
  );
  const pins = JSON.parse(readFileSync(`${PROJECT_ROOT}/schemas/pins.schema.json`, 'utf8'));
  assert.deepEqual(
    Object.keys(pins.properties),
    appCatalog().apps.map((a) => a.name),
  );
});

test('the catalog lists the apps in sync-wave order, with the conventions of base/<app>', () => {
  const apps = appCatalog().apps;
  assert.deepEqual(
    apps.slice(0, 2).map((a) => [a.name, a.syncWave, a.folder]),
    [
      ['prometheus', 0, 'base/prometheus'],
      ['grafana', 1, 'base/grafana'],
    ],
  );
  assert.deepEqual(apps[0]!.rules, ['serverFiles', 'alerting_rules.yml']);
  assert.deepEqual(apps[0]!.alertmanager, { service: 'prometheus-alertmanager', port: 'http' });
});

test('a broken catalog is reported at its line with a fix, like the inventory', () => {
  const typo = problems(CATALOG.replace('    releaseName: grafana\n', '    relaseName: grafana\n'));
  assert.equal(typo.length, 1, typo.join('\n'));
  assert.match(typo[0]!, /^app-catalog\.yaml:\d+:5: unknown key 'relaseName' in apps\.grafana\n {4}fix: did you mean 'releaseName'\?/);
  const placeholder = problems(CATALOG.replace('root_url: https://grafana.${cluster.domain}', 'root_url: https://grafana.${cluster.domian}'));
  assert.match(placeholder.join('\n'), /^app-catalog\.yaml:\d+:\d+: unknown placeholder \$\{cluster\.domian\}\n {4}fix: use one of .*\$\{cluster\.domain\}/);
  const gateway = problems(CATALOG.replace('baseURL: https://prometheus.${cluster.domain}', 'baseURL: https://${cluster.gateway.name}'));
  assert.match(
    gateway.join('\n'),
    /\$\{cluster\.gateway\.name\} outside whenGateway: clusters without a gateway have none\n {4}fix: move the value into whenGateway/,
  );
  const optional = problems(CATALOG.replace('sectionName: ${cluster.gateway.sectionName}', 'sectionName: x-${cluster.gateway.sectionName}'));
  assert.match(optional.join('\n'), /can be absent, so it must be the whole value/);
  const requires = problems(
    CATALOG.replace('    syncWave: 1\n', '    syncWave: 1\n    requires: [prometheus, loki]\n').replace(
      '    syncWave: 0\n',
      '    syncWave: 0\n    requires: [grafana]\n',
    ),
  );
  assert.deepEqual(
    requires.map((p) => p.replace(/:\d+:\d+:/, ':L:C:')),
    [
      'app-catalog.yaml:L:C: prometheus requires grafana, which must be synced before it, but its syncWave 1 is not lower than 0\n    fix: give prometheus a syncWave above 1',
      "app-catalog.yaml:L:C: 'loki' is not an app of the catalog\n    fix: name one of prometheus, grafana" +
        (appCatalog().apps.length > 2
          ? `, ${appCatalog()
              .apps.slice(2)
              .map((a) => a.name)
              .join(', ')}`
          : ''),
    ],
  );
  const yaml = problems('apps:\n  grafana: [\n');
  assert.match(yaml[0]!, /^app-catalog\.yaml:\d+:\d+: .*\n {4}fix: fix the YAML syntax/);
});

const cluster = (gateway?: { name: string; namespace: string; sectionName?: string }): TemplateContext['cluster'] & { gateway?: typeof gateway } => ({
  name: 'c1',
  environment: 'dev',
  domain: 'c1.example.com',
  storageClass: 'fast',
  kubernetesVersion: '1.34.2',
  destination: { namespace: 'monitoring' },
  ...(gateway ? { gateway } : {}),
});

test('placeholders are replaced per cluster; a whole-value placeholder of an absent field leaves its key out', () => {
  const context: TemplateContext = { cluster: cluster({ name: 'gw', namespace: 'infra' }), app: { name: 'a', releaseName: 'rel' } };
  assert.deepEqual(
    renderValues(
      {
        host: 'x.${cluster.domain}',
        refs: [{ name: '${cluster.gateway.name}', sectionName: '${cluster.gateway.sectionName}' }],
        svc: '${app.releaseName}:9115',
        n: 3,
      },
      context,
    ),
    { host: 'x.c1.example.com', refs: [{ name: 'gw' }], svc: 'rel:9115', n: 3 },
  );
  assert.deepEqual(parseValuePath('serverFiles."alerting_rules.yml"'), ['serverFiles', 'alerting_rules.yml']);
  assert.deepEqual(parseValuePath('.'), []);
});

test('inventory values: clusterValues plus whenIngress, or whenGateway on a cluster with a gateway; scheduling at every listed path', async () => {
  const inventory = await minimalInventory();
  const [prometheus, grafana] = appCatalog().apps;
  const alpha = inventory.clusters.find((c) => c.name === 'alpha')!;
  const ingress = inventoryValues(prometheus!, alpha) as { server: Record<string, unknown> };
  assert.deepEqual(ingress.server.ingress, {
    hosts: ['prometheus.alpha.example.com'],
    tls: [{ secretName: 'prometheus-tls', hosts: ['prometheus.alpha.example.com'] }],
  });
  const routed = inventoryValues(grafana!, { ...alpha, gateway: { name: 'shared', namespace: 'infra' } });
  assert.deepEqual(routed.ingress, { enabled: false });
  assert.deepEqual(routed.route, { main: { enabled: true, hostnames: ['grafana.alpha.example.com'], parentRefs: [{ name: 'shared', namespace: 'infra' }] } });
  const scheduling = { nodeSelector: { pool: 'monitoring' } };
  assert.deepEqual(Object.keys(schedulingValues(prometheus!, scheduling)), ['server', 'alertmanager', 'kube-state-metrics', 'prometheus-pushgateway']);
  assert.deepEqual(schedulingValues(grafana!, scheduling), scheduling);
});

test('an app a cluster file leaves out runs when the catalog enables it by default, and needs its pin', async () => {
  const withoutGrafana = (t: string) => t.replace('  grafana:\n    enabled: true\n', '');
  const parsed = parseInventory(await minimalSources({ 'clusters/alpha.yaml': withoutGrafana }));
  assert.deepEqual(parsed.findings.map(formatFinding), []);
  const files = planGenerate(parsed.inventory!).map((f) => f.path);
  assert.ok(files.includes('overlays/dev/alpha/grafana/values.yaml'), 'grafana is enabled by default');
  const noPin = parseInventory(await minimalSources({ 'clusters/beta.yaml': (t) => t.replace('  grafana:\n    enabled: false\n', '') })).findings.map(
    formatFinding,
  );
  assert.deepEqual(noPin, [
    'clusters/beta.yaml:13:3: grafana is enabled by default (app-catalog.yaml) but overlays/prod/pins.yaml has no pin for it\n    fix: add grafana: {repoURL, chart, version} to overlays/prod/pins.yaml, or set apps.grafana.enabled: false',
  ]);
  assert.equal(parse(CATALOG).apps.grafana.enabledByDefault, true);
});

/** The minimal fixture with prometheus-blackbox-exporter's files, its dev pin, and `edits` on top. */
const BLACKBOX = 'prometheus-blackbox-exporter';
const blackboxSources = (edits: Record<string, (text: string) => string> = {}) =>
  minimalSources({
    'overlays/dev/pins.yaml': (t) => `${t}${BLACKBOX}:\n  repoURL: https://charts.example.com/prometheus\n  chart: ${BLACKBOX}\n  version: 11.17.2\n`,
    [`base/${BLACKBOX}/values.yaml`]: () => readFileSync(`${PROJECT_ROOT}/base/${BLACKBOX}/values.yaml`, 'utf8'),
    [`base/${BLACKBOX}/rules/blackbox.yaml`]: () => readFileSync(`${PROJECT_ROOT}/base/${BLACKBOX}/rules/blackbox.yaml`, 'utf8'),
    'clusters/alpha.yaml': (t) => `${t}  ${BLACKBOX}:\n    enabled: true\n`,
    ...edits,
  });

const planned = async (sources: Awaited<ReturnType<typeof minimalSources>>) => {
  const parsed = parseInventory(sources);
  assert.deepEqual(parsed.findings.map(formatFinding), []);
  return new Map(planGenerate(parsed.inventory!).map((f) => [f.path, parseAllDocuments(f.content)[0]!.toJS()]));
};

test('prometheus-blackbox-exporter, data only: where a cluster enables it, Prometheus scrapes it and loads its rules; nowhere else', async () => {
  const files = await planned(await blackboxSources());
  const alpha = files.get('overlays/dev/alpha/prometheus/values.yaml');
  assert.deepEqual(Object.keys(alpha.scrapeConfigs).sort(), ['blackbox-grafana', 'blackbox-prometheus']);
  const probe = alpha.scrapeConfigs['blackbox-prometheus'];
  assert.equal(probe.metrics_path, '/probe');
  assert.deepEqual(probe.params, { module: ['https_401'] });
  assert.deepEqual(probe.static_configs, [{ targets: ['https://prometheus.alpha.example.com'] }]);
  assert.deepEqual(probe.relabel_configs, [
    { source_labels: ['__address__'], target_label: '__param_target' },
    { source_labels: ['__param_target'], target_label: 'instance' },
    { target_label: '__address__', replacement: 'prometheus-blackbox-exporter.monitoring.svc:9115' },
  ]);
  assert.deepEqual(alpha.scrapeConfigs['blackbox-grafana'].static_configs, [{ targets: ['https://grafana.alpha.example.com'] }]);
  const groups = alpha.serverFiles['alerting_rules.yml'].groups;
  assert.deepEqual(
    groups.map((g: { name: string }) => g.name),
    ['cpu', 'blackbox'],
  );
  const failed = groups[1].rules.find((r: { alert: string }) => r.alert === 'BlackboxProbeFailed');
  assert.deepEqual([failed.expr, failed.for, failed.labels.severity], ['probe_success{job=~"blackbox-.+"} == 0', '5m', 'critical']);
  const exporter = files.get('overlays/dev/alpha/prometheus-blackbox-exporter/values.yaml');
  assert.equal(exporter.fullnameOverride, 'prometheus-blackbox-exporter');
  assert.deepEqual(Object.keys(exporter.config.modules).sort(), ['https_2xx', 'https_401']);
  assert.equal(files.get('apps/alpha/children/prometheus-blackbox-exporter.yaml').metadata.annotations['argocd.argoproj.io/sync-wave'], '1');
  // beta does not enable it: no leaf, no job, no rule.
  const beta = files.get('overlays/prod/beta/prometheus/values.yaml');
  assert.deepEqual(Object.keys(beta.scrapeConfigs ?? {}), []);
  assert.deepEqual(
    beta.serverFiles['alerting_rules.yml'].groups.map((g: { name: string }) => g.name),
    ['cpu'],
  );
  assert.equal(files.has('overlays/prod/beta/prometheus-blackbox-exporter/values.yaml'), false);
});

test('prometheus-blackbox-exporter probes Grafana only where it runs, and needs Prometheus on the same cluster', async () => {
  const noGrafana = await planned(
    await blackboxSources({
      'clusters/alpha.yaml': (t) => `${t.replace('  grafana:\n    enabled: true\n', '  grafana:\n    enabled: false\n')}  ${BLACKBOX}:\n    enabled: true\n`,
    }),
  );
  assert.deepEqual(Object.keys(noGrafana.get('overlays/dev/alpha/prometheus/values.yaml').scrapeConfigs).sort(), ['blackbox-prometheus']);
  const alone = parseInventory(
    await blackboxSources({
      'clusters/alpha.yaml': (t) =>
        `${t.replace(/ {2}prometheus:\n {4}enabled: true\n/, '  prometheus:\n    enabled: false\n')}  ${BLACKBOX}:\n    enabled: true\n`,
    }),
  ).findings.map(formatFinding);
  assert.equal(alone.length, 1, alone.join('\n'));
  assert.match(
    alone[0]!,
    /^clusters\/alpha\.yaml:\d+:\d+: prometheus-blackbox-exporter is enabled but needs prometheus on the same cluster \(app-catalog\.yaml: requires\), which is not enabled\n {4}fix: enable prometheus/,
  );
  const unpinned = parseInventory(await blackboxSources({ 'overlays/dev/pins.yaml': (t) => t })).findings.map(formatFinding);
  assert.match(unpinned.join('\n'), /prometheus-blackbox-exporter is enabled but overlays\/dev\/pins\.yaml has no pin for it/);
});

test('base/<app>/ holds rules only where the catalog says so', async () => {
  const { readInventorySources } = await import('../../scripts/inventory/read.ts');
  const { tempRepo } = await import('../helpers/repo.ts');
  const { MINIMAL } = await import('../helpers/inventory.ts');
  const root = await tempRepo({ [`base/${BLACKBOX}/rules/blackbox.yaml`]: 'groups: []\n', 'base/grafana/rules/x.yaml': 'groups: []\n' }, MINIMAL);
  const sources = await readInventorySources(root);
  assert.ok(sources.has(`base/${BLACKBOX}/rules/blackbox.yaml`));
  assert.deepEqual((sources.problems ?? []).map(formatFinding), [
    `base/grafana/rules: is not read: base/grafana/ holds values.yaml (prometheus: rules/ and routing-tests.yaml, grafana: dashboards/, ${BLACKBOX}: rules/), and this is a folder\n    fix: move it out of base/grafana/ (or remove it); README.md files are the only other names allowed`,
  ]);
});
