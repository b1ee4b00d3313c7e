import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { SimulatedCluster } from '../../../scripts/fleet/cluster.ts';
import type { RuntimeBinaries } from '../../../scripts/tools/runtime.ts';
import type { K8sObject } from '../../../scripts/lib/k8s.ts';
import { isMap } from '../../../scripts/lib/values.ts';
import { ALERTMANAGER_KEYS } from '../../../scripts/validate/config-files.ts';
import { readMountedConfig } from '../../../scripts/validate/mounted-config.ts';
import { flagValue } from '../../../scripts/validate/pod-files.ts';
import { prometheusAccess, probesPass, reloaderReloads, type AccessCheck } from './access.ts';
import { RuntimeApi, waitFor, type ActiveAlert, type RuleGroup, type Target } from './api.ts';
import { basicAuthHeaders, datasourceCredentials, secretCredentials, type Datasource } from './auth.ts';
import { configDifferences } from './compare.ts';
import { expandQuery, interpolateAll, panelQueries, queryVariables, scrapeSeconds } from './dashboards.ts';
import { containerEnv, plannedLaunches, runningPods, type EnvSources, type Launch } from './launch.ts';
import { openNamespace, type DrillNamespace } from './namespace.ts';
import { FakeProcfs } from './procfs.ts';
import { prepareReceivers, type Notification } from './receivers.ts';
import { clusterNetwork } from './cluster-network.ts';
import { resolveServiceUrl } from './service-url.ts';
import { materialize, type MountContent } from './sandbox.ts';
import { selectorsOf, whyEmpty } from './selectors.ts';

export interface DrillOptions {
  cluster: SimulatedCluster;
  binaries: RuntimeBinaries;
  /** The run's folder (sandboxes, fake /proc, logs); the caller removes it. */
  dir: string;
  namespace?: string;
  log?: (line: string) => void;
  /**
   * How far to go: `checks` stops after what needs no alert (config, targets, queries, the datasource);
   * `firing` after the firing notifications; `resolved` (default) waits for the resolved ones too, which
   * Alertmanager sends a group_interval after the firing ones.
   */
  until?: 'checks' | 'firing' | 'resolved';
  /**
   * Called once the firing notifications were delivered, while Prometheus and Alertmanager run and
   * NodeExporterDown (critical) and HighCpuUsage (warning) fire; reach them through the cluster's API server
   * (service proxy: the namespace serves its egress). What it throws fails the drill, after the cleanup.
   */
  whileFiring?: () => Promise<void>;
  /**
   * Called once every target is up, before the drill stops a node-exporter: Prometheus and Alertmanager run
   * and nothing the drill causes is critical yet (the hot node's HighCpuUsage, a warning, may fire).
   */
  whileQuiet?: () => Promise<void>;
}

/** What the drill saw. `findings` empty means the README's promise held on this cluster. */
export interface DrillResult {
  findings: string[];
  firedAfterSeconds?: number;
  notifications: Notification[];
  queries: { ok: number; total: number };
  rules: { ok: number; total: number };
  summary: string;
}

// Where the README says each alert goes: Slack for every alert, e-mail as well for critical ones.
const EXPECTED = ['slack:HighCpuUsage', 'slack:NodeExporterDown', 'email:NodeExporterDown'];
const HOT = 0.9;
const CALM = 0.5;
const IDLE = 0.05;
const MINUTE = 60_000;
/** The chart's scrape job of Prometheus itself (localhost:9090, signing in with the Secret's files). */
const SELF_JOB = 'prometheus';

/**
 * The fire drill on one synced cluster: its Prometheus, Alertmanager and node-exporters started as the
 * synced pods say, in a namespace where their addresses are real; one node held at 90% CPU, one at 50%,
 * one node-exporter stopped; then what reaches Slack and e-mail, and back to normal.
 */
export async function runFireDrill(options: DrillOptions): Promise<DrillResult> {
  const log = options.log ?? (() => {});
  const namespace = options.namespace ?? 'monitoring';
  const { client } = options.cluster;
  const findings: string[] = [];
  const list = (apiVersion: string, kind: string) => client.list({ apiVersion, kind, namespace }) as Promise<K8sObject[]>;
  const [pods, configMaps, secrets, services, slices] = await Promise.all([
    list('v1', 'Pod'),
    list('v1', 'ConfigMap'),
    list('v1', 'Secret'),
    list('v1', 'Service'),
    list('discovery.k8s.io/v1', 'EndpointSlice'),
  ]);
  const launches = plannedLaunches(pods, configMaps);
  const prometheus = one(launches, 'prometheus');
  const alertmanager = one(launches, 'alertmanager');
  const exporters = launches.filter((l) => l.binary === 'nodeExporter').sort((a, b) => a.node.localeCompare(b.node));
  if (exporters.length < 3) throw new Error(`the drill needs node-exporter on three nodes; ${namespace} runs it on ${exporters.length}`);
  const [hot, calm, down] = exporters as [Launch, Launch, Launch];

  const content = await mountContent(options.cluster, namespace, prometheus, secrets);
  // Prometheus asks every request for a user of its web config: the drill signs in as its clients do, with the live Secret.
  const credentials = secretCredentials(content.secrets);
  if ('problem' in credentials) throw new Error(`the drill signs in to Prometheus with the credentials its clients use: ${credentials.problem}`);
  const sources: EnvSources = {
    secrets: content.secrets,
    configMaps: new Map(configMaps.map((c) => [c.metadata?.name ?? '', (c.data ?? {}) as Record<string, string>])),
  };
  const kubernetes = await client.get<{ apiVersion: string; kind: string; metadata: { name: string }; spec: { clusterIP: string; ports: { port: number }[] } }>(
    {
      apiVersion: 'v1',
      kind: 'Service',
      namespace: 'default',
      name: 'kubernetes',
    },
  );
  const api = new URL(options.cluster.plane.server);
  const logs = join(options.dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const amConfig = readMountedConfig(alertmanager.container!, ALERTMANAGER_KEYS).config;
  const receivers = await prepareReceivers(options.dir, alertmanager.container!, amConfig, content, alertNames(configMaps));
  const network = clusterNetwork(namespace, [...services, { ...kubernetes, spec: { ...kubernetes.spec, ports: [] } }], slices);
  // In a pod, localhost is the pod's own: Prometheus scrapes itself there.
  const ownPorts = [prometheus, alertmanager].map((l) => {
    const [host, port] = l.address.split(':') as [string, string];
    return { host: '127.0.0.1', port: Number(port), to: { host, port: Number(port) } };
  });
  const ns = await openNamespace({
    dir: options.dir,
    apiServer: { host: api.hostname, port: Number(api.port) },
    kubernetesService: { host: kubernetes.spec.clusterIP, port: kubernetes.spec.ports[0]!.port },
    forwards: [...network.forwards, ...ownPorts],
    hosts: [...network.hosts, ...receivers.hosts],
    serviceAccount: content.serviceAccount,
    egressSocket: options.cluster.plane.egressSocket,
  });
  const procfs = new Map(exporters.map((e, i) => [e.name, new FakeProcfs(join(options.dir, 'proc', e.node), [HOT, CALM, IDLE][i]!)]));
  const started = Date.now();
  const runtime = new RuntimeApi(ns, prometheus.address, alertmanager.address, credentials);
  // What the summary says of Prometheus' sign-in: each check's part, once it ran.
  const access: { prometheus?: AccessCheck; reloader?: AccessCheck; probes?: AccessCheck; datasource?: AccessCheck } = {};
  try {
    await receivers.start(ns, logs);
    const env = {
      // What the kubelet sets for the `kubernetes` Service; client-go's in-cluster config reads them.
      prometheus: { KUBERNETES_SERVICE_HOST: kubernetes.spec.clusterIP, KUBERNETES_SERVICE_PORT: String(kubernetes.spec.ports[0]!.port) },
      // Alertmanager trusts the receivers' test CA as a pod trusts its image's CA bundle.
      alertmanager: { SSL_CERT_FILE: receivers.caFile },
      nodeExporter: {},
    };
    const argsOf = new Map<string, string[]>();
    for (const launch of launches) {
      const args = materialize(launch, join(options.dir, 'sandbox'), content, procfs.get(launch.name)?.dir ?? '/proc');
      argsOf.set(launch.name, args);
      await ns.start({ name: launch.name, file: options.binaries[launch.binary], args, env: env[launch.binary], logFile: join(logs, `${launch.name}.log`) });
    }
    log(`fire drill: started ${launches.map((l) => `${l.name} on ${l.address}`).join(', ')}`);
    await waitFor('Prometheus ready', MINUTE, async () => ((await runtime.ready('prometheus')) ? true : undefined), 500);
    await waitFor('Alertmanager ready', MINUTE, async () => ((await runtime.ready('alertmanager')) ? true : undefined), 500);

    findings.push(...(await loadedAsWritten(runtime, argsOf.get(prometheus.name)!, argsOf.get(alertmanager.name)!)));
    access.prometheus = await prometheusAccess(ns, prometheus.address, credentials);
    access.reloader = await reloaderReloads(ns, prometheus.pod, sources);
    access.probes = await probesPass(ns, prometheus.pod, prometheus.container!.container);
    findings.push(...access.prometheus.findings, ...access.reloader.findings, ...access.probes.findings);
    const exporterTargets = await waitFor('every node-exporter target up', 3 * MINUTE, async () => {
      const targets = (await runtime.prom<{ activeTargets: Target[] }>('/api/v1/targets', { state: 'active' })).activeTargets.filter(
        (t) => t.labels.app_kubernetes_io_name === 'prometheus-node-exporter',
      );
      return exporters.every((e) => targets.some((t) => t.labels.instance === e.address && t.health === 'up')) ? targets : undefined;
    }).catch(async (err: Error) => {
      findings.push(`node-exporter targets not up: ${await targetProblems(runtime, exporters, join(logs, `${prometheus.name}.log`))} (${err.message})`);
      return undefined;
    });
    if (!exporterTargets) return await finish();
    // Prometheus scrapes itself through its own sign-in (the job's basic_auth files on the Secret's mount).
    await waitFor(`Prometheus' own target (job ${SELF_JOB}) up`, 2 * MINUTE, async () => {
      const { activeTargets } = await runtime.prom<{ activeTargets: Target[] }>('/api/v1/targets', { state: 'active' });
      return activeTargets.some((t) => t.labels.job === SELF_JOB && t.health === 'up') ? true : undefined;
    }).catch(async (err: Error) => findings.push(`Prometheus' own target is not up: ${await selfTargetProblem(runtime)} (${err.message})`));
    // Before the fault: a caller's checks while the cluster runs with no alert the drill caused.
    await options.whileQuiet?.();
    await ns.stop(down.name);
    const stoppedAt = Date.now();
    log(`fire drill: ${hot.node} at ${HOT * 100}% CPU, ${calm.node} at ${CALM * 100}%, node-exporter on ${down.node} stopped`);
    // The chart names Alertmanager by its Service's DNS name: discovered means that name reaches the running one.
    const discovered = await waitFor('Prometheus finding Alertmanager', 2 * MINUTE, async () => {
      const { activeAlertmanagers } = await runtime.prom<{ activeAlertmanagers: { url: string }[] }>('/api/v1/alertmanagers');
      for (const { url } of activeAlertmanagers) {
        const status = await ns.fetch(url.replace(/\/api\/v2\/alerts$/, '/api/v2/status')).catch(() => undefined);
        if (status?.status === 200) return true;
      }
      return undefined;
    }).catch((err: Error) => findings.push(`Prometheus has no Alertmanager it can reach (${alertmanager.address} runs): ${err.message}`));
    const since = started;
    // A rate() needs two samples in its window: query once every node-exporter target was scraped twice.
    await waitFor('two scrapes of every node-exporter target', 3 * MINUTE, async () => {
      const { result } = await runtime.prom<{ result: { value: [number, string] }[] }>('/api/v1/query', {
        query: 'min(count_over_time(up{app_kubernetes_io_name="prometheus-node-exporter"}[10m]))',
      });
      return Number(result[0]?.value[1] ?? 0) >= 2 ? true : undefined;
    });
    const queries = await dashboardQueries(runtime, configMaps, since, findings);
    await ruleSelectors(runtime, since, findings);
    access.datasource = await datasourceReaches(ns, configMaps, services, slices, namespace, prometheus.address, pods, sources);
    findings.push(...access.datasource.findings);
    if (discovered !== true || options.until === 'checks') return await finish(queries);

    const notified = (status: Notification['status'], what: string, timeoutMs: number) =>
      waitFor(what, timeoutMs, async () => (EXPECTED.every((want) => has(receivers.notifications(), want, status)) ? true : undefined), 5000).catch(
        (err: Error) => {
          findings.push(`${err.message}; delivered: ${describeNotifications(receivers.notifications())}${logErrors(join(logs, `${alertmanager.name}.log`))}`);
          return false;
        },
      );
    const fired = await notified('firing', 'HighCpuUsage and NodeExporterDown notified', 12 * MINUTE);
    if (fired) await options.whileFiring?.();
    const firedAt = receivers.notifications().find((n) => n.status === 'firing' && n.alertnames.includes('HighCpuUsage') && n.receiver === 'slack')?.at;
    const alerts = (await runtime.prom<{ alerts: ActiveAlert[] }>('/api/v1/alerts')).alerts;
    // Pending is allowed: rate() over 5m underestimates idle time while a new target has less than 5m of samples.
    const calmAlerts = alerts.filter((a) => a.labels.instance === calm.address && a.state === 'firing');
    if (calmAlerts.length) findings.push(`${calm.node} at ${CALM * 100}% CPU raised ${calmAlerts.map((a) => `${a.labels.alertname} (${a.state})`).join(', ')}`);
    if (has(receivers.notifications(), 'email:HighCpuUsage', 'firing'))
      findings.push('HighCpuUsage (severity warning) was e-mailed: e-mail is for critical alerts only');
    if (fired && (options.until ?? 'resolved') === 'resolved') {
      procfs.get(hot.name)!.setBusy(IDLE);
      await ns.start({ name: down.name, file: options.binaries.nodeExporter, args: argsOf.get(down.name)!, env: {}, logFile: join(logs, `${down.name}.log`) });
      log(
        `fire drill: notified after ${Math.round(((firedAt ?? Date.now()) - stoppedAt) / 1000)} s; ${hot.node} back to ${IDLE * 100}%, node-exporter on ${down.node} restarted`,
      );
      await notified('resolved', 'resolved notifications', 9 * MINUTE);
    }
    findings.push(...receivers.notifications().flatMap((n) => (n.problem ? [`${n.receiver} refused a notification: ${n.problem}`] : [])));
    return await finish(queries, firedAt);
  } finally {
    for (const p of procfs.values()) p.stop();
    // Closing the namespace stops every process in it, the receivers included.
    await ns.close();
  }

  async function finish(queries = { ok: 0, total: 0 }, firedAt?: number): Promise<DrillResult> {
    const groups = await runtime
      .prom<{ groups: RuleGroup[] }>('/api/v1/rules')
      .then((r) => r.groups)
      .catch(() => [] as RuleGroup[]);
    const rules = groups.flatMap((g) => g.rules.map((r) => ({ ...r, group: g.name })));
    for (const r of rules.filter((r) => r.health !== 'ok')) findings.push(`rule ${r.group}/${r.name} is ${r.health}${r.lastError ? `: ${r.lastError}` : ''}`);
    const notifications = receivers.notifications();
    const count = (receiver: string, status?: string) => notifications.filter((n) => n.receiver === receiver && (!status || n.status === status)).length;
    const firedAfterSeconds = firedAt ? Math.round((firedAt - started) / 1000) : undefined;
    const rulesOk = rules.filter((r) => r.health === 'ok').length;
    const summary = `pipeline: HighCpuUsage fired in ${firedAfterSeconds ?? '—'} s; delivered to slack (${count('slack', 'firing')}) and email (${count('email', 'firing')}); resolved (${notifications.filter((n) => n.status === 'resolved').length}); ${queries.ok}/${queries.total} dashboard queries returned data; ${rulesOk}/${rules.length} rules healthy; ${[
      access.prometheus?.summary ?? 'Prometheus sign-in not checked',
      access.reloader?.summary ?? 'reloader not checked',
      access.probes?.summary ?? 'probes not checked',
      access.datasource?.summary ?? 'datasource not checked',
    ].join('; ')}`;
    return { findings, firedAfterSeconds, notifications, queries, rules: { ok: rulesOk, total: rules.length }, summary };
  }
}

/** The alert names of every rule file in the synced ConfigMaps (what a notification may name). */
function alertNames(configMaps: K8sObject[]): string[] {
  return configMaps.flatMap((cm) =>
    Object.values((cm.data ?? {}) as Record<string, string>).flatMap((text) => {
      if (!/^\s*groups:/m.test(text)) return [];
      try {
        const file = parse(text) as { groups?: { rules?: { alert?: string }[] }[] } | null;
        return (file?.groups ?? []).flatMap((g) => (g.rules ?? []).flatMap((r) => (r.alert ? [r.alert] : [])));
      } catch {
        return [];
      }
    }),
  );
}

function one(launches: Launch[], binary: Launch['binary']): Launch {
  const found = launches.filter((l) => l.binary === binary);
  if (found.length !== 1) throw new Error(`the drill needs exactly one running ${binary} pod; found ${found.length}`);
  return found[0]!;
}

/** The live Secrets (decoded) and a token of Prometheus' own service account, as the kubelet would mount them. */
async function mountContent(cluster: SimulatedCluster, namespace: string, prometheus: Launch, secrets: K8sObject[]): Promise<MountContent> {
  const account = String((prometheus.pod.spec as { serviceAccountName?: string }).serviceAccountName ?? 'default');
  const request = await cluster.client.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${account}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 7200 } },
  });
  const decoded = (data: unknown) =>
    Object.fromEntries(Object.entries(isMap(data) ? data : {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()]));
  return {
    secrets: new Map(secrets.map((s) => [s.metadata?.name ?? '', decoded(s.data)])),
    serviceAccount: { token: request.status.token, 'ca.crt': readFileSync(cluster.plane.caFile, 'utf8'), namespace },
  };
}

/** Prometheus and Alertmanager run the config files written from the synced ConfigMaps, every rule file included. */
async function loadedAsWritten(api: RuntimeApi, prometheusArgs: string[], alertmanagerArgs: string[]): Promise<string[]> {
  const findings: string[] = [];
  const promFile = flagValue(prometheusArgs, 'config.file')!;
  const written = parse(readFileSync(promFile, 'utf8')) as { rule_files?: string[] };
  const loaded = parse((await api.prom<{ yaml: string }>('/api/v1/status/config')).yaml);
  findings.push(...configDifferences(written, loaded).map((d) => `Prometheus config ${d}`));
  const groups = (await api.prom<{ groups: RuleGroup[] }>('/api/v1/rules')).groups;
  const loadedRules = new Set(groups.flatMap((g) => g.rules.map((r) => `${g.name}/${r.name}`)));
  for (const file of written.rule_files ?? []) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const rulesFile = (parse(text) ?? {}) as { groups?: { name: string; rules: { alert?: string; record?: string }[] }[] };
    for (const g of rulesFile.groups ?? [])
      for (const r of g.rules ?? [])
        if (!loadedRules.has(`${g.name}/${r.alert ?? r.record}`)) findings.push(`rule ${g.name}/${r.alert ?? r.record} of ${file} is not loaded`);
  }
  const amFile = flagValue(alertmanagerArgs, 'config.file')!;
  const amLoaded = parse((await api.alertmanagerStatus()).config.original);
  findings.push(...configDifferences(parse(readFileSync(amFile, 'utf8')), amLoaded).map((d) => `Alertmanager config ${d}`));
  return findings;
}

/** Why node-exporter targets are missing or down: discovery (often RBAC, in Prometheus' log) or scrape errors. */
async function targetProblems(api: RuntimeApi, exporters: Launch[], promLog: string): Promise<string> {
  const { activeTargets } = await api.prom<{ activeTargets: Target[] }>('/api/v1/targets', { state: 'active' });
  const mine = activeTargets.filter((t) => t.labels.app_kubernetes_io_name === 'prometheus-node-exporter');
  if (!mine.length) {
    const forbidden = readFileSync(promLog, 'utf8')
      .split('\n')
      .find((l) => /forbidden|cannot list/.test(l));
    return `none discovered${forbidden ? `; Prometheus' log: ${forbidden.slice(0, 400)}` : ''}`;
  }
  return exporters
    .map((e) => {
      const t = mine.find((t) => t.labels.instance === e.address);
      return `${e.address} ${t ? `${t.health}${t.lastError ? ` (${t.lastError})` : ''}` : 'not discovered'}`;
    })
    .join('; ');
}

/** Every panel query of every synced dashboard ConfigMap, its variables set to "All", returns data. */
async function dashboardQueries(api: RuntimeApi, configMaps: K8sObject[], since: number, findings: string[]): Promise<{ ok: number; total: number }> {
  const scrape = scrapeSeconds(datasource(configMaps)?.jsonData?.timeInterval);
  let ok = 0;
  let total = 0;
  for (const cm of configMaps.filter((c) => (c.metadata?.labels as Record<string, string> | undefined)?.grafana_dashboard === '1')) {
    for (const [key, text] of Object.entries((cm.data ?? {}) as Record<string, string>)) {
      const dashboard = JSON.parse(text) as Record<string, unknown>;
      const name = `${cm.metadata?.name}/${key}`;
      const { variables, unsupported } = queryVariables(dashboard);
      for (const u of unsupported) findings.push(`dashboard ${name}: variable ${u} is not a label_values() query the drill can expand`);
      const selections = new Map<string, string>();
      for (const v of variables) {
        const values = await api.prom<string[]>(`/api/v1/label/${v.label}/values`, { 'match[]': v.metric, start: String(since / 1000) });
        if (!values.length) findings.push(`dashboard ${name}: variable $${v.name} (label_values(${v.metric}, ${v.label})) has no values`);
        selections.set(v.name, interpolateAll(v, values));
      }
      for (const q of panelQueries(dashboard, name)) {
        total++;
        const expr = expandQuery(q.expr, selections, scrape);
        const result = await api.prom<{ result: unknown[] }>('/api/v1/query', { query: expr }).catch((err: Error) => err);
        if (result instanceof Error) findings.push(`dashboard ${name} panel "${q.panel}" ${q.refId}: ${result.message}`);
        else if (result.result.length) ok++;
        else {
          const reasons = await Promise.all((await selectorsOf(api, expr)).map((s) => whyEmpty(api, s, since)));
          findings.push(`dashboard ${name} panel "${q.panel}" ${q.refId} returned no data: ${reasons.filter(Boolean).join('; ') || expr}`);
        }
      }
    }
  }
  return { ok, total };
}

/** Every selector of every loaded rule matches series of the running targets. */
async function ruleSelectors(api: RuntimeApi, since: number, findings: string[]): Promise<void> {
  const groups = (await api.prom<{ groups: RuleGroup[] }>('/api/v1/rules')).groups;
  for (const g of groups)
    for (const r of g.rules)
      for (const s of await selectorsOf(api, r.query)) {
        const why = await whyEmpty(api, s, since);
        if (why) findings.push(`rule ${g.name}/${r.name}: ${why}`);
      }
}

/** The provisioned Prometheus data source of the synced Grafana ConfigMap. */
function datasource(configMaps: K8sObject[]): Datasource | undefined {
  for (const cm of configMaps)
    for (const text of Object.values((cm.data ?? {}) as Record<string, string>)) {
      if (!/^\s*apiVersion:/m.test(text) || !text.includes('datasources')) continue;
      const found = ((parse(text) as { datasources?: Datasource[] } | null)?.datasources ?? []).find((d) => d.type === 'prometheus');
      if (found) return found;
    }
  return undefined;
}

/**
 * Grafana's data source URL, resolved as a pod resolves it (Service, EndpointSlice), answers queries from the
 * running Prometheus when signed in as Grafana signs in (basicAuthUser and secureJsonData.basicAuthPassword
 * expanded from the Grafana container's env, which reads the live Secret), and 401 without those credentials.
 */
async function datasourceReaches(
  ns: DrillNamespace,
  configMaps: K8sObject[],
  services: K8sObject[],
  slices: K8sObject[],
  namespace: string,
  prometheusAddress: string,
  pods: K8sObject[],
  sources: EnvSources,
): Promise<AccessCheck> {
  const failed = (findings: string[]) => ({ findings, summary: 'datasource not signed in' });
  const source = datasource(configMaps);
  if (!source?.url) return failed(['no provisioned Prometheus data source in the synced ConfigMaps']);
  const resolved = resolveServiceUrl(source.url, namespace, services, slices);
  if ('problem' in resolved) return failed([`Grafana data source ${source.url}: ${resolved.problem}`]);
  if (!resolved.addresses.includes(prometheusAddress))
    return failed([`Grafana data source ${source.url} resolves to ${resolved.addresses.join(', ')}, not the Prometheus server at ${prometheusAddress}`]);
  const grafana = runningPods(pods).flatMap((pod) =>
    ((pod.spec as { containers?: Record<string, unknown>[] }).containers ?? [])
      .filter((c) => /(^|\/)grafana(:|@|$)/.test(String(c.image ?? '')))
      .map((container) => ({ pod, container })),
  )[0];
  if (!grafana) return failed([`no running Grafana pod in ${namespace}: the drill reads the credentials its data source expands from its container's env`]);
  const { env, problems } = containerEnv(grafana.container, grafana.pod, sources);
  const credentials = datasourceCredentials(source, env);
  const findings = [
    ...problems.map((p) => `Grafana container ${String(grafana.container.name)}: the kubelet would not start it: ${p}`),
    ...credentials.problems.map((p) => `Grafana data source ${source.name ?? source.url}: ${p}`),
  ];
  const query = `${resolved.url}/api/v1/query?query=up`;
  const response = await ns.fetch({ url: query, headers: basicAuthHeaders(credentials.auth) });
  const data = response.status === 200 ? (JSON.parse(response.body) as { data?: { result?: unknown[] } }).data?.result?.length : 0;
  const as = credentials.auth ? `signed in as ${credentials.auth.username}` : 'without credentials (basicAuth is not true)';
  if (!data)
    findings.push(
      `Grafana data source ${source.url} (${resolved.url}) answered ${response.status} ${as}, without data${response.status === 200 ? '' : `: ${response.body.slice(0, 120).trim()}`}`,
    );
  if (credentials.auth) {
    const bare = await ns.fetch(query);
    if (bare.status !== 401)
      findings.push(`Grafana data source ${source.url} (${resolved.url}) answered ${bare.status} without credentials, not 401: its sign-in proves nothing`);
  }
  return findings.length ? failed(findings) : { findings, summary: 'datasource signed in' };
}

/** Why Prometheus' own target is not up: not among the active targets, or its health and last scrape error. */
async function selfTargetProblem(api: RuntimeApi): Promise<string> {
  const { activeTargets } = await api.prom<{ activeTargets: Target[] }>('/api/v1/targets', { state: 'active' });
  const mine = activeTargets.filter((t) => t.labels.job === SELF_JOB);
  if (!mine.length) return `no active target of job ${SELF_JOB} (jobs: ${[...new Set(activeTargets.map((t) => t.labels.job))].join(', ')})`;
  return mine.map((t) => `${t.scrapeUrl ?? t.labels.instance} ${t.health}${t.lastError ? `: ${t.lastError}` : ''}`).join('; ');
}

function has(notifications: Notification[], want: string, status: Notification['status']): boolean {
  const [receiver, alertname] = want.split(':');
  return notifications.some((n) => n.receiver === receiver && n.status === status && n.alertnames.includes(alertname!));
}

/** The last errors a program logged, as a finding's tail (Alertmanager says there why a notification failed). */
function logErrors(file: string, count = 3): string {
  const errors = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => /level=(ERROR|WARN)/.test(l));
  return errors.length
    ? `; its log: ${errors
        .slice(-count)
        .map((l) => l.replace(/^time=\S+ /, '').slice(0, 400))
        .join(' | ')}`
    : '';
}

function describeNotifications(notifications: Notification[]): string {
  return notifications.map((n) => `${n.receiver} ${n.status} ${n.alertnames.join('+')}`).join(', ') || 'nothing';
}
