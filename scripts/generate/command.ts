import { FindingsError } from '../lib/errors.ts';
import { readInventorySources } from '../inventory/read.ts';
import { parseInventory } from '../inventory/parse.ts';
import type { Inventory } from '../inventory/types.ts';
import { applyTreeChanges, readGeneratedTree } from './apply.ts';
import { planGenerate } from './plan.ts';
import { compareTree, isClean, refusals, staleFindings, type TreeChanges } from './tree.ts';

/** Reads and checks the inventory under `root`; findings stop everything (exit 1). */
export async function readInventory(root: string): Promise<Inventory> {
  const { inventory, findings } = parseInventory(await readInventorySources(root));
  if (!inventory) throw new FindingsError(findings, `${findings.length} problem${findings.length === 1 ? '' : 's'} in the inventory`);
  return inventory;
}

export interface GenerateOutcome {
  changes: TreeChanges;
  written: string[];
  removed: string[];
}

/** `generate`: plan, refuse on hand-written or hand-edited files, then write. */
export async function runGenerate(root: string, { force = false } = {}): Promise<GenerateOutcome> {
  const inventory = await readInventory(root);
  const changes = compareTree(planGenerate(inventory), await readGeneratedTree(root));
  const refused = refusals(changes, force);
  if (refused.length) throw new FindingsError(refused, `generate refused to touch ${refused.length} file${refused.length === 1 ? '' : 's'}`);
  const applied = await applyTreeChanges(root, changes);
  return { changes, ...applied };
}

/** `generate --check`: findings for every file that generate would change. */
export async function checkGenerated(root: string): Promise<TreeChanges> {
  const inventory = await readInventory(root);
  const changes = compareTree(planGenerate(inventory), await readGeneratedTree(root));
  if (!isClean(changes)) {
    const findings = staleFindings(changes);
    throw new FindingsError(findings, `${findings.length} generated file${findings.length === 1 ? ' is' : 's are'} out of date`);
  }
  return changes;
}
