import { run, tail } from '../../../scripts/lib/exec.ts';

/** What GitHub computes from git for a pull request: the comparison of base...head. */
export interface Comparison {
  commits: number;
  additions: number;
  deletions: number;
  changedFiles: number;
  /** False when base and head conflict (`git merge-tree` reports conflicts). */
  mergeable: boolean;
}

/** Read-only queries on the repository the stand-in serves (bare or not). */
export interface GitRepository {
  gitDir: string;
  /** The tip of refs/heads/<branch>, or undefined when there is no such branch. */
  branchSha(branch: string): Promise<string | undefined>;
  /**
   * The commit a `commit-ref` names: a full SHA of a commit in the repository, `heads/<branch>`, `tags/<tag>`,
   * or a bare branch or tag name (branches first); undefined when it names none.
   */
  commitSha(ref: string): Promise<string | undefined>;
  /** The branch HEAD points at (the repository's default branch). */
  defaultBranch(): Promise<string>;
  /** Compares two commits (full SHAs, so a deleted branch still renders). */
  compare(base: string, head: string): Promise<Comparison>;
}

async function git(gitDir: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return run('git', ['--git-dir', gitDir, ...args], { env: { LC_ALL: 'C' } });
}

async function gitOk(gitDir: string, args: string[]): Promise<string> {
  const result = await git(gitDir, args);
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed in ${gitDir} (exit ${result.exitCode}):\n${tail(result.stderr)}`);
  return result.stdout.trim();
}

/** Opens the repository at `path` (a work tree or a bare repository). */
export async function openGitRepository(path: string): Promise<GitRepository> {
  const found = await run('git', ['-C', path, 'rev-parse', '--absolute-git-dir']);
  if (found.exitCode !== 0) throw new Error(`${path} is not a git repository: ${tail(found.stderr)}`);
  const gitDir = found.stdout.trim();
  return {
    gitDir,
    branchSha: (branch) => refSha(gitDir, `refs/heads/${branch}`),
    async commitSha(ref) {
      if (FULL_SHA.test(ref)) return commitOf(gitDir, ref);
      const qualified = /^(?:heads|tags)\//.test(ref) ? [`refs/${ref}`] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
      for (const name of qualified) {
        const sha = await refSha(gitDir, name);
        if (sha) return sha;
      }
      return undefined;
    },
    async defaultBranch() {
      return (await gitOk(gitDir, ['symbolic-ref', '--short', 'HEAD'])).trim();
    },
    compare: (base, head) => compare(gitDir, base, head),
  };
}

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The commit `object` (a SHA or a full ref name) points at, peeled; undefined when there is none. */
async function commitOf(gitDir: string, object: string): Promise<string | undefined> {
  const result = await git(gitDir, ['rev-parse', '--verify', '--quiet', `${object}^{commit}`]);
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** The commit at the full ref `name` (refs/heads/…, refs/tags/…); undefined when there is no such ref. */
async function refSha(gitDir: string, name: string): Promise<string | undefined> {
  // A name that is not a valid ref is simply not there (and never reaches rev-parse's revision syntax).
  if ((await git(gitDir, ['check-ref-format', name])).exitCode !== 0) return undefined;
  return commitOf(gitDir, name);
}

async function compare(gitDir: string, base: string, head: string): Promise<Comparison> {
  const [count, stat, merge] = await Promise.all([
    gitOk(gitDir, ['rev-list', '--count', `${base}..${head}`]),
    gitOk(gitDir, ['diff', '--numstat', `${base}...${head}`, '--']),
    git(gitDir, ['merge-tree', '--write-tree', '--no-messages', base, head]),
  ]);
  let additions = 0;
  let deletions = 0;
  const files = stat.split('\n').filter(Boolean);
  for (const line of files) {
    const [added, deleted] = line.split('\t');
    additions += Number(added) || 0; // '-' for binary files
    deletions += Number(deleted) || 0;
  }
  return { commits: Number(count), additions, deletions, changedFiles: files.length, mergeable: merge.exitCode === 0 };
}
