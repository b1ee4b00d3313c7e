import { readInventory } from '../inventory/read.ts';
import type { Inventory } from '../inventory/types.ts';
import { changedPaths, forkPoint, resolveCommit, withWorktree } from '../lib/git.ts';
import { readMirrorMap } from '../inventory/mirrors.ts';
import { ALL_TOOLS, ensureTools } from '../tools/install.ts';
import { affectedClusters } from '../validate/changed.ts';
import { diffFleet, type FleetDiff } from './engine.ts';
import { renderFleetState } from '../render/fleet-state.ts';

interface DiffOptions {
  root: string;
  base: string;
  /** A ref to compare; omitted means the working tree (`--worktree`). */
  head?: string;
  clusters?: string[];
  progress?: (line: string) => void;
}

interface DiffOutcome {
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
  const tools = await ensureTools(ALL_TOOLS, progress);
  const mirrors = readMirrorMap(options.root);
  const atRef = <T>(ref: string | undefined, read: (dir: string) => Promise<T>) => (ref ? withWorktree(options.root, ref, read) : read(options.root));
  const select = (inventory: Inventory) => {
    const names = [...affectedClusters(paths, inventory)];
    return new Set(options.clusters?.length ? names.filter((n) => options.clusters!.includes(n)) : names);
  };
  const [baseInventory, headInventory] = [await atRef(mergeBase, readInventory), await atRef(head, readInventory)];
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
