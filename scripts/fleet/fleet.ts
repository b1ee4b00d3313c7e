import { installArgoCdCrds } from '../cluster/crds.ts';
import type { Progress } from '../tools/install.ts';
import { ensureClusterBinaries } from './binaries.ts';
import { startSimulatedCluster, type SimulatedCluster } from './cluster.ts';
import { ensureExternalSecretsController } from './external-secrets-build.ts';

/** Nodes per workload cluster: the fire drill holds one busy, one calm and stops one's node-exporter. */
export const WORKLOAD_NODES = 3;

/** A hub (where Argo CD runs: no nodes needed, its CRDs installed) and workload clusters, all on 127.0.0.1. */
export interface SimulatedFleet {
  hub: SimulatedCluster;
  /** By cluster name (the inventory's destination name). */
  workloads: Map<string, SimulatedCluster>;
  /** The same Kubernetes release's kubectl, for commands a person would type against the fleet. */
  kubectl: string;
  /** Stops every cluster (each in reverse start order); safe to call twice. */
  stop(): Promise<void>;
}

export interface FleetOptions {
  /** Names of the workload clusters. */
  workloads: string[];
  /** The inventory's storage class, served by each workload cluster's volume pool. */
  storageClass?: string;
  /** Workload clusters that get the External Secrets CRDs and controller (built the first time: minutes). */
  externalSecrets?: string[];
  progress?: Progress;
}

/** Starts the clusters in parallel (each its own control plane); on any failure stops those that started. */
export async function startFleet(options: FleetOptions): Promise<SimulatedFleet> {
  const progress = options.progress ?? (() => {});
  const binaries = await ensureClusterBinaries(progress);
  const eso = options.externalSecrets?.length ? await ensureExternalSecretsController(progress) : undefined;
  const started: SimulatedCluster[] = [];
  const start = async (name: string, storageClass?: string) => {
    const externalSecrets = options.externalSecrets?.includes(name) ? eso : undefined;
    const cluster = await startSimulatedCluster({ name, binaries, storageClass, nodes: storageClass ? WORKLOAD_NODES : 1, externalSecrets, progress });
    started.push(cluster);
    progress(`cluster ${name} up at ${cluster.plane.server} (${cluster.plane.dataDir})`);
    return cluster;
  };
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= Promise.all(started.map((c) => c.stop())).then(() => {}));
  try {
    const [hub, ...workloads] = await Promise.all([start('hub'), ...options.workloads.map((name) => start(name, options.storageClass ?? 'openebs-hostpath'))]);
    await installArgoCdCrds(hub!.client, progress);
    return { hub: hub!, workloads: new Map(workloads.map((c) => [c.name, c])), kubectl: binaries.kubectl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
