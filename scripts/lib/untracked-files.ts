import { createHash } from 'node:crypto';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { signedMemo } from './signed-memo.ts';

/**
 * Files under some folders that git's index does not hold, as `git ls-files --others` lists them, without
 * reading every folder on every run: a folder whose stat data (inode, change and modification times) is what it
 * was when it was last found to hold nothing untracked still holds nothing untracked, because adding, removing
 * or renaming an entry changes a folder's times. That is git's own untracked cache, kept in the toolkit's memo
 * instead of the user's index. Folders changed less than RACY_MS before they were recorded are never trusted
 * (a file system's clock ticks coarsely), nor is anything when the index's listing changed.
 */

/** How old a folder's modification must be, when recorded, for its stat data to stand for its entries. */
const RACY_MS = 2000;

interface Recorded {
  /** Digest of the index's listing under the folders: a staged or removed path changes what counts as untracked. */
  listing: string;
  /** Folder → stat signature, for folders that held nothing untracked when recorded. */
  clean: Record<string, string>;
}

/** The folders the listing's files sit in, the roots included. */
function trackedFolders(roots: string[], tracked: Iterable<string>): Set<string> {
  const folders = new Set<string>();
  for (const path of tracked) {
    for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) {
      const folder = path.slice(0, end);
      if (folders.has(folder)) break;
      folders.add(folder);
    }
  }
  for (const root of roots) folders.add(root);
  return folders;
}

const signature = (path: string) => {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  return stats?.isDirectory() ? { sig: `${stats.dev}:${stats.ino}:${stats.mtimeMs}:${stats.ctimeMs}`, mtimeMs: stats.mtimeMs } : undefined;
};

/**
 * Untracked paths under `roots` (folders, relative to `root`), given the index's paths there (`tracked`) and its
 * listing text (what the memo is keyed on). `scan` is the full answer (git ls-files --others) for when no memo
 * can be trusted.
 */
export async function untrackedFiles(
  root: string,
  roots: string[],
  tracked: Set<string>,
  listing: string,
  scan: () => Promise<string[] | undefined>,
): Promise<string[] | undefined> {
  const memo = signedMemo<Recorded>('untracked', root);
  const digest = createHash('sha256').update(listing).digest('hex');
  const folders = trackedFolders(roots, tracked);
  // Stat data first, the listing after: an entry added in between is listed now and its folder rescanned next time.
  const recordedAt = Date.now();
  const stats = new Map([...folders].map((folder) => [folder, signature(join(root, folder))]));
  const previous = memo.read();
  let untracked: string[] | undefined;
  const changed = new Set<string>();
  if (previous?.listing === digest) {
    for (const [folder, now] of stats) if (!now || previous.clean[folder] !== now.sig) changed.add(folder);
    untracked = [...changed].flatMap((folder) => (stats.get(folder) ? untrackedIn(root, folder, folders, tracked) : []));
  } else {
    untracked = await scan();
    if (!untracked) return undefined;
  }
  const holding = new Set(untracked.map((path) => trackedParent(path, folders)));
  const clean: Record<string, string> = {};
  for (const [folder, now] of stats) if (now && now.mtimeMs < recordedAt - RACY_MS && !holding.has(folder)) clean[folder] = now.sig;
  if (previous?.listing !== digest || changed.size) memo.write({ listing: digest, clean });
  return untracked.sort();
}

/** The nearest tracked folder above an untracked path: the one whose entries changed when it appeared. */
function trackedParent(path: string, folders: Set<string>): string {
  let folder = path;
  do folder = folder.slice(0, Math.max(0, folder.lastIndexOf('/')));
  while (folder && !folders.has(folder));
  return folder;
}

/** Entries of one tracked folder the index does not hold; an untracked subfolder is listed file by file. */
function untrackedIn(root: string, folder: string, folders: Set<string>, tracked: Set<string>): string[] {
  const found: string[] = [];
  const walk = (dir: string, inTracked: boolean) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        // A tracked subfolder is looked at on its own (its stat data says whether it changed).
        // A submodule (a tracked path that is a folder) is git's to list, as is a nested repository's .git.
        if (!(inTracked && folders.has(path)) && !tracked.has(path) && entry.name !== '.git') walk(path, false);
      } else if (!tracked.has(path)) found.push(path);
    }
  };
  walk(folder, true);
  return found;
}
