import { createHash } from 'node:crypto';
import { hexDigest } from './digest.ts';
import { closeSync, existsSync, fstatSync, lstatSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from './exec.ts';

/**
 * The files under some folders of a git checkout as git object ids, from git's index (its stat cache, with its
 * own care for files changed within the same second) plus what `git diff-files` and `git ls-files -o` report
 * changed or new: only those are read. Undefined where the index cannot stand for the files' bytes (not the top
 * of a work tree, attributes or autocrlf that convert content, a merge in progress): callers read every file.
 */
export interface WorktreeFiles {
  /** Regular files: path → object id of their bytes. */
  oids: Map<string, string>;
  /** Links and other non-regular entries git knows of. */
  irregular: string[];
  /** The repository's object format. */
  format: ObjectFormat;
  /** The object id of these bytes, as git computes it for this repository. */
  oidOf(bytes: Buffer | string): string;
}

/** The hash a repository names its objects by. */
export type ObjectFormat = 'sha1' | 'sha256';

const git = async (root: string, args: string[]) => {
  const result = await run('git', args, { cwd: root, env: { GIT_OPTIONAL_LOCKS: '0' } });
  return result.exitCode === 0 ? result.stdout : undefined;
};

/** git's object id of a blob with these bytes. */
export const blobOid = (bytes: Buffer | string, algorithm: ObjectFormat = 'sha1') =>
  typeof bytes === 'string'
    ? hexDigest(algorithm, `blob ${Buffer.byteLength(bytes)}\0${bytes}`)
    : createHash(algorithm).update(`blob ${bytes.length}\0`).update(bytes).digest('hex');

/**
 * What git says of the files under some folders before their listing is read: changed and new paths, and the
 * digest of git's index file (read before and after git looked). Undefined where the index cannot stand for
 * the files' bytes (see WorktreeFiles).
 */
export interface WorktreeProbe {
  gitDir: string;
  format: ObjectFormat;
  /** Tracked files whose bytes or kind differ from the index. */
  dirty: string[];
  /** Files git does not track, ignored ones included. */
  untracked: string[];
  /** The index file's digest; undefined when it changed while git looked. */
  indexDigest?: string;
}

export async function probeWorktree(root: string, pathspecs: string[]): Promise<WorktreeProbe | undefined> {
  const [top, gitDir, format] = (await git(root, ['rev-parse', '--show-toplevel', '--absolute-git-dir', '--show-object-format']))?.trim().split('\n') ?? [];
  if (!top || !gitDir || realpathSync(top) !== realpathSync(root) || (await convertsContent(root, gitDir))) return undefined;
  const before = indexDigest(gitDir);
  const [dirty, untracked] = await Promise.all([
    git(root, ['diff-files', '--name-only', '-z', '--', ...pathspecs]),
    git(root, ['ls-files', '--others', '-z', '--', ...pathspecs]),
  ]);
  if (dirty === undefined || untracked === undefined) return undefined;
  const paths = (text: string) => text.split('\0').filter(Boolean);
  // A .gitattributes among new files converts what the index says of its folder.
  if (`\0${untracked}`.match(/[\0/]\.gitattributes\0/)) return undefined;
  const after = indexDigest(gitDir);
  return {
    gitDir,
    format: format?.trim() === 'sha256' ? 'sha256' : 'sha1',
    dirty: paths(dirty),
    untracked: paths(untracked),
    indexDigest: before !== undefined && before === after ? before : undefined,
  };
}

/**
 * A digest of git's index file as it is now (git replaces it whole, never in place); undefined without one. git
 * ends the file with the hash of everything before it: its size and last 32 bytes name the content without reading
 * 12 MB at 10,000 clusters. An index written with index.skipHash ends in zeros instead, and is hashed whole.
 */
export function indexDigest(gitDir: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(join(gitDir, 'index'), 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, TAIL));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    if (tail.length === TAIL && tail.subarray(TAIL - SHORTEST_HASH).some((byte) => byte !== 0)) return `${size}:${tail.toString('hex')}`;
    const whole = Buffer.alloc(size);
    readSync(fd, whole, 0, size, 0);
    return hexDigest('sha256', whole);
  } finally {
    closeSync(fd);
  }
}

/** The index's last bytes read: a SHA-256 trailer whole (a SHA-1 one and what precedes it otherwise). */
const TAIL = 32;
const SHORTEST_HASH = 20;

export async function readWorktreeFiles(root: string, pathspecs: string[], probed?: WorktreeProbe): Promise<WorktreeFiles | undefined> {
  const [probe, staged] = await Promise.all([probed ?? probeWorktree(root, pathspecs), git(root, ['ls-files', '--stage', '-z', '--', ...pathspecs])]);
  if (!probe || staged === undefined) return undefined;
  const oidOf = (bytes: Buffer | string) => blobOid(bytes, probe.format);
  const files: WorktreeFiles = { oids: new Map(), irregular: [], format: probe.format, oidOf };
  if (`\0${staged}`.match(/[\0/]\.gitattributes\0/)) return undefined;
  for (const entry of staged.split('\0')) {
    if (!entry) continue;
    const [meta, path] = entry.split('\t') as [string, string];
    const [mode, oid, stage] = meta.split(' ');
    if (stage !== '0') return undefined;
    if (mode === '100644' || mode === '100755') files.oids.set(path, oid!);
    else files.irregular.push(path);
  }
  // What git says changed or is new is looked at directly: read if a regular file, irregular otherwise, dropped if gone.
  for (const path of [...probe.dirty, ...probe.untracked]) {
    files.oids.delete(path);
    files.irregular = files.irregular.filter((p) => p !== path);
    const stats = lstatSync(join(root, path), { throwIfNoEntry: false });
    if (stats?.isFile()) files.oids.set(path, oidOf(readFileSync(join(root, path))));
    else if (stats) files.irregular.push(path);
  }
  return files;
}

/** Whether git may store these files' bytes other than as they are on disk (eol conversion, filters, encodings). */
async function convertsContent(root: string, gitDir: string): Promise<boolean> {
  const globalAttributes = join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'git', 'attributes');
  if (existsSync(join(gitDir, 'info', 'attributes')) || existsSync(globalAttributes)) return true;
  // Only the top folder's .gitattributes is a parent of the folders read; one inside them is seen in the listing.
  if (existsSync(join(root, '.gitattributes'))) return true;
  // Exit 1 (nothing set) reads as undefined: none of these settings is set.
  const settings = await git(root, ['config', '--get-regexp', '^core\\.(autocrlf|attributesfile)$']);
  return (settings ?? '').split('\n').some((line) => line && !/^core\.autocrlf false$/i.test(line));
}
