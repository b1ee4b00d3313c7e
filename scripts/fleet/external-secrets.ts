import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../cluster/client.ts';
import { supervise } from '../cluster/control-plane.ts';
import { installCrdSource } from '../cluster/crds.ts';
import { logTail, type Daemon } from '../cluster/processes.ts';
import { EnvironmentError } from '../lib/errors.ts';
import type { Progress } from '../tools/install.ts';
import { ensureExternalSecretsController } from './external-secrets-build.ts';

/** Where the External Secrets controller runs: one cluster's API server. */
export interface ExternalSecretsOptions {
  /** The cluster's kubeconfig: the controller's credentials (a system:masters token on the fleet's clusters). */
  kubeconfig: string;
  /** A client of the same cluster, to install the CRDs. */
  client: KubeClient;
  /** Folder for its log, `external-secrets.log` (a cluster's data folder); default a temporary one, removed by stop(). */
  logDir?: string;
  /** The controller binary; default {@link ensureExternalSecretsController} (a build of minutes the first time). */
  binary?: string;
  progress?: Progress;
  /** How long to wait for its three controllers to start their workers; default 60 s. */
  timeoutMs?: number;
}

/** The running controller. */
export interface ExternalSecretsController {
  pid: number;
  logFile: string;
  /** Stops the process (its process group); removes a temporary log folder. */
  stop(): Promise<void>;
}

/** The reconcilers of tools/external-secrets/overlay, as controller-runtime names them in its log. */
const CONTROLLERS = ['secretstore', 'clustersecretstore', 'externalsecret'];

/**
 * Installs the pinned External Secrets CRDs (`sources.externalSecrets`: no conversion webhook, v1 only) into
 * the cluster, then runs the controller against it as a process of its own, killed with this Node process at
 * the latest. Resolves once every reconciler has started its workers (its caches are synced).
 */
export async function startExternalSecrets(options: ExternalSecretsOptions): Promise<ExternalSecretsController> {
  const binary = options.binary ?? (await ensureExternalSecretsController(options.progress));
  await installCrdSource(options.client, 'externalSecrets', options.progress);
  const dir = options.logDir ?? (await mkdtemp(join(tmpdir(), 'monitoring-gitops-external-secrets-')));
  const processes = supervise(dir, !options.logDir);
  try {
    const daemon = processes.start('external-secrets', binary, externalSecretsArgs(options.kubeconfig));
    await waitWorkersStarted(daemon, options.timeoutMs ?? 60_000);
    return { pid: daemon.pid, logFile: daemon.logFile, stop: processes.stop };
  } catch (err) {
    await processes.stop();
    throw err;
  }
}

/** The controller's flags: the cluster, and JSON log lines (read by {@link waitWorkersStarted}). */
export function externalSecretsArgs(kubeconfig: string): string[] {
  return ['--kubeconfig', kubeconfig, '--zap-encoder=json', '--zap-log-level=info'];
}

async function waitWorkersStarted(daemon: Daemon, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (daemon.exit) throw failure(daemon, `stopped (${daemon.exit})`);
    const started = startedControllers(readLog(daemon.logFile));
    if (CONTROLLERS.every((c) => started.has(c))) return;
    if (Date.now() > deadline) throw failure(daemon, `did not start ${CONTROLLERS.filter((c) => !started.has(c)).join(', ')} within ${timeoutMs / 1000}s`);
    await sleep(100);
  }
}

/** The controllers whose workers started, from controller-runtime's JSON log lines. Pure. */
export function startedControllers(log: string): Set<string> {
  const started = new Set<string>();
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: unknown; controller?: unknown };
      if (entry.msg === 'Starting workers' && typeof entry.controller === 'string') started.add(entry.controller);
    } catch {
      // a torn last line: read again on the next poll
    }
  }
  return started;
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function failure(daemon: Daemon, what: string): EnvironmentError {
  return new EnvironmentError(
    `the External Secrets controller ${what}; its last log lines (${daemon.logFile}):\n${logTail(daemon.logFile)}\nfix: the log lines above say why (a CRD missing, an unreachable API server); if the binary is damaged, delete its folder to rebuild it`,
  );
}
