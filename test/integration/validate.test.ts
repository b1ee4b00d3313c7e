import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runValidate } from '../../scripts/validate/run.ts';
import { runCli } from '../helpers/cli.ts';
import { defaultFleetCopy } from '../helpers/repo.ts';
import { editedFleet, findingsOf, replaceOnce, useTestChartMirror, validateFleet } from '../helpers/validate.ts';

const RULES = 'base/prometheus/rules/node.yaml';
const RULE_TESTS = 'base/prometheus/rules/tests/node.test.yaml';

test('the default fleet validates clean: every cluster, every check', async () => {
  await useTestChartMirror();
  const report = await runValidate({ root: await defaultFleetCopy() });
  assert.deepEqual(report.findings, []);
  assert.equal(report.rendered.length, 8);
  for (const r of report.rendered) assert.ok(r.objects.length > 5, `${r.leaf.cluster.name}/${r.leaf.app} rendered ${r.objects.length} objects`);
  const serverConfig =
    report.rendered[0]!.objects.find((o) => o.kind === 'ConfigMap' && (o as { data?: Record<string, string> }).data?.['prometheus.yml']) ??
    report.rendered[1]!.objects.find((o) => o.kind === 'ConfigMap' && (o as { data?: Record<string, string> }).data?.['prometheus.yml']);
  assert.ok(
    (serverConfig as { data: Record<string, string> }).data['allow-snippet-annotations'],
    'the server ConfigMap carries a key that is not a rule file, as the real chart does',
  );
  assert.deepEqual(report.checks.map((c) => c.name).slice(0, 3), ['inventory', 'generated', 'render']);
});

test('invalid PromQL in a rule is a promtool finding naming the rule file and line', async () => {
  const root = await editedFleet({ [RULES]: replaceOnce('* 100 > 80', '* 100 >> 80') });
  const out = findingsOf(await validateFleet(root), 'promtool');
  assert.ok(
    out.some((f) => f.startsWith(`${RULES}: rule file fails promtool check rules`) && /HighCpuUsage.*could not parse expression/s.test(f)),
    out.join('\n'),
  );
});

test('a failing rule unit test is a finding', async () => {
  const root = await editedFleet({
    [RULE_TESTS]: replaceOnce(
      'description: CPU usage on node-1:9100 has been 90% for 5 minutes.',
      'description: CPU usage on node-1:9100 has been 91% for 5 minutes.',
    ),
  });
  const out = findingsOf(await validateFleet(root), 'promtool');
  assert.equal(out.length, 1, out.join('\n'));
  assert.match(out[0]!, new RegExp(`^${RULE_TESTS}: rule unit test fails:[\\s\\S]*HighCpuUsage[\\s\\S]*91%`));
});

test('a duplicate rule fails the lint', async () => {
  const duplicate =
    '      - alert: NodeExporterDown\n        expr: up{app_kubernetes_io_name="prometheus-node-exporter"} == 0\n        for: 5m\n        labels:\n          severity: critical\n';
  const root = await editedFleet({ [RULES]: (t) => t + duplicate });
  const out = findingsOf(await validateFleet(root), 'promtool');
  assert.ok(
    out.some((f) => f.startsWith(RULES) && /duplicate rule/.test(f)),
    out.join('\n'),
  );
});

test('an undefined Alertmanager receiver is an amtool finding on each cluster', async () => {
  const root = await editedFleet({
    'base/prometheus/values.yaml': replaceOnce('      receiver: slack\n      group_by', '      receiver: pager\n      group_by'),
  });
  const out = findingsOf(await validateFleet(root, ['dev-1', 'staging-1']), 'amtool');
  assert.deepEqual(
    out.map((f) => f.split('\n')[0]),
    [
      'overlays/dev/dev-1/prometheus/values.yaml [dev-1/prometheus StatefulSet/prometheus-alertmanager]: rendered Alertmanager config /etc/alertmanager/alertmanager.yml is invalid: undefined receiver "pager" used in route',
      'overlays/staging/staging-1/prometheus/values.yaml [staging-1/prometheus StatefulSet/prometheus-alertmanager]: rendered Alertmanager config /etc/alertmanager/alertmanager.yml is invalid: undefined receiver "pager" used in route',
    ],
  );
});

test('a dashboard with broken PromQL is reported with the panel', async () => {
  const root = await editedFleet({
    'base/grafana/dashboards/node-overview.json': replaceOnce(
      'node_disk_read_bytes_total{instance=~\\"$instance\\"}[5m])',
      'node_disk_read_bytes_total{instance=~\\"$instance\\"}[5m]',
    ),
  });
  const out = findingsOf(await validateFleet(root), 'dashboards');
  assert.equal(out.length, 1, out.join('\n'));
  assert.match(out[0]!, /^base\/grafana\/dashboards\/node-overview\.json: panel 'Disk I\/O' query A: PromQL does not parse/);
});

test('a plaintext Slack webhook URL is refused at its line', async () => {
  // generate refuses to copy the secret, so the tree stays as it was; validate still finds it in the values file.
  const root = await editedFleet(
    {
      'overlays/prod/prometheus.values.yaml': replaceOnce(
        'alertmanager:\n',
        'alertmanager:\n  config:\n    global:\n      slack_api_url: https://hooks.slack.com/services/T0000/B0000/abcdefabcdef\n',
      ),
    },
    { regenerate: false },
  );
  const out = findingsOf(await validateFleet(root), 'secrets');
  assert.deepEqual(
    out.map((f) => f.split('\n')[0]),
    ['overlays/prod/prometheus.values.yaml:13:22: plaintext secret: a Slack webhook URL'],
  );
});

test('a pin to a version the repository does not have is reported at the pin', async () => {
  const root = await editedFleet({ 'overlays/dev/pins.yaml': replaceOnce('version: 12.11.1', 'version: 12.99.0') });
  const report = await validateFleet(root);
  const out = findingsOf(report, 'render');
  assert.equal(out.length, 1, out.join('\n'));
  assert.match(
    out[0]!,
    /^overlays\/dev\/pins\.yaml:11:12 \[dev-1\/grafana\]: chart grafana version 12\.99\.0 is not in http:\/\/127\.0\.0\.1:\d+ \(mirror of https:\/\/grafana-community\.github\.io\/helm-charts\)/,
  );
});

test('a broken workflow file is an actionlint finding', async () => {
  const root = await editedFleet({ '.github/workflows/validate.yml': replaceOnce('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    needs: missing-job') });
  const out = findingsOf(await validateFleet(root), 'actionlint');
  assert.ok(
    out.some((f) => /^\.github\/workflows\/validate\.yml:\d+:\d+: .*missing-job/.test(f)),
    out.join('\n'),
  );
});

test('a stale generated file is a finding; the CLI exits 1 and prints the table', async () => {
  await useTestChartMirror();
  const root = await editedFleet({ 'overlays/dev/prometheus.values.yaml': (t) => `${t}  retention: 7d\n` }, { regenerate: false });
  const cli = await runCli('validate', ['--root', root, '--cluster', 'dev-1']);
  assert.equal(cli.code, 1, cli.stderr);
  assert.match(cli.stdout, /^cluster\s+env\s+app\s+resources\s+render/m);
  assert.match(cli.stdout, /^dev-1\s+dev\s+prometheus\s+\d+\s+ok/m);
  assert.match(cli.stdout, /\[generated\] overlays\/dev\/dev-1\/prometheus\/values\.yaml: stale: generate would rewrite it/);
  assert.match(cli.stdout, /not selected: prod-eu-1, prod-us-1, staging-1/);
});

test('an unreachable repository is exit 2 with what to do', async () => {
  const root = await editedFleet();
  const cli = await runCli('validate', ['--root', root, '--cluster', 'dev-1'], {
    MONITORING_GITOPS_HELM_MIRRORS:
      'https://grafana-community.github.io/helm-charts=http://127.0.0.1:9,https://prometheus-community.github.io/helm-charts=http://127.0.0.1:9',
  });
  assert.equal(cli.code, 2, cli.stdout + cli.stderr);
  assert.match(cli.stderr, /error: cannot fetch chart (prometheus|grafana) \S+ from http:\/\/127\.0\.0\.1:9 \(mirror of https:\/\/\S+\)/);
  assert.match(cli.stderr, /fix: check the network or point \S+ at a reachable mirror/);
});

test('a values change that renders an invalid object is a kubeconform finding with the field path', async () => {
  const root = await editedFleet({
    'clusters/dev-1.yaml': replaceOnce(
      '  prometheus:\n    enabled: true\n',
      '  prometheus:\n    enabled: true\n    values:\n      server:\n        resources:\n          limits:\n            memory: true\n          requets:\n            cpu: 100m\n',
    ),
  });
  const out = findingsOf(await validateFleet(root), 'kubeconform');
  assert.equal(out.length, 1, out.join('\n'));
  assert.match(
    out[0]!,
    /^overlays\/dev\/dev-1\/prometheus\/kustomization\.yaml \[dev-1\/prometheus Deployment\/prometheus-server\]: invalid apps\/v1 Deployment: /,
  );
  assert.match(out[0]!, /\/spec\/template\/spec\/containers\/1\/resources: additional properties 'requets' not allowed/);
  assert.match(out[0]!, /\/spec\/template\/spec\/containers\/1\/resources\/limits\/memory: wrong type/);
});

test('an API removed in the cluster Kubernetes version is reported for that cluster', async () => {
  const pdb = [
    'extraManifests:',
    '  - apiVersion: policy/v1beta1',
    '    kind: PodDisruptionBudget',
    '    metadata:',
    '      name: prometheus-server',
    '    spec:',
    '      minAvailable: 1',
    '      selector:',
    '        matchLabels:',
    '          app: prometheus',
  ]
    .map((l) => `      ${l}\n`)
    .join('');
  const root = await editedFleet({
    'clusters/prod-eu-1.yaml': replaceOnce('  prometheus:\n    enabled: true\n', `  prometheus:\n    enabled: true\n    values:\n${pdb}`),
  });
  const out = findingsOf(await validateFleet(root, ['prod-eu-1']), 'kubeconform');
  assert.deepEqual(
    out.map((f) => f.split('\n')[0]),
    [
      'overlays/prod/prod-eu-1/prometheus/kustomization.yaml [prod-eu-1/prometheus PodDisruptionBudget/prometheus-server]: policy/v1beta1 PodDisruptionBudget is not served by Kubernetes 1.33.5 (removed, not yet available, or an unknown CRD)',
    ],
  );
});

test('an Application edited against the Argo CD schema is caught even when generated files are stale', async () => {
  const root = await editedFleet(
    { 'apps/dev-1/children/grafana.yaml': replaceOnce('  project: monitoring-dev-1', '  project: monitoring-dev-1\n  sourc: {}') },
    { regenerate: false },
  );
  const report = await validateFleet(root);
  assert.deepEqual(
    findingsOf(report, 'generated').map((f) => f.split('\n')[0]),
    ['apps/dev-1/children/grafana.yaml: generated file was edited by hand (its checksum no longer matches); generate would overwrite it'],
  );
});

test("merged values the chart's values.schema.json rejects are a finding naming the value", async () => {
  const root = await editedFleet({ 'overlays/dev/prometheus.values.yaml': replaceOnce('server:\n', 'server:\n  retention: 5\n') });
  const out = findingsOf(await validateFleet(root), 'values-schema');
  assert.deepEqual(
    out.map((f) => f.split('\n')[0]),
    ['overlays/dev/dev-1/prometheus/values.yaml [dev-1/prometheus]: server.retention must be string (values.schema.json of prometheus 29.27.0)'],
  );
});

test('--changed-since selects only the clusters a git change affects; --json and --junit report it', async () => {
  await useTestChartMirror();
  const root = await editedFleet();
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: root, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'fleet');
  await writeFile(
    join(root, 'clusters/staging-1.yaml'),
    (await readFile(join(root, 'clusters/staging-1.yaml'), 'utf8')).replace('kubernetesVersion: 1.34.2', 'kubernetesVersion: 1.33.5'),
  );
  assert.equal((await runCli('generate', ['--root', root])).code, 0);
  const junit = join(root, 'report.xml');
  const cli = await runCli('validate', ['--root', root, '--changed-since', 'main', '--json', '--junit', junit]);
  assert.equal(cli.code, 0, cli.stderr);
  const report = JSON.parse(cli.stdout);
  assert.equal(report.ok, true);
  assert.deepEqual(
    report.leaves.map((l: { cluster: string; app: string }) => `${l.cluster}/${l.app}`),
    ['staging-1/prometheus', 'staging-1/grafana'],
  );
  assert.deepEqual(report.skippedClusters, ['dev-1', 'prod-eu-1', 'prod-us-1']);
  const xml = await readFile(junit, 'utf8');
  assert.match(xml, /<testsuite name="kubeconform" tests="2" failures="0">/);
  assert.match(xml, /<testcase classname="staging-1" name="prometheus"\/>/);
  // The generated check looks where the change reaches: a hand edit there is found, one in an untouched cluster is the full run's to find.
  git('add', '-A');
  git('commit', '-qm', 'staging-1 on 1.33');
  await writeFile(join(root, 'clusters/staging-1.yaml'), '# a note\n', { flag: 'a' });
  await writeFile(join(root, 'overlays/staging/staging-1/prometheus/values.yaml'), '# hand edit\n', { flag: 'a' });
  await writeFile(join(root, 'apps/dev-1/stray.yaml'), 'kind: Stray\n');
  const scoped = await runValidate({ root, changedSince: 'HEAD' });
  const stale = (r: { findings: { check?: string; file: string }[] }) => r.findings.filter((f) => f.check === 'generated').map((f) => f.file);
  assert.deepEqual(
    stale(scoped),
    ['overlays/staging/staging-1/prometheus/values.yaml'],
    "a new file in an untouched cluster's generated folder is not walked for",
  );
  git('add', 'apps/dev-1/stray.yaml');
  assert.deepEqual(
    stale(await runValidate({ root, changedSince: 'HEAD' })).sort(),
    ['apps/dev-1/stray.yaml', 'overlays/staging/staging-1/prometheus/values.yaml'],
    'once added to git, the diff lists it',
  );
  git('rm', '-q', '--cached', 'apps/dev-1/stray.yaml');
  git('checkout', '-q', '--', 'clusters/staging-1.yaml', 'overlays/staging/staging-1/prometheus/values.yaml');
  await writeFile(join(root, 'apps/prod-eu-1/root.yaml'), '# hand edit\n', { flag: 'a' });
  git('add', 'apps/prod-eu-1/root.yaml');
  git('commit', '-qm', 'a hand edit in an untouched cluster');
  assert.deepEqual(stale(await runValidate({ root, changedSince: 'HEAD' })), [], 'committed before the change: not looked at');
  assert.deepEqual(stale(await runValidate({ root })).sort(), ['apps/dev-1/stray.yaml', 'apps/prod-eu-1/root.yaml']);
  const badRef = await runCli('validate', ['--root', root, '--changed-since', 'no-such-ref']);
  assert.equal(badRef.code, 2);
  assert.match(
    badRef.stderr,
    /^usage error: --changed-since no-such-ref: git cannot resolve it to a commit/m,
    'a ref the user named is a usage error in every command',
  );
});

test('a cluster-scoped kind outside the AppProject whitelist is a finding, whatever its kind (built-in or a pinned CRD)', async () => {
  const flowSchema = [
    'extraManifests:',
    '  - apiVersion: flowcontrol.apiserver.k8s.io/v1',
    '    kind: FlowSchema',
    '    metadata:',
    '      name: prometheus',
    '    spec:',
    '      priorityLevelConfiguration:',
    '        name: global-default',
    '      matchingPrecedence: 5000',
    '  - apiVersion: external-secrets.io/v1',
    '    kind: ClusterSecretStore',
    '    metadata:',
    '      name: prometheus',
    '    spec:',
    '      provider:',
    '        fake:',
    '          data: [{key: a, value: b}]',
  ]
    .map((l) => `      ${l}\n`)
    .join('');
  const root = await editedFleet({
    'clusters/dev-1.yaml': replaceOnce('  prometheus:\n    enabled: true\n', `  prometheus:\n    enabled: true\n    values:\n${flowSchema}`),
  });
  const report = await validateFleet(root);
  // The ClusterSecretStore is checked against the pinned External Secrets CRD: it fits its schema.
  assert.deepEqual(findingsOf(report, 'kubeconform'), []);
  const out = findingsOf(report, 'project');
  assert.deepEqual(
    out.map((f) => f.split('\n')[0]),
    [
      "overlays/dev/dev-1/prometheus/kustomization.yaml [dev-1/prometheus ClusterSecretStore/prometheus]: cluster-scoped ClusterSecretStore is not in the AppProject's clusterResourceWhitelist; Argo CD would refuse to sync it",
      "overlays/dev/dev-1/prometheus/kustomization.yaml [dev-1/prometheus FlowSchema/prometheus]: cluster-scoped FlowSchema is not in the AppProject's clusterResourceWhitelist; Argo CD would refuse to sync it",
    ],
  );
});
