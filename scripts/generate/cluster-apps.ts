import { appSpec, type AppName } from '../inventory/app-catalog.ts';
import { POD_SECURITY_LEVELS } from '../inventory/app-catalog-types.ts';
import { enabledApps } from '../inventory/app-values.ts';
import { applicationName, rootApplicationName, rootProjectName } from '../inventory/names.ts';
import type { Cluster, Environment, Inventory } from '../inventory/types.ts';
import { toYaml, toYamlDocuments } from '../lib/yaml.ts';
import { application, appProject, IN_CLUSTER, IN_CLUSTER_NAME, KEEP_ON_PRUNE, type GroupKind, type NamedGroupKind } from './argocd.ts';
import { withHeader } from './header.ts';
import { leafPath } from './leaf.ts';
import type { FileWrite } from './plan-types.ts';

/** The cluster-scoped objects a cluster's Applications may create: its namespace and what its charts create. */
export function clusterResources(cluster: Cluster): NamedGroupKind[] {
  const charts = enabledApps(cluster).flatMap((app) => appSpec(app).clusterResources);
  return [{ group: '', kind: 'Namespace', name: cluster.destination.namespace }, ...charts];
}

/**
 * The destination namespace's Pod Security labels: the most permissive level an enabled app needs (node-exporter
 * needs privileged), so a cluster whose default is baseline or restricted still admits the stack's pods.
 */
export function namespaceLabels(cluster: Cluster): Record<string, string> {
  const rank = Math.max(0, ...enabledApps(cluster).map((app) => POD_SECURITY_LEVELS.indexOf(appSpec(app).podSecurity)));
  const level = POD_SECURITY_LEVELS[rank]!;
  // warn and audit at the same level: otherwise every sync warns about what enforce allows on purpose.
  return Object.fromEntries(['enforce', 'warn', 'audit'].map((mode) => [`pod-security.kubernetes.io/${mode}`, level]));
}

const ARGOCD_KINDS: GroupKind[] = [
  { group: 'argoproj.io', kind: 'AppProject' },
  { group: 'argoproj.io', kind: 'Application' },
];

const childrenPath = (cluster: Cluster) => `apps/${cluster.name}/children`;

function labels(cluster: Cluster, app?: AppName): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': 'monitoring-gitops',
    'monitoring-gitops/cluster': cluster.name,
    'monitoring-gitops/environment': cluster.environment,
    ...(app ? { 'monitoring-gitops/app': app } : {}),
  };
}

/** apps/<cluster>/root.yaml (synced by the fleet root) and apps/<cluster>/children/ (synced by the cluster's root). */
export function planClusterApps(inventory: Inventory, env: Environment, cluster: Cluster): FileWrite[] {
  const { fleet } = inventory;
  const ns = cluster.argocd.namespace;
  const apps = enabledApps(cluster);
  const sources = [cluster.file, 'fleet.yaml', `overlays/${env.name}/pins.yaml`];
  const project = appProject({
    meta: { name: cluster.argocd.project, namespace: ns, labels: labels(cluster) },
    description: `Monitoring stack of cluster ${cluster.name} (${cluster.environment})`,
    sourceRepos: [fleet.repoURL, ...apps.map((app) => env.pins[app]!.repoURL)],
    destinations: [cluster.destination],
    clusterResourceWhitelist: clusterResources(cluster),
    syncWave: -1,
  });
  const children = apps.map((app) =>
    application({
      meta: { name: applicationName(cluster, app), namespace: ns, labels: labels(cluster, app) },
      project: cluster.argocd.project,
      repoURL: fleet.repoURL,
      targetRevision: fleet.targetRevision,
      path: leafPath(cluster, app),
      destination: cluster.destination,
      syncWave: appSpec(app).syncWave,
      cascadeDelete: true,
      // Every child writes the same labels, so the Applications sharing the namespace agree on it.
      namespaceLabels: namespaceLabels(cluster),
    }),
  );
  // A root must outlive its cluster file: removing a cluster from Git never deletes it or what it applies.
  const rootProject = appProject({
    meta: { name: rootProjectName(cluster), namespace: ns, labels: labels(cluster), annotations: KEEP_ON_PRUNE },
    description: `Root of cluster ${cluster.name}: may only manage its Argo CD objects`,
    sourceRepos: [fleet.repoURL],
    destinations: [{ server: IN_CLUSTER, namespace: ns }],
    clusterResourceWhitelist: [],
    namespaceResourceWhitelist: ARGOCD_KINDS,
    syncWave: -1,
  });
  const root = application({
    meta: { name: rootApplicationName(cluster), namespace: ns, labels: labels(cluster), annotations: KEEP_ON_PRUNE },
    project: rootProjectName(cluster),
    repoURL: fleet.repoURL,
    targetRevision: fleet.targetRevision,
    path: childrenPath(cluster),
    destination: { name: IN_CLUSTER_NAME, namespace: ns },
    syncWave: 0,
    // No finalizer: deleting the root by mistake must not take the cluster's monitoring with it.
    cascadeDelete: false,
  });
  return [
    { path: `apps/${cluster.name}/root.yaml`, content: withHeader(toYamlDocuments([rootProject, root]), [cluster.file, 'fleet.yaml']) },
    { path: `${childrenPath(cluster)}/project.yaml`, content: withHeader(toYaml(project), sources) },
    ...children.map((child, i) => ({ path: `${childrenPath(cluster)}/${apps[i]}.yaml`, content: withHeader(toYaml(child), sources) })),
  ];
}
