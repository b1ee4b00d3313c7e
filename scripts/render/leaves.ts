import type { AppName } from '../inventory/app-catalog.ts';
import type { ChartPin, Cluster, Inventory } from '../inventory/types.ts';
import { enabledApps } from '../inventory/app-values.ts';
import { leafPath } from '../generate/leaf.ts';
import type { FileWrite } from '../generate/plan-types.ts';

/** One Kustomize leaf to render: which cluster and app, with what chart, from which files. */
export interface LeafSpec {
  cluster: Cluster;
  app: AppName;
  /** Repository-relative folder of the leaf. */
  dir: string;
  pin: ChartPin;
  /** The leaf's files as generate plans them (path relative to the repository). */
  files: FileWrite[];
}

/** Pairs every enabled app of each of `clusters` (every cluster unless told) with its planned leaf files. Pure. */
export function leafSpecs(inventory: Inventory, plan: FileWrite[], clusters: Cluster[] = inventory.clusters): LeafSpec[] {
  // One pass over the plan (a leaf's files are the ones directly under its folder), not one per leaf.
  const byDir = new Map<string, FileWrite[]>();
  for (const f of plan) {
    const dir = f.path.slice(0, f.path.lastIndexOf('/'));
    byDir.set(dir, [...(byDir.get(dir) ?? []), f]);
  }
  return clusters.flatMap((cluster) => {
    const env = inventory.environments.find((e) => e.name === cluster.environment)!;
    return enabledApps(cluster).map((app) => {
      const dir = leafPath(cluster, app);
      return { cluster, app, dir, pin: env.pins[app]!, files: byDir.get(dir) ?? [] };
    });
  });
}

export const leafLabel = (leaf: Pick<LeafSpec, 'cluster' | 'app'>) => `${leaf.cluster.name}/${leaf.app}`;
