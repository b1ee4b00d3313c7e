import type { AppName } from '../inventory/apps.ts';
import type { Cluster, Inventory, Scheduling, Values } from '../inventory/types.ts';

/** What the generator knows about each app beyond its chart pin. */
interface AppSpec {
  /** Helm release name; service names such as prometheus-server derive from it. */
  releaseName: string;
  /** Argo CD sync wave of the child Application. */
  syncWave: number;
  /** Values implied by the inventory fields of a cluster (storage class, hosts, labels). */
  inventoryValues(cluster: Cluster): Values;
  /** Values built from shared content (alert rules), part of the base layer. */
  contentValues(inventory: Inventory): Values;
  /** The scheduling as each of the chart's workloads takes it. */
  schedulingValues(scheduling: Scheduling): Values;
}

const tls = (secretName: string, host: string) => [{ secretName, hosts: [host] }];

/** Every prometheus-chart workload but node-exporter, whose DaemonSet must keep running on every node. */
const PROMETHEUS_WORKLOADS = ['server', 'alertmanager', 'kube-state-metrics', 'prometheus-pushgateway'];

export const APP_SPECS: Record<AppName, AppSpec> = {
  prometheus: {
    releaseName: 'prometheus',
    syncWave: 0,
    inventoryValues: (cluster) => {
      const host = `prometheus.${cluster.domain}`;
      return {
        server: {
          global: { external_labels: { cluster: cluster.name, environment: cluster.environment } },
          persistentVolume: { storageClass: cluster.storageClass },
          ingress: { hosts: [host], tls: tls('prometheus-tls', host) },
          baseURL: `https://${host}`,
        },
        alertmanager: { persistence: { storageClass: cluster.storageClass } },
      };
    },
    // Every base rule file reaches Prometheus as one alerting_rules.yml through the chart's serverFiles.
    contentValues: (inventory) => ({
      serverFiles: { 'alerting_rules.yml': { groups: inventory.base.rules.flatMap((r) => r.groups) } },
    }),
    schedulingValues: (scheduling) => Object.fromEntries(PROMETHEUS_WORKLOADS.map((workload) => [workload, { ...scheduling }])),
  },
  grafana: {
    releaseName: 'grafana',
    syncWave: 1,
    inventoryValues: (cluster) => {
      const host = `grafana.${cluster.domain}`;
      return {
        persistence: { storageClassName: cluster.storageClass },
        ingress: { hosts: [host], tls: tls('grafana-tls', host) },
        'grafana.ini': { server: { root_url: `https://${host}` } },
      };
    },
    contentValues: () => ({}),
    schedulingValues: (scheduling) => ({ ...scheduling }),
  },
};
