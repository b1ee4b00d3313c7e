import type { AppName } from './app-catalog-types.ts';
import type { Cluster } from './types.ts';

/** Argo CD object names, unique per Argo CD instance because cluster names are. */
export const applicationName = (cluster: Cluster, app: AppName) => `${cluster.name}-${app}`;
export const rootApplicationName = (cluster: Cluster) => `${cluster.name}-root`;
/** The root lives in its own project: it may only create Applications and AppProjects in Argo CD's namespace. */
export const rootProjectName = (cluster: Cluster) => `${cluster.argocd.project}-root`;
/**
 * The fleet root's Application and AppProject, one pair per Argo CD namespace: it syncs every cluster root. With
 * clusters in several Argo CD namespaces each pair is named after its namespace, so names stay unique fleet-wide.
 */
export const FLEET_ROOT_NAME = 'monitoring-fleet';
export const fleetRootName = (argocdNamespace: string, namespaces: number) => (namespaces > 1 ? `${FLEET_ROOT_NAME}-${argocdNamespace}` : FLEET_ROOT_NAME);
export const fleetRootPath = (argocdNamespace: string) => `apps/fleet-${argocdNamespace}.yaml`;
