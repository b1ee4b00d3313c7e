import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { EnvironmentError, UsageError } from './errors.ts';
import { runForBytes, shell, tail } from './exec.ts';
import { onProcessExit } from './exit.ts';
import { workTemp } from './work-dir.ts';

/** Runs git in `dir`; a failure is an environment error carrying git's own words. */
export async function git(dir: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return shell({ cwd: dir, env })`git ${args}`;
}

/** Fetches the base branch and returns its commit (what promotion reads and builds on). */
export async function fetchBase(dir: string, remote: string, base: string): Promise<string> {
  await git(dir, ['fetch', '--quiet', remote, `+refs/heads/${base}:refs/remotes/${remote}/${base}`]);
  return git(dir, ['rev-parse', `refs/remotes/${remote}/${base}`]);
}

/** The entries of `commit` under `paths` (relative to `dir`), as ls-tree lists them: mode, object id, path; `recursive` or one level. */
export async function treeEntries(dir: string, commit: string, paths: string[], recursive = true): Promise<{ mode: string; oid: string; path: string }[]> {
  const listing = await git(dir, ['ls-tree', ...(recursive ? ['-r'] : []), '-z', commit, '--', ...paths]);
  return listing
    .split('\0')
    .filter(Boolean)
    .map((entry) => {
      const tab = entry.indexOf('\t');
      const [mode, , oid] = entry.slice(0, tab).split(' ') as [string, string, string];
      return { mode, oid, path: entry.slice(tab + 1) };
    });
}

/** The blobs with these object ids, in order, through one `git cat-file --batch`: a commit's files read without a checkout. */
export async function readBlobs(dir: string, oids: string[]): Promise<Buffer[]> {
  if (!oids.length) return [];
  // The ids go through stdin: 10,000 of them pass what one command line may hold.
  const result = await runForBytes('git', ['cat-file', '--batch'], { cwd: dir, input: `${oids.join('\n')}\n` });
  if (result.exitCode !== 0) throw new EnvironmentError(`git cat-file --batch failed in ${dir}:\n${tail(result.stderr)}`);
  const out = result.stdout;
  let at = 0;
  return oids.map(() => {
    const eol = out.indexOf(10, at);
    const header = out.subarray(at, eol).toString();
    const size = /^\S+ blob (\d+)$/.exec(header)?.[1];
    if (size === undefined) throw new EnvironmentError(`git cat-file --batch in ${dir}: ${header}`);
    const blob = out.subarray(eol + 1, eol + 1 + Number(size));
    at = eol + 1 + Number(size) + 1;
    return blob;
  });
}

/** A throwaway worktree at `commit`: promotion never touches the user's checkout. */
export async function withWorktree<T>(dir: string, commit: string, work: (path: string) => Promise<T>): Promise<T> {
  const path = workTemp('promote-');
  const $git = shell({ cwd: dir });
  // Interrupted while git adds it, git removes it; once added, a signal leaves no time for git: both folders go at once.
  await $git`git worktree add --quiet --detach ${path} ${commit}`;
  const unhook = onProcessExit(removeWorktreeNow(path));
  try {
    return await work(path);
  } finally {
    await $git`git worktree remove --force ${path}`.catch(() => rmSync(path, { recursive: true, force: true }));
    await $git`git worktree prune`.catch(() => undefined);
    unhook();
  }
}

/** Removes a worktree without git: its folder and its folder in the repository (the `gitdir:` its `.git` file names). */
function removeWorktreeNow(path: string): () => void {
  const admin = /^gitdir: (.+)$/m.exec(readFileSync(resolve(path, '.git'), 'utf8'))?.[1];
  return () => {
    if (admin) rmSync(resolve(path, admin), { recursive: true, force: true });
    rmSync(path, { recursive: true, force: true });
  };
}

/** Versions of a file on a branch, newest first: commit, commit time and content. */
export async function fileHistory(dir: string, ref: string, path: string): Promise<{ commit: string; time: Date; text: string }[]> {
  const log = await git(dir, ['log', '--format=%H %ct', ref, '--', path]);
  const entries = [];
  for (const line of log.split('\n').filter(Boolean)) {
    const [commit, seconds] = line.split(' ');
    const text = await git(dir, ['show', `${commit}:${path}`]).catch(() => '');
    entries.push({ commit: commit!, time: new Date(Number(seconds) * 1000), text });
  }
  return entries;
}

/** Paths under `paths` with uncommitted changes in the user's checkout. */
export async function uncommitted(dir: string, paths: string[]): Promise<string[]> {
  // Porcelain v2 entries start with their type, never with a space (git()'s output is trimmed): the path
  // follows a fixed number of fields, and a rename's old path is the next entry.
  const entries = (await git(dir, ['status', '--porcelain=v2', '-z', '--', ...paths])).split('\0').filter(Boolean);
  const changed: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    let at = 0;
    for (let field = 0; field < (STATUS_FIELDS[entry[0]!] ?? 1); field++) at = entry.indexOf(' ', at) + 1;
    changed.push(entry.slice(at));
    if (entry[0] === '2') i++;
  }
  return changed;
}

/** Fields before the path in a `git status --porcelain=v2` entry, by its type (changed, renamed, unmerged; untracked and ignored: 1). */
const STATUS_FIELDS: Record<string, number> = { '1': 8, '2': 9, u: 10 };

/** The commit a remote branch points at, or undefined when it does not exist. */
export async function remoteBranch(dir: string, remote: string, branch: string): Promise<string | undefined> {
  const out = await git(dir, ['ls-remote', remote, `refs/heads/${branch}`]);
  return out.split(/\s+/)[0] || undefined;
}

/** Stages everything in the worktree and returns the tree it would commit. */
export async function stagedTree(worktree: string): Promise<string> {
  await git(worktree, ['add', '-A']);
  return git(worktree, ['write-tree']);
}

/** The tree of a remote commit (fetched first). */
export async function remoteTree(dir: string, remote: string, commit: string): Promise<string> {
  await git(dir, ['fetch', '--quiet', remote, commit]);
  return git(dir, ['rev-parse', `${commit}^{tree}`]);
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'monitoring-gitops',
  GIT_AUTHOR_EMAIL: 'monitoring-gitops@users.noreply.github.com',
  GIT_COMMITTER_NAME: 'monitoring-gitops',
  GIT_COMMITTER_EMAIL: 'monitoring-gitops@users.noreply.github.com',
};

/** Commits the staged worktree on top of its HEAD and pushes it to `branch`, only if the branch is still where we saw it. */
export async function commitAndPush(worktree: string, remote: string, branch: string, message: string, expected: string | undefined): Promise<string> {
  const $git = shell({ cwd: worktree, env: IDENTITY });
  await $git`git commit --quiet --no-verify -m ${message}`;
  const commit = await $git`git rev-parse HEAD`;
  await $git`git push --quiet --force-with-lease=refs/heads/${branch}:${expected ?? ''} ${remote} HEAD:refs/heads/${branch}`;
  return commit;
}

/** A ref the user named, as a commit: one that does not resolve is a usage error (exit 2) saying how to get it. */
export async function resolveCommit(dir: string, ref: string, flag: string): Promise<string> {
  return git(dir, ['rev-parse', '--verify', `${ref}^{commit}`]).catch(() => {
    throw new UsageError(`${flag} ${ref}: git cannot resolve it to a commit in ${dir}; fetch it first (git fetch origin) or name another ref`);
  });
}

/** The commit a change starts from: where `ref` and `head` (default HEAD) meet. */
export async function forkPoint(dir: string, ref: string, flag: string, head = 'HEAD'): Promise<string> {
  return git(dir, ['merge-base', await resolveCommit(dir, ref, flag), head]);
}

/** Pathspecs of the working tree where unstaged changes (`git diff`) and new files (`git ls-files --others`) count. */
export interface WorktreeScope {
  changes: string[];
  newFiles: string[];
}

/**
 * Paths that differ between `from` and `to`, or, without `to`, the working tree: staged changes everywhere (git's
 * index against `from`), and unstaged changes and new files in `scope` (everywhere when not given).
 */
export async function changedPaths(dir: string, from: string, to?: string, scope?: WorktreeScope): Promise<string[]> {
  const diffs = to
    ? [['diff', '--name-only', from, to]]
    : scope
      ? [
          ['diff', '--name-only', '--cached', from],
          ['diff', '--name-only', '--', ...scope.changes],
        ]
      : [['diff', '--name-only', from]];
  const untracked = to || scope?.newFiles.length === 0 ? [] : [['ls-files', '--others', '--exclude-standard', '--', ...(scope?.newFiles ?? [])]];
  // Side by side: at 10,000 clusters a diff of the whole working tree stats about 100,000 files.
  const outputs = await Promise.all([...diffs, ...untracked].map((args) => git(dir, args)));
  return outputs.join('\n').split('\n').filter(Boolean);
}
