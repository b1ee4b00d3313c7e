import type { KubeObject } from '../cluster/client.ts';

/** The annotation KWOK's node stage (kwok-stages.yaml) publishes as the node's InternalIP. */
export const NODE_IP_ANNOTATION = 'monitoring-gitops.io/node-ip';

/**
 * The InternalIP of a cluster's `index`th node: not loopback, because Kubernetes refuses loopback
 * addresses in Endpoints and EndpointSlices (node-exporter's hostNetwork pods take their node's address).
 * Nothing on the machine answers there; the fire drill's network namespace gives these addresses to its processes.
 */
export const nodeAddress = (index: number) => `10.250.0.${10 + index}`;

/** A node KWOK manages (its annotation), schedulable by everything the charts run (Linux, no taints). */
export function fakeNode(name: string, address: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0', [NODE_IP_ANNOTATION]: address },
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
    },
    spec: {},
  };
}

/**
 * The storage class a cluster's inventory names, as OpenEBS's hostpath provisioner installs it (binding
 * waits for the first pod). Nothing provisions dynamically here: the binder hands out {@link staticVolume}s.
 */
export function storageClass(name: string): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner: 'openebs.io/local',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

/** One volume of the pre-made pool: big enough for any claim of the charts (8Gi TSDB, Grafana's 10Gi). */
export function staticVolume(className: string, index: number): KubeObject {
  const name = `${className}-pool-${index}`;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, labels: { 'monitoring-gitops/pool': className } },
    spec: {
      storageClassName: className,
      capacity: { storage: '50Gi' },
      accessModes: ['ReadWriteOnce'],
      // Kept when its claim goes: the e2e checks that data outlives a prune.
      persistentVolumeReclaimPolicy: 'Retain',
      hostPath: { path: `/var/lib/simulated/${name}`, type: '' },
    },
  };
}
