import { lstatSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isInventoryPath } from '../inventory/read.ts';
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

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
