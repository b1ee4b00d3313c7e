import { createHash } from 'node:crypto';
import { signedMemo } from '../lib/signed-memo.ts';
import { indexDigest, type WorktreeProbe } from '../lib/worktree-files.ts';

/**
 * The generated trees were found up to date before, and neither they nor any hand-written file changed since:
 * git's index file is byte for byte the one of that run, git reports no generated file changed or new on disk,
 * and the hand-written files (all the plan reads) are the same. Then the check need not list or plan anything.
 */
export interface GeneratedAsBefore {
  known: boolean;
  /** Called when a run over the whole fleet found the trees up to date through git's index. */
  remember(): void;
}

export function generatedAsBefore(root: string, probe: WorktreeProbe | undefined, sources: Map<string, string>): GeneratedAsBefore {
  const memo = signedMemo<{ key: string }>('generated-clean', root);
  const untouched = probe?.indexDigest !== undefined && !probe.dirty.length && !probe.untracked.length;
  if (!probe || !untouched) return { known: false, remember() {} };
  const hash = createHash('sha256').update(`${probe.indexDigest}\0`);
  for (const [path, text] of [...sources].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${path}\0${text.length}\0${text}\0`);
  const key = hash.digest('hex');
  return {
    known: memo.read()?.key === key,
    remember() {
      // The listing just compared was read from this same index (no git command replaced it meanwhile).
      if (indexDigest(probe.gitDir) === probe.indexDigest) memo.write({ key });
    },
  };
}
