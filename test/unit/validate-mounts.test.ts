import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileReferences, PROMETHEUS_KEYS, rebaseReferences } from '../../scripts/validate/config-files.ts';
import { missingReferences, readMountedConfig } from '../../scripts/validate/mounted-config.ts';
import { configuredContainers, expandGlob, flagValue, isAlertmanager, isPrometheus, lookupFile } from '../../scripts/validate/pod-files.ts';

const configMap = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const workload = (kind: string, name: string, container: Record<string, unknown>, volumes: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name },
  spec: { template: { spec: { containers: [container], volumes, ...extra } } },
});

const server = workload(
  'Deployment',
  'prometheus-server',
  {
    name: 'prometheus-server',
    image: 'quay.io/prometheus/prometheus:v3.14.0',
    args: ['--config.file=/etc/config/prometheus.yml', '--storage.tsdb.path=/data'],
    volumeMounts: [
      { name: 'config-volume', mountPath: '/etc/config' },
      { name: 'certs', mountPath: '/etc/certs' },
    ],
  },
  [
    { name: 'config-volume', configMap: { name: 'prometheus-server' } },
    { name: 'certs', secret: { secretName: 'scrape-certs' } },
  ],
);

const prometheusYml = [
  'rule_files: [/etc/config/alerting_rules.yml, rules/*.yml, /etc/config/missing.yml, /etc/rules/extra.yml]',
  'scrape_configs:',
  '  - job_name: x',
  '    tls_config: { ca_file: /etc/certs/ca.crt }',
  '    authorization: { credentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token }',
].join('\n');
const objects = [
  server,
  configMap('prometheus-server', { 'prometheus.yml': prometheusYml, 'alerting_rules.yml': 'groups: []', 'allow-snippet-annotations': 'false' }),
];

test('a container reads what its volumes mount: ConfigMap keys, opaque Secrets, the service account', () => {
  const [c] = configuredContainers(objects);
  assert.equal(c!.workload, 'Deployment/prometheus-server');
  assert.equal(c!.configFile, '/etc/config/prometheus.yml');
  assert.ok(isPrometheus(c!) && !isAlertmanager(c!));
  assert.equal(lookupFile(c!.mounts, '/etc/config/alerting_rules.yml').found, 'file');
  assert.equal(lookupFile(c!.mounts, '/etc/config/nothing.yml').found, 'missing');
  assert.equal(lookupFile(c!.mounts, '/etc/certs/ca.crt').found, 'opaque');
  assert.equal(lookupFile(c!.mounts, '/var/run/secrets/kubernetes.io/serviceaccount/token').found, 'opaque');
  assert.equal(lookupFile(c!.mounts, '/etc/rules/extra.yml').found, 'unmounted');
  assert.deepEqual(expandGlob(c!.mounts, '/etc/config/*.yml').paths, ['/etc/config/alerting_rules.yml', '/etc/config/prometheus.yml']);
});

test('rule_files are resolved against the config folder; only listed files that are absent are missing', () => {
  const [c] = configuredContainers(objects);
  const mounted = readMountedConfig(c!, PROMETHEUS_KEYS);
  assert.equal(mounted.problem, undefined);
  const rules = mounted.references.filter((r) => r.field.startsWith('rule_files'));
  assert.deepEqual(
    rules.map((r) => r.absolute),
    ['/etc/config/alerting_rules.yml', '/etc/config/rules/*.yml', '/etc/config/missing.yml', '/etc/rules/extra.yml'],
  );
  assert.deepEqual(rules[1]!.matches, []);
  assert.deepEqual(
    missingReferences(mounted).map((r) => [r.field, r.lookup.found]),
    [
      ['rule_files[2]', 'missing'],
      ['rule_files[3]', 'unmounted'],
    ],
  );
});

test('a config file that no volume provides is a problem, not a crash', () => {
  const bare = workload(
    'StatefulSet',
    'am',
    { name: 'alertmanager', args: ['--config.file', '/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager'], volumeMounts: [] },
    [],
    { automountServiceAccountToken: false },
  );
  const [c] = configuredContainers([bare]);
  assert.ok(isAlertmanager(c!));
  assert.equal(c!.mounts.length, 0);
  assert.match(readMountedConfig(c!, PROMETHEUS_KEYS).problem!, /on no volume the container mounts/);
});

test('items and subPath mounts show the files where the kubelet puts them', () => {
  const pod = workload(
    'Deployment',
    'p',
    {
      name: 'p',
      args: ['--config.file=/cfg/main.yml'],
      volumeMounts: [
        { name: 'a', mountPath: '/cfg/main.yml', subPath: 'prom.yml' },
        { name: 'b', mountPath: '/rules' },
      ],
    },
    [
      { name: 'a', configMap: { name: 'one' } },
      { name: 'b', configMap: { name: 'two', items: [{ key: 'r', path: 'sub/r.yml' }] } },
    ],
  );
  const [c] = configuredContainers([pod, configMap('one', { 'prom.yml': 'x: 1', other: 'y' }), configMap('two', { r: 'groups: []', s: 'no' })]);
  assert.equal(lookupFile(c!.mounts, '/cfg/main.yml').found, 'file');
  assert.equal(lookupFile(c!.mounts, '/cfg/other').found, 'missing');
  assert.equal(lookupFile(c!.mounts, '/rules/sub/r.yml').found, 'file');
  assert.equal(lookupFile(c!.mounts, '/rules/s').found, 'missing');
});

test('every file a config names is found, and rebased under a folder that mirrors the container', () => {
  const config = {
    rule_files: ['a.yml', '/abs/b.yml'],
    scrape_configs: [{ job_name: 'j', file_sd_configs: [{ files: ['sd/*.json'] }], basic_auth: { password_file: '/s/p' } }],
  };
  assert.deepEqual(
    fileReferences(config, '/etc/config/prometheus.yml', PROMETHEUS_KEYS).map((r) => `${r.field}=${r.absolute}`),
    [
      'rule_files[0]=/etc/config/a.yml',
      'rule_files[1]=/abs/b.yml',
      'scrape_configs[0].file_sd_configs[0].files[0]=/etc/config/sd/*.json',
      'scrape_configs[0].basic_auth.password_file=/s/p',
    ],
  );
  const rebased = rebaseReferences(config, '/etc/config/prometheus.yml', PROMETHEUS_KEYS, '/tmp/box') as typeof config;
  assert.deepEqual(rebased.rule_files, ['/tmp/box/etc/config/a.yml', '/tmp/box/abs/b.yml']);
  assert.equal(rebased.scrape_configs[0]!.basic_auth.password_file, '/tmp/box/s/p');
  assert.equal(rebased.scrape_configs[0]!.job_name, 'j');
});

test('flags are read in both forms, the last one winning', () => {
  assert.equal(flagValue(['--config.file=a', '--config.file', 'b'], 'config.file'), 'b');
  assert.equal(flagValue(['--config.filex=a'], 'config.file'), undefined);
});
