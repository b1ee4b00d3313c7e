import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterNetwork } from '../e2e/pipeline/cluster-network.ts';
import { configDifferences } from '../e2e/pipeline/compare.ts';
import { expandQuery, interpolateAll, panelQueries, queryVariables, scrapeSeconds } from '../e2e/pipeline/dashboards.ts';
import { DEFAULT_LISTENERS, expandEnv, plannedLaunches, rebaseHostPaths, rebaseListen } from '../e2e/pipeline/launch.ts';
import { resolveServiceUrl } from '../e2e/pipeline/service-url.ts';

const exporterPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'prometheus-prometheus-node-exporter-x', namespace: 'monitoring' },
  spec: {
    nodeName: 'dev-1-node-0',
    hostNetwork: true,
    containers: [
      {
        name: 'node-exporter',
        image: 'quay.io/prometheus/node-exporter:v1.12.1',
        args: ['--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/root', '--web.listen-address=[$(HOST_IP)]:9100'],
        env: [{ name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }],
        ports: [{ containerPort: 9100 }],
        volumeMounts: [
          { name: 'proc', mountPath: '/host/proc' },
          { name: 'sys', mountPath: '/host/sys' },
          { name: 'root', mountPath: '/host/root' },
        ],
      },
    ],
    volumes: [
      { name: 'proc', hostPath: { path: '/proc' } },
      { name: 'sys', hostPath: { path: '/sys' } },
      { name: 'root', hostPath: { path: '/' } },
    ],
  },
  status: { phase: 'Running', hostIP: '10.250.0.10', podIP: '10.250.0.10' },
};

const prometheusPod = {
  metadata: { name: 'prometheus-server-abc', namespace: 'monitoring' },
  spec: {
    nodeName: 'dev-1-node-1',
    containers: [
      {
        name: 'prometheus-server',
        image: 'quay.io/prometheus/prometheus:v3.14.0',
        args: ['--config.file=/etc/config/prometheus.yml', '--storage.tsdb.path=/data', '--web.console.libraries=/etc/prometheus/console_libraries'],
        ports: [{ containerPort: 9090 }],
        volumeMounts: [
          { name: 'config-volume', mountPath: '/etc/config' },
          { name: 'storage-volume', mountPath: '/data' },
        ],
      },
    ],
    volumes: [
      { name: 'config-volume', configMap: { name: 'prometheus-server' } },
      { name: 'storage-volume', persistentVolumeClaim: { claimName: 'prometheus-server' } },
    ],
  },
  status: { phase: 'Running', podIP: '10.244.0.7', hostIP: '10.250.0.11' },
};

test('a launch is the synced pod: env expanded as the kubelet does, listen addresses on the pod or node address', () => {
  const launches = plannedLaunches(
    [exporterPod, prometheusPod, { ...prometheusPod, status: { phase: 'Pending' } }],
    [{ metadata: { name: 'prometheus-server' }, data: { 'prometheus.yml': 'global: {}\n' } }],
  );
  assert.deepEqual(
    launches.map((l) => [l.name, l.binary, l.address]),
    [
      ['node-exporter@dev-1-node-0', 'nodeExporter', '10.250.0.10:9100'],
      ['prometheus-server', 'prometheus', '10.244.0.7:9090'],
    ],
  );
  assert.deepEqual(launches[1]!.args.at(-1), '--web.listen-address=10.244.0.7:9090', "the program's default listener, named");
  assert.deepEqual(rebaseHostPaths(launches[0]!.args, exporterPod, 'node-exporter', '/run/x/proc'), [
    '--path.procfs=/run/x/proc',
    '--path.sysfs=/sys',
    '--path.rootfs=/',
    '--web.listen-address=[10.250.0.10]:9100',
  ]);
});

test('expandEnv and rebaseListen follow the kubelet and the programs', () => {
  const env = new Map([['POD_IP', '10.244.0.9']]);
  assert.equal(expandEnv('--cluster.advertise-address=[$(POD_IP)]:9094', env), '--cluster.advertise-address=[10.244.0.9]:9094');
  assert.equal(expandEnv('$$(POD_IP) $(UNKNOWN)', env), '$(POD_IP) $(UNKNOWN)');
  assert.deepEqual(rebaseListen(['--cluster.listen-address=0.0.0.0:9094', '--web.listen-address=:9093'], '10.244.0.9', DEFAULT_LISTENERS.alertmanager), {
    args: ['--cluster.listen-address=10.244.0.9:9094', '--web.listen-address=10.244.0.9:9093'],
    address: '10.244.0.9:9093',
  });
  assert.deepEqual(rebaseListen(['--storage.path=/alertmanager'], '10.244.0.9', DEFAULT_LISTENERS.alertmanager).args, [
    '--storage.path=/alertmanager',
    '--web.listen-address=10.244.0.9:9093',
    '--cluster.listen-address=10.244.0.9:9094',
  ]);
  assert.deepEqual(rebaseListen(['--web.listen-address=[10.250.0.10]:9100'], '10.1.1.1', DEFAULT_LISTENERS.nodeExporter).address, '10.250.0.10:9100');
  // The real chart's listenOnAllInterfaces: HOST_IP is 0.0.0.0, written in brackets.
  assert.deepEqual(rebaseListen(['--web.listen-address=[0.0.0.0]:9100'], '10.250.0.11', DEFAULT_LISTENERS.nodeExporter).address, '10.250.0.11:9100');
});

test('dashboard variables expand as Grafana expands "All" of a multi-value variable', () => {
  const dashboard = {
    panels: [
      { title: 'CPU', targets: [{ refId: 'A', expr: 'rate(x{instance=~"$instance"}[$__rate_interval])' }] },
      { title: 'row', type: 'row', panels: [{ title: 'inner', targets: [{ refId: 'B', expr: 'up{job="[[job]]"}' }] }] },
    ],
    templating: {
      list: [
        { name: 'instance', type: 'query', query: { query: 'label_values(node_uname_info, instance)' }, multi: true, includeAll: true },
        { name: 'ds', type: 'datasource' },
        { name: 'job', type: 'custom', query: 'a,b' },
      ],
    },
  };
  const { variables, unsupported } = queryVariables(dashboard);
  assert.deepEqual(unsupported, ['job (custom: a,b)']);
  const all = interpolateAll(variables[0]!, ['10.250.0.10:9100', '10.250.0.11:9100']);
  assert.equal(all, '(10\\\\.250\\\\.0\\\\.10:9100|10\\\\.250\\\\.0\\\\.11:9100)');
  assert.equal(expandQuery(panelQueries(dashboard, 'd')[0]!.expr, new Map([['instance', all]]), scrapeSeconds('1m')), `rate(x{instance=~"${all}"}[240s])`);
  assert.deepEqual(
    panelQueries(dashboard, 'd').map((q) => q.panel),
    ['CPU', 'inner'],
  );
});

test('configDifferences names what the program loaded differently, not the defaults it added', () => {
  const written = { global: { scrape_interval: '1m' }, rule_files: ['/a.yml'], scrape_configs: [{ job_name: 'x', bearer_token: 's' }] };
  const loaded = {
    global: { scrape_interval: '60s', scrape_timeout: '10s' },
    rule_files: ['/a.yml'],
    scrape_configs: [{ job_name: 'x', bearer_token: '<secret>', honor_labels: false }],
  };
  assert.deepEqual(configDifferences(written, loaded), []);
  assert.deepEqual(configDifferences({ ...written, rule_files: ['/b.yml'] }, loaded), ['rule_files[0]: loaded "/a.yml", written "/b.yml"']);
  assert.deepEqual(configDifferences({ global: { evaluation_interval: '1m' } }, loaded), ['global.evaluation_interval: loaded nothing, written "1m"']);
  const job = { job_name: 'apiservers', bearer_token_file: '/t' };
  assert.deepEqual(configDifferences(job, { job_name: 'apiservers', authorization: { type: 'Bearer', credentials_file: '/t' } }), []);
  assert.deepEqual(configDifferences(job, { job_name: 'apiservers', authorization: { type: 'Bearer', credentials_file: '/u' } }), [
    'authorization.credentials_file: loaded "/u", written "/t"',
  ]);
});

test('a data source URL resolves through the Service and its EndpointSlice, or says where it stops', () => {
  const services = [{ metadata: { name: 'prometheus-server', namespace: 'monitoring' }, spec: { ports: [{ name: 'http', port: 80 }] } }];
  const slices = [
    {
      metadata: { name: 'prometheus-server-x', labels: { 'kubernetes.io/service-name': 'prometheus-server' } },
      ports: [{ name: 'http', port: 9090 }],
      endpoints: [{ addresses: ['10.244.0.7'], conditions: { ready: true } }],
    },
  ];
  assert.deepEqual(resolveServiceUrl('http://prometheus-server', 'monitoring', services, slices), {
    url: 'http://10.244.0.7:9090',
    addresses: ['10.244.0.7:9090'],
  });
  assert.deepEqual(resolveServiceUrl('http://prometheus-server.monitoring.svc.cluster.local:9090', 'monitoring', services, slices), {
    problem: 'Service monitoring/prometheus-server has no port 9090 (it has 80)',
  });
  assert.deepEqual(resolveServiceUrl('http://prometheus-srever', 'monitoring', services, slices), { problem: 'no Service monitoring/prometheus-srever' });
});

test('cluster DNS and kube-proxy for the drill: names per Service, ClusterIP:port to a ready endpoint, headless to its pod', () => {
  const services = [
    { metadata: { name: 'prometheus-server', namespace: 'monitoring' }, spec: { clusterIP: '10.96.0.40', ports: [{ name: 'http', port: 80 }] } },
    { metadata: { name: 'prometheus-alertmanager-headless', namespace: 'monitoring' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 9093 }] } },
    { metadata: { name: 'nothing-behind', namespace: 'monitoring' }, spec: { clusterIP: '10.96.0.41', ports: [{ name: 'http', port: 80 }] } },
  ];
  const slices = [
    {
      metadata: { labels: { 'kubernetes.io/service-name': 'prometheus-server' } },
      ports: [{ name: 'http', port: 9090 }],
      endpoints: [
        { addresses: ['10.244.0.9'], conditions: { ready: false } },
        { addresses: ['10.244.0.7'], conditions: { ready: true } },
      ],
    },
    {
      metadata: { labels: { 'kubernetes.io/service-name': 'prometheus-alertmanager-headless' } },
      ports: [{ name: 'http', port: 9093 }],
      endpoints: [{ addresses: ['10.244.0.4'] }],
    },
  ];
  const network = clusterNetwork('monitoring', services, slices);
  assert.deepEqual(network.hosts[0], [
    '10.96.0.40',
    'prometheus-server',
    'prometheus-server.monitoring',
    'prometheus-server.monitoring.svc',
    'prometheus-server.monitoring.svc.cluster.local',
  ]);
  assert.equal(network.hosts[1]![0], '10.244.0.4', 'a headless Service names its pod');
  assert.deepEqual(network.forwards, [{ host: '10.96.0.40', port: 80, to: { host: '10.244.0.7', port: 9090 } }], 'no forward where no endpoint is ready');
});
