import { signedMemo } from '../lib/signed-memo.ts';
import type { Verdict } from './results-cache.ts';

/**
 * The checkout's clusters' verdicts in one signed file, by cluster name with the key each was computed for: a
 * warm run reads one file, not one results entry per cluster (at 10,000 clusters the reads were a second).
 * The per-cluster entries stay the shared cache (other checkouts, CI shards); this only answers first.
 */
export interface VerdictMemo {
  /** The cluster's verdict when it was last computed for exactly this key. */
  get(cluster: string, key: string): Verdict | undefined;
  set(cluster: string, key: string, verdict: Verdict): void;
  /** Writes what changed, keeping only the clusters named (the inventory's: a removed cluster's verdict goes). */
  save(clusters: string[]): void;
}

interface Stored {
  key: string;
  verdict: Verdict;
}

/** Answers nothing and keeps nothing: the clusters' own entries answer instead. */
export const NO_VERDICT_MEMO: VerdictMemo = { get: () => undefined, set() {}, save() {} };

export function readVerdictMemo(root: string): VerdictMemo {
  const memo = signedMemo<[cluster: string, entry: Stored][]>('verdicts', root);
  const stored = new Map(memo.read() ?? []);
  let changed = false;
  return {
    get(cluster, key) {
      const entry = stored.get(cluster);
      return entry?.key === key ? entry.verdict : undefined;
    },
    set(cluster, key, verdict) {
      if (stored.get(cluster)?.key === key) return;
      stored.set(cluster, { key, verdict });
      changed = true;
    },
    save(clusters) {
      const kept = new Set(clusters);
      for (const cluster of stored.keys()) if (!kept.has(cluster)) changed = stored.delete(cluster) || changed;
      if (changed) memo.write([...stored]);
    },
  };
}
