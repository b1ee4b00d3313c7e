import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_CONCURRENCY, mapLimit } from '../lib/concurrency.ts';
import { EnvironmentError, FindingsError } from '../lib/errors.ts';
import type { Finding } from '../lib/findings.ts';
import { YAML_LIMITS } from '../lib/yaml-limits.ts';
import { parseInventory } from './parse.ts';
import type { Inventory, InventorySources } from './types.ts';

/** Hand-written inputs of the generator: repository-relative path → text; `problems` are files refused while reading. */

/** Which hand-written files the inventory is made of; anything else is not read. */
export function isInventoryPath(path: string): boolean {
  return (
    path === 'fleet.yaml' ||
    /^clusters\/[^/]+\.ya?ml$/.test(path) ||
    /^overlays\/[^/]+\/pins\.yaml$/.test(path) ||
    /^overlays\/[^/]+\/[^/]+\.values\.yaml$/.test(path) ||
    /^base\/[^/]+\/values\.yaml$/.test(path) ||
    /^base\/prometheus\/rules\/[^/]+\.yaml$/.test(path) ||
    /^base\/grafana\/dashboards\/[^/]+\.json$/.test(path)
  );
}

/** Folders the inventory lives in; a link or a non-folder here is refused like a linked file. */
const isInventoryDir = (path: string) =>
  ['clusters', 'overlays', 'base'].includes(path) ||
  /^(overlays|base)\/[^/]+$/.test(path) ||
  path === 'base/prometheus/rules' ||
  path === 'base/grafana/dashboards';

interface Listing {
  files: string[];
  refused: Finding[];
  unreadable: string[];
}

/** Reads every inventory file under `root`; links, special files, oversized or non-UTF-8 files are refused. */
export async function readInventorySources(root: string): Promise<InventorySources> {
  const listing: Listing = { files: [], refused: [], unreadable: [] };
  await checkEntry(root, 'fleet.yaml', listing);
  for (const dir of ['clusters', 'overlays', 'base']) {
    const stats = await lstat(join(root, dir)).catch(() => undefined);
    if (stats?.isDirectory()) await listDir(root, dir, listing);
    else if (stats) refuseUnlessFile({ isFile: () => false, isSymbolicLink: () => stats.isSymbolicLink() }, dir, listing);
  }
  const paths = listing.files.sort();
  const texts = await mapLimit(paths, FILE_CONCURRENCY, (path) => readText(root, path, listing));
  if (listing.unreadable.length)
    throw new EnvironmentError(
      `cannot read ${listing.unreadable.length} inventory file${listing.unreadable.length === 1 ? '' : 's'}:\n${listing.unreadable.map((u) => `  ${u}`).join('\n')}\nfix the permissions (the generator must read every inventory file, or it would drop that cluster's files)`,
    );
  const sources: InventorySources = new Map();
  for (const [i, path] of paths.entries()) if (texts[i] !== undefined) sources.set(path, texts[i]!);
  sources.problems = listing.refused;
  return sources;
}

/** Lists `dir` recursively, keeping inventory files and refusing links and special files on the way. */
async function listDir(root: string, dir: string, listing: Listing): Promise<void> {
  const entries = await readdir(join(root, dir), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [];
    listing.unreadable.push(`${dir}/: ${err.code ?? err.message}`);
    return [];
  });
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (isInventoryDir(path)) await listDir(root, path, listing);
    } else if (isInventoryPath(path) || isInventoryDir(path)) refuseUnlessFile(entry, path, listing);
  }
}

async function checkEntry(root: string, path: string, listing: Listing): Promise<void> {
  const stats = await lstat(join(root, path)).catch(() => undefined);
  if (stats) refuseUnlessFile(stats, path, listing);
}

function refuseUnlessFile(entry: { isFile(): boolean; isSymbolicLink(): boolean }, path: string, listing: Listing): void {
  if (entry.isFile()) return void listing.files.push(path);
  const link = entry.isSymbolicLink();
  listing.refused.push({
    file: path,
    message: link ? 'is a symbolic link; the inventory is read from regular files only' : 'is not a regular file',
    hint: link
      ? 'replace the link with the file (or folder) itself: a link can point outside the repository, and Argo CD would not follow it the same way'
      : 'replace it with a regular file, or remove it',
  });
}

async function readText(root: string, path: string, listing: Listing): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    const size = (await lstat(join(root, path))).size;
    if (size > YAML_LIMITS.maxBytes) return void listing.refused.push(tooLarge(path, size));
    bytes = await readFile(join(root, path));
  } catch (err) {
    return void listing.unreadable.push(`${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return void listing.refused.push(notUtf8(path, bytes));
  }
}

const tooLarge = (file: string, size: number): Finding => ({
  file,
  message: `the file is ${(size / 1048576).toFixed(1)} MiB; inventory files are limited to ${YAML_LIMITS.maxBytes / 1048576} MiB`,
  hint: 'keep values, rules and dashboards small: split large dashboards or rule files into several files',
});

/** Points at the first byte that is not UTF-8 (a lenient decoder would turn it into U+FFFD silently). */
function notUtf8(file: string, bytes: Buffer): Finding {
  const lenient = new TextDecoder('utf-8').decode(bytes);
  const prefix = lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD')));
  const offset = Buffer.byteLength(prefix);
  const before = prefix.split('\n');
  return {
    file,
    line: before.length,
    column: before.at(-1)!.length + 1,
    message: `byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')} at offset ${offset} is not UTF-8`,
    hint: "save the file as UTF-8 (iconv -f latin1 -t utf-8, or the editor's encoding setting)",
  };
}

export const inventoryProblems = (n: number) => `${n} problem${n === 1 ? '' : 's'} in the inventory`;

/** Reads and checks the inventory under `root`; findings stop everything (exit 1). */
export async function readInventory(root: string): Promise<Inventory> {
  return (await readCheckedInventory(root)).inventory;
}

/** The checked inventory with the sources it was read from. */
export async function readCheckedInventory(root: string): Promise<{ inventory: Inventory; sources: InventorySources }> {
  const sources = await readInventorySources(root);
  const { inventory, findings } = parseInventory(sources);
  if (!inventory) throw new FindingsError(findings, inventoryProblems(findings.length));
  return { inventory, sources };
}
