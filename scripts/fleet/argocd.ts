import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { supervise } from '../cluster/control-plane.ts';
import { freePorts } from '../cluster/ports.ts';
import { logTail, type Daemon } from '../cluster/processes.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { controllerEnv } from './argocd-config.ts';
import type { ArgoCdBinaries } from './binaries.ts';
import type { SimulatedCluster } from './cluster.ts';

/** Argo CD running out of cluster against the hub: Redis, repo-server, application controller, API server. */
export interface ArgoCd {
  /** http://127.0.0.1:PORT of argocd-server (REST and gRPC-web; plain HTTP, as behind a TLS-terminating Ingress). */
  url: string;
  namespace: string;
  /** Folder of its logs (argocd-*.log). */
  logDir: string;
  /** The application-controller replicas, one shard each: http://127.0.0.1:PORT/metrics of each. */
  controllers: { shard: number; metrics: string }[];
  daemons: Daemon[];
  stop(): Promise<void>;
}

export interface ArgoCdOptions {
  hub: SimulatedCluster;
  binaries: ArgoCdBinaries;
  /** The helm and kustomize validate uses: the repo-server runs exactly these (from PATH). */
  helm: string;
  kustomize: string;
  namespace?: string;
  /** How often Applications are compared with Git (argocd-cm's timeout.reconciliation); default 10s. */
  reconciliation?: string;
  /** Application-controller replicas, sharding the clusters between them (ARGOCD_CONTROLLER_REPLICAS); default 2. */
  controllerReplicas?: number;
  /** argocd-cmd-params-cm as the hub has it (the repository's bootstrap), handed to the controllers as the StatefulSet does. */
  cmdParams?: Record<string, string>;
}

/** Starts Redis, the repo-server, the controller replicas and the API server (logs next to the hub's); waits until the API server answers. */
export async function startArgoCd(options: ArgoCdOptions): Promise<ArgoCd> {
  const namespace = options.namespace ?? 'argocd';
  const { hub, binaries } = options;
  const logDir = join(hub.plane.dataDir, 'argocd');
  mkdirSync(join(logDir, 'tmp'), { recursive: true });
  const processes = supervise(logDir, false);
  const replicas = options.controllerReplicas ?? 2;
  const ports = await freePorts(5 + replicas);
  const [redisPort, repoPort, repoMetrics, serverPort, serverMetrics] = ports as [number, number, number, number, number];
  const controllerMetrics = ports.slice(5);
  const redis = `127.0.0.1:${redisPort}`;
  const repoServer = `127.0.0.1:${repoPort}`;
  const common = ['--loglevel', 'info', '--redis', redis];
  const kube = ['--kubeconfig', hub.plane.kubeconfig, '--namespace', namespace];
  const env = argoEnv(options, logDir);
  const start = (name: keyof ArgoCdBinaries['commands'], args: string[], extraEnv = {}, logName: string = name) =>
    processes.start(logName, binaries.commands[name], args, { ...env, ...extraEnv });
  const statefulSet = readFileSync(binaries.controllerManifest, 'utf8');
  const controllers = controllerMetrics.map((port, shard) => ({ shard, metrics: `http://127.0.0.1:${port}/metrics` }));
  try {
    start('argocd-redis', ['--addr', redis]);
    start('argocd-repo-server', [
      ...common,
      '--address',
      '127.0.0.1',
      '--port',
      String(repoPort),
      '--metrics-address',
      '127.0.0.1',
      '--metrics-port',
      String(repoMetrics),
      '--disable-tls',
      '--client-ca-path=',
    ]);
    for (const { shard } of controllers)
      start(
        'argocd-application-controller',
        [
          ...common,
          ...kube,
          '--repo-server',
          repoServer,
          '--repo-server-plaintext',
          '--metrics-port',
          String(controllerMetrics[shard]),
          '--status-processors',
          '4',
          '--operation-processors',
          '4',
          '--self-heal-timeout-seconds',
          '2',
        ],
        controllerEnv(statefulSet, options.cmdParams ?? {}, replicas, shard),
        `argocd-application-controller-${shard}`,
      );
    start('argocd-server', [
      ...common,
      ...kube,
      '--repo-server',
      repoServer,
      '--repo-server-plaintext',
      '--insecure',
      '--address',
      '127.0.0.1',
      '--port',
      String(serverPort),
      '--metrics-address',
      '127.0.0.1',
      '--metrics-port',
      String(serverMetrics),
      '--staticassets',
      join(logDir, 'no-ui'),
    ]);
    const url = `http://127.0.0.1:${serverPort}`;
    await waitAnswering(`${url}/api/version`, processes.daemons);
    return { url, namespace, logDir, controllers, daemons: processes.daemons, stop: processes.stop };
  } catch (err) {
    processes.kill();
    throw err;
  }
}

/** What Argo CD's image sets up: its tools on PATH, GPG off, the hub reached as kubernetes.default.svc. */
function argoEnv(options: ArgoCdOptions, logDir: string): Record<string, string> {
  const path = [
    options.binaries.hack,
    dirname(options.binaries.argocd),
    dirname(options.helm),
    dirname(options.kustomize),
    process.env.PATH ?? '/usr/bin:/bin',
  ];
  return {
    PATH: path.join(':'),
    HOME: join(logDir, 'tmp'),
    TMPDIR: join(logDir, 'tmp'),
    ARGOCD_GPG_ENABLED: 'false',
    // Out of cluster, https://kubernetes.default.svc then means $KUBECONFIG's cluster (default ~/.kube/config).
    ARGOCD_FAKE_IN_CLUSTER: 'true',
    KUBECONFIG: options.hub.plane.kubeconfig,
    // Argo CD's manifests pass argocd-cm's timeout.reconciliation to the controller and repo-server this way.
    ARGOCD_RECONCILIATION_TIMEOUT: options.reconciliation ?? '10s',
    // The repo-server's own helm calls (none: charts come through kustomize) and kustomize's must not go online for plugins.
    HELM_CACHE_HOME: join(logDir, 'tmp', 'helm-cache'),
    HELM_CONFIG_HOME: join(logDir, 'tmp', 'helm-config'),
    HELM_DATA_HOME: join(logDir, 'tmp', 'helm-data'),
  };
}

async function waitAnswering(url: string, daemons: Daemon[], timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const dead = daemons.find((d) => d.exit);
    if (dead) throw new EnvironmentError(`${dead.name} stopped (${dead.exit}); its last log lines:\n${logTail(dead.logFile)}`);
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch((err: Error) => ({ ok: false, status: 0, statusText: err.message }));
    if (res.ok) return;
    last = `${res.status} ${res.statusText}`;
    await sleep(300);
  }
  throw new EnvironmentError(
    `argocd-server did not answer ${url} within ${timeoutMs / 1000}s (${last}); its log:\n${logTail(daemons.find((d) => d.name === 'argocd-server')?.logFile ?? '')}`,
  );
}
