import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { formatFinding } from '../../scripts/lib/findings.ts';
import { editedFleet, replaceOnce, validateFleet } from '../helpers/validate.ts';

/**
 * prometheus-blackbox-exporter, an app added as data only (app-catalog.yaml, base/, pins), enabled on dev-1: every
 * check of validate runs on its leaf and on the Prometheus it adds scrape jobs and rules to, with the real tools.
 */
test('a cluster that enables prometheus-blackbox-exporter validates: its leaf renders, Prometheus loads its jobs and rules', async () => {
  const root = await editedFleet({
    'clusters/dev-1.yaml': replaceOnce(
      '  grafana:\n    enabled: true\n',
      '  grafana:\n    enabled: true\n  prometheus-blackbox-exporter:\n    enabled: true\n',
    ),
  });
  const report = await validateFleet(root);
  // Workflows are not this app's business (actionlint reads the repository's own, whatever the shellcheck on the machine says).
  assert.deepEqual(report.findings.filter((f) => f.check !== 'actionlint').map(formatFinding), []);
  const leaf = (app: string) => report.rendered.find((r) => r.leaf.cluster.name === 'dev-1' && r.leaf.app === app)!;
  const exporter = leaf('prometheus-blackbox-exporter').objects;
  assert.deepEqual(exporter.map((o) => `${o.kind}/${o.metadata?.name}`).sort(), [
    'ConfigMap/prometheus-blackbox-exporter',
    'Deployment/prometheus-blackbox-exporter',
    'Service/prometheus-blackbox-exporter',
    'ServiceAccount/prometheus-blackbox-exporter',
  ]);
  const server = leaf('prometheus').objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'prometheus-server') as { data: Record<string, string> };
  const config = parse(server.data['prometheus.yml']!) as { scrape_configs: { job_name: string; params?: unknown }[] };
  assert.deepEqual(
    config.scrape_configs.filter((j) => j.job_name.startsWith('blackbox-')).map((j) => [j.job_name, j.params]),
    [
      ['blackbox-grafana', { module: ['https_2xx'] }],
      ['blackbox-prometheus', { module: ['https_401'] }],
    ],
  );
  const rules = parse(server.data['alerting_rules.yml']!) as { groups: { name: string }[] };
  assert.deepEqual(
    rules.groups.map((g) => g.name),
    ['node', 'blackbox'],
  );
});
