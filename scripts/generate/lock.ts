import { linkSync, lstatSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import type { Finding } from '../lib/findings.ts';

/** One generate at a time per checkout; the file names its owner. */
const LOCK_FILE = '.generate.lock';
/** Where a run stages its writes before moving them into place; removed when the run ends. */
export const STAGING_DIR = '.generate-staging';
/** A lock file being written aside by run <pid>. */
const ASIDE = /^\.generate\.lock\.\d+$/;

interface Owner {
  pid: number;
  host: string;
  started: string;
}

function readOwner(root: string): { text: string; owner?: Owner } | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, LOCK_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return { text, owner: JSON.parse(text) as Owner };
  } catch {
    return { text };
  }
}

/** A lock whose process is gone (killed, crashed, another machine's checkout excepted). */
function isStale(owner: Owner | undefined): boolean {
  if (!owner?.pid) return true;
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Takes the checkout's generate lock, created whole (written aside, then hard-linked into place, so
 * it is never seen empty). A stale lock is taken over and the dead run's leftovers removed.
 */
export function acquireLock(root: string): () => void {
  const mine: Owner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  const aside = join(root, `${LOCK_FILE}.${process.pid}`);
  writeFileSync(aside, `${JSON.stringify(mine)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(aside, join(root, LOCK_FILE));
        break;
      } catch (err) {
        // ENOENT: a run taking over a stale lock removed our aside file; it holds the lock now.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw lockedError(readOwner(root)?.owner);
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        refuseForeignLock(root);
        const current = readOwner(root);
        if (attempt > 0 || (current && !isStale(current.owner))) throw lockedError(current?.owner);
        // Remove it only if it is still the stale lock we read (another run may be taking it over too).
        if (current && readOwner(root)?.text === current.text) rmSync(join(root, LOCK_FILE), { force: true });
      }
    }
  } finally {
    rmSync(aside, { force: true });
  }
  removeDeadRunLeftovers(root);
  return () => rmSync(join(root, LOCK_FILE), { force: true });
}

/** A folder, link or special file named like the lock is no run's lock: said so, never removed or taken over. */
function refuseForeignLock(root: string): void {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(join(root, LOCK_FILE));
  } catch {
    return;
  }
  if (stat.isFile()) return;
  const what = stat.isDirectory() ? 'a folder' : stat.isSymbolicLink() ? 'a symbolic link' : 'a special file';
  throw new EnvironmentError(
    `${join(root, LOCK_FILE)} is ${what}, not the lock file of a generate run; nothing was written\nfix: move it away (generate keeps its lock there), then run again`,
  );
}

function lockedError(owner: Owner | undefined): EnvironmentError {
  const who = owner ? `pid ${owner.pid} on ${owner.host}, started ${owner.started}` : 'a process that is starting';
  return new EnvironmentError(
    `another \`npm run generate\` is working on this checkout (${who}); wait for it to finish and run again. If no such process runs, delete ${LOCK_FILE}`,
  );
}

/** With the lock held no other run is alive: whatever is staged or set aside belongs to a dead one. */
function removeDeadRunLeftovers(root: string): void {
  rmSync(join(root, STAGING_DIR), { recursive: true, force: true });
  for (const name of readdirSync(root)) {
    if (ASIDE.test(name)) rmSync(join(root, name), { force: true });
  }
}

/** For `generate --check`: what an interrupted run left at the top of the checkout. */
export function runLeftovers(root: string): Finding[] {
  const names = readdirSync(root);
  const findings: Finding[] = [];
  const hint = 'run `npm run generate`: it removes what an interrupted run left behind';
  const owner = readOwner(root);
  if (owner && isStale(owner.owner)) findings.push({ file: LOCK_FILE, message: 'stale lock of a generate run that is no longer running', hint });
  if (owner && !isStale(owner.owner))
    findings.push({
      file: LOCK_FILE,
      message: `a generate run is in progress (pid ${owner.owner?.pid}); the tree may be changing`,
      hint: 'wait for it to finish, then check again',
    });
  if (names.includes(STAGING_DIR) && !(owner && !isStale(owner.owner)))
    findings.push({ file: `${STAGING_DIR}/`, message: 'staged files of an interrupted generate run', hint });
  for (const name of names.filter((n) => ASIDE.test(n))) findings.push({ file: name, message: 'lock file of an interrupted generate run', hint });
  return findings;
}
