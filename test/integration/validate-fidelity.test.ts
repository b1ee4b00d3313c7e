import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planGenerate } from '../../scripts/generate/plan.ts';
import { readMirrorMap } from '../../scripts/inventory/mirrors.ts';
import { readInventory } from '../../scripts/inventory/read.ts';
import { leafSpecs } from '../../scripts/render/leaves.ts';
import { parseObjects, renderLeaves } from '../../scripts/render/render.ts';
import { ensureTools } from '../../scripts/tools/install.ts';
import type { K8sObject } from '../../scripts/lib/k8s.ts';
import { runCli } from '../helpers/cli.ts';
import { editedFleet, findingsOf, replaceOnce, useTestChartMirror, validateFleet } from '../helpers/validate.ts';

const withClusterValues = (prometheus: string, grafana = '') =>
  replaceOnce(
    '  prometheus:\n    enabled: true\n  grafana:\n    enabled: true\n',
    `  prometheus:\n    enabled: true\n    values:\n${prometheus}  grafana:\n    enabled: true\n${grafana ? `    values:\n${grafana}` : ''}`,
  );

test('a values typo is a finding at the line that set it, with the key the chart has', async () => {
  await useTestChartMirror();
  const root = await editedFleet({
    'clusters/dev-1.yaml': withClusterValues(
      '      server:\n        retenion: 30d\n      alertmanager:\n        persistance:\n          size: 1Gi\n',
      '      persistence:\n        sise: 5Gi\n',
    ),
  });
  const cli = await runCli('validate', ['--root', root, '--cluster', 'dev-1']);
  assert.equal(cli.code, 1, cli.stderr);
  const lines = cli.stdout.split('\n').filter((l) => l.startsWith('[values-keys]'));
  assert.deepEqual(lines, [
    '[values-keys] clusters/dev-1.yaml:18:9 [dev-1/prometheus]: server.retenion is not a value of chart prometheus 29.27.0 (nothing under server reads it); did you mean server.retention?',
    '[values-keys] clusters/dev-1.yaml:20:9 [dev-1/prometheus]: alertmanager.persistance is not a value of chart prometheus 29.27.0 (nothing under alertmanager reads it); did you mean alertmanager.persistence?',
    '[values-keys] clusters/dev-1.yaml:26:9 [dev-1/grafana]: persistence.sise is not a value of chart grafana 12.11.1 (nothing under persistence reads it); did you mean persistence.size?',
  ]);
});

test('keys the chart leaves to the user pass: annotations, program configs, files, commented-out examples', async () => {
  const root = await editedFleet({
    'clusters/dev-1.yaml': withClusterValues(
      [
        '      server:',
        '        podAnnotations:',
        '          team: sre',
        '        global:',
        '          external_labels:',
        '            cluster: dev-1',
        '      serverFiles:',
        '        custom_rules.yml:',
        '          groups: []',
        '      alertmanager:',
        '        config:',
        '          inhibit_rules: []',
        '',
      ].join('\n'),
      '      grafana.ini:\n        users:\n          allow_sign_up: false\n',
    ),
  });
  assert.deepEqual(findingsOf(await validateFleet(root), 'values-keys'), []);
});

test('a typo in a shared layer is reported once, at that layer', async () => {
  const root = await editedFleet({ 'base/prometheus/values.yaml': (t) => `${t}pushgatway:\n  enabled: false\n` });
  const out = findingsOf(await validateFleet(root, ['dev-1', 'staging-1']), 'values-keys');
  assert.equal(out.length, 1, out.join('\n'));
  assert.match(out[0]!, /^base\/prometheus\/values\.yaml:\d+:1 \[dev-1\/prometheus\]: pushgatway is not a value of chart prometheus 29\.27\.0/);
});

test('promtool checks the rule files prometheus.yml lists, and says when one is not mounted', async () => {
  const root = await editedFleet({
    'clusters/dev-1.yaml': withClusterValues(
      [
        '      serverFiles:',
        '        recording_rules.yml:',
        '          groups:',
        '            - name: broken',
        '              rules:',
        '                - record: job:up:sum',
        '                  expr: sum by (job) (up ===',
        '        prometheus.yml:',
        '          rule_files:',
        '            - /etc/config/recording_rules.yml',
        '            - /etc/config/alerting_rules.yml',
        '            - /etc/config/custom_rules.yml',
        '',
      ].join('\n'),
    ),
  });
  const out = findingsOf(await validateFleet(root), 'promtool').map((f) => f.split('\n').slice(0, 3).join('\n'));
  assert.ok(
    out.some((f) =>
      /\[dev-1\/prometheus Deployment\/prometheus-server\]: \/etc\/config\/prometheus\.yml .* names rule_files\[2\]: \/etc\/config\/custom_rules\.yml is not in ConfigMap\/prometheus-server \(mounted at \/etc\/config; it has alerting_rules\.yml, alerts, allow-snippet-annotations, prometheus\.yml, recording_rules\.yml, rules\); Prometheus would silently run without it/.test(
        f,
      ),
    ),
    out.join('\n---\n'),
  );
  assert.ok(
    out.some(
      (f) =>
        /promtool check rules fails on \/etc\/config\/recording_rules\.yml \(ConfigMap\/prometheus-server key recording_rules\.yml/.test(f) &&
        /parse error/.test(f),
    ),
    out.join('\n---\n'),
  );
  assert.ok(!out.some((f) => /allow-snippet-annotations:/.test(f)), 'a ConfigMap key prometheus.yml does not list is not a rule file');
});

test('a chart that runs a newer Prometheus than promtool checks is noted, not failed', async () => {
  const root = await editedFleet({ 'overlays/dev/pins.yaml': replaceOnce('version: 29.27.0', 'version: 29.28.0') });
  const report = await validateFleet(root);
  assert.deepEqual(report.findings, []);
  assert.deepEqual(report.notes, [
    'promtool 3.14.0 checks the config of Prometheus v3.15.0 (chart prometheus 29.28.0): move tools.promtool in tools/pins.json to that release with the chart (dev-1)',
  ]);
  assert.deepEqual((await validateFleet(await editedFleet())).notes, [], "the pinned charts run the checkers' versions");
});

test("scheduling from fleet.yaml and a cluster file reaches every rendered pod template but node-exporter's", async () => {
  const root = await editedFleet({
    'fleet.yaml': (t) =>
      `${t}scheduling:\n  dev:\n    nodeSelector:\n      pool: monitoring\n    tolerations:\n      - key: dedicated\n        operator: Equal\n        value: monitoring\n        effect: NoSchedule\n`,
    'clusters/dev-1.yaml': (t) =>
      withClusterValues('      prometheus-pushgateway:\n        enabled: true\n')(t).replace(
        'storageClass: openebs-hostpath\n',
        'storageClass: openebs-hostpath\nscheduling:\n  nodeSelector:\n    zone: a\n  affinity:\n    podAntiAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n        - weight: 1\n          podAffinityTerm:\n            topologyKey: kubernetes.io/hostname\n',
      ),
  });
  const report = await validateFleet(root);
  assert.deepEqual(report.findings, []);
  const workloads = report.rendered.flatMap((r) => r.objects).filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind ?? ''));
  const pod = (o: (typeof workloads)[number]) => (o as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;
  const scheduled = workloads.filter((o) => o.kind !== 'DaemonSet');
  assert.ok(scheduled.length >= 5, `server, alertmanager, kube-state-metrics, pushgateway and grafana: ${scheduled.map((o) => o.metadata?.name).join(', ')}`);
  for (const o of scheduled) {
    assert.deepEqual(pod(o).nodeSelector, { pool: 'monitoring', zone: 'a' }, `${o.kind}/${o.metadata?.name}`);
    assert.deepEqual(pod(o).tolerations, [{ key: 'dedicated', operator: 'Equal', value: 'monitoring', effect: 'NoSchedule' }], `${o.kind}/${o.metadata?.name}`);
    assert.ok((pod(o).affinity as { podAntiAffinity?: unknown }).podAntiAffinity, `${o.kind}/${o.metadata?.name}`);
  }
  const nodeExporter = workloads.find((o) => o.kind === 'DaemonSet')!;
  assert.deepEqual(pod(nodeExporter).tolerations, [{ effect: 'NoSchedule', operator: 'Exists' }], 'node-exporter keeps tolerating every node');
  assert.equal(pod(nodeExporter).affinity, undefined);
});

test('scheduling for an environment fleet.yaml does not list is refused at its line', async () => {
  const root = await editedFleet({ 'fleet.yaml': (t) => `${t}scheduling:\n  prdo:\n    nodeSelector:\n      pool: monitoring\n` }, { regenerate: false });
  const report = await validateFleet(root);
  assert.deepEqual(
    findingsOf(report, 'inventory').map((f) => f.split('\n')[0]),
    ["fleet.yaml:35:5: scheduling.prdo: 'prdo' is not an environment listed in fleet.yaml"],
  );
});

test("a chart's helm test objects are not rendered (skipTests), and Prometheus asks for credentials itself", async () => {
  const hooks = (rendered: { objects: K8sObject[] }[]) =>
    rendered
      .flatMap((r) => r.objects)
      .filter((o) => /\btest\b/.test((o.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.['helm.sh/hook'] ?? ''))
      .map((o) => `${o.kind}/${o.metadata?.name}`);
  const report = await validateFleet(await editedFleet());
  assert.deepEqual(hooks(report.rendered), []);
  assert.deepEqual(findingsOf(report, 'access'), [], 'the default values protect Prometheus');
  // The chart does render them without the option (the same leaf, skipTests turned off): the check above can fail.
  const root = await editedFleet();
  const inventory = await readInventory(root);
  const leaf = leafSpecs(inventory, planGenerate(inventory)).find((l) => l.cluster.name === 'dev-1' && l.app === 'grafana')!;
  const files = leaf.files.map((f) =>
    f.path.endsWith('kustomization.yaml') ? { ...f, content: replaceOnce('skipTests: true', 'skipTests: false')(f.content) } : f,
  );
  const [unskipped] = await renderLeaves([{ ...leaf, files }], readMirrorMap(root), await ensureTools(['helm', 'kustomize', 'leafRenderer']));
  assert.deepEqual(hooks([{ objects: parseObjects(unskipped!.yaml ?? '') }]).sort(), ['Pod/grafana-test', 'ServiceAccount/grafana-test'], unskipped!.error);
});

test('Prometheus as a StatefulSet: a headless Service, its TSDB from volumeClaimTemplates on the cluster storage class, scheduled like the rest', async () => {
  type Sts = K8sObject & {
    spec: {
      serviceName: string;
      volumeClaimTemplates: { spec: { storageClassName: string } }[];
      template: { spec: { nodeSelector?: Record<string, string> } };
    };
  };
  const root = await editedFleet({
    'clusters/dev-1.yaml': (t) =>
      withClusterValues('      server:\n        statefulSet:\n          enabled: true\n')(t).replace(
        'storageClass: openebs-hostpath\n',
        'storageClass: openebs-hostpath\nscheduling:\n  nodeSelector:\n    zone: a\n',
      ),
  });
  const report = await validateFleet(root);
  assert.deepEqual(report.findings, []);
  const objects = report.rendered.filter((r) => r.leaf.app === 'prometheus').flatMap((r) => r.objects);
  const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === 'prometheus-server') as Sts | undefined;
  assert.ok(sts, objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', '));
  assert.equal(sts.spec.serviceName, 'prometheus-server-headless');
  assert.deepEqual(
    sts.spec.volumeClaimTemplates.map((c) => c.spec.storageClassName),
    ['openebs-hostpath'],
  );
  assert.deepEqual(sts.spec.template.spec.nodeSelector, { zone: 'a' });
  const headless = objects.find((o) => o.kind === 'Service' && o.metadata?.name === 'prometheus-server-headless') as
    | (K8sObject & { spec: { clusterIP: string } })
    | undefined;
  assert.equal(headless?.spec.clusterIP, 'None');
  assert.ok(!objects.some((o) => o.kind === 'Deployment' && o.metadata?.name === 'prometheus-server'), 'no Deployment beside the StatefulSet');
  assert.ok(!objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata?.name === 'prometheus-server'), 'the TSDB claim comes from the StatefulSet');
});

test('a Prometheus that answers without credentials is a finding naming what exposes it; so is a reloader that posts without them', async () => {
  await useTestChartMirror();
  const root = await editedFleet({
    'clusters/dev-1.yaml': withClusterValues('      server:\n        extraArgs: null\n'),
    'clusters/prod-eu-1.yaml': withClusterValues('      configmapReload:\n        reloadUrl: ""\n'),
  });
  const cli = await runCli('validate', ['--root', root, '--cluster', 'dev-1', '--cluster', 'prod-eu-1']);
  assert.equal(cli.code, 1, cli.stderr);
  const lines = cli.stdout.split('\n').filter((l) => l.startsWith('[access]'));
  assert.equal(lines.length, 2, cli.stdout);
  assert.match(
    lines[0]!,
    /^\[access\] overlays\/dev\/dev-1\/prometheus\/values\.yaml \[dev-1\/prometheus Deployment\/prometheus-server\]: Prometheus answers without credentials \(no --web\.config\.file\): reachable by Ingress\/prometheus-server \(prometheus\.dev-1\.example\.com\) and every pod of the cluster$/,
  );
  assert.match(
    lines[1]!,
    /\[prod-eu-1\/prometheus Deployment\/prometheus-server\]: the config reloader \(container prometheus-server-configmap-reload\) posts to http:\/\/127\.0\.0\.1:9090\/-\/reload without credentials; Prometheus answers 401/,
  );
});

test('a cluster on Gateway API with External Secrets renders HTTPRoutes and ExternalSecrets that validate clean against the pinned CRDs', async () => {
  await useTestChartMirror();
  const root = await editedFleet({
    'clusters/dev-1.yaml': (t) =>
      `${t}\ngateway:\n  name: shared\n  namespace: gateway-system\n  sectionName: https\nexternalSecrets:\n  storeRef:\n    kind: ClusterSecretStore\n    name: vault-monitoring\n`,
  });
  const report = await validateFleet(root, ['dev-1']);
  assert.deepEqual(report.findings, []);
  const objects = report.rendered.flatMap((r) => r.objects);
  const named = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata?.name);
  assert.deepEqual(named('Ingress'), [], 'no Ingress beside the routes');
  assert.deepEqual(named('HTTPRoute').sort(), ['grafana', 'prometheus-server']);
  const route = objects.find((o) => o.kind === 'HTTPRoute' && o.metadata?.name === 'prometheus-server') as { spec?: Record<string, unknown> };
  assert.deepEqual(route.spec?.parentRefs, [{ name: 'shared', namespace: 'gateway-system', sectionName: 'https' }]);
  assert.deepEqual(route.spec?.hostnames, ['prometheus.dev-1.example.com']);
  assert.deepEqual(named('ExternalSecret').sort(), ['alertmanager-receivers', 'grafana-admin', 'prometheus-basic-auth']);
  // The schemas can fail: a field the pinned HTTPRoute CRD does not know is a kubeconform finding.
  const broken = await editedFleet({
    'clusters/dev-1.yaml': (t) =>
      `${t}\ngateway:\n  name: shared\n  namespace: gateway-system\n`.replace(
        '  prometheus:\n    enabled: true\n',
        '  prometheus:\n    enabled: true\n    values:\n      server:\n        route:\n          main:\n            filters:\n              - type: RequestHeaderModifier\n                bogus: true\n',
      ),
  });
  const findings = findingsOf(await validateFleet(broken, ['dev-1']), 'kubeconform');
  assert.ok(
    findings.some((f) => /HTTPRoute\/prometheus-server\]: invalid gateway\.networking\.k8s\.io\/v1 HTTPRoute: .*'bogus' not allowed/.test(f)),
    JSON.stringify(findings),
  );
});
