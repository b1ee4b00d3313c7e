import type { Inventory } from '../inventory/types.ts';
import { folderOf } from './cluster-plans.ts';
import { planClusters } from './plan-ahead.ts';
import { clusterPlanKey, sharedPlanDigest, type PlanMemo } from './plan-memo.ts';
import { planFleetFiles, sortByPath } from './plan.ts';
import type { FileWrite } from './plan-types.ts';
import type { GeneratedIndex, GeneratedTree } from './read-tree.ts';
import { compareTree, type TreeChanges } from './tree.ts';

/**
 * compareTree over what may have changed: a cluster whose plan digest is in the memo and whose folders hold
 * exactly the files the memo names, with git's object ids, is counted unchanged without planning or reading it.
 * Everything else (changed clusters, fleet files, folders of clusters that are gone) is planned, read and compared.
 * `only`: just these clusters (and the fleet files); `stageIn`: where the files of clusters none of whose folders
 * exists yet may be staged as they are planned (plan-ahead.ts), returned as `staged`.
 */
export async function compareIncrementally(
  inventory: Inventory,
  index: GeneratedIndex,
  memo: PlanMemo,
  { only, stageIn }: { only?: Set<string>; stageIn?: string } = {},
): Promise<{ changes: TreeChanges; existing: GeneratedTree; staged: Set<string> }> {
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
  const shared = sharedPlanDigest(inventory);
  const settled = new Set<string>();
  let unchanged = 0;
  const todo: { index: number; key: string }[] = [];
  inventory.clusters.forEach((cluster, i) => {
    if (only && !only.has(cluster.name)) return;
    const key = clusterPlanKey(shared, cluster);
    const refs = memo.refs(key);
    const folders = refs && [...new Set(refs.map(([path]) => folderOf(path)!))];
    const found = folders?.flatMap((f) => onDisk.get(f) ?? []);
    if (refs && found?.length === refs.length && refs.every(([path, oid]) => index.oids.get(path) === oid)) {
      for (const f of folders!) settled.add(f);
      unchanged += refs.length;
    } else todo.push({ index: i, key });
  });
  const staging = stageIn === undefined ? undefined : { folder: stageIn, onDisk: [...onDisk.keys()] };
  const { plans, staged } = await planClusters(
    inventory,
    todo.map((t) => t.index),
    index.oidFormat,
    staging,
  );
  const planned: FileWrite[] = planFleetFiles(inventory);
  plans.forEach((plan, n) => {
    memo.learn(todo[n]!.key, plan.refs);
    for (const file of plan.files) planned.push(file);
  });
  const existing = index.tree([...index.oids.keys()].filter((p) => !settled.has(folderOf(p) ?? '')));
  const changes = compareTree(sortByPath(planned), existing);
  changes.unchanged += unchanged;
  return { changes, existing, staged };
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
