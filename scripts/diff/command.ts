import { readKnownFiles } from '../inventory/parse-memo.ts';
import { checkedInventory, readInventorySources, readInventorySourcesAt } from '../inventory/read.ts';
import { UsageError } from '../lib/errors.ts';
import type { Inventory } from '../inventory/types.ts';
import { changedPaths, forkPoint, resolveCommit } from '../lib/git.ts';
import { readMirrorMap } from '../inventory/mirrors.ts';
import { ensureTools } from '../tools/install.ts';
import { affectedClusters } from '../validate/changed.ts';
import { inShard, type Shard } from '../lib/shard.ts';
import { diffFleet, mergeFleetDiffs, type FleetDiff } from './engine.ts';
import { renderFleetState } from '../render/fleet-state.ts';

interface DiffOptions {
  root: string;
  base: string;
  /** A ref to compare; omitted means the working tree (`--worktree`). */
  head?: string;
  clusters?: string[];
  /** Only the affected clusters of this shard (a stable slice by cluster name). */
  shard?: Shard;
  progress?: (line: string) => void;
}

export interface DiffOutcome {
  diff: FleetDiff;
  baseCommit: string;
  /** The head commit, or 'worktree'. */
  head: string;
  /** Clusters rendered on either side (those whose inputs changed). */
  rendered: string[];
  seconds: number;
}

/** diff: what a change does to each cluster, rendering only the clusters whose inputs changed, on both sides. */
export async function runDiff(options: DiffOptions): Promise<DiffOutcome> {
  const started = Date.now();
  const progress = options.progress ?? (() => {});
  const head = options.head ? await resolveCommit(options.root, options.head, '--head') : undefined;
  const mergeBase = await forkPoint(options.root, options.base, '--base', head);
  const paths = await changedPaths(options.root, mergeBase, head);
  const tools = await ensureTools(['helm', 'kustomize', 'leafRenderer'], progress);
  const mirrors = readMirrorMap(options.root);
  // Both sides share the checkout's memo: a cluster file unchanged between them is parsed by neither.
  const known = readKnownFiles(options.root);
  // Only the inventory of a commit is read, from git's objects (the generated trees are planned from it in memory).
  const readAt = async (ref: string | undefined) =>
    checkedInventory(ref ? await readInventorySourcesAt(options.root, ref) : await readInventorySources(options.root), known).inventory;
  const select = (inventory: Inventory) => {
    const names = [...affectedClusters(paths, inventory)];
    return new Set((options.clusters?.length ? names.filter((n) => options.clusters!.includes(n)) : names).filter((n) => inShard(n, options.shard)));
  };
  const [baseInventory, headInventory] = [await readAt(mergeBase), await readAt(head)];
  known.save();
  const selected = new Set([...select(baseInventory), ...select(headInventory)]);
  // Rendering needs only the inventory: the planned leaf files are rendered from memory, charts from the cache.
  const baseState = await renderFleetState(baseInventory, selected, tools, mirrors, progress);
  const headState = await renderFleetState(headInventory, selected, tools, mirrors, progress);
  return {
    diff: diffFleet(baseState, headState),
    baseCommit: mergeBase,
    head: head ?? 'worktree',
    rendered: [...selected].sort(),
    seconds: (Date.now() - started) / 1000,
  };
}

/** The shards' `--format json` outcomes of one change as one outcome; shards of different changes are refused. */
export function mergeDiffOutcomes(outcomes: DiffOutcome[]): DiffOutcome {
  const [first] = outcomes;
  if (!first) throw new UsageError("--merge needs the shards' --format json files\nfix: npm run diff -- --merge diff-*.json --format md");
  const other = outcomes.find((o) => o.baseCommit !== first.baseCommit || o.head !== first.head);
  if (other)
    throw new UsageError(
      `the shards diff different changes (${first.baseCommit.slice(0, 7)}→${first.head.slice(0, 7)} and ${other.baseCommit.slice(0, 7)}→${other.head.slice(0, 7)})\nfix: merge the shards of one run only`,
    );
  return {
    diff: mergeFleetDiffs(outcomes.map((o) => o.diff)),
    baseCommit: first.baseCommit,
    head: first.head,
    rendered: outcomes.flatMap((o) => o.rendered).sort(),
    seconds: Math.max(...outcomes.map((o) => o.seconds)),
  };
}
