import { join } from 'node:path';
import { KubeClient } from '../cluster/client.ts';
import { logTail, type Daemon } from '../cluster/processes.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { startControlPlane, supervise, type ControlPlane } from '../cluster/control-plane.ts';
import type { Progress } from '../tools/install.ts';
import type { ClusterBinaries } from './binaries.ts';
import { startExternalSecrets, type ExternalSecretsController } from './external-secrets.ts';
import { fakeNode, nodeAddress, staticVolume, storageClass } from './objects.ts';

/** One simulated cluster: a control plane plus the controllers, scheduler and fake nodes that make workloads run. */
export interface SimulatedCluster {
  name: string;
  plane: ControlPlane;
  client: KubeClient;
  /** Stops the External Secrets controller if any, KWOK, the scheduler, kube-controller-manager, then the control plane. */
  stop(): Promise<void>;
}

export interface SimulatedClusterOptions {
  name: string;
  binaries: ClusterBinaries;
  /** Fake nodes (node-exporter's DaemonSet runs one pod per node); default 2. */
  nodes?: number;
  /** Storage class the static volume pool serves (the inventory's `storageClass`); none when absent (the hub). */
  storageClass?: string;
  /** Volumes in the pool; default 8. */
  volumes?: number;
  /** The External Secrets controller binary (ensureExternalSecretsController): installs its CRDs and runs it here. */
  externalSecrets?: string;
  progress?: Progress;
}

const KWOK_STAGES = new URL('./kwok-stages.yaml', import.meta.url).pathname;
// The node-lifecycle controller would mark fake nodes NotReady (they send no heartbeats) and evict their pods.
const CONTROLLERS = '*,-node-lifecycle-controller';

/** Starts a cluster on 127.0.0.1 and waits until its nodes are Ready; every process dies with this Node process. */
export async function startSimulatedCluster(options: SimulatedClusterOptions): Promise<SimulatedCluster> {
  // Pod addresses exist only in the fire drill's network namespace, which serves this egress (test/e2e/pipeline/inside.ts).
  const plane = await startControlPlane({ progress: options.progress, clusterEgress: true });
  const processes = supervise(plane.dataDir, false);
  const client = await KubeClient.fromKubeconfig(plane.kubeconfig);
  let externalSecrets: ExternalSecretsController | undefined;
  const stop = async () => {
    client.close();
    await externalSecrets?.stop();
    await processes.stop();
    await plane.stop();
  };
  try {
    const { binaries } = options;
    processes.start('kube-controller-manager', binaries.kubeControllerManager, controllerManagerArgs(plane));
    processes.start('kube-scheduler', binaries.kubeScheduler, ['--kubeconfig', plane.kubeconfig, '--leader-elect=false', '--secure-port=0']);
    processes.start('kwok', binaries.kwok, [
      '--kubeconfig',
      plane.kubeconfig,
      '--config',
      KWOK_STAGES,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--server-address=',
    ]);
    if (options.storageClass) await provisionStorage(client, options.storageClass, options.volumes ?? 8);
    const nodes = Array.from({ length: options.nodes ?? 2 }, (_, i) => `${options.name}-node-${i}`);
    for (const [i, node] of nodes.entries()) await client.apply(fakeNode(node, nodeAddress(i)));
    await waitNodesReady(options.name, client, nodes, processes.daemons);
    for (const node of nodes) await untaint(client, node);
    if (options.externalSecrets)
      externalSecrets = await startExternalSecrets({
        kubeconfig: plane.kubeconfig,
        client,
        logDir: plane.dataDir,
        binary: options.externalSecrets,
        progress: options.progress,
      });
    return { name: options.name, plane, client, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function controllerManagerArgs(plane: ControlPlane): string[] {
  return [
    '--kubeconfig',
    plane.kubeconfig,
    '--leader-elect=false',
    '--secure-port=0',
    `--controllers=${CONTROLLERS}`,
    `--service-account-private-key-file=${join(plane.dataDir, 'sa.key')}`,
    `--root-ca-file=${plane.caFile}`,
    '--use-service-account-credentials=false',
    // Sync fast: the e2e waits on what these controllers do.
    '--concurrent-gc-syncs=10',
    '--pvclaimbinder-sync-period=2s',
  ];
}

/** The class (binding when the first pod is scheduled, as OpenEBS's) and a pool of pre-made volumes the PV binder hands out. */
async function provisionStorage(client: KubeClient, className: string, count: number): Promise<void> {
  await client.apply(storageClass(className));
  for (let i = 0; i < count; i++) await client.apply(staticVolume(className, i));
}

// kube-apiserver's TaintNodesByCondition admission taints every new node not-ready; the node-lifecycle
// controller, which would lift it, is off (see CONTROLLERS): the node is Ready, so lift it here.
// A merge patch carries no resourceVersion, so kwok's heartbeats on the node's status cannot make it conflict (as a PUT did).
async function untaint(client: KubeClient, name: string): Promise<void> {
  await client.request('PATCH', await client.pathOf({ apiVersion: 'v1', kind: 'Node', name }), {
    body: { spec: { taints: null } },
    contentType: 'application/merge-patch+json',
  });
}

async function waitNodesReady(name: string, client: KubeClient, names: string[], daemons: Daemon[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = daemons.find((d) => d.exit);
    if (dead) throw new EnvironmentError(`${dead.name} of cluster '${name}' stopped (${dead.exit}); its last log lines:\n${logTail(dead.logFile)}`);
    const nodes = await client.list({ apiVersion: 'v1', kind: 'Node' });
    const ready = nodes.filter((n) =>
      (n.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (names.every((node) => ready.some((n) => n.metadata.name === node))) return;
    if (Date.now() > deadline)
      throw new EnvironmentError(
        `nodes ${names.join(', ')} of cluster '${name}' not Ready within ${timeoutMs / 1000}s; kwok's last log lines:\n${logTail(daemons.find((d) => d.name === 'kwok')?.logFile ?? '')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
