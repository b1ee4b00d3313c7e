import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheDir } from '../lib/cache.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { toYaml } from '../lib/yaml.ts';
import type { Progress } from '../tools/install.ts';
import { ensureControlPlaneBinaries, type ControlPlaneBinaries } from './binaries.ts';
import { KubeClient } from './client.ts';
import { readSelfSignedCa, writeCredentials, type ControlPlaneCredentials } from './credentials.ts';
import { writeClusterEgress } from './egress.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { admissionConfiguration, type PodSecurityLevel } from './pod-security.ts';
import { freePorts } from './ports.ts';
import { onProcessExit } from '../lib/exit.ts';
import { killGroupsNow, logTail, spawnDaemon, startWatchdog, stopGroups, type Daemon } from './processes.ts';

/** A running etcd + kube-apiserver on 127.0.0.1. */
export interface ControlPlane {
  /** Path of a kubeconfig for kubectl and the toolkit (token of a system:masters user). */
  kubeconfig: string;
  /** https://127.0.0.1:PORT */
  server: string;
  token: string;
  /** The CA of the serving certificate (PEM file). */
  caFile: string;
  /** What /version reports, e.g. v1.34.2. */
  version: string;
  /** The Pod Security Standard enforced in namespaces without `pod-security.kubernetes.io/*` labels. */
  podSecurity: PodSecurityLevel;
  /** Folder of the instance: etcd data, certificates, credentials, logs (etcd.log, kube-apiserver.log). */
  dataDir: string;
  /** With `clusterEgress`: the Unix socket where kube-apiserver asks for its connections to pods and Services (HTTP CONNECT). */
  egressSocket?: string;
  pids: { etcd: number; kubeApiserver: number };
  /** Stops both processes (process groups); removes the folder unless it was given as `dataDir`. */
  stop(): Promise<void>;
}

interface ControlPlaneOptions {
  /** Keep the instance's files here (reused by the next start); default: a temporary folder removed by stop(). */
  dataDir?: string;
  /** Once ready, the processes outlive this Node process (cluster:up); otherwise they are killed when it exits. */
  persistent?: boolean;
  progress?: Progress;
  /** How long to wait for /readyz; default 60 s. */
  readyTimeoutMs?: number;
  /**
   * The Pod Security Standard that PodSecurity admission enforces (and warns about) in namespaces without
   * `pod-security.kubernetes.io/*` labels. Default `baseline`, as on a hardened cluster, for every control
   * plane: the fleet's clusters, cluster:up, validate --server-side and the tests' shared one.
   * `privileged` is Kubernetes' own default (nothing refused).
   */
  podSecurity?: PodSecurityLevel;
  /**
   * Dial pods, Services and kubelets (the `cluster` egress: service and pod proxy, Service-backed webhooks…)
   * through an HTTP CONNECT proxy on `<dataDir>/cluster-egress.sock` (egress.ts), for clusters whose pod
   * addresses exist only in another network namespace. Such dials fail (503) while nothing listens there.
   */
  clusterEgress?: boolean;
}

/** The service CIDR is only a flag value (Service IPs are allocated from it); nothing routes to it. */
const SERVICE_CIDR = '10.96.0.0/16';

/** Builds the binaries if needed, starts etcd and kube-apiserver on free ports, waits for /readyz. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binaries = await ensureControlPlaneBinaries(options.progress);
  for (let attempt = 1; ; attempt++) {
    const dir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'monitoring-gitops-control-plane-')));
    try {
      return await startIn(dir, binaries, options);
    } catch (err) {
      // Another program may take a free port before etcd or kube-apiserver binds it: try new ports.
      if (attempt < 3 && err instanceof StartError && /address already in use/.test(err.message)) continue;
      throw err;
    }
  }
}

class StartError extends EnvironmentError {}

async function startIn(dir: string, binaries: ControlPlaneBinaries, options: ControlPlaneOptions): Promise<ControlPlane> {
  const temporary = !options.dataDir;
  await mkdir(join(dir, 'pki'), { recursive: true, mode: 0o700 });
  const credentials = writeCredentials(dir);
  const podSecurity = options.podSecurity ?? 'baseline';
  const admissionFile = join(dir, 'admission.yaml');
  await writeFile(admissionFile, toYaml(admissionConfiguration(podSecurity)));
  const egress = options.clusterEgress ? await writeClusterEgress(dir) : undefined;
  const [etcdPort, peerPort, securePort] = (await freePorts(3)) as [number, number, number];
  const server = `https://127.0.0.1:${securePort}`;
  const processes = supervise(dir, temporary);
  try {
    const etcd = processes.start('etcd', binaries.etcd, etcdArgs(dir, etcdPort, peerPort, temporary));
    const apiserver = processes.start('kube-apiserver', binaries.kubeApiserver, [
      ...apiserverArgs(dir, etcdPort, securePort, credentials, admissionFile),
      ...(egress ? [`--egress-selector-config-file=${egress.configFile}`] : []),
    ]);
    const ca = await waitReady(processes.daemons, join(dir, 'pki', 'apiserver.crt'), server, credentials.token, options.readyTimeoutMs ?? 60_000);
    const caFile = join(dir, 'ca.crt');
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(caFile, ca);
    await writeFile(kubeconfig, kubeconfigYaml(server, caFile, credentials.token), { mode: 0o600 });
    if (options.persistent) processes.release();
    const pids = { etcd: etcd.pid, kubeApiserver: apiserver.pid };
    return {
      kubeconfig,
      server,
      token: credentials.token,
      caFile,
      version: binaries.version,
      podSecurity,
      dataDir: dir,
      egressSocket: egress?.socket,
      pids,
      stop: processes.stop,
    };
  } catch (err) {
    processes.kill(); // nothing to keep: no graceful shutdown (kube-apiserver would hang on a dead etcd)
    throw err;
  }
}

/**
 * The processes of one instance: killed (and a temporary folder removed) when this Node process ends,
 * by an exit/signal handler or, if it is SIGKILLed, by a watchdog; `release()` lets them outlive it.
 * `stop()` stops them in the reverse order of their start.
 */
export function supervise(dir: string, temporary: boolean) {
  const daemons: Daemon[] = [];
  const watchdog = startWatchdog(temporary ? dir : '');
  const kill = () => {
    unhook();
    killGroupsNow(daemons.map((d) => d.pid));
    if (temporary) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    watchdog.dismiss();
  };
  const unhook = onProcessExit(kill);
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    unhook();
    // kube-apiserver first: while etcd is up it shuts down in about a second, without it it hangs on retries.
    for (const daemon of [...daemons].reverse()) await stopGroups([daemon.pid]);
    watchdog.dismiss();
    if (temporary) await rm(dir, { recursive: true, force: true });
  };
  return {
    daemons,
    start(name: string, file: string, args: string[], env?: Record<string, string>): Daemon {
      const daemon = spawnDaemon(name, file, args, join(dir, `${name}.log`), env);
      daemons.push(daemon);
      watchdog.watch(daemon.pid);
      return daemon;
    },
    kill,
    stop: () => (stopping ??= stop()),
    release() {
      unhook();
      watchdog.dismiss();
    },
  };
}

function etcdArgs(dir: string, clientPort: number, peerPort: number, temporary: boolean): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=monitoring-gitops',
    `--data-dir=${join(dir, 'etcd')}`,
    '--log-level=warn',
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=monitoring-gitops=${peer}`,
    // A throwaway instance need not survive a power cut: skipping fsync makes every write much faster.
    ...(temporary ? ['--unsafe-no-fsync'] : []),
  ];
}

function apiserverArgs(dir: string, etcdPort: number, securePort: number, credentials: ControlPlaneCredentials, admissionFile: string): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${securePort}`,
    `--cert-dir=${join(dir, 'pki')}`,
    `--token-auth-file=${credentials.tokenFile}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${credentials.serviceAccountPublicKey}`,
    `--service-account-signing-key-file=${credentials.serviceAccountPrivateKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    // No controller-manager creates service-account tokens, so pods must not require them.
    '--disable-admission-plugins=ServiceAccount',
    // PodSecurity (on by default) reads its cluster-wide defaults from here.
    `--admission-control-config-file=${admissionFile}`,
    '--allow-privileged=true',
    '--profiling=false',
  ];
}

/** Polls /readyz until it answers 200; returns the serving CA. Fails early when a process exits. */
async function waitReady(daemons: Daemon[], certFile: string, server: string, token: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let client: KubeClient | undefined;
  let last = 'no answer yet';
  try {
    while (Date.now() < deadline) {
      const dead = daemons.find((d) => d.exit);
      if (dead)
        throw new StartError(
          `${dead.name} stopped (${dead.exit}) before the control plane was ready; its last log lines:\n${logTail(dead.logFile)}\nfix: ${fix()}`,
        );
      const ca = readSelfSignedCa(certFile);
      if (ca) {
        client ??= new KubeClient({ server, ca, token });
        const res = await client
          .raw('GET', '/readyz', { query: { verbose: 'true' }, accept: 'text/plain' })
          .catch((err: Error) => ({ status: 0, body: err.message }));
        if (res.status === 200) return ca;
        last = res.status ? `/readyz answered ${res.status}: ${failingChecks(res.body)}` : res.body;
      }
      await sleep(100);
    }
  } finally {
    client?.close();
  }
  const logs = daemons.map((d) => `--- ${d.name} (${d.logFile}):\n${logTail(d.logFile)}`).join('\n');
  throw new StartError(`kube-apiserver was not ready within ${Math.round(timeoutMs / 1000)}s (${last}); last log lines:\n${logs}\nfix: ${fix()}`);
}

const fix = () => `the log lines above say why; if a binary is damaged, delete ${cacheDir('kube')} to rebuild it`;

function failingChecks(body: string): string {
  const failing = body.split('\n').filter((l) => l.startsWith('[-]'));
  return failing.length ? failing.join(', ') : body.trim().split('\n').slice(-1).join('');
}
