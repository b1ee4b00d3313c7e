import { mkdirSync, rmSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EnvironmentError } from '../lib/errors.ts';
import { takeSignals } from '../lib/exit.ts';
import { STAGING_DIR } from './lock.ts';

/** Every change of one run, decided beforehand: writes (with the content they replace) and removals. */
export interface Transaction {
  writes: { path: string; content: string; previous?: string }[];
  removals: { path: string; previous?: string }[];
  /** Folders to create, parents first. */
  newDirs: string[];
}

/** What was done so far, so that it can be undone. */
interface Journal {
  /** New folders moved into place whole (with every file in them). */
  trees: string[];
  written: Transaction['writes'];
  removed: Transaction['removals'];
}

/** Set by a signal handler while a run holds the lock: the next step stops and everything is undone. */
let interruptedBy: string | undefined;

/** Runs `work` with SIGINT/SIGTERM/SIGHUP turned into a flag that the transaction checks between steps. */
export async function deferSignals<T>(work: () => Promise<T>): Promise<T> {
  interruptedBy = undefined;
  const release = takeSignals((signal) => {
    interruptedBy ??= signal;
  });
  try {
    return await work();
  } finally {
    release();
  }
}

function checkInterrupt(): void {
  if (interruptedBy) throw new EnvironmentError(`interrupted by ${interruptedBy}; every change of this run was undone`);
}

/**
 * Stages every write under STAGING_DIR, then moves it into place and removes the old files. A write into a
 * folder that does not exist yet is staged inside a copy of its topmost new folder, which moves in whole: a new
 * cluster's files take two renames, not one each. Any failure or signal undoes what was done (old contents are
 * in memory) and removes the staging folder; a SIGKILL leaves only whole files and whole new folders (renames are
 * atomic) and the staging folder, which the next run removes.
 */
export async function runTransaction(root: string, tx: Transaction): Promise<void> {
  const staging = join(root, STAGING_DIR, String(process.pid));
  const journal: Journal = { trees: [], written: [], removed: [] };
  const { tops, stagedPath } = stagingLayout(tx.newDirs, staging);
  try {
    checkInterrupt();
    mkdirSync(staging, { recursive: true });
    const writes = tx.writes.map((w, i) => ({ ...w, staged: stagedPath(w.path, i) }));
    await stageWrites(
      tx.newDirs.map((dir) => stagedPath(dir)),
      writes.map((w) => ({ ...w.staged, content: w.content })),
    );
    checkInterrupt();
    for (const top of tops) {
      checkInterrupt();
      renameSync(stagedPath(top).path, join(root, top));
      journal.trees.push(top);
    }
    await forEachInBatches(
      writes.filter((w) => w.staged.tree === undefined),
      (w) => {
        renameSync(w.staged.path, join(root, w.path));
        journal.written.push(w);
      },
    );
    await forEachInBatches(tx.removals, (r) => {
      rmSync(join(root, r.path));
      journal.removed.push(r);
    });
  } catch (err) {
    const failures = undo(root, staging, journal);
    if (failures.length)
      throw new EnvironmentError(
        `${(err as Error).message}\nand undoing the run failed for ${failures.length} file(s); restore them with git checkout:\n${failures.map((f) => `  ${f}`).join('\n')}`,
        { cause: err },
      );
    throw err;
  } finally {
    rmSync(join(root, STAGING_DIR), { recursive: true, force: true });
  }
}

/**
 * Where each new folder and each write is staged: a path below a new folder goes into its topmost new folder's
 * copy (tree-<n>/…), any other write into a file of its own (its index).
 */
function stagingLayout(newDirs: string[], staging: string) {
  const isNew = new Set(newDirs);
  const tops = newDirs.filter((dir) => !isNew.has(dir.slice(0, Math.max(0, dir.lastIndexOf('/')))));
  const treeOf = new Map(tops.map((top, n) => [top, n]));
  const stagedPath = (path: string, index?: number): StagedPath => {
    for (let end = path.indexOf('/'); end !== -1; end = path.indexOf('/', end + 1)) {
      const tree = treeOf.get(path.slice(0, end));
      if (tree !== undefined) return { path: join(staging, `tree-${tree}`, path.slice(end + 1)), tree };
    }
    const tree = treeOf.get(path);
    if (tree !== undefined) return { path: join(staging, `tree-${tree}`), tree };
    return { path: join(staging, String(index)) };
  };
  return { tops, stagedPath };
}

/** Where a folder or file is staged; `tree` is the index of the new folder it moves in with, if any. */
interface StagedPath {
  path: string;
  tree?: number;
}

/** Writes staged by one thread at most: below this a second thread costs more than it saves. */
const WRITES_FOR_A_SECOND_THREAD = 4000;

/**
 * A second thread's share of the staging: plain JavaScript (a worker does not load TypeScript) with node: modules
 * only. It stops between files once `stop` is set, and reports the first failure.
 */
const STAGING_WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
const { mkdirSync, writeFileSync } = require('node:fs');
const stop = new Int32Array(workerData.stop);
try {
  for (const dir of workerData.dirs) mkdirSync(dir);
  for (let i = 0; i < workerData.files.length && Atomics.load(stop, 0) === 0; i++) writeFileSync(workerData.files[i][0], workerData.files[i][1]);
  parentPort.postMessage({});
} catch (err) {
  parentPort.postMessage({ message: err.message, code: err.code });
}`;

/**
 * Creates the staged folders and writes the staged files. A large run (a new fleet is 86,000 files at 10,000
 * clusters) is shared with a second thread, tree by tree (a tree's folders and files stay on one thread), so
 * that both cores make system calls; the loose files stay on this one.
 */
async function stageWrites(dirs: StagedPath[], files: (StagedPath & { content: string })[]): Promise<void> {
  const theirs = (p: StagedPath) => files.length >= WRITES_FOR_A_SECOND_THREAD && p.tree !== undefined && p.tree % 2 === 1;
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const helper = files.some(theirs) ? startWriter(dirs.filter(theirs), files.filter(theirs), stop.buffer as SharedArrayBuffer) : undefined;
  helper?.catch(() => {});
  try {
    for (const dir of dirs.filter((d) => !theirs(d))) mkdirSync(dir.path);
    await forEachInBatches(
      files.filter((f) => !theirs(f)),
      (f) => writeFileSync(f.path, f.content),
    );
  } catch (err) {
    Atomics.store(stop, 0, 1);
    await helper?.catch(() => {});
    throw err;
  }
  await helper;
}

function startWriter(dirs: StagedPath[], files: (StagedPath & { content: string })[], stop: SharedArrayBuffer): Promise<void> {
  const worker = new Worker(STAGING_WRITER, {
    eval: true,
    workerData: { dirs: dirs.map((d) => d.path), files: files.map((f) => [f.path, f.content]), stop },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (result: { message?: string; code?: string }) => {
      if (result.message === undefined) resolve();
      else reject(Object.assign(new Error(result.message), { code: result.code }));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the staging thread ended (exit ${code}) before it was done`)));
  });
}

/** Puts back every file as it was, newest change first; returns what could not be restored. */
function undo(root: string, staging: string, journal: Journal): string[] {
  const failures: string[] = [];
  const restore = (path: string, previous: string | undefined) => {
    try {
      if (previous === undefined) return void rmSync(join(root, path), { force: true });
      const aside = join(staging, `undo-${failures.length}-${Math.random().toString(36).slice(2)}`);
      mkdirSync(dirname(aside), { recursive: true });
      writeFileSync(aside, previous);
      renameSync(aside, join(root, path));
    } catch {
      failures.push(path);
    }
  };
  for (const r of journal.removed.reverse()) restore(r.path, r.previous);
  for (const w of journal.written.reverse()) restore(w.path, w.previous);
  for (const top of journal.trees.reverse()) {
    try {
      // The folder did not exist before this run: everything in it is this run's.
      rmSync(join(root, top), { recursive: true });
    } catch {
      failures.push(`${top}/`);
    }
  }
  return failures;
}

/**
 * Runs `fn` over `items` synchronously (tens of thousands of small files go several times faster than through
 * fs/promises), yielding to the event loop between batches so that a signal is seen; after a failure or a
 * signal no further item starts.
 */
async function forEachInBatches<T>(items: T[], fn: (item: T) => void): Promise<void> {
  for (let start = 0; start < items.length; start += BATCH) {
    checkInterrupt();
    for (const item of items.slice(start, start + BATCH)) fn(item);
    await new Promise((resolve) => setImmediate(resolve));
  }
  checkInterrupt();
}

/** Files written, moved or removed between two looks at the signal flag. */
const BATCH = 256;
