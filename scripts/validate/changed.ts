import type { Inventory } from '../inventory/types.ts';
import { run } from '../lib/exec.ts';
import { EnvironmentError } from '../lib/errors.ts';

/**
 * Which clusters a set of changed paths can affect. Pure. Shared inputs (fleet.yaml, base/, schemas/,
 * the toolkit itself) affect every cluster; an environment's files affect its clusters.
 */
export function affectedClusters(paths: string[], inventory: Inventory): Set<string> {
  const all = inventory.clusters.map((c) => c.name);
  const affected = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    if (path === 'fleet.yaml' || ['base', 'schemas', 'scripts', 'tools', 'package.json', 'package-lock.json', 'helm-mirrors.yaml'].includes(parts[0]!)) return new Set(all);
    if (parts[0] === 'clusters') affected.add(parts[1]!.replace(/\.ya?ml$/, ''));
    else if (parts[0] === 'apps' && parts.length > 2) affected.add(parts[1]!);
    else if (parts[0] === 'overlays' && parts.length === 3) inventory.clusters.filter((c) => c.environment === parts[1]).forEach((c) => affected.add(c.name));
    else if (parts[0] === 'overlays' && parts.length > 3) affected.add(parts[2]!);
  }
  return affected;
}

/** Paths changed between `ref` and the working tree (committed, staged and unstaged), relative to the root. */
export async function readChangedPaths(root: string, ref: string): Promise<string[]> {
  const base = await run('git', ['merge-base', ref, 'HEAD'], { cwd: root });
  if (base.exitCode !== 0) throw new EnvironmentError(`--changed-since ${ref}: git cannot find that revision (${base.stderr.trim()}); fetch it first (git fetch origin ${ref})`);
  const diff = await run('git', ['diff', '--name-only', base.stdout.trim()], { cwd: root });
  const untracked = await run('git', ['ls-files', '--others', '--exclude-standard'], { cwd: root });
  return [...diff.stdout.split('\n'), ...untracked.stdout.split('\n')].filter(Boolean);
}
