import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterNetwork } from '../e2e/pipeline/cluster-network.ts';
import { configDifferences } from '../e2e/pipeline/compare.ts';
import { expandQuery, interpolateAll, panelQueries, queryVariables, scrapeSeconds } from '../e2e/pipeline/dashboards.ts';
import { datasourceCredentials, goClientRequest, grafanaExpand, reloadRequest, secretCredentials } from '../e2e/pipeline/auth.ts';
import { containerEnv, DEFAULT_LISTENERS, expandEnv, plannedLaunches, rebaseHostPaths, rebaseListen } from '../e2e/pipeline/launch.ts';
import { describeProbe, httpProbeSucceeds, probeAction } from '../e2e/pipeline/probes.ts';
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

// The Prometheus pod as the real chart renders it with base/prometheus/values.yaml (reloader and server, abridged).
const secretEnv = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: 'prometheus-basic-auth', key } } });
const reloaderContainer = {
  name: 'prometheus-server-configmap-reload',
  image: 'quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1',
  args: [
    '--watched-dir=/etc/config',
    '--listen-address=0.0.0.0:8080',
    '--reload-url=http://$(PROMETHEUS_USERNAME):$(PROMETHEUS_PASSWORD)@127.0.0.1:9090/-/reload',
  ],
  env: [secretEnv('PROMETHEUS_USERNAME', 'username'), secretEnv('PROMETHEUS_PASSWORD', 'password')],
};
const authPod = { ...prometheusPod, spec: { ...prometheusPod.spec, containers: [reloaderContainer, ...prometheusPod.spec.containers] } };
const liveSecrets = new Map([['prometheus-basic-auth', { username: 'e2e', password: 'e2e0drill0password', 'web-config.yml': 'basic_auth_users: {}' }]]);

test('env as the kubelet sets it: Secret and ConfigMap keys, envFrom with its prefix, what keeps a container from starting', () => {
  const container = {
    envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'S_' }, { secretRef: { name: 'absent', optional: true } }],
    env: [
      secretEnv('USER', 'username'),
      { name: 'URL', value: 'http://$(USER)@$(S_HOST)' },
      { name: 'GONE', valueFrom: { secretKeyRef: { name: 'prometheus-basic-auth', key: 'nope' } } },
      { name: 'MAYBE', valueFrom: { secretKeyRef: { name: 'absent', key: 'x', optional: true } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ],
  };
  const { env, problems } = containerEnv(container, authPod, { secrets: liveSecrets, configMaps: new Map([['settings', { HOST: 'h', 'not a name': 'x' }]]) });
  assert.deepEqual(Object.fromEntries(env), { S_HOST: 'h', USER: 'e2e', URL: 'http://e2e@h', IP: '10.244.0.7' });
  assert.deepEqual(problems, ['env GONE: Secret prometheus-basic-auth has no key nope']);
  assert.deepEqual(containerEnv(container, authPod).problems, [
    'envFrom: ConfigMap settings is not there',
    'env USER: Secret prometheus-basic-auth is not there',
    'env GONE: Secret prometheus-basic-auth is not there',
  ]);
});

test("the config reloader's request: --reload-url expanded from its env as the kubelet does, userinfo as Go's client sends it, on the pod", () => {
  const envOf = (c: Record<string, unknown>) => containerEnv(c, authPod, { secrets: liveSecrets }).env;
  assert.deepEqual(reloadRequest(authPod.spec.containers, envOf, '10.244.0.7'), {
    container: 'prometheus-server-configmap-reload',
    written: 'http://$(PROMETHEUS_USERNAME):$(PROMETHEUS_PASSWORD)@127.0.0.1:9090/-/reload',
    url: 'http://10.244.0.7:9090/-/reload',
    auth: { username: 'e2e', password: 'e2e0drill0password' },
  });
  assert.deepEqual(
    reloadRequest(authPod.spec.containers, (c) => containerEnv(c, authPod).env, '10.244.0.7'),
    {
      container: 'prometheus-server-configmap-reload',
      problem:
        '--reload-url=http://$(PROMETHEUS_USERNAME):$(PROMETHEUS_PASSWORD)@127.0.0.1:9090/-/reload names $(PROMETHEUS_USERNAME), $(PROMETHEUS_PASSWORD), which its env does not set',
    },
  );
  const bare = { ...reloaderContainer, args: ['--watched-dir=/etc/config'], env: [] };
  assert.deepEqual(reloadRequest([bare], envOf, '10.244.0.7'), {
    container: 'prometheus-server-configmap-reload',
    written: 'http://127.0.0.1:9090/-/reload',
    url: 'http://10.244.0.7:9090/-/reload',
  });
  assert.equal(reloadRequest([{ ...bare, args: ['--reload-method=signal'] }], envOf, '10.244.0.7'), 'signal');
  assert.equal(reloadRequest(prometheusPod.spec.containers, envOf, '10.244.0.7'), undefined, 'no reloader in the pod');
  assert.deepEqual(goClientRequest('http://%65%32e:p%40ss@localhost:9090/-/reload'), {
    url: 'http://localhost:9090/-/reload',
    auth: { username: 'e2e', password: 'p@ss' },
  });
  assert.deepEqual(goClientRequest('http://e2e:p@ss/word@127.0.0.1:9090/-/reload').constructor, Object);
  assert.deepEqual(secretCredentials(liveSecrets), { username: 'e2e', password: 'e2e0drill0password' });
  assert.deepEqual(secretCredentials(new Map([['prometheus-basic-auth', { auth: 'e2e:{SHA}x' }]])), {
    problem: 'the Secret prometheus-basic-auth has no username and no password (it has auth)',
  });
});

test('probes as the kubelet performs them: tcpSocket connects, httpGet with its headers on the pod address, 200-399 succeed', () => {
  const server = {
    name: 'prometheus-server',
    ports: [{ name: 'http', containerPort: 9090 }],
    readinessProbe: { tcpSocket: { port: 9090 }, timeoutSeconds: 4 },
    livenessProbe: { httpGet: { path: '/-/healthy', port: 'http', httpHeaders: [{ name: 'Authorization', value: 'Basic x' }] } },
  };
  assert.deepEqual(probeAction(server.readinessProbe, server, '10.244.0.7'), { kind: 'tcp', host: '10.244.0.7', port: 9090 });
  const http = probeAction(server.livenessProbe, server, '10.244.0.7');
  assert.deepEqual(http, {
    kind: 'http',
    url: 'http://10.244.0.7:9090/-/healthy',
    headers: { 'user-agent': 'kube-probe/1.35', accept: '*/*', authorization: 'Basic x' },
  });
  assert.equal(describeProbe(http), 'httpGet http://10.244.0.7:9090/-/healthy');
  assert.deepEqual(probeAction({ httpGet: { path: '/-/ready', port: 'web', scheme: 'HTTPS' } }, server, '10.244.0.7'), {
    kind: 'invalid',
    problem: "port web is not among the container's ports (http:9090)",
  });
  assert.deepEqual(probeAction({ exec: { command: ['true'] } }, server, '10.244.0.7'), { kind: 'unsupported', what: 'exec' });
  assert.deepEqual(
    [200, 302, 399, 401, 503].map((s) => httpProbeSucceeds(s)),
    [true, true, true, false, false],
  );
});

test("Grafana's data source signs in with what its provisioning expands from the container's env", () => {
  const env = new Map([
    ['PROMETHEUS_USERNAME', 'e2e'],
    ['PROMETHEUS_PASSWORD', 'pw'],
  ]);
  assert.deepEqual(grafanaExpand('${PROMETHEUS_USERNAME}/$PROMETHEUS_PASSWORD/$$x/$__env{PROMETHEUS_USERNAME}/$', env), {
    value: 'e2e/pw/$x/e2e/$',
    unset: [],
    unsupported: [],
  });
  assert.deepEqual(grafanaExpand('a${TYPO}b${}$1', env), { value: 'ab', unset: ['TYPO', '1'], unsupported: [] }, 'unset is empty; `${}` is eaten');
  assert.deepEqual(grafanaExpand('$__file{/run/x}', env), { value: '$__file{/run/x}', unset: [], unsupported: ['$__file{/run/x}'] });
  const source = {
    url: 'http://prometheus-server',
    basicAuth: true,
    basicAuthUser: '${PROMETHEUS_USERNAME}',
    secureJsonData: { basicAuthPassword: '${PROMETHEUS_PASSWORD}' },
  };
  assert.deepEqual(datasourceCredentials(source, env), { auth: { username: 'e2e', password: 'pw' }, problems: [] });
  assert.deepEqual(datasourceCredentials({ ...source, basicAuth: false }, env), { problems: [] }, 'no basicAuth: Grafana sends no credentials');
  assert.deepEqual(datasourceCredentials({ ...source, secureJsonData: { basicAuthPassword: '${PROMETHEUS_PASSWORD_TYPO}' } }, env).problems, [
    "secureJsonData.basicAuthPassword ${PROMETHEUS_PASSWORD_TYPO} names PROMETHEUS_PASSWORD_TYPO, which the Grafana container's env does not set (Grafana expands it to nothing)",
  ]);
});
