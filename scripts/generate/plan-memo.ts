import { createHash } from 'node:crypto';
import type { Cluster, Inventory } from '../inventory/types.ts';
import { signedMemo } from '../lib/signed-memo.ts';

/**
 * Which files planning a cluster produced last time, as [path, git object id] pairs, by a digest of everything
 * that planning reads for it: the inventory but the other clusters, and the cluster itself. When the digest is
 * unchanged and git's index shows those exact files on disk, the cluster need not be planned or read again.
 */
export type PlannedRefs = [path: string, oid: string][];

export interface PlanMemo {
  refs(key: string): PlannedRefs | undefined;
  learn(key: string, refs: PlannedRefs): void;
  /** Keeps what this run used or learned; with `keepUnused`, also what it did not look at (a run over some clusters only). */
  save(options?: { keepUnused?: boolean }): void;
}

/** What every cluster's plan reads besides the cluster: hashed once per run. */
export function sharedPlanDigest(inventory: Inventory): string {
  return createHash('sha256')
    .update(JSON.stringify({ fleet: inventory.fleet, environments: inventory.environments, base: inventory.base }))
    .digest('hex');
}

export const clusterPlanKey = (shared: string, cluster: Cluster) => createHash('sha256').update(shared).update(JSON.stringify(cluster)).digest('hex');

/** Knows and keeps nothing: every cluster asked about is planned. */
export const NO_PLAN_MEMO: PlanMemo = { refs: () => undefined, learn() {}, save() {} };

export function readPlanMemo(root: string): PlanMemo {
  const memo = signedMemo<Record<string, PlannedRefs>>('plans', root);
  const stored = new Map(Object.entries(memo.read() ?? {}));
  const used: Record<string, PlannedRefs> = {};
  let changed = false;
  return {
    refs(key) {
      const refs = stored.get(key);
      if (refs) used[key] = refs;
      return refs;
    },
    learn(key, refs) {
      used[key] = refs;
      changed = true;
    },
    save({ keepUnused = false } = {}) {
      if (keepUnused) {
        if (changed) memo.write({ ...Object.fromEntries(stored), ...used });
      } else if (changed || Object.keys(used).length !== stored.size) memo.write(used);
    },
  };
}
