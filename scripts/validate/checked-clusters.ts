import { rm } from 'node:fs/promises';
import type { FileWrite } from '../generate/plan-types.ts';
import { clusterPlanner, sortByPath } from '../generate/plan.ts';
import type { MirrorMap } from '../inventory/mirrors.ts';
import type { Cluster, Inventory } from '../inventory/types.ts';
import { readCacheKey } from '../lib/cache-key.ts';
import type { Finding } from '../lib/findings.ts';
import type { KnownFiles } from '../inventory/parse-memo.ts';
import { workTemp } from '../lib/work-dir.ts';
import { leafSpecs } from '../render/leaves.ts';
import { renderLeaves, resolveCharts, type RenderedLeaf } from '../render/render.ts';
import { clusterKey, dedupeShared, entryPath, evictResults, readVerdict, sharedKey, type CacheStats, type Verdict } from './results-cache.ts';
import type { Check, ValidateContext } from './types.ts';
import { NO_VERDICT_MEMO, readVerdictMemo } from './verdict-memo.ts';
import { FEW_CLUSTERS } from './changed.ts';
import { cachedLeaves, fleetRootsChecked, pinsReader, releaseRender, writeVerdicts } from './cluster-verdicts.ts';

export interface ClusterChecks {
  root: string;
  inventory: Inventory;
  /** The clusters to check, in inventory order. */
  clusters: Cluster[];
  sources: Map<string, string>;
  known: KnownFiles;
  tools: ValidateContext['tools'];
  mirrors: MirrorMap;
  checks: Check[];
  /** Read and write cached results (off for --no-cache and for checks that read a live API server). */
  useCache: boolean;
  schemasFromCluster?: string;
  changedPaths?: string[];
  generatedProbe?: ValidateContext['generatedProbe'];
  progress: (line: string) => void;
}

/**
 * Runs every check over the clusters, taking a cluster's results from the cache when its key is unchanged: only
 * the clusters that missed are planned, rendered and checked. Findings come out in check order, clusters in order.
 */
export async function checkClusters(run: ClusterChecks): Promise<{ findings: Finding[]; rendered: RenderedLeaf[]; cache: CacheStats }> {
  const cache: CacheStats = { hits: 0, misses: 0, corrupted: 0, evicted: 0, entries: [] };
  const signing = run.useCache ? readCacheKey() : undefined;
  if (signing && 'off' in signing) cache.off = signing.off;
  const signer = signing && 'signer' in signing ? signing.signer : undefined;
  const pinsOf = pinsReader(run.inventory);
  const charts = await resolveCharts(
    run.clusters.flatMap((c) => pinsOf(c).map(([, pin]) => pin)),
    run.mirrors,
    run.tools.helm,
  );
  const rootsOf = fleetRootsChecked(run.inventory, run.clusters);
  const keys = new Map<string, string | undefined>();
  const cached = new Map<string, Verdict>();
  // A run over a few of the clusters (--changed-since, --cluster) reads their entries: the memo holds every cluster's verdict, megabytes at 10,000.
  const few = run.clusters.length <= FEW_CLUSTERS && run.clusters.length < run.inventory.clusters.length;
  const memo = signer && (few ? NO_VERDICT_MEMO : readVerdictMemo(run.root));
  if (signer && memo) {
    const shared = sharedKey(run.tools, run.sources);
    for (const cluster of run.clusters) {
      const key = clusterKey(shared, cluster, pinsOf(cluster), (pin) => charts(pin)?.digest, rootsOf(cluster));
      keys.set(cluster.name, key);
      if (!key) continue;
      cache.entries.push(entryPath(key));
      const verdict = memo.get(cluster.name, key) ?? readVerdict(key, signer, cache);
      if (!verdict) continue;
      cached.set(cluster.name, verdict);
      memo.set(cluster.name, key, verdict);
    }
  }
  const missed = run.clusters.filter((c) => !cached.has(c.name));
  if (signer) Object.assign(cache, { hits: cached.size, misses: missed.length });
  // Started once the first chunk's leaves are rendered (or at the end when none is), awaited at the end: a rejection is
  // handled there, and the loop does not wait on it. Not before: their hashing and git would hold back the renderers' start.
  let repository: Promise<Map<string, Finding[]>> | undefined;
  const startRepositoryChecks = () => {
    repository ??= runRepositoryChecks(run);
    repository.catch(() => {});
    return repository;
  };
  const results: CheckResults = { byCluster: new Map(), rest: new Map() };
  const fresh: RenderedLeaf[] = [];
  // Nothing missed: every selected cluster's leaf findings are cached. No cluster selected: the leaf checks still run once, over nothing.
  const chunks = missed.length ? Math.ceil(missed.length / CHUNK) : cached.size ? 0 : 1;
  for (let i = 0; i < chunks; i++) {
    const chunk = missed.slice(i * CHUNK, (i + 1) * CHUNK);
    if (chunks > 1) run.progress(`clusters ${i * CHUNK + 1}–${i * CHUNK + chunk.length} of ${missed.length} to check`);
    const rendered = await planAndRender(run, chunk, rootsOf);
    startRepositoryChecks();
    const attributed = await runLeafChecks(run, rendered, chunk, results);
    if (signer && memo && attributed) writeVerdicts(run.checks, chunk, keys, results.byCluster, rendered.rendered, { signer, memo });
    // What a chunk rendered stays in memory only as its report row: the next chunk's renders take its place.
    fresh.push(...rendered.rendered.map(releaseRender));
  }
  if (signer && missed.length) cache.evicted = evictResults();
  memo?.save(run.inventory.clusters.map((c) => c.name));
  const findings = inCheckOrder(run, results, cached, await startRepositoryChecks());
  const rendered = run.clusters.flatMap((c) => {
    const verdict = cached.get(c.name);
    return verdict ? cachedLeaves(c, verdict, pinsOf(c), charts) : fresh.filter((r) => r.leaf.cluster.name === c.name);
  });
  return { findings, rendered, cache };
}

/** Clusters planned, rendered and checked at a time: memory stays bounded whatever the fleet's size. */
const CHUNK = 400;

/** Leaf checks' findings per check: per cluster, and those of no one cluster (a shared layer, a whole Kubernetes version). */
interface CheckResults {
  byCluster: Map<string, Map<string, Finding[]>>;
  rest: Map<string, Finding[]>;
}

/** The chunk's files (and the fleet roots checked with its clusters), and its leaves rendered. */
async function planAndRender(run: ClusterChecks, chunk: Cluster[], rootsOf: (c: Cluster) => FileWrite[]): Promise<Pick<ValidateContext, 'plan' | 'rendered'>> {
  // Each root once (rootsOf names it with one cluster of its namespace); CODEOWNERS, the fleet's other file, is the generated check's.
  const plan = sortByPath([...chunk.flatMap(rootsOf), ...chunk.flatMap(clusterPlanner(run.inventory))]);
  // The chunk's leaves only: pairing every cluster's and dropping the rest took a fifth of a second at 10,000 clusters.
  const leaves = leafSpecs(run.inventory, plan, chunk);
  return { plan, rendered: await renderLeaves(leaves, run.mirrors, run.tools, run.progress) };
}

/** Runs the leaf checks over one chunk into `results`; false when a finding belongs to no cluster of the chunk (then nothing is cached). */
async function runLeafChecks(run: ClusterChecks, fresh: Pick<ValidateContext, 'plan' | 'rendered'>, chunk: Cluster[], results: CheckResults): Promise<boolean> {
  const names = new Set(chunk.map((c) => c.name));
  let attributed = true;
  await withContext(run, fresh, async (ctx) => {
    const checks = run.checks.filter((c) => c.scope === 'leaf');
    const started = Date.now();
    let done = 0;
    // Side by side: each check is mostly a checker process, so a one-cluster run waits for the slowest check, not their sum.
    // Their files in the work folder do not collide (one folder per check; the shared Alertmanager sandboxes are written whole, synchronously).
    const settled = await Promise.allSettled(
      checks.map(async (check) => {
        const found = await check.run(ctx);
        run.progress(`checked (${++done}/${checks.length}, ${((Date.now() - started) / 1000).toFixed(1)} s): ${check.title}`);
        return found;
      }),
    );
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    for (const [i, check] of checks.entries()) {
      const mine = results.byCluster.get(check.name) ?? new Map<string, Finding[]>();
      results.byCluster.set(check.name, mine);
      for (const f of (settled[i] as PromiseFulfilledResult<Finding[]>).value) {
        if (f.cluster && names.has(f.cluster)) mine.set(f.cluster, [...(mine.get(f.cluster) ?? []), f]);
        else {
          results.rest.set(check.name, [...(results.rest.get(check.name) ?? []), f]);
          attributed = false;
        }
      }
    }
  });
  return attributed;
}

/** The repository-wide checks, each over the whole repository once: they run while the clusters are rendered and checked. */
async function runRepositoryChecks(run: ClusterChecks): Promise<Map<string, Finding[]>> {
  const found = new Map<string, Finding[]>();
  await withContext(run, { plan: [], rendered: [] }, async (ctx) => {
    for (const check of run.checks.filter((c) => c.scope !== 'leaf')) found.set(check.name, await check.run(ctx));
  });
  return found;
}

/** Every check's findings in check order: leaf checks cluster by cluster (cached or fresh), the repository checks' own. */
function inCheckOrder(run: ClusterChecks, results: CheckResults, cached: Map<string, Verdict>, repository: Map<string, Finding[]>): Finding[] {
  return run.checks.flatMap((check) => {
    if (check.scope !== 'leaf') return repository.get(check.name) ?? [];
    const mine = results.byCluster.get(check.name);
    const merged = [...run.clusters.flatMap((c) => cached.get(c.name)?.checks[check.name] ?? mine?.get(c.name) ?? []), ...(results.rest.get(check.name) ?? [])];
    return check.sharedAcrossClusters || results.rest.has(check.name) ? dedupeShared(merged) : merged;
  });
}

/** A check context with a scratch folder of its own, removed afterwards. */
async function withContext(run: ClusterChecks, fresh: Pick<ValidateContext, 'plan' | 'rendered'>, work: (ctx: ValidateContext) => Promise<void>) {
  const workDir = workTemp('validate-');
  try {
    await work({
      ...fresh,
      root: run.root,
      inventory: run.inventory,
      tools: run.tools,
      workDir,
      sources: run.sources,
      known: run.known,
      reuseResults: run.useCache,
      schemasFromCluster: run.schemasFromCluster,
      changedPaths: run.changedPaths,
      generatedProbe: run.generatedProbe,
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
