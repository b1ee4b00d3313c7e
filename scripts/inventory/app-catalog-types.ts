import type { Values } from '../lib/values.ts';

/** An app of app-catalog.yaml: a name the catalog lists (isAppName checks one that comes from outside). */
export type AppName = string;

/** Pod Security Standards levels, least to most permissive. */
export const POD_SECURITY_LEVELS = ['restricted', 'baseline', 'privileged'] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** A place in a values tree, key by key; empty is the top level. */
export type ValuePath = string[];

/** A cluster-scoped object kind with a name glob, as an AppProject's clusterResourceWhitelist takes it. */
export interface ClusterResource {
  group: string;
  kind: string;
  name: string;
}

/** A Secret the stack reads and who makes it: a person (bootstrap/cluster-secrets.yaml) or External Secrets. */
export interface SecretSpec {
  name: string;
  keys: string[];
}

/** What an app adds to another app on the clusters where both (and every app of whenEnabled) are enabled. */
export interface Contribution {
  to: AppName;
  whenEnabled: AppName[];
  /** Values templates merged into the receiving app's values. */
  values: Values;
  /** Whether base/<app>/rules/*.yaml join the receiving app's rules. */
  rules: boolean;
}

/** One entry of app-catalog.yaml, checked, with the conventions it implies (its base folder). */
export interface AppSpec {
  name: AppName;
  description: string;
  /** Helm release name; service names such as prometheus-server derive from it. */
  releaseName: string;
  /** Argo CD sync wave of the child Application. */
  syncWave: number;
  /** The Pod Security level the chart's pods need in the namespace (enforced through the namespace's label). */
  podSecurity: PodSecurityLevel;
  /** Whether a cluster file that does not name the app runs it. */
  enabledByDefault: boolean;
  /** Apps enabled with it on every cluster, synced before it. */
  requires: AppName[];
  /** Cluster-scoped objects the chart creates, by kind and name glob: exactly what its AppProject allows. */
  clusterResources: ClusterResource[];
  /** The Secrets its values read (created on the cluster, never in Git), with their keys. */
  secrets: SecretSpec[];
  /** The Service (and port name) of the Alertmanager it runs, which the promotion gate asks for active alerts. */
  alertmanager?: { service: string; port: string };
  /** Where alert rules go in its values ({groups}), when it loads rules. */
  rules?: ValuePath;
  /** How its dashboards ship, when it shows the dashboards of base/<app>/dashboards/. */
  dashboards?: { configMapPrefix: string; labels: Record<string, string> };
  /** The value paths that receive the cluster's scheduling. */
  scheduling: ValuePath[];
  /** Values templates: on every cluster, on clusters without a gateway, on clusters with one. */
  clusterValues: Values;
  whenIngress: Values;
  whenGateway: Values;
  contributes: Contribution[];
  /** The JSON Schema of apps.<app> in a cluster file. */
  clusterSchema: Record<string, unknown>;
  /** Its hand-written folder: base/<app> (values.yaml, rules/, dashboards/, routing-tests.yaml). */
  folder: string;
}

/** app-catalog.yaml, checked: the apps in sync-wave order (file order among equal waves). */
export interface AppCatalog {
  file: string;
  apps: AppSpec[];
}
