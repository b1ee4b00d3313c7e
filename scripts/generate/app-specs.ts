import type { AppName } from '../inventory/apps.ts';
import type { Cluster, GatewayRef, Inventory, Scheduling, Values } from '../inventory/types.ts';
import type { NamedGroupKind } from './argocd.ts';

/** Pod Security Standards levels, least to most permissive. */
export const POD_SECURITY_LEVELS = ['restricted', 'baseline', 'privileged'] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** What the generator knows about each app beyond its chart pin. */
interface AppSpec {
  /** Helm release name; service names such as prometheus-server derive from it. */
  releaseName: string;
  /** Argo CD sync wave of the child Application. */
  syncWave: number;
  /** The Pod Security level the chart's pods need in the namespace (enforced through the namespace's label). */
  podSecurity: PodSecurityLevel;
  /** Cluster-scoped objects the chart creates, by kind and name glob: exactly what its AppProject allows. */
  clusterResources: NamedGroupKind[];
  /** The Secrets its values read (created on the cluster, never in Git), with their keys. */
  secrets: SecretSpec[];
  /** The Service (and port name) of the Alertmanager it runs, which the promotion gate asks for active alerts. */
  alertmanager?: { service: string; port: string };
  /** Values implied by the inventory fields of a cluster (storage class, hosts, labels). */
  inventoryValues(cluster: Cluster): Values;
  /** Values built from shared content (alert rules), part of the base layer. */
  contentValues(inventory: Inventory): Values;
  /** The scheduling as each of the chart's workloads takes it. */
  schedulingValues(scheduling: Scheduling): Values;
}

/** A Secret the stack reads and who makes it: a person (bootstrap/cluster-secrets.yaml) or External Secrets. */
export interface SecretSpec {
  name: string;
  keys: string[];
}

const PROMETHEUS_BASIC_AUTH: SecretSpec = { name: 'prometheus-basic-auth', keys: ['username', 'password', 'web-config.yml'] };

const RBAC = 'rbac.authorization.k8s.io';
/** A chart's ClusterRoles and ClusterRoleBindings, all named after its release. */
const releaseRbac = (release: string): NamedGroupKind[] => [
  { group: RBAC, kind: 'ClusterRole', name: `${release}-*` },
  { group: RBAC, kind: 'ClusterRoleBinding', name: `${release}-*` },
];

const tls = (secretName: string, host: string) => [{ secretName, hosts: [host] }];

/** An HTTPRoute on the cluster's Gateway in place of the Ingress (the charts' `route.main`). */
const route = (gateway: GatewayRef, host: string) => ({
  main: {
    enabled: true,
    hostnames: [host],
    parentRefs: [{ name: gateway.name, namespace: gateway.namespace, ...(gateway.sectionName ? { sectionName: gateway.sectionName } : {}) }],
  },
});

/** Every prometheus-chart workload but node-exporter, whose DaemonSet must keep running on every node. */
const PROMETHEUS_WORKLOADS = ['server', 'alertmanager', 'kube-state-metrics', 'prometheus-pushgateway'];

export const APP_SPECS: Record<AppName, AppSpec> = {
  prometheus: {
    releaseName: 'prometheus',
    syncWave: 0,
    // node-exporter's DaemonSet uses hostNetwork, hostPID and hostPath volumes.
    podSecurity: 'privileged',
    clusterResources: releaseRbac('prometheus'),
    secrets: [{ name: 'alertmanager-receivers', keys: ['slack-webhook-url', 'smtp-password'] }, PROMETHEUS_BASIC_AUTH],
    alertmanager: { service: 'prometheus-alertmanager', port: 'http' },
    inventoryValues: (cluster) => {
      const host = `prometheus.${cluster.domain}`;
      return {
        server: {
          global: { external_labels: { cluster: cluster.name, environment: cluster.environment } },
          persistentVolume: { storageClass: cluster.storageClass },
          ...(cluster.gateway
            ? { ingress: { enabled: false }, route: route(cluster.gateway, host) }
            : { ingress: { hosts: [host], tls: tls('prometheus-tls', host) } }),
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
    // Its chown init container adds the CHOWN capability, which restricted forbids.
    podSecurity: 'baseline',
    clusterResources: releaseRbac('grafana'),
    // The datasource signs in to Prometheus with prometheus-basic-auth.
    secrets: [{ name: 'grafana-admin', keys: ['admin-user', 'admin-password'] }, PROMETHEUS_BASIC_AUTH],
    inventoryValues: (cluster) => {
      const host = `grafana.${cluster.domain}`;
      return {
        persistence: { storageClassName: cluster.storageClass },
        ...(cluster.gateway
          ? { ingress: { enabled: false }, route: route(cluster.gateway, host) }
          : { ingress: { hosts: [host], tls: tls('grafana-tls', host) } }),
        'grafana.ini': { server: { root_url: `https://${host}` } },
      };
    },
    contentValues: () => ({}),
    schedulingValues: (scheduling) => ({ ...scheduling }),
  },
};
