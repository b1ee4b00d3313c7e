import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../inventory/types.ts';
import { isGeneratedPath } from '../generate/plan.ts';
import { changedPaths, forkPoint, type WorktreeScope } from '../lib/git.ts';
import type { GeneratedScope } from '../generate/read-tree.ts';

/**
 * Which clusters a set of changed paths can affect. Pure. Shared inputs (fleet.yaml, app-catalog.yaml, base/, schemas/,
 * the toolkit itself) affect every cluster; an environment's files affect its clusters.
 */
export function affectedClusters(paths: string[], inventory: Inventory): Set<string> {
  const all = inventory.clusters.map((c) => c.name);
  const affected = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    if (
      path === 'fleet.yaml' ||
      path === 'app-catalog.yaml' ||
      ['base', 'schemas', 'scripts', 'tools', 'package.json', 'package-lock.json', 'helm-mirrors.yaml'].includes(parts[0]!)
    )
      return new Set(all);
    if (parts[0] === 'clusters') affected.add(parts[1]!.replace(/\.ya?ml$/, ''));
    else if (parts[0] === 'apps' && parts.length > 2) affected.add(parts[1]!);
    else if (parts[0] === 'overlays' && parts.length === 3) for (const c of inventory.clusters.filter((x) => x.environment === parts[1])) affected.add(c.name);
    else if (parts[0] === 'overlays' && parts.length > 3) affected.add(parts[2]!);
  }
  return affected;
}

/**
 * Up to this many of the fleet's clusters, a run (--changed-since, --cluster) reads and plans just them: cheaper
 * than reading the fleet-wide memos (the verdicts, the plans), megabytes at 10,000 clusters.
 */
export const FEW_CLUSTERS = 64;

/**
 * Paths changed since `ref` forked from HEAD, relative to the root: committed and staged changes everywhere, and
 * unstaged changes and new files outside the generated cluster folders (outsideClusterFolders).
 */
export async function readChangedPaths(root: string, ref: string): Promise<string[]> {
  return changedPaths(root, await forkPoint(root, ref, '--changed-since'), undefined, outsideClusterFolders(root));
}

/**
 * The working tree but the generated cluster folders (apps/<cluster>/, overlays/<env>/<cluster>/), whose stat and walk
 * are most of a one-cluster run at 10,000 clusters. An unstaged edit or a new file inside one counts once added to
 * git (the index is compared whole), and is found by the generated check of a cluster the change reaches, or by a
 * run without --changed-since. New files as literal pathspecs: git walks only what they name.
 */
export function outsideClusterFolders(root: string): WorktreeScope {
  const entries = (dir: string) => {
    try {
      return readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      return [];
    }
  };
  const filesIn = (dir: string) =>
    entries(dir)
      .filter((e) => !e.isDirectory())
      .map((e) => `${dir}/${e.name}`);
  const environments = entries('overlays')
    .filter((e) => e.isDirectory())
    .map((e) => `overlays/${e.name}`);
  const top = entries('.')
    .filter((e) => !['.git', 'apps', 'overlays'].includes(e.name))
    .map((e) => e.name);
  return {
    changes: ['.', ...CLUSTER_FOLDERS.map((glob) => `:(exclude,glob)${glob}/**`)],
    newFiles: [...top, ...filesIn('apps'), ...filesIn('overlays'), ...environments.flatMap(filesIn)].map((path) => `:(literal)${path}`),
  };
}

/** The generated cluster folders, as globs. */
const CLUSTER_FOLDERS = ['apps/*', 'overlays/*/*'];

/**
 * What the generated check needs to look at after a change: the affected clusters' folders, and every changed path
 * in the generated trees (the fleet files are always looked at); undefined when the change reaches every cluster
 * (look at everything). Whatever else is as it was at the commit the change started from. Pure.
 */
export function generatedScope(
  paths: string[],
  inventory: Inventory,
  environmentFolders: string[] = inventory.environments.map((e) => e.name),
): GeneratedScope | undefined {
  const clusters = affectedClusters(paths, inventory);
  if (clusters.size >= inventory.clusters.length) return undefined;
  // A cluster's leaves in every environment folder (it may have moved).
  const environments = [...new Set([...inventory.environments.map((e) => e.name), ...environmentFolders])].sort();
  return {
    clusters,
    folders: [...clusters].flatMap((c) => [`apps/${c}`, ...environments.map((env) => `overlays/${env}/${c}`)]),
    files: paths.filter(isGeneratedPath),
  };
}
