import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from './cache.ts';
import { interruptedBy, onProcessExit } from './exit.ts';

/**
 * Each process keeps its temporary files (leaf copies, kustomize's and helm's temporary folders, check
 * inputs, worktrees, chart downloads) in one folder of its own under the cache's `work/`, named by host and
 * pid: removed when the process ends, by exit or signal; one that a SIGKILL left is removed by a later
 * run once its process is gone.
 */
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const RUN_DIR = /^run-([0-9a-f]{8})-(\d+)-/;
/** Folders of toolkit versions that put them straight in `work/`: no owner to ask, so they go once this old. */
const LEGACY_DIR = /^(kustomize-helm-|leaf-|validate-|files-at-|promote-)/;
const LEGACY_AGE_MS = 60 * 60 * 1000;

const mine = new Map<string, string>();

/** This process's folder under the cache's `work/`, created (and dead runs' folders removed) on first use. */
export function runWorkDir(): string {
  const work = cacheDir('work');
  const known = mine.get(work);
  if (known) return known;
  mkdirSync(work, { recursive: true });
  removeDeadRuns(work);
  const dir = mkdtempSync(join(work, `run-${HOST}-${process.pid}-`));
  mine.set(work, dir);
  onProcessExit(() => (interruptedBy() ? removeInBackground(dir) : rmSync(dir, { recursive: true, force: true })));
  return dir;
}

/**
 * Ending by a signal, the folder is moved aside in one step and removed by a detached `rm`, so that Ctrl-C
 * does not wait for a busy disk to unlink every file; the aside name still names this pid, so a later run
 * removes it should that `rm` not finish.
 */
function removeInBackground(dir: string): void {
  const aside = `${dir}-ending`;
  try {
    renameSync(dir, aside);
    spawn('rm', ['-rf', '--', aside], { detached: true, stdio: 'ignore' }).unref();
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A new folder in this process's work folder; the caller removes it when done (the process's end does otherwise). */
export function workTemp(prefix: string): string {
  return mkdtempSync(join(runWorkDir(), prefix));
}

/** Removes the work folders of runs that are gone: this host's whose pid no longer runs, and old legacy ones. */
export function removeDeadRuns(work: string, now = Date.now()): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(work)) {
    const owner = RUN_DIR.exec(name);
    const dead = owner ? owner[1] === HOST && !isRunning(Number(owner[2])) : LEGACY_DIR.test(name) && olderThan(join(work, name), now - LEGACY_AGE_MS);
    if (!dead) continue;
    try {
      rmSync(join(work, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // another run is removing it too, or it is not ours to remove: never a reason to fail this run
    }
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function olderThan(path: string, time: number): boolean {
  try {
    return statSync(path).mtimeMs < time;
  } catch {
    return false;
  }
}
