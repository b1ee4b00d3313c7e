import type { Cluster, Inventory } from '../inventory/types.ts';
import { enabledApps } from '../inventory/app-values.ts';
import { planClusterApps } from './cluster-apps.ts';
import { CODEOWNERS_PATH, planCodeOwners } from './codeowners.ts';
import { planFleetRoots } from './fleet-root.ts';
import { dashboardsFile, planLeaf } from './leaf.ts';
import type { FileWrite } from './plan-types.ts';

/** Folders the generator owns: it writes them, and removes generated files in them it no longer plans. */
export const GENERATED_ROOTS = ['apps', 'overlays'] as const;
/** Single generated files outside those folders. */
export const GENERATED_FILES = [CODEOWNERS_PATH] as const;

/** Whether a path lies in a generated tree (overlays/<env>/ top-level files are hand-written). */
export function isGeneratedPath(path: string): boolean {
  return path.startsWith('apps/') || /^overlays\/[^/]+\/[^/]+\/.+/.test(path) || (GENERATED_FILES as readonly string[]).includes(path);
}

/**
 * Whether a path lies where Argo CD syncs or bootstrap applies: apps/fleet-<namespace>.yaml (the fleet roots),
 * apps/<cluster>/ (its root, and children/, the root's source) and overlays/<env>/<cluster>/ (each child's leaf).
 * Every file there must be generated.
 */
export function isSyncedPath(path: string): boolean {
  return /^apps\/fleet-[^/]+\.yaml$/.test(path) || /^apps\/[^/]+\/./.test(path) || /^overlays\/[^/]+\/[^/]+\/./.test(path);
}

/** Inventory → every generated file with its exact content, sorted by path. Pure and deterministic. */
export function planGenerate(inventory: Inventory): FileWrite[] {
  const planCluster = clusterPlanner(inventory);
  return sortByPath([...planFleetFiles(inventory), ...inventory.clusters.flatMap(planCluster)]);
}

/** The files that name every cluster (CODEOWNERS, the fleet roots). Pure. */
export const planFleetFiles = (inventory: Inventory): FileWrite[] => [...planCodeOwners(inventory.fleet, inventory.clusters), ...planFleetRoots(inventory)];

/** Plans one cluster's files (its Argo CD objects and leaves): they read the inventory but no other cluster. Pure. */
export function clusterPlanner(inventory: Inventory): (cluster: Cluster) => FileWrite[] {
  let dashboards: string | undefined;
  // The inventory does not change while its planner lives: text written for a shared subtree holds for every cluster.
  const shared = { dashboardsYaml: () => (dashboards ??= dashboardsFile(inventory.base.dashboards)), emitted: new WeakMap() };
  return (cluster) => {
    const env = inventory.environments.find((e) => e.name === cluster.environment)!;
    return [...planClusterApps(inventory, env, cluster), ...enabledApps(cluster).flatMap((app) => planLeaf(inventory, env, cluster, app, shared))];
  };
}

export const sortByPath = (files: FileWrite[]) => files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
