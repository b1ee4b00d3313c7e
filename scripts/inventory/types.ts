import type { Finding } from '../lib/findings.ts';
import type { Values } from '../lib/values.ts';
import type { AppName } from './app-catalog-types.ts';
import type { PromotionGateSpec } from './promotion-gate.ts';

/** A mapping of Helm values (defined with the merge that reads it, in lib/). */
export type { Values };

/** fleet.yaml: settings shared by every cluster. */
export interface Fleet {
  /** This repository's URL as Argo CD reaches it. */
  repoURL: string;
  /** Branch Argo CD syncs. */
  targetRevision: string;
  /** Environments in promotion order, first to last. */
  environments: string[];
  /** What an environment must prove before promote moves its pins on, keyed by the environment promoted from. */
  promotion?: Record<string, PromotionGateSpec>;
  /** Canonical chart repository URL → the mirror Argo CD's repo-server pulls from, written into the leaves (pins keep the canonical URL). */
  chartMirrors?: Record<string, string>;
  /** Settings of validate. */
  validation?: { skipKinds?: string[] };
  /** Scheduling per environment name. */
  scheduling?: Record<string, Scheduling>;
  /** Reviewers of the generated .github/CODEOWNERS: admins everywhere it matters, extra owners per environment's pins. */
  codeOwners?: { admins: string[]; environments?: Record<string, string[]> };
  /** The stack's Secrets from External Secrets Operator, for every cluster that does not say otherwise. */
  externalSecrets?: ExternalSecrets;
}

/** Where External Secrets Operator reads the stack's Secrets from. */
export interface ExternalSecrets {
  storeRef: { kind: 'ClusterSecretStore' | 'SecretStore'; name: string };
  refreshInterval?: string;
  /** Remote key of each Secret: <prefix>/<secret name>; `{cluster}` is the cluster's name. */
  remoteKeyPrefix?: string;
  remoteKeys?: Record<string, string>;
}

/** A Gateway API Gateway that Prometheus' and Grafana's HTTPRoutes attach to. */
export interface GatewayRef {
  name: string;
  namespace: string;
  sectionName?: string;
}

/** Where the monitoring pods run (node-exporter excepted: a DaemonSet runs on every node). */
export interface Scheduling {
  nodeSelector?: Record<string, string>;
  tolerations?: Values[];
  affinity?: Values;
}

/** Argo CD destination: exactly one of name or server. */
export interface Destination {
  name?: string;
  server?: string;
  namespace: string;
}

export interface ClusterApp {
  enabled: boolean;
  values: Values;
}

/** clusters/<name>.yaml, with defaults applied. */
export interface Cluster {
  name: string;
  /** Repository-relative path of the inventory file. */
  file: string;
  environment: string;
  kubernetesVersion: string;
  domain: string;
  storageClass: string;
  scheduling?: Scheduling;
  argocd: { namespace: string; project: string };
  destination: Destination;
  apps: Partial<Record<AppName, ClusterApp>>;
  /** The cluster's own External Secrets setting (false: made by hand), replacing fleet.yaml's. */
  externalSecrets?: ExternalSecrets | false;
  /** HTTPRoutes on this Gateway instead of Ingresses. */
  gateway?: GatewayRef;
}

/** One app's exact chart in one environment, and the release values promoted with it. */
export interface ChartPin {
  repoURL: string;
  chart: string;
  version: string;
  /** Release values: promoted with the version (environment-specific values live in <app>.values.yaml). */
  values?: Values;
}

/** overlays/<env>/: pins and values of one environment. */
export interface Environment {
  name: string;
  pins: Partial<Record<AppName, ChartPin>>;
  values: Partial<Record<AppName, Values>>;
}

/** A Prometheus rule file from base/<app>/rules/ (app-catalog.yaml says which app loads it). */
export interface RuleFile {
  file: string;
  /** The app whose folder holds it. */
  app: AppName;
  groups: Values[];
}

/** One case of base/<app>/routing-tests.yaml (the app that runs Alertmanager): an alert's labels and the receivers Alertmanager must notify. */
export interface RoutingTest {
  file: string;
  /** Line and column of the case in its file, where a mismatch is reported. */
  line: number;
  column: number;
  name?: string;
  labels: Record<string, string>;
  /** In the order of the routes that match, as `amtool config routes test` prints them. */
  receivers: string[];
}

/** A Grafana dashboard from base/<app>/dashboards/ (the app of app-catalog.yaml with dashboards:). */
export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  model: Values;
}

/** Everything people write, parsed and checked: the generator's only input. */
export interface Inventory {
  fleet: Fleet;
  clusters: Cluster[];
  environments: Environment[];
  base: {
    values: Partial<Record<AppName, Values>>;
    rules: RuleFile[];
    /** Alertmanager routing cases (base/<app>/routing-tests.yaml); empty without that file. */
    routingTests: RoutingTest[];
    dashboards: Dashboard[];
  };
}

/** Hand-written inventory files by repository-relative path, with the problems met while reading them. */
export type InventorySources = Map<string, string> & { problems?: Finding[] };
