import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFinding, sortFindings } from '../../scripts/lib/findings.ts';
import { parseInventory } from '../../scripts/inventory/parse.ts';
import { minimalSources } from '../helpers/inventory.ts';

/** The findings of the minimal fixture after `changes`, formatted as the user sees them. */
async function problems(changes: Parameters<typeof minimalSources>[0]): Promise<string[]> {
  const { inventory, findings } = parseInventory(await minimalSources(changes));
  assert.equal(inventory, undefined, 'an inventory with findings must not be returned');
  return sortFindings(findings).map(formatFinding);
}

const edit = (from: string | RegExp, to: string) => (text: string) => {
  const out = text.replace(from, to);
  assert.notEqual(out, text, `fixture edit did not apply: ${from}`);
  return out;
};

test('the minimal fixture is clean and defaults are filled in', async () => {
  const { inventory, findings } = parseInventory(await minimalSources());
  assert.deepEqual(findings, []);
  assert.deepEqual(
    inventory!.clusters.map((c) => [c.name, c.argocd.namespace, c.argocd.project]),
    [
      ['alpha', 'argocd', 'monitoring-alpha'],
      ['beta', 'gitops', 'observability-beta'],
    ],
  );
  assert.deepEqual(
    inventory!.environments.map((e) => e.name),
    ['dev', 'prod'],
  );
});

test('malformed YAML is reported at its line', async () => {
  const out = await problems({ 'clusters/alpha.yaml': edit('domain: alpha.example.com', 'domain: [alpha.example.com') });
  assert.equal(out.length, 1);
  assert.match(out[0]!, /^clusters\/alpha\.yaml:5:\d+: invalid YAML/);
});

test('a duplicate key is reported at the second occurrence', async () => {
  const out = await problems({ 'clusters/alpha.yaml': edit('storageClass: local-path', 'storageClass: local-path\ndomain: other.example.com') });
  assert.match(out[0]!, /^clusters\/alpha\.yaml:6:1: duplicate key/);
});

test('an unknown key is an error with a did-you-mean hint', async () => {
  const out = await problems({ 'clusters/alpha.yaml': edit('  grafana:\n    enabled: true', '  grafana:\n    enbled: true') });
  assert.ok(
    out.some((line) => line.startsWith("clusters/alpha.yaml:16:5: unknown key 'enbled' in apps.grafana") && line.includes("did you mean 'enabled'?")),
    out.join('\n'),
  );
  assert.equal(out.length, 1, 'the typo is not reported a second time as a missing key');
});

test('an unknown top-level key is an error', async () => {
  const out = await problems({ 'clusters/alpha.yaml': (t) => `${t}storageclass: fast\n` });
  assert.match(
    out.join('\n'),
    /clusters\/alpha\.yaml:17:1: unknown key 'storageclass' in the top level\n {4}fix: did you mean 'storageClass'\? allowed keys: name, environment, kubernetesVersion/,
  );
});

test('a cluster name that is not a DNS-1123 label is refused with the rule', async () => {
  const out = await problems({ 'clusters/alpha.yaml': edit('name: alpha', 'name: Alpha_1') });
  assert.match(out.join('\n'), /clusters\/alpha\.yaml:1:7: name is not valid: "Alpha_1"\n {4}fix: use lower-case letters, digits and '-'/);
});

test('a name that differs from the file name is refused', async () => {
  const out = await problems({ 'clusters/alpha.yaml': edit('name: alpha', 'name: gamma') });
  assert.deepEqual(out, [
    "clusters/alpha.yaml:1:7: name 'gamma' differs from the file name 'alpha'\n    fix: rename the file to clusters/gamma.yaml or set name: alpha",
  ]);
});

test('an unknown environment lists the known ones', async () => {
  const out = await problems({ 'clusters/alpha.yaml': edit('environment: dev', 'environment: qa') });
  assert.deepEqual(out, ["clusters/alpha.yaml:2:14: unknown environment 'qa'\n    fix: use one of: dev, prod (fleet.yaml lists the environments)"]);
});

test('an enabled app without a pin in its environment is refused', async () => {
  const out = await problems({ 'clusters/beta.yaml': edit('  grafana:\n    enabled: false', '  grafana:\n    enabled: true') });
  assert.deepEqual(out, [
    'clusters/beta.yaml:21:14: grafana is enabled but overlays/prod/pins.yaml has no pin for it\n    fix: add grafana: {repoURL, chart, version} to overlays/prod/pins.yaml, or set apps.grafana.enabled: false',
  ]);
});

test('a version range instead of an exact version is refused', async () => {
  const out = await problems({ 'overlays/prod/pins.yaml': edit('version: 2.0.0', 'version: ^2.0.0') });
  assert.equal(out.length, 1);
  assert.match(out[0]!, /^overlays\/prod\/pins\.yaml:4:12: prometheus\.version is not valid: "\^2\.0\.0"/);
  assert.match(out[0]!, /ranges \(\^29\.0\.0, ~29\.27, 29\.x, >=29\) are not allowed/);
});

test('two clusters with one destination are refused', async () => {
  const out = await problems({ 'clusters/beta.yaml': edit('server: https://beta.example.org:6443', 'name: alpha') });
  assert.deepEqual(out, [
    "clusters/beta.yaml:10:9: destination.name 'alpha' is also used by clusters/alpha.yaml\n    fix: each cluster needs its own Argo CD destination; two inventory files for one cluster would deploy the stack twice",
  ]);
});

test('setting both destination.name and destination.server is refused', async () => {
  const out = await problems({ 'clusters/alpha.yaml': edit('  name: alpha\n', '  name: alpha\n  server: https://alpha.example.com:6443\n') });
  assert.deepEqual(out, [
    'clusters/alpha.yaml:7:3: destination must set exactly one of: name, server\n    fix: set exactly one of destination.name or destination.server (Argo CD refuses both)',
  ]);
});

test('the default project is refused', async () => {
  const out = await problems({ 'clusters/beta.yaml': edit('project: observability-beta', 'project: default') });
  assert.match(out.join('\n'), /clusters\/beta\.yaml:8:12: argocd\.project has a value that is not allowed\n {4}fix: .*'default' project is not allowed/);
});

test('two clusters sharing an AppProject are refused', async () => {
  const out = await problems({
    'clusters/beta.yaml': edit('namespace: gitops\n  project: observability-beta', 'namespace: argocd\n  project: monitoring-alpha'),
  });
  assert.deepEqual(out, [
    "clusters/beta.yaml:8:12: AppProject 'monitoring-alpha' in namespace 'argocd' is also used by clusters/alpha.yaml\n    fix: give each cluster its own argocd.project (the default is monitoring-<name>; the root uses <project>-root)",
  ]);
});

test('every problem is reported at once, across files', async () => {
  const out = await problems({
    'clusters/alpha.yaml': edit('kubernetesVersion: 1.34.2', 'kubernetesVersion: v1.34'),
    'clusters/beta.yaml': edit('environment: prod', 'environment: staging'),
    'overlays/dev/pins.yaml': edit('repoURL: oci://registry.example.com/charts', 'repoURL: registry.example.com/charts'),
  });
  assert.equal(out.length, 3, out.join('\n'));
  assert.match(out[0]!, /^clusters\/alpha\.yaml:3:20: kubernetesVersion is not valid: "v1\.34"/);
  assert.match(out[1]!, /^clusters\/beta\.yaml:2:14: unknown environment 'staging'/);
  assert.match(
    out[2]!,
    /^overlays\/dev\/pins\.yaml:6:12: grafana\.repoURL is not valid: "registry\.example\.com\/charts"\n {4}fix: write an https:\/\/ or oci:\/\//,
  );
});

test('a schema error in fleet.yaml hides no other problem: the cross-file checks run on its environments, pins URLs are checked', async () => {
  const out = await problems({
    'fleet.yaml': edit('targetRevision: main', 'targetRevison: main'),
    'clusters/alpha.yaml': edit('kubernetesVersion: 1.34.2', 'kubernetesVersion: v1.34'),
    'clusters/beta.yaml': edit('environment: prod', 'environment: staging'),
    'overlays/prod/pins.yaml': edit('https://charts.example.com', 'https://robot:s3cret@charts.example.com'),
    'overlays/qa/pins.yaml': 'prometheus:\n  repoURL: https://charts.example.com/prometheus\n  chart: prometheus\n  version: 2.0.0\n',
  });
  assert.deepEqual(
    out.map((p) => p.split('\n')[0]),
    [
      'clusters/alpha.yaml:3:20: kubernetesVersion is not valid: "v1.34"',
      "clusters/beta.yaml:2:14: unknown environment 'staging'",
      "fleet.yaml:2:1: unknown key 'targetRevison' in the top level",
      'overlays/prod/pins.yaml:2:12: prometheus.repoURL: "https://***@charts.example.com/prometheus" carries credentials before the host',
      'overlays/qa/: overlays/qa/ is not an environment listed in fleet.yaml',
    ],
    out.join('\n'),
  );
});

test('cross-file checks skip what failed its schema and do not trip over it', async () => {
  // A gate of the wrong shape (soak a number) is fleet.yaml's schema problem only: the gate checks, which read it, do not run.
  const gate = await problems({
    'fleet.yaml': (t) => `${t}promotion:\n  dev:\n    soak: 5\n    blockingAlerts: severity\n`,
    'clusters/beta.yaml': edit('environment: prod', 'environment: staging'),
  });
  assert.equal(gate.length, 3, gate.join('\n'));
  assert.match(gate[0]!, /^clusters\/beta\.yaml:2:14: unknown environment 'staging'/);
  assert.deepEqual(
    gate.slice(1).map((p) => p.split('\n')[0]),
    [
      'fleet.yaml:23:11: promotion.dev.soak must be string; YAML read the unquoted 5 as a number (5)',
      'fleet.yaml:24:21: promotion.dev.blockingAlerts must be a list',
    ],
  );
  // With no valid environment list, a cluster's environment cannot be judged: no guess is reported.
  const environments = await problems({
    'fleet.yaml': edit(/environments:\n {2}- dev\n {2}- prod\n/, 'environments: [dev, dev]\n'),
    'clusters/beta.yaml': edit('environment: prod', 'environment: staging'),
  });
  assert.equal(environments.length, 1, environments.join('\n'));
  assert.match(environments[0]!, /^fleet\.yaml:3:15: environments .*duplicate/);
  // A cluster file that failed its schema takes no part: its name and destination are not compared with the others'.
  const cluster = await problems({
    'clusters/beta.yaml': (t) => edit('server: https://beta.example.org:6443', 'name: alpha')(t).replace('storageClass: fast', 'storageClas: fast'),
  });
  assert.deepEqual(
    cluster.map((p) => p.split('\n')[0]),
    ["clusters/beta.yaml:5:1: unknown key 'storageClas' in the top level"],
    cluster.join('\n'),
  );
});

test('an environment without pins, and an overlay folder of no environment, are refused', async () => {
  const out = await problems({
    'overlays/prod/pins.yaml': null,
    'overlays/qa/pins.yaml': 'prometheus:\n  repoURL: https://x.example.com\n  chart: prometheus\n  version: 1.0.0\n',
  });
  assert.ok(
    out.includes(
      "fleet.yaml:5:5: environment 'prod' has no overlays/prod/pins.yaml\n    fix: create overlays/prod/pins.yaml with the chart pins of prod, or remove 'prod' from environments",
    ),
    out.join('\n'),
  );
  assert.ok(
    out.some((l) => l.startsWith('overlays/qa/: overlays/qa/ is not an environment listed in fleet.yaml')),
    out.join('\n'),
  );
});

test('rule files, values files and dashboards are checked too', async () => {
  const out = await problems({
    'base/prometheus/rules/cpu.yaml': edit('        for: 5m', '        for: five minutes'),
    'base/grafana/values.yaml': '- not\n- a mapping\n',
    'base/grafana/dashboards/cpu.json': edit('"uid": "cpu",', '"uid": "cpu"'),
  });
  assert.equal(out.length, 3, out.join('\n'));
  assert.match(out[0]!, /^base\/grafana\/dashboards\/cpu\.json:\d+:\d+: invalid JSON/);
  assert.match(out[1]!, /^base\/grafana\/values\.yaml:1:1: the top level must be a mapping/);
  assert.match(
    out[2]!,
    /^base\/prometheus\/rules\/cpu\.yaml:6:14: groups\.0\.rules\.0\.for is not valid: "five minutes"\n {4}fix: write a Prometheus duration/,
  );
});

test('duplicate rule groups and dashboard uids are refused', async () => {
  const out = await problems({
    'base/prometheus/rules/more.yaml': 'groups:\n  - name: cpu\n    rules:\n      - record: x:y\n        expr: up\n',
    'base/grafana/dashboards/cpu-copy.json': '{"id": null, "uid": "cpu", "title": "copy", "panels": []}\n',
  });
  assert.deepEqual(out, [
    "base/grafana/dashboards/cpu-copy.json: dashboard uid 'cpu' is also used by base/grafana/dashboards/cpu.json\n    fix: give every dashboard a unique uid",
    "base/prometheus/rules/more.yaml: rule group 'cpu' is also defined in base/prometheus/rules/cpu.yaml\n    fix: give every rule group a unique name",
  ]);
});
