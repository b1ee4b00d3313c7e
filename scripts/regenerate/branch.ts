import { git } from '../lib/git.ts';
import { runGenerate } from '../generate/command.ts';
import { UsageError } from '../lib/errors.ts';
import { GENERATED_FILES, GENERATED_ROOTS } from '../generate/plan.ts';

/**
 * The identity of the regenerate commit. Renovate's `gitIgnoredAuthors` (renovate.json) lists this e-mail, so
 * Renovate still treats its branch as its own and keeps rebasing it (the commit is then redone by the workflow).
 */
export const REGENERATE_AUTHOR = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

interface RegenerateOptions {
  /** The branch being regenerated (CI: GITHUB_REF_NAME); must be the checked-out branch, which is the default. */
  branch?: string;
  /** Only branches starting with this are touched (default `renovate/`). */
  prefix?: string;
  /** Push the commit to this remote, only if the branch is still at the commit we regenerated. */
  push?: string;
}

interface RegenerateOutcome {
  branch: string;
  /** The regenerate commit, or undefined when the branch was already up to date. */
  commit?: string;
  written: string[];
  removed: string[];
  pushed: boolean;
}

/** `regenerate:branch`: runs generate on a Renovate branch and commits (and pushes) the generated tree. */
export async function regenerateBranch(root: string, options: RegenerateOptions = {}): Promise<RegenerateOutcome> {
  const checkedOut = await git(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '');
  const branch = options.branch ?? checkedOut;
  const prefix = options.prefix ?? 'renovate/';
  if (!branch.startsWith(prefix))
    throw new UsageError(`branch '${branch || '(detached HEAD)'}' is not a ${prefix}* branch\nfix: run this on the bot's branch, or pass --prefix`);
  // generate writes the working tree and git commit extends HEAD: another checked-out branch would receive the commit.
  if (branch !== checkedOut)
    throw new UsageError(
      `--branch ${branch} is not the checked-out branch (${checkedOut ? `'${checkedOut}'` : 'a detached HEAD'}); regenerate commits on the checked-out branch, so nothing was done\nfix: git switch ${branch}, then run again`,
    );
  const dirty = await git(root, ['status', '--porcelain']);
  if (dirty)
    throw new UsageError(`the checkout has uncommitted changes:\n${dirty}\nfix: commit or stash them first; regenerate commits only what generate writes`);
  const head = await git(root, ['rev-parse', 'HEAD']);
  const subject = await git(root, ['log', '-1', '--format=%s']);
  const { written, removed } = await runGenerate(root);
  if (!written.length && !removed.length) return { branch, written, removed, pushed: false };
  // Only the generated trees and files: a single file is named only when generate touched it (git add refuses a path that is nowhere).
  const files = GENERATED_FILES.filter((f) => written.includes(f) || removed.includes(f));
  await git(root, ['add', '-A', '--', ...GENERATED_ROOTS, ...files]);
  const identity = {
    GIT_AUTHOR_NAME: REGENERATE_AUTHOR.name,
    GIT_AUTHOR_EMAIL: REGENERATE_AUTHOR.email,
    GIT_COMMITTER_NAME: REGENERATE_AUTHOR.name,
    GIT_COMMITTER_EMAIL: REGENERATE_AUTHOR.email,
  };
  const message = `Regenerate the fleet for "${subject}"\n\nnpm run generate on ${branch}: ${written.length} written, ${removed.length} removed.`;
  await git(root, ['commit', '--quiet', '--no-verify', '-m', message], identity);
  const commit = await git(root, ['rev-parse', 'HEAD']);
  if (options.push) await git(root, ['push', '--quiet', `--force-with-lease=refs/heads/${branch}:${head}`, options.push, `HEAD:refs/heads/${branch}`]);
  return { branch, commit, written, removed, pushed: Boolean(options.push) };
}
