import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir } from '../lib/cache.ts';
import type { Progress } from '../tools/install.ts';
import { controlPlaneBinaryDir } from './binaries.ts';
import { startControlPlane } from './control-plane.ts';
import { groupAlive, stopGroups } from './processes.ts';

/** The pid file of the instance `npm run cluster:up` leaves running for manual use. */
interface InstanceState {
  server: string;
  kubeconfig: string;
  version: string;
  startedAt: string;
  /** Each process (also its process group) and the binary it runs, checked before it is signalled. */
  processes: { name: string; pid: number; binary: string }[];
}

/** Where that instance keeps everything: `<cache>/cluster/` (state.json, data/ with etcd, certificates, logs, kubeconfig). */
export const instanceDir = (): string => cacheDir('cluster');
const stateFile = () => join(instanceDir(), 'state.json');

/** The recorded instance when all its processes still run (a stale pid file, e.g. after a reboot, counts as none). */
function readRunningInstance(): InstanceState | undefined {
  const state = readState();
  return state?.processes.every(isOurs) ? state : undefined;
}

function readState(): InstanceState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(), 'utf8')) as InstanceState;
  } catch {
    return undefined;
  }
}

// A recycled pid must not be signalled: the process must still run the binary we started.
function isOurs(p: InstanceState['processes'][number]): boolean {
  if (!groupAlive(p.pid)) return false;
  try {
    return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0')[0] === p.binary;
  } catch {
    return !existsSync('/proc/self'); // no procfs: trust the pid file
  }
}

/** Starts the instance unless it runs already; its processes outlive this command. */
export async function startInstance(progress: Progress): Promise<{ state: InstanceState; started: boolean }> {
  const running = readRunningInstance();
  if (running) return { state: running, started: false };
  await stopInstance(); // what is left of a half-dead one (etcd gone, kube-apiserver still there)
  const dataDir = join(instanceDir(), 'data');
  const plane = await startControlPlane({ dataDir, persistent: true, progress });
  const binaries = controlPlaneBinaryDir(plane.version);
  const state: InstanceState = {
    server: plane.server,
    kubeconfig: plane.kubeconfig,
    version: plane.version,
    startedAt: new Date().toISOString(),
    processes: [
      { name: 'kube-apiserver', pid: plane.pids.kubeApiserver, binary: join(binaries, 'kube-apiserver') },
      { name: 'etcd', pid: plane.pids.etcd, binary: join(binaries, 'etcd') },
    ],
  };
  await writeFile(stateFile(), `${JSON.stringify(state, null, 2)}\n`);
  return { state, started: true };
}

/** Stops the instance (SIGTERM, then SIGKILL) and forgets it; `purge` also deletes its data. Returns whether any of it ran. */
export async function stopInstance({ purge = false } = {}): Promise<boolean> {
  const recorded = readState()?.processes ?? [];
  const alive = recorded.filter(isOurs);
  // In the recorded order, kube-apiserver before etcd; once etcd is gone kube-apiserver hangs on retries: no grace then.
  const graceMs = alive.length === recorded.length ? 10_000 : 0;
  for (const p of alive) await stopGroups([p.pid], graceMs);
  await rm(purge ? instanceDir() : stateFile(), { recursive: true, force: true });
  return alive.length > 0;
}
