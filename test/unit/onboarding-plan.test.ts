import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { planGenerate } from '../../scripts/generate/plan.ts';
import { parseInventory } from '../../scripts/inventory/parse.ts';
import { formatFinding } from '../../scripts/lib/findings.ts';
import { pathMatch } from '../../scripts/lib/path-match.ts';
import { minimalSources } from '../helpers/inventory.ts';

const ESO = '\nexternalSecrets:\n  storeRef:\n    kind: ClusterSecretStore\n    name: vault-monitoring\n';
const plan = async (edits: Record<string, (text: string) => string>) => {
  const parsed = parseInventory(await minimalSources(edits));
  assert.deepEqual(parsed.findings.map(formatFinding), []);
  return new Map(planGenerate(parsed.inventory!).map((f) => [f.path, f.content]));
};

test('with External Secrets each Secret the stack reads becomes one ExternalSecret, at wave -1, in the first leaf that reads it', async () => {
  const files = await plan({ 'fleet.yaml': (t) => t + ESO });
  const docs = (path: string) => parseAllDocuments(files.get(path)!).map((d) => d.toJS());
  const prometheus = docs('overlays/dev/alpha/prometheus/external-secrets.yaml');
  assert.deepEqual(
    prometheus.map((o) => o.metadata.name),
    ['alertmanager-receivers', 'prometheus-basic-auth'],
  );
  const [receivers] = prometheus;
  assert.equal(receivers.apiVersion, 'external-secrets.io/v1');
  assert.equal(receivers.metadata.annotations['argocd.argoproj.io/sync-wave'], '-1');
  assert.deepEqual(receivers.spec.secretStoreRef, { kind: 'ClusterSecretStore', name: 'vault-monitoring' });
  assert.deepEqual(receivers.spec.data, [
    { secretKey: 'slack-webhook-url', remoteRef: { key: 'monitoring/alpha/alertmanager-receivers', property: 'slack-webhook-url' } },
    { secretKey: 'smtp-password', remoteRef: { key: 'monitoring/alpha/alertmanager-receivers', property: 'smtp-password' } },
  ]);
  // A file's key is read from the property without its extension: the providers read `a.b` as a path.
  assert.deepEqual(
    prometheus[1].spec.data.map((d: { secretKey: string; remoteRef: { property: string } }) => [d.secretKey, d.remoteRef.property]),
    [
      ['username', 'username'],
      ['password', 'password'],
      ['web-config.yml', 'web-config'],
    ],
  );
  // Grafana reads prometheus-basic-auth too, but the Prometheus leaf (wave 0) already makes it.
  assert.deepEqual(
    docs('overlays/dev/alpha/grafana/external-secrets.yaml').map((o) => o.metadata.name),
    ['grafana-admin'],
  );
  assert.deepEqual(parse(files.get('overlays/dev/alpha/grafana/kustomization.yaml')!).resources, ['external-secrets.yaml', 'dashboards.yaml']);
});

test('a cluster opts out of External Secrets with false, or names its own store and remote keys', async () => {
  const files = await plan({
    'fleet.yaml': (t) => t + ESO,
    'clusters/alpha.yaml': (t) => `${t}\nexternalSecrets: false\n`,
    'clusters/beta.yaml': (t) =>
      `${t}\nexternalSecrets:\n  storeRef:\n    kind: SecretStore\n    name: local\n  remoteKeyPrefix: teams/{cluster}\n  remoteKeys:\n    prometheus-basic-auth: shared/prom\n`,
  });
  assert.equal(files.get('overlays/dev/alpha/prometheus/external-secrets.yaml'), undefined, 'alpha: Secrets made by hand');
  const beta = parseAllDocuments(files.get('overlays/prod/beta/prometheus/external-secrets.yaml')!).map((d) => d.toJS());
  assert.deepEqual(
    beta.map((o) => [o.spec.secretStoreRef.kind, o.spec.data[0].remoteRef.key]),
    [
      ['SecretStore', 'teams/beta/alertmanager-receivers'],
      ['SecretStore', 'shared/prom'],
    ],
  );
});

test('a cluster with a gateway gets HTTPRoutes on it instead of Ingresses', async () => {
  const files = await plan({ 'clusters/alpha.yaml': (t) => `${t}\ngateway:\n  name: shared\n  namespace: gateway-system\n  sectionName: https\n` });
  const values = parse(files.get('overlays/dev/alpha/prometheus/values.yaml')!);
  assert.equal(values.server.ingress.enabled, false);
  assert.deepEqual(values.server.route.main, {
    enabled: true,
    hostnames: ['prometheus.alpha.example.com'],
    parentRefs: [{ name: 'shared', namespace: 'gateway-system', sectionName: 'https' }],
  });
  assert.equal(parse(files.get('overlays/dev/alpha/grafana/values.yaml')!).route.main.hostnames[0], 'grafana.alpha.example.com');
});

test('the fleet root’s project name is refused as a cluster’s project, with the line and a fix', async () => {
  const parsed = parseInventory(await minimalSources({ 'clusters/beta.yaml': (t) => t.replace('project: observability-beta', 'project: monitoring-fleet') }));
  const findings = parsed.findings.map(formatFinding);
  assert.equal(findings.length, 1, findings.join('\n'));
  assert.match(
    findings[0]!,
    /^clusters\/beta\.yaml:8:\d+: AppProject 'monitoring-fleet' is the fleet root's name \(apps\/fleet-gitops\.yaml\)\n\s+fix: set argocd\.project to another name/,
  );
});

test('AppProject name patterns match as Go’s filepath.Match does', () => {
  const cases: [string, string, boolean][] = [
    ['prometheus-*', 'prometheus-server', true],
    ['prometheus-*', 'prometheus', false],
    ['prometheus-*', 'grafana-clusterrole', false],
    ['*', 'a/b', false],
    ['a?c', 'abc', true],
    ['[a-c]x', 'bx', true],
    ['[^a-c]x', 'dx', true],
    ['[^a-c]x', 'ax', false],
    ['a.b', 'axb', false],
    ['[', 'x', false],
    ['\\*', '*', true],
  ];
  for (const [pattern, name, want] of cases) assert.equal(pathMatch(pattern, name), want, `${pattern} ~ ${name}`);
});

test('a bad gateway or externalSecrets is refused at its line, with a fix', async () => {
  const problems = async (edits: Record<string, (text: string) => string>) => parseInventory(await minimalSources(edits)).findings.map(formatFinding);
  const gateway = await problems({ 'clusters/alpha.yaml': (t) => `${t}\ngateway:\n  name: shared\n` });
  assert.equal(gateway.length, 1, gateway.join('\n'));
  assert.match(gateway[0]!, /^clusters\/alpha\.yaml:\d+:\d+: missing required key 'namespace' in gateway\n/);
  const store = await problems({ 'fleet.yaml': (t) => `${t}\nexternalSecrets:\n  storeRef:\n    kind: Vault\n    name: v\n` });
  assert.equal(store.length, 1, store.join('\n'));
  assert.match(store[0]!, /^fleet\.yaml:\d+:\d+: externalSecrets\.storeRef\.kind .*\n\s+fix: write ClusterSecretStore or SecretStore/);
  const keys = await problems({
    'clusters/alpha.yaml': (t) => `${t}\nexternalSecrets:\n  storeRef:\n    kind: SecretStore\n    name: s\n  remoteKeys:\n    grafana: x\n`,
  });
  assert.equal(keys.length, 1, keys.join('\n'));
  assert.match(keys[0]!, /^clusters\/alpha\.yaml:\d+:\d+: .*grafana/);
});
