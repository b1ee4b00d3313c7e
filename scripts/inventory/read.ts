import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError, FindingsError } from '../lib/errors.ts';
import { readBlobs, treeEntries } from '../lib/git.ts';
import type { Finding } from '../lib/findings.ts';
import { printable } from '../lib/output.ts';
import { YAML_LIMITS } from '../lib/yaml-limits.ts';
import { baseLayout } from './app-catalog.ts';
import { parseInventory } from './parse.ts';
import { parseAhead } from './parse-ahead.ts';
import { NOTHING_KNOWN, type KnownFiles } from './parse-memo.ts';
import type { Inventory, InventorySources } from './types.ts';

/**
 * What each inventory folder may hold. Every entry of these folders is read or refused: a file the reader
 * skipped would silently drop a cluster, a layer, a rule or a dashboard from the generated tree.
 */
interface FolderRule {
  /** Entries that are inventory files (must be regular files). */
  files: RegExp;
  /** Sub-folders that are inventory folders too, listed in turn. */
  folders?: RegExp;
  /** Sub-folders that belong to someone else (the generator's cluster folders, promtool's tests): not read here. */
  foreign?: RegExp;
  /** Whether a foreign entry may be a link: the generated tree reader judges the generator's folders. */
  foreignLinksJudgedElsewhere?: boolean;
  /** What the folder holds, for the refusal's fix. */
  holds: string;
}

const FOLDER_RULES: [dir: RegExp, rule: FolderRule][] = [
  [/^clusters$/, { files: /^clusters\/[^/]+\.ya?ml$/, holds: 'one <name>.yaml per cluster' }],
  [/^overlays$/, { files: /^$/, folders: /^overlays\/[^/]+$/, holds: 'one folder per environment' }],
  [
    /^overlays\/[^/]+$/,
    {
      files: /^overlays\/[^/]+\/(pins|[^/]+\.values)\.yaml$/,
      foreign: /^overlays\/[^/]+\/[^/]+$/,
      foreignLinksJudgedElsewhere: true,
      holds: 'pins.yaml, <app>.values.yaml and the generated cluster folders',
    },
  ],
  [/^base$/, { files: /^$/, folders: /^base\/[^/]+$/, holds: 'one folder per app' }],
];

/** base/<app>/ as app-catalog.yaml lays it out: values.yaml, and rules/, routing-tests.yaml or dashboards/ where the app has them. */
function appFolderRules(): [dir: RegExp, rule: FolderRule][] {
  const layout = baseLayout();
  const anyOf = (paths: string[]) => `^(${paths.length ? paths.map((p) => p.replaceAll('.', '\\.')).join('|') : '(?!)'})`;
  const rules = layout.rulesFolders.map((r) => r.folder);
  const dashboards = layout.dashboardFolders.map((d) => d.folder);
  return [
    [
      /^base\/[^/]+$/,
      {
        files: new RegExp(`^base/[^/]+/values\\.yaml$|${anyOf(layout.routingTests)}$`),
        folders: new RegExp(`${anyOf([...rules, ...dashboards])}$`),
        holds: layout.holds,
      },
    ],
    [new RegExp(`${anyOf(rules)}$`), { files: /\.yaml$/, foreign: new RegExp(`${anyOf(rules)}/tests$`), holds: 'alert rule files named *.yaml, and tests/' }],
    [new RegExp(`${anyOf(dashboards)}$`), { files: /\.json$/, holds: 'dashboards named *.json' }],
  ];
}

let appRules: [dir: RegExp, rule: FolderRule][] | undefined;
function folderRules(): [dir: RegExp, rule: FolderRule][] {
  appRules ??= appFolderRules();
  return [...FOLDER_RULES, ...appRules];
}

/** Names kept beside the inventory for people, never read. */
const NOT_INVENTORY = new Set(['README.md', '.gitkeep']);

/** Which hand-written files the inventory is made of; anything else is not read. */
export function isInventoryPath(path: string): boolean {
  if (path === 'fleet.yaml') return true;
  const dir = path.slice(0, path.lastIndexOf('/'));
  return folderRules().some(([re, rule]) => re.test(dir) && rule.files.test(path));
}

interface Listing {
  files: string[];
  refused: Finding[];
  unreadable: string[];
}

/** Reads every inventory file under `root`; links, special files, folders where files belong, oversized or non-UTF-8 files are refused. */
export async function readInventorySources(root: string): Promise<InventorySources> {
  const listing: Listing = { files: [], refused: [], unreadable: [] };
  await checkEntry(root, 'fleet.yaml', listing);
  await refuseRootNearMisses(root, listing);
  for (const dir of ['clusters', 'overlays', 'base']) {
    const stats = await lstat(join(root, dir)).catch(() => undefined);
    if (stats?.isDirectory()) await listDir(root, dir, listing);
    else if (stats) refuse(listing, dir, stats.isSymbolicLink() ? LINK : { message: 'is not a folder', hint: `make ${dir}/ a folder` });
  }
  const paths = listing.files.sort();
  const texts = paths.map((path) => readText(root, path, listing));
  if (listing.unreadable.length)
    throw new EnvironmentError(
      `cannot read ${listing.unreadable.length} inventory file${listing.unreadable.length === 1 ? '' : 's'}:\n${listing.unreadable.map((u) => `  ${u}`).join('\n')}\nfix the permissions (the generator must read every inventory file, or it would drop that cluster's files)`,
    );
  const sources: InventorySources = new Map();
  for (const [i, path] of paths.entries()) if (texts[i] !== undefined) sources.set(path, texts[i]!);
  sources.problems = listing.refused;
  return sources;
}

/**
 * The inventory files of `commit`, read from git's objects without a checkout: what readInventorySources reads
 * from a folder holding that commit's inventory files. Links and submodules are refused as links and special files are.
 */
export async function readInventorySourcesAt(root: string, commit: string): Promise<InventorySources> {
  const refused: Finding[] = [];
  const blobs: { path: string; oid: string }[] = [];
  // overlays/<env>/ one level down: below it are the generated trees, tens of thousands of entries at 10,000 clusters.
  const environments = (await treeEntries(root, commit, ['overlays/'], false)).filter((e) => e.mode === '040000').map((e) => `${e.path}/`);
  const entries = [
    ...(await treeEntries(root, commit, ['fleet.yaml', 'clusters', 'base'])),
    ...(environments.length ? await treeEntries(root, commit, environments, false) : []),
  ];
  for (const entry of entries) {
    if (!isInventoryPath(entry.path)) continue;
    const badName = nameProblem(entry.path.slice(entry.path.lastIndexOf('/') + 1));
    if (badName) refused.push({ file: printablePath(entry.path), ...badName });
    else if (entry.mode === '100644' || entry.mode === '100755') blobs.push(entry);
    else refused.push({ file: printablePath(entry.path), ...(entry.mode === '120000' ? LINK : notAFile(entry.mode === '160000')) });
  }
  const sources: InventorySources = new Map();
  const bytes = await readBlobs(
    root,
    blobs.map((b) => b.oid),
  );
  for (const [i, { path }] of blobs.entries()) {
    const text = decodeText(path, bytes[i]!, refused);
    if (text !== undefined) sources.set(path, text);
  }
  sources.problems = refused;
  return sources;
}

/** Lists `dir` recursively by its FolderRule: inventory files are kept, every other entry is refused. */
async function listDir(root: string, dir: string, listing: Listing): Promise<void> {
  const rule = folderRules().find(([re]) => re.test(dir))![1];
  const entries = await readdir(join(root, dir), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [];
    listing.unreadable.push(`${dir}/: ${err.code ?? err.message}`);
    return [];
  });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = `${dir}/${entry.name}`;
    const badName = nameProblem(entry.name);
    if (badName) refuse(listing, path, badName);
    else if (rule.files.test(path)) {
      if (entry.isFile()) listing.files.push(path);
      else refuse(listing, path, entry.isSymbolicLink() ? LINK : notAFile(entry.isDirectory()));
    } else if (entry.isDirectory() && rule.folders?.test(path)) await listDir(root, path, listing);
    // The generator's folders (links among them too) are the generated tree reader's to judge.
    else if ((entry.isDirectory() || (entry.isSymbolicLink() && rule.foreignLinksJudgedElsewhere)) && rule.foreign?.test(path)) continue;
    else if (entry.isSymbolicLink()) refuse(listing, path, LINK);
    else if (entry.isFile() && NOT_INVENTORY.has(entry.name)) continue;
    else refuse(listing, path, notRead(path, entry.isDirectory(), rule));
  }
}

/** The inventory's names as written at the root: a case or .yml variant (Clusters/, fleet.yml) would be skipped silently on Linux. */
const ROOT_NAMES = ['fleet.yaml', 'clusters', 'overlays', 'base'];

async function refuseRootNearMisses(root: string, listing: Listing): Promise<void> {
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    const meant = name.toLowerCase().replace(/\.yml$/, '.yaml');
    if (meant === name || !ROOT_NAMES.includes(meant)) continue;
    const hint = names.includes(meant) ? `move what it holds into ${meant} and remove it` : `rename it to ${meant}`;
    refuse(listing, name, { message: `is not read: the inventory's name is ${meant}`, hint });
  }
}

/** A path as printed: what the output escaper escapes, and tab and newline too (a name holds neither). */
const printablePath = (path: string) => printable(path).replace(/[\t\n]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Why a name cannot be an inventory entry: printed as is, it could forge a finding's line or hide its real name. */
function nameProblem(name: string): { message: string; hint: string } | undefined {
  if (printablePath(name) === name) return undefined;
  return {
    message: 'its name holds a control or bidirectional character, or bytes that are not UTF-8 (shown escaped)',
    hint: 'rename it to letters, digits, dots, dashes and underscores',
  };
}

const notAFile = (isDir: boolean) => ({
  message: `is ${isDir ? 'a folder' : 'a special file'}, not a regular file`,
  hint: 'replace it with the file itself: nothing in it is read, and the generator would drop what the file should hold',
});

const LINK = {
  message: 'is a symbolic link; the inventory is read from regular files only',
  hint: 'replace the link with the file (or folder) itself: a link can point outside the repository, and Argo CD would not follow it the same way',
};

/** An entry no rule reads: say what the folder holds and how to rename a near miss (.yml, .JSON). */
function notRead(path: string, isDir: boolean, rule: FolderRule): { message: string; hint: string } {
  const dir = path.slice(0, path.lastIndexOf('/'));
  const near = nearMiss(path);
  return {
    message: `is not read: ${dir}/ holds ${rule.holds}${isDir ? ', and this is a folder' : ''}`,
    hint: near && rule.files.test(near) ? `rename it to ${near}` : `move it out of ${dir}/ (or remove it); README.md files are the only other names allowed`,
  };
}

/** The name a file probably meant: lower-case extension, .yml → .yaml. */
function nearMiss(path: string): string | undefined {
  const fixed = path.replace(/\.[^./]+$/, (ext) => ext.toLowerCase()).replace(/\.yml$/, '.yaml');
  return fixed === path ? undefined : fixed;
}

async function checkEntry(root: string, path: string, listing: Listing): Promise<void> {
  const stats = await lstat(join(root, path)).catch(() => undefined);
  if (!stats || stats.isFile()) return void (stats && listing.files.push(path));
  refuse(listing, path, stats.isSymbolicLink() ? LINK : { message: 'is not a regular file', hint: 'replace it with a regular file' });
}

function refuse(listing: Listing, file: string, what: { message: string; hint: string }): void {
  listing.refused.push({ file: printablePath(file), ...what });
}

function readText(root: string, path: string, listing: Listing): string | undefined {
  let bytes: Buffer;
  try {
    // Listed as a regular file; should it have become a link or a FIFO since, it is neither followed nor waited on.
    const fd = openSync(join(root, path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const stats = fstatSync(fd);
      if (!stats.isFile()) return void listing.unreadable.push(`${path}: not a regular file any more`);
      const size = stats.size;
      if (size > YAML_LIMITS.maxBytes) return void listing.refused.push(tooLarge(path, size));
      // Synchronous: thousands of small files read several times faster than with fs/promises.
      bytes = Buffer.allocUnsafe(size);
      bytes = bytes.subarray(0, readSync(fd, bytes, 0, size, 0));
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    return void listing.unreadable.push(`${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return decodeText(path, bytes, listing.refused);
}

/** Stateless between calls (no stream option): one decoder serves every file. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The file's text, or a refusal when it is over the size limit or not UTF-8. */
function decodeText(path: string, bytes: Buffer, refused: Finding[]): string | undefined {
  if (bytes.length > YAML_LIMITS.maxBytes) return void refused.push(tooLarge(path, bytes.length));
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return void refused.push(notUtf8(path, bytes));
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
export async function readInventory(root: string, known?: KnownFiles): Promise<Inventory> {
  return (await readCheckedInventory(root, known)).inventory;
}

/** The checked inventory with the sources it was read from; `known` (the checkout's memo) spares re-parsing unchanged cluster files. */
export async function readCheckedInventory(root: string, known: KnownFiles = NOTHING_KNOWN): Promise<{ inventory: Inventory; sources: InventorySources }> {
  const sources = await readInventorySources(root);
  await parseAhead(sources, known);
  return checkedInventory(sources, known);
}

/** The inventory parsed from these sources; findings stop everything (exit 1). */
export function checkedInventory(sources: InventorySources, known: KnownFiles = NOTHING_KNOWN): { inventory: Inventory; sources: InventorySources } {
  const { inventory, findings } = parseInventory(sources, known);
  if (!inventory) throw new FindingsError(findings, inventoryProblems(findings.length));
  return { inventory, sources };
}
