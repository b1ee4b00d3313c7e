import { fleetRootName, fleetRootPath } from '../inventory/names.ts';
import type { Inventory } from '../inventory/types.ts';
import { toYamlDocuments } from '../lib/yaml.ts';
import { application, appProject, IN_CLUSTER, IN_CLUSTER_NAME, KEEP_ON_PRUNE } from './argocd.ts';
import { withHeader } from './header.ts';
import type { FileWrite } from './plan-types.ts';

/**
 * apps/fleet-<namespace>.yaml: per Argo CD namespace, the fleet root (an Application and its own AppProject) that
 * bootstrap applies once. It syncs itself and every cluster root of that namespace, so a merged cluster file is the
 * whole onboarding and a changed root reaches the hub without kubectl. It never prunes: a cluster file removed from
 * Git leaves that cluster's root, and so its monitoring, in place until someone deletes it on purpose.
 */
export function planFleetRoots(inventory: Inventory): FileWrite[] {
  const { fleet, clusters } = inventory;
  const namespaces = [...new Set(clusters.map((c) => c.argocd.namespace))].sort();
  return namespaces.map((ns) => {
    const path = fleetRootPath(ns);
    const name = fleetRootName(ns, namespaces.length);
    const own = clusters.filter((c) => c.argocd.namespace === ns);
    const self = path.slice('apps/'.length);
    // One Argo CD namespace: a glob, so a new cluster changes nothing here. Several: each root named, so no fleet
    // root applies another namespace's roots.
    const roots = own.length === clusters.length ? ['*/root.yaml'] : own.map((c) => `${c.name}/root.yaml`);
    const labels = { 'app.kubernetes.io/managed-by': 'monitoring-gitops' };
    const project = appProject({
      meta: { name, namespace: ns, labels, annotations: KEEP_ON_PRUNE },
      description: 'Fleet root: may only manage the cluster roots and itself (Applications and AppProjects in this namespace)',
      sourceRepos: [fleet.repoURL],
      destinations: [{ server: IN_CLUSTER, namespace: ns }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'AppProject' },
        { group: 'argoproj.io', kind: 'Application' },
      ],
      syncWave: -1,
    });
    const root = application({
      meta: { name, namespace: ns, labels, annotations: KEEP_ON_PRUNE },
      project: name,
      repoURL: fleet.repoURL,
      targetRevision: fleet.targetRevision,
      path: 'apps',
      // Argo CD matches these against paths relative to apps/; `*` crosses folders, hence the exclude.
      directory: { recurse: true, include: `{${[self, ...roots].join(',')}}`, exclude: '*/children/*' },
      destination: { name: IN_CLUSTER_NAME, namespace: ns },
      syncWave: 0,
      cascadeDelete: false,
      prune: false,
    });
    return { path, content: withHeader(toYamlDocuments([project, root]), ['fleet.yaml', 'clusters/']) };
  });
}
