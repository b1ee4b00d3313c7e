import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { run, tail } from '../../../scripts/lib/exec.ts';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

async function git(dir: string, ...args: string[]): Promise<string> {
  const result = await run('git', ['-C', dir, ...args], { env: IDENTITY });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed in ${dir}:\n${tail(result.stderr)}`);
  return result.stdout.trim();
}

async function commitFiles(dir: string, files: Record<string, string>, message: string): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '--allow-empty', '-m', message);
}

/**
 * Makes `dir` a git repository whose `base` branch (default main) holds `baseFiles`, with one branch per entry of
 * `branches`, each one commit on top of `base` writing its files. Returns the SHA of every branch.
 */
export async function seedGitRepository(
  dir: string,
  baseFiles: Record<string, string>,
  branches: Record<string, Record<string, string>> = {},
  base = 'main',
): Promise<Record<string, string>> {
  await git(dir, 'init', '--quiet', `--initial-branch=${base}`);
  await commitFiles(dir, baseFiles, 'initial commit');
  for (const [branch, files] of Object.entries(branches)) {
    await git(dir, 'checkout', '--quiet', '-b', branch, base);
    await commitFiles(dir, files, `change on ${branch}`);
  }
  await git(dir, 'checkout', '--quiet', base);
  const shas: Record<string, string> = {};
  for (const branch of [base, ...Object.keys(branches)]) shas[branch] = await git(dir, 'rev-parse', `refs/heads/${branch}`);
  return shas;
}

/** A bare clone of `dir` at `target` (the shape of a remote), for servers that should not see a work tree. */
export async function bareClone(dir: string, target: string): Promise<string> {
  const result = await run('git', ['clone', '--quiet', '--bare', dir, target], { env: IDENTITY });
  if (result.exitCode !== 0) throw new Error(`git clone --bare failed:\n${tail(result.stderr)}`);
  return target;
}
