import { FindingsError } from '../lib/errors.ts';
import { inventoryProblems, readCheckedInventory } from '../inventory/read.ts';
import type { Inventory } from '../inventory/types.ts';
import { readKnownFiles } from '../inventory/parse-memo.ts';
import { applyTreeChanges } from './apply.ts';
import { compareIncrementally } from './incremental.ts';
import { readPlanMemo } from './plan-memo.ts';
import { readGeneratedIndex, type GeneratedIndex } from './read-tree.ts';
import { acquireLock, runLeftovers } from './lock.ts';
import { generateRefusals } from './refusals.ts';
import { deferSignals, removeStaging, stagedTrees } from './transaction.ts';
import { isClean, refusals, staleFindings, type TreeChanges } from './tree.ts';

/** The inventory as generate may write it: no secret copied into the tree, no chart outside its namespace. */
async function readWritableInventory(root: string): Promise<Inventory> {
  const known = readKnownFiles(root);
  const { inventory, sources } = await readCheckedInventory(root, known);
  const refused = generateRefusals(inventory, sources, known);
  known.save();
  if (refused.length) throw new FindingsError(refused, inventoryProblems(refused.length));
  return inventory;
}

/** The generated trees as git's index and work tree show them: git looks in processes of its own while the inventory is read here. */
function lookAtDisk(root: string): Promise<GeneratedIndex> {
  const onDisk = readGeneratedIndex(root);
  onDisk.catch(() => {}); // awaited by compareWithDisk, or not needed when the inventory fails
  return onDisk;
}

/** The plan against the generated trees on disk, planning and reading only what changed since the memo's run. */
async function compareWithDisk(inventory: Inventory, onDisk: Promise<GeneratedIndex>, root: string, stageIn?: string) {
  const memo = readPlanMemo(root);
  const compared = await compareIncrementally(inventory, await onDisk, memo, { stageIn });
  memo.save();
  return compared;
}

interface GenerateOutcome {
  changes: TreeChanges;
  written: string[];
  removed: string[];
  /** Of the written files, those staged on a second thread while the plan was made. */
  stagedAhead: number;
}

/** `generate`: with the checkout's lock, plan, refuse on hand-written, hand-edited or linked files, then write all or nothing. */
export async function runGenerate(root: string, { force = false } = {}): Promise<GenerateOutcome> {
  const release = acquireLock(root);
  try {
    return await deferSignals(async () => {
      const onDisk = lookAtDisk(root);
      const inventory = await readWritableInventory(root).catch((err: unknown) => {
        throw err instanceof FindingsError ? new FindingsError(err.findings, err.message, true) : err;
      });
      // New clusters' files are staged as they are planned (plan-ahead.ts); they move in with the transaction.
      const { changes, existing, staged } = await compareWithDisk(inventory, onDisk, root, stagedTrees(root));
      const refused = refusals(changes, force);
      if (refused.length) throw new FindingsError(refused, `generate refused to touch ${refused.length} file${refused.length === 1 ? '' : 's'}`, true);
      const applied = await applyTreeChanges(root, changes, existing, staged);
      return { changes, ...applied };
    });
  } finally {
    try {
      removeStaging(root);
    } finally {
      release();
    }
  }
}

/** `generate --check`: findings for every file that generate would change, and for what an interrupted run left. */
export async function checkGenerated(root: string): Promise<TreeChanges> {
  const onDisk = lookAtDisk(root);
  const { changes } = await compareWithDisk(await readWritableInventory(root), onDisk, root);
  const findings = [...(isClean(changes) ? [] : staleFindings(changes)), ...runLeftovers(root)];
  if (findings.length) throw new FindingsError(findings, `${findings.length} generated file${findings.length === 1 ? ' is' : 's are'} out of date`);
  return changes;
}
