import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readInventory } from '../../scripts/inventory/read.ts';
import { readGeneratedTree } from '../../scripts/generate/read-tree.ts';
import { planGenerate } from '../../scripts/generate/plan.ts';
import { syntheticClusterFile } from '../bench/fleet.ts';
import { tempFiles } from './faults.ts';
import { PROJECT_ROOT } from './repo.ts';

export interface GenerateRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Milliseconds from the staging folder's appearance (the write phase starts) to the end of the run. */
  writePhaseMs?: number;
}

/** Runs the generate CLI on `root`; with `signal`, sends it `delayMs` after the run starts staging its writes. */
export function runGenerateCli(root: string, signal?: NodeJS.Signals, delayMs = 0): Promise<GenerateRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'scripts/cli/generate.ts'), '--root', root], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let stagedAt: number | undefined;
  const poll = setInterval(() => {
    if (!existsSync(join(root, '.generate-staging'))) return;
    clearInterval(poll);
    stagedAt = performance.now();
    if (signal) setTimeout(() => child.kill(signal), delayMs);
  }, 1);
  return new Promise((resolve) =>
    child.on('close', (code, sig) => {
      clearInterval(poll);
      resolve({ code, signal: sig, stderr, writePhaseMs: stagedAt === undefined ? undefined : performance.now() - stagedAt });
    }),
  );
}

/** Paths whose content differs between the tree on disk and what a clean run writes (missing, extra or changed). */
export async function differencesFromCleanRun(root: string): Promise<string[]> {
  const planned = new Map(planGenerate(await readInventory(root)).map((f) => [f.path, f.content]));
  const actual = await readGeneratedTree(root);
  const paths = new Set([...planned.keys(), ...actual.keys()]);
  return [...[...paths].filter((p) => planned.get(p) !== actual.get(p)), ...(actual.irregular ?? []), ...(actual.leftovers ?? [])].sort();
}

/** Flips the fleet between two inventories: every prometheus values.yaml changes, and every 7th cluster comes and goes. */
export async function flipInventory(root: string, clusters: number, round: number): Promise<void> {
  const base = join(root, 'base/prometheus/values.yaml');
  const text = (await readFile(base, 'utf8')).replace(/\n# kill-round .*$/s, '');
  await writeFile(base, `${text}\n# kill-round ${round}\nkillRound: ${round}\n`);
  for (let i = 0; i < clusters; i += 7) {
    const { name, text: cluster } = syntheticClusterFile(i);
    if (round % 2) await rm(join(root, 'clusters', `${name}.yaml`), { force: true });
    else await writeFile(join(root, 'clusters', `${name}.yaml`), cluster);
  }
}

export interface KillFigure {
  round: number;
  delayMs: number;
  killedBy: string | null;
  tempFilesAfterKill: number;
  differencesAfterKill: number;
  repairCode: number | null;
  differencesAfterRepair: number;
  tempFilesAfterRepair: number;
}

/** One round: change the inventory, SIGKILL a generate `delayMs` into its write phase, run it again, compare with a clean run. */
export async function killAndRepair(root: string, clusters: number, round: number, delayMs: number, { inspectKilled = true } = {}): Promise<KillFigure> {
  await flipInventory(root, clusters, round);
  const killed = await runGenerateCli(root, 'SIGKILL', delayMs);
  const tempFilesAfterKill = tempFiles(root).length;
  const differencesAfterKill = inspectKilled ? (await differencesFromCleanRun(root)).length : -1;
  const repair = await runGenerateCli(root);
  return {
    round,
    delayMs,
    killedBy: killed.signal,
    tempFilesAfterKill,
    differencesAfterKill,
    repairCode: repair.code,
    differencesAfterRepair: (await differencesFromCleanRun(root)).length,
    tempFilesAfterRepair: tempFiles(root).length,
  };
}
