import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runGenerate } from '../../scripts/generate/command.ts';
import { gitIn } from './git-fleet.ts';
import { PROJECT_ROOT, tempRepo } from './repo.ts';
import type { CliResult } from './cli.ts';

/** A git checkout of `from` (default: the minimal fixture copy given) with its generated trees committed. */
export async function committedRepo(from: string, files: Record<string, string> = {}): Promise<string> {
  const root = await tempRepo(files, from);
  await runGenerate(root);
  gitIn(root, 'init', '--quiet');
  gitIn(root, 'add', '-A');
  gitIn(root, 'commit', '--quiet', '-m', 'fixture');
  return root;
}

/** `git status --porcelain` (ignoring who owns the checkout: some tests hand it to another user). */
export const gitStatus = (root: string) =>
  execFileSync('git', ['-c', 'safe.directory=*', 'status', '--porcelain', '--untracked-files=all'], { cwd: root, encoding: 'utf8' });

/** Temporary files of generate anywhere in the checkout: staged writes, locks, old-style *.tmp-<pid>. */
export function tempFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = dir ? `${dir}/${e.name}` : e.name;
      if (e.name === '.git') continue;
      if (/\.tmp-\d+$|^\.generate-staging$|^\.generate\.lock/.test(e.name)) found.push(path);
      else if (e.isDirectory()) walk(path);
    }
  };
  walk('');
  return found;
}

/** The unprivileged user permission tests run as (root reads chmod 000 files); created once, if possible. */
const FAULT_USER = 'mg-fault-test';

/** Why permission tests cannot run here, or undefined when they can (as FAULT_USER). */
export function dropPrivilegesUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (spawnSync('id', ['-u', FAULT_USER]).status !== 0) {
    const made = spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', FAULT_USER]);
    if (made.status !== 0) return `running as root and cannot create the user ${FAULT_USER} (useradd: ${made.stderr})`;
  }
  if (spawnSync('runuser', ['-u', FAULT_USER, '--', 'true']).status !== 0) return 'runuser cannot switch to an unprivileged user';
  return undefined;
}

/** Hands `root` to the unprivileged user (when running as root), so that the user's permissions apply. */
export function giveToFaultUser(root: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync('id', ['-u', FAULT_USER], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', FAULT_USER], { encoding: 'utf8' }));
  const walk = (path: string) => {
    chownSync(path, uid, gid);
    if (lstatSync(path).isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
}

/** Runs a toolkit command as the unprivileged user (or as the current user when that is not root). */
export function runCliAsUser(command: string, args: string[], home: string): Promise<CliResult> {
  const node = [process.execPath, '--import', 'tsx', join(PROJECT_ROOT, 'scripts/cli', `${command}.ts`), ...args];
  const argv = process.getuid?.() === 0 ? ['runuser', '-u', FAULT_USER, '--', ...node] : node;
  const child = spawn(argv[0]!, argv.slice(1), { cwd: PROJECT_ROOT, env: { ...process.env, HOME: home, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let [stdout, stderr] = ['', ''];
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
