import type { Inventory } from '../inventory/types.ts';
import { clusterPlanKey, sharedPlanDigest, type PlanMemo } from './plan-memo.ts';
import { clusterPlanner, planFleetFiles, sortByPath } from './plan.ts';
import type { FileWrite } from './plan-types.ts';
import type { GeneratedIndex, GeneratedTree } from './read-tree.ts';
import { compareTree, type TreeChanges } from './tree.ts';

/** The folder a generated path belongs to: apps/<cluster> or overlays/<env>/<cluster>; fleet files belong to none. */
const folderOf = (path: string) => /^(apps\/[^/]+|overlays\/[^/]+\/[^/]+)\//.exec(path)?.[1];

/**
 * compareTree over what may have changed: a cluster whose plan digest is in the memo and whose folders hold
 * exactly the files the memo names, with git's object ids, is counted unchanged without planning or reading it.
 * Everything else (changed clusters, fleet files, folders of clusters that are gone) is planned, read and compared.
 * `only`: just these clusters (and the fleet files); `stageNew`: given the files of each cluster none of whose
 * folders exists yet, as soon as they are planned.
 */
export function compareIncrementally(
  inventory: Inventory,
  index: GeneratedIndex,
  memo: PlanMemo,
  { only, stageNew }: { only?: Set<string>; stageNew?: (files: FileWrite[]) => void } = {},
): { changes: TreeChanges; existing: GeneratedTree } {
  // Only these clusters' folders (and the fleet files) are compared: the index was read for them alone.
  if (only) dropOtherClusters(index, only);
  const onDisk = new Map<string, string[]>();
  for (const path of [...index.oids.keys(), ...index.irregular, ...index.leftovers]) {
    const folder = folderOf(path);
    if (!folder) continue;
    const paths = onDisk.get(folder);
    if (paths) paths.push(path);
    else onDisk.set(folder, [path]);
  }
  const isNewFolder = (folder: string | undefined) => folder !== undefined && !onDisk.has(folder);
  const shared = sharedPlanDigest(inventory);
  const planCluster = clusterPlanner(inventory);
  const settled = new Set<string>();
  let unchanged = 0;
  const planned: FileWrite[] = planFleetFiles(inventory);
  for (const cluster of inventory.clusters) {
    if (only && !only.has(cluster.name)) continue;
    const key = clusterPlanKey(shared, cluster);
    const refs = memo.refs(key);
    const folders = refs && [...new Set(refs.map(([path]) => folderOf(path)!))];
    const found = folders?.flatMap((f) => onDisk.get(f) ?? []);
    if (refs && found?.length === refs.length && refs.every(([path, oid]) => index.oids.get(path) === oid)) {
      for (const f of folders!) settled.add(f);
      unchanged += refs.length;
      continue;
    }
    const files = planCluster(cluster);
    if (stageNew && files.every((f) => isNewFolder(folderOf(f.path)))) stageNew(files);
    memo.learn(
      key,
      files.map((f) => [f.path, index.oidOf(f.content)]),
    );
    planned.push(...files);
  }
  const existing = index.tree([...index.oids.keys()].filter((p) => !settled.has(folderOf(p) ?? '')));
  const changes = compareTree(sortByPath(planned), existing);
  changes.unchanged += unchanged;
  return { changes, existing };
}

/** Removes from the index what lies in the folder of a cluster not in `only` (a pathspec can match more than meant). */
function dropOtherClusters(index: GeneratedIndex, only: Set<string>): void {
  const other = (path: string) => {
    const folder = folderOf(path);
    return folder !== undefined && !only.has(folder.slice(folder.lastIndexOf('/') + 1));
  };
  for (const path of [...index.oids.keys()]) if (other(path)) index.oids.delete(path);
  index.irregular = index.irregular.filter((p) => !other(p));
  index.leftovers = index.leftovers.filter((p) => !other(p));
}
