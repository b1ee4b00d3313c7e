import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { baseLayout } from '../inventory/app-catalog.ts';
import { parseInventory } from '../inventory/parse.ts';
import { inventoryProblems, isInventoryPath, readInventorySources } from '../inventory/read.ts';
import type { InventorySources } from '../inventory/types.ts';
import { FindingsError, UsageError } from '../lib/errors.ts';
import type { Finding } from '../lib/findings.ts';
import { YAML_LIMITS } from '../lib/yaml-limits.ts';
import { readMirrorMap, MIRRORS_FILE } from '../inventory/mirrors.ts';
import type { RenderedLeaf } from '../render/render.ts';
import { ALL_TOOLS, ensureTools, resolveToolPins } from '../tools/install.ts';
import { resolveRuntimePin } from '../tools/pins.ts';
import { checkerNotes } from './checker-versions.ts';
import { inShard, type Shard } from '../lib/shard.ts';
import type { CacheStats } from './results-cache.ts';
import { checkClusters } from './checked-clusters.ts';
import { readKnownFiles } from '../inventory/parse-memo.ts';
import { parseAhead } from '../inventory/parse-ahead.ts';
import { affectedClusters, readChangedPaths } from './changed.ts';
import { CHECKS } from './checks/index.ts';
import { generatedCheck } from './checks/repository.ts';
import { GENERATED_PATHSPECS } from '../generate/read-tree.ts';
import { probeWorktree } from '../lib/worktree-files.ts';
import type { Check } from './types.ts';
import type { ServerSideTarget } from './checks/server-side.ts';
import type { ControlPlane } from '../cluster/control-plane.ts';

interface ValidateOptions {
  root: string;
  clusters?: string[];
  changedSince?: string;
  /** Also dry-run everything into an API server: the local control plane, or a cluster's kubeconfig. */
  serverSide?: 'local' | ServerSideTarget;
  /** kubeconform against the OpenAPI document this kubeconfig's API server serves, not the pinned module's. */
  schemasFromCluster?: string;
  /** Run every check afresh, neither reading nor writing the results cache (renders stay cached). */
  noCache?: boolean;
  /** Only the clusters of shard `index` of `count` (1-based), a stable slice by cluster name. */
  shard?: Shard;
  progress?: (line: string) => void;
}

/** Parsing and checking the inventory: reported like a check, and nothing else runs when it fails. */
const INVENTORY_CHECK = { name: 'inventory', title: 'Inventory and layers against their JSON Schemas', scope: 'repository' as const };

export interface ValidateReport {
  checks: Pick<Check, 'name' | 'title' | 'scope'>[];
  findings: Finding[];
  rendered: RenderedLeaf[];
  /** Clusters left out by --cluster / --changed-since. */
  skippedClusters: string[];
  /** What the user should know that is not a finding (a checker older than the program it checks). */
  notes: string[];
  seconds: number;
  /** Check results taken from the cache and computed, per check and cluster. */
  cache?: CacheStats;
}

/** Hand-written files every check may read: the inventory plus workflows and the mirror map. */
async function readSources(root: string): Promise<InventorySources> {
  const sources = await readInventorySources(root);
  sources.problems ??= [];
  const problems = sources.problems;
  const list = (dir: string) =>
    lstatSync(join(root, dir), { throwIfNoEntry: false })?.isDirectory() ? readdirSync(join(root, dir)).map((f) => `${dir}/${f}`) : [];
  const ruleTests = baseLayout().rulesFolders.flatMap((r) => list(`${r.folder}/tests`));
  for (const path of [...list('.github/workflows'), ...ruleTests, MIRRORS_FILE]) {
    const stats = lstatSync(join(root, path), { throwIfNoEntry: false });
    if (!stats) continue;
    // Only regular files are read: a FIFO would hang the run, a folder or link would read something else.
    if (stats.isFile() && stats.size <= YAML_LIMITS.maxBytes) sources.set(path, readFileSync(join(root, path), 'utf8'));
    else
      problems.push({
        file: path,
        message: stats.isFile() ? `the file is larger than ${YAML_LIMITS.maxBytes / 1048576} MiB` : 'is not a regular file; only regular files are read here',
        hint: stats.isFile() ? 'split it into smaller files' : 'replace it with a regular file, or remove it',
      });
  }
  return sources;
}

/** The hand-written files, and the inventory parsed from the inventory files among them (unchanged cluster files from the checkout's memo). */
async function readParsed(root: string) {
  const sources = await readSources(root);
  const known = readKnownFiles(root);
  await parseAhead(sources, known);
  const parsed = parseInventory(Object.assign(new Map([...sources].filter(([p]) => isInventoryPath(p))), { problems: sources.problems }), known);
  return { sources, parsed, known };
}

/**
 * The clusters a run with these options would validate, read from the inventory alone (no tools, no
 * rendering): what CI's matrix is sized from. An inventory with findings throws them (exit 1, as validate's
 * inventory check would report them).
 */
export async function selectedClusters(options: ValidateOptions): Promise<string[]> {
  const { parsed } = await readParsed(options.root);
  if (!parsed.inventory) throw new FindingsError(parsed.findings, inventoryProblems(parsed.findings.length));
  return [...(await selectClusters(options, parsed.inventory))].sort();
}

/** validate: read, render, run every check, collect every finding. Throws only for environment and usage errors. */
export async function runValidate(options: ValidateOptions): Promise<ValidateReport> {
  const started = Date.now();
  const progress = options.progress ?? (() => {});
  const controlPlane = options.serverSide === 'local' ? await startLocalControlPlane(progress) : undefined;
  try {
    return await validateWith([...CHECKS, ...(await serverSideChecks(options, controlPlane))], options, started, progress);
  } finally {
    await controlPlane?.stop();
  }
}

/** Loaded only when asked for: the API server client and the control plane are most of a plain run's start-up otherwise. */
async function serverSideChecks(options: ValidateOptions, local: ControlPlane | undefined): Promise<Check[]> {
  if (!options.serverSide) return [];
  const { serverSideCheck } = await import('./checks/server-side.ts');
  if (local) return [serverSideCheck({ kubeconfig: local.kubeconfig, installCrds: true, label: `the local control plane (Kubernetes ${local.version})` })];
  return typeof options.serverSide === 'object' ? [serverSideCheck(options.serverSide)] : [];
}

async function startLocalControlPlane(progress: (line: string) => void): Promise<ControlPlane> {
  const [{ ensureControlPlaneBinaries }, { startControlPlane }] = await Promise.all([import('../cluster/binaries.ts'), import('../cluster/control-plane.ts')]);
  await ensureControlPlaneBinaries(progress);
  return startControlPlane({ progress });
}

async function validateWith(everyCheck: Check[], options: ValidateOptions, started: number, progress: (line: string) => void): Promise<ValidateReport> {
  // The repository checks read the whole fleet the same way in every shard: shard 1 runs them, so a shard's cost does not grow with the fleet.
  const allChecks = options.shard && options.shard.index !== 1 ? everyCheck.filter((c) => c.scope === 'leaf') : everyCheck;
  const checks = [INVENTORY_CHECK, ...allChecks.map(({ name, title, scope }) => ({ name, title, scope }))];
  // git walks the work tree in processes of its own while the inventory is read and parsed here.
  const changed = options.changedSince ? readChangedPaths(options.root, options.changedSince) : undefined;
  const generatedProbe = !changed && allChecks.includes(generatedCheck) ? probeWorktree(options.root, GENERATED_PATHSPECS) : undefined;
  for (const early of [changed, generatedProbe]) early?.catch(() => {}); // awaited below, or not needed when the inventory fails
  const { sources, parsed, known } = await readParsed(options.root);
  if (!parsed.inventory) {
    known.save();
    return {
      checks,
      rendered: [],
      skippedClusters: [],
      notes: [],
      seconds: (Date.now() - started) / 1000,
      findings: parsed.findings.map((f) => ({ ...f, check: 'inventory' })),
    };
  }
  const inventory = parsed.inventory;
  const changedPaths = await changed;
  const selected = await selectClusters(options, inventory, changedPaths);
  const tools = await ensureTools(ALL_TOOLS, progress);
  const { findings, rendered, cache } = await checkClusters({
    root: options.root,
    inventory,
    clusters: inventory.clusters.filter((c) => selected.has(c.name)),
    sources,
    known,
    tools,
    mirrors: readMirrorMap(options.root),
    checks: allChecks,
    // A check that reads a live API server (or its schemas) has nothing a cache could key on.
    useCache: !options.noCache && !options.schemasFromCluster && !allChecks.some((c) => c.live),
    schemasFromCluster: options.schemasFromCluster,
    changedPaths,
    generatedProbe,
    progress,
  });
  known.save();
  if (cache.off) progress(`check results: not cached, ${cache.off}`);
  else if (!options.noCache)
    progress(
      `check results: ${cache.hits} clusters cached, ${cache.misses} checked${cache.corrupted ? `, ${cache.corrupted} untrusted entries recomputed (torn, edited, or not signed with this machine's cache key)` : ''}`,
    );
  const skippedClusters = inventory.clusters.map((c) => c.name).filter((c) => !selected.has(c));
  const notes = checkerNotes(rendered, { ...(await resolveToolPins(['promtool', 'amtool'])), nodeExporter: resolveRuntimePin('nodeExporter') });
  return { checks, findings, rendered, skippedClusters, notes, seconds: (Date.now() - started) / 1000, cache };
}

async function selectClusters(
  options: ValidateOptions,
  inventory: NonNullable<ReturnType<typeof parseInventory>['inventory']>,
  changedPaths?: string[],
): Promise<Set<string>> {
  const names = inventory.clusters.map((c) => c.name);
  let selected = new Set(names);
  if (options.clusters?.length) {
    const unknown = options.clusters.filter((c) => !names.includes(c));
    if (unknown.length) throw new UsageError(`--cluster ${unknown.join(', ')}: no such cluster; the inventory has ${names.join(', ')}`);
    selected = new Set(options.clusters);
  }
  if (options.changedSince) {
    const affected = affectedClusters(changedPaths ?? (await readChangedPaths(options.root, options.changedSince)), inventory);
    selected = new Set([...selected].filter((c) => affected.has(c)));
  }
  return new Set([...selected].filter((c) => inShard(c, options.shard)));
}
