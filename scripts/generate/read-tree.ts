import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { lstatOrUndefined } from '../lib/paths.ts';
import { isInventoryPath } from '../inventory/read.ts';
import { blobOid, readWorktreeFiles, type ObjectFormat, type WorktreeProbe } from '../lib/worktree-files.ts';
import { GENERATED_FILES, GENERATED_ROOTS, isGeneratedPath } from './plan.ts';

/**
 * The generated trees as found on disk: path → content of every regular file, plus what the
 * generator must never write through (links, special files) and what an interrupted run left behind.
 */
export type GeneratedTree = Map<string, string> & {
  /** Links and special files at or below the generated roots: refused, never followed. */
  irregular?: string[];
  /** Temporary files of an interrupted run inside the trees (`*.tmp-<pid>`, older toolkit versions): removed. */
  leftovers?: string[];
};

/**
 * The generated trees as git object ids, reading only the files git reports changed or new (readWorktreeFiles);
 * `tree` reads chosen files for a comparison. Without a usable git index, every file is read.
 */
export interface GeneratedIndex {
  /** Whether git's index stood for the files (else every file was read). */
  fromIndex: boolean;
  oids: Map<string, string>;
  irregular: string[];
  leftovers: string[];
  /** How git names the files' contents here (blobOid). */
  oidFormat: ObjectFormat;
  tree(paths: Iterable<string>): GeneratedTree;
}

/** Every generated path git is asked about in a run over the whole fleet. */
export const GENERATED_PATHSPECS = [...GENERATED_ROOTS, ...GENERATED_FILES];

/** `probe`: what probeWorktree found for these pathspecs earlier in this run (undefined: the index cannot stand for the files). */
export async function readGeneratedIndex(
  root: string,
  pathspecs: string[] = GENERATED_PATHSPECS,
  probe?: { found: WorktreeProbe | undefined },
): Promise<GeneratedIndex> {
  const files = probe && !probe.found ? undefined : await readWorktreeFiles(root, pathspecs, probe?.found);
  if (!files) return indexOf(await readGeneratedTree(root), root);
  const leftovers = [...files.oids.keys()].filter((p) => isLeftoverName(p) && isGeneratedDir(p.slice(0, p.lastIndexOf('/')))).sort();
  for (const path of [...files.oids.keys()]) if (!isGeneratedPath(path) || leftovers.includes(path)) files.oids.delete(path);
  const irregular = files.irregular.filter((p) => (isGeneratedPath(p) || isGeneratedDir(p)) && !isInventoryPath(p)).sort();
  const index: GeneratedIndex = {
    fromIndex: true,
    oids: files.oids,
    irregular,
    leftovers,
    oidFormat: files.format,
    tree(paths) {
      const tree: GeneratedTree = new Map([...paths].map((path) => [path, readFileSync(join(root, path), 'utf8')]));
      return Object.assign(tree, { irregular: index.irregular, leftovers: index.leftovers });
    },
  };
  return index;
}

/** A few clusters' generated folders, and single generated files (the fleet files are always read). */
export interface GeneratedScope {
  clusters: Set<string>;
  /** apps/<cluster> and overlays/<env>/<cluster>, read whole. */
  folders: string[];
  files: string[];
}

/**
 * The generated files of a scope, read from disk: a handful of folders and files are read faster than git's
 * processes read its whole index for them (12 MB, three times, at 10,000 clusters). The fleet's own generated
 * files (apps/fleet-*.yaml, CODEOWNERS) are read too.
 */
export async function readScopedTree(root: string, scope: Pick<GeneratedScope, 'folders' | 'files'>): Promise<GeneratedIndex> {
  const found: Found = { files: [], irregular: [], leftovers: [] };
  for (const folder of scope.folders) {
    const stats = lstatOrUndefined(join(root, folder));
    if (stats?.isDirectory()) await walk(root, folder, found);
    else if (stats) found.irregular.push(folder);
  }
  const fleetRoots = (await readdir(join(root, 'apps'), { withFileTypes: true }).catch(() => [])).filter((e) => /^fleet-.*\.yaml$/.test(e.name));
  for (const file of new Set([...GENERATED_FILES, ...fleetRoots.map((e) => `apps/${e.name}`), ...scope.files])) {
    if (scope.folders.some((f) => file.startsWith(`${f}/`))) continue; // walked above
    const stats = lstatOrUndefined(join(root, file));
    if (stats?.isFile()) found.files.push(file);
    else if (stats && !stats.isDirectory()) found.irregular.push(file);
  }
  return indexOf(treeOf(root, found), root);
}

/** An index over a tree read whole (no git, or a git that converts content). */
function indexOf(whole: GeneratedTree, root: string): GeneratedIndex {
  const index: GeneratedIndex = {
    fromIndex: false,
    oids: new Map([...whole].map(([path, text]) => [path, blobOid(text)])),
    irregular: whole.irregular ?? [],
    leftovers: whole.leftovers ?? [],
    oidFormat: 'sha1',
    tree(paths) {
      const tree: GeneratedTree = new Map([...paths].map((path) => [path, whole.get(path) ?? readFileSync(join(root, path), 'utf8')]));
      return Object.assign(tree, { irregular: index.irregular, leftovers: index.leftovers });
    },
  };
  return index;
}

/** A temporary file name of an older apply step (written next to its target). */
const isLeftoverName = (name: string) => /\.tmp-\d+$/.test(name);

/** Every file currently in the generated trees under `root`, by repository-relative path. */
export async function readGeneratedTree(root: string): Promise<GeneratedTree> {
  const found: Found = { files: [], irregular: [], leftovers: [] };
  for (const top of GENERATED_ROOTS) {
    const stats = lstatOrUndefined(join(root, top));
    if (stats?.isDirectory()) await walk(root, top, found);
    else if (stats) found.irregular.push(top);
  }
  for (const file of GENERATED_FILES) {
    const stats = lstatOrUndefined(join(root, file));
    if (stats?.isFile()) found.files.push(file);
    else if (stats) found.irregular.push(file);
  }
  return treeOf(root, found);
}

/** What a walk found, read: the generated files' contents, and the links and leftovers among them. */
function treeOf(root: string, found: Found): GeneratedTree {
  const paths = found.files.filter(isGeneratedPath).sort();
  // Synchronous reads: thousands of small files read several times faster than with fs/promises.
  const tree: GeneratedTree = new Map(paths.map((path) => [path, readFileSync(join(root, path), 'utf8')]));
  // Links among the hand-written overlays/<env>/ files are the inventory reader's to refuse.
  tree.irregular = found.irregular.filter((p) => (isGeneratedPath(p) || isGeneratedDir(p)) && !isInventoryPath(p)).sort();
  tree.leftovers = found.leftovers.sort();
  return tree;
}

interface Found {
  files: string[];
  irregular: string[];
  leftovers: string[];
}

/** apps, apps/<cluster>/…, overlays/<env>/<cluster>/…: folders whose content the generator owns. */
const isGeneratedDir = (path: string) => path === 'apps' || path.startsWith('apps/') || /^overlays\/[^/]+\/[^/]+/.test(path);

async function walk(root: string, dir: string, found: Found): Promise<void> {
  // Only a missing folder is an empty one; a folder that cannot be read must not look empty (exit 2).
  const entries = await readdir(join(root, dir), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  for (const e of entries) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) await walk(root, path, found);
    else if (e.isFile() && isLeftoverName(e.name) && isGeneratedDir(dir)) found.leftovers.push(path);
    else if (e.isFile()) found.files.push(path);
    else found.irregular.push(path);
  }
}
