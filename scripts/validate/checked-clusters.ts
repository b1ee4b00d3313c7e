import { rmSync } from 'node:fs';
import { planFleetRoots } from '../generate/fleet-root.ts';
import type { FileWrite } from '../generate/plan-types.ts';
import { clusterPlanner, planFleetFiles, sortByPath } from '../generate/plan.ts';
import { enabledApps } from '../inventory/app-values.ts';
import type { MirrorMap } from '../inventory/mirrors.ts';
import type { ChartPin, Cluster, Inventory } from '../inventory/types.ts';
import { readCacheKey, type CacheSigner } from '../lib/cache-key.ts';
import type { Finding } from '../lib/findings.ts';
import type { KnownFiles } from '../inventory/parse-memo.ts';
import { workTemp } from '../lib/work-dir.ts';
import { hasCachedRender, readCachedRender } from '../render/render-cache.ts';
import { leafPath } from '../generate/leaf.ts';
import { fleetRootPath } from '../inventory/names.ts';
import { leafSpecs } from '../render/leaves.ts';
import { lazyRender, renderLeaves, resolveCharts, type RenderedLeaf } from '../render/render.ts';
import { clusterKey, dedupeShared, entryPath, evictResults, readVerdict, sharedKey, writeVerdict, type CacheStats, type Verdict } from './results-cache.ts';
import type { Check, ValidateContext } from './types.ts';

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
  if (signer) {
    const shared = sharedKey(run.tools, run.sources);
    for (const cluster of run.clusters) {
      const key = clusterKey(shared, cluster, pinsOf(cluster), (pin) => charts(pin)?.digest, rootsOf(cluster));
      keys.set(cluster.name, key);
      const verdict = key ? readVerdict(key, signer, cache) : undefined;
      if (key) cache.entries.push(entryPath(key));
      if (verdict) cached.set(cluster.name, verdict);
    }
  }
  const missed = run.clusters.filter((c) => !cached.has(c.name));
  if (signer) Object.assign(cache, { hits: cached.size, misses: missed.length });
  const results: CheckResults = { byCluster: new Map(), rest: new Map() };
  const fresh: RenderedLeaf[] = [];
  const chunks = Math.max(1, Math.ceil(missed.length / CHUNK));
  for (let i = 0; i < chunks; i++) {
    const chunk = missed.slice(i * CHUNK, (i + 1) * CHUNK);
    if (chunks > 1) run.progress(`clusters ${i * CHUNK + 1}–${i * CHUNK + chunk.length} of ${missed.length} to check`);
    const rendered = await planAndRender(run, chunk, rootsOf);
    const attributed = await runLeafChecks(run, rendered, chunk, results);
    if (signer && attributed) writeVerdicts(run, chunk, keys, results, rendered.rendered, signer);
    // What a chunk rendered stays in memory only as its report row: the next chunk's renders take its place.
    fresh.push(...rendered.rendered.map(releaseRender));
  }
  if (signer && missed.length) cache.evicted = evictResults();
  const findings = await withRepositoryChecks(run, results, cached);
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
  const roots = new Set(chunk.flatMap((c) => rootsOf(c).map((f) => f.path)));
  const plan = sortByPath([...planFleetFiles(run.inventory).filter((f) => roots.has(f.path)), ...chunk.flatMap(clusterPlanner(run.inventory))]);
  const names = new Set(chunk.map((c) => c.name));
  const leaves = leafSpecs(run.inventory, plan).filter((l) => names.has(l.cluster.name));
  return { plan, rendered: await renderLeaves(leaves, run.mirrors, run.tools, run.progress) };
}

/** Runs the leaf checks over one chunk into `results`; false when a finding belongs to no cluster of the chunk (then nothing is cached). */
async function runLeafChecks(run: ClusterChecks, fresh: Pick<ValidateContext, 'plan' | 'rendered'>, chunk: Cluster[], results: CheckResults): Promise<boolean> {
  const names = new Set(chunk.map((c) => c.name));
  let attributed = true;
  await withContext(run, fresh, async (ctx) => {
    const checks = run.checks.filter((c) => c.scope === 'leaf');
    const started = Date.now();
    for (const [i, check] of checks.entries()) {
      run.progress(`checking (${i + 1}/${checks.length}, ${((Date.now() - started) / 1000).toFixed(1)} s): ${check.title}`);
      const mine = results.byCluster.get(check.name) ?? new Map<string, Finding[]>();
      results.byCluster.set(check.name, mine);
      for (const f of await check.run(ctx)) {
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

/** Every check's findings in check order: leaf checks cluster by cluster (cached or fresh), then the repository checks' own. */
async function withRepositoryChecks(run: ClusterChecks, results: CheckResults, cached: Map<string, Verdict>): Promise<Finding[]> {
  const findings: Finding[] = [];
  await withContext(run, { plan: [], rendered: [] }, async (ctx) => {
    for (const check of run.checks) {
      if (check.scope !== 'leaf') {
        run.progress(`checking: ${check.title}`);
        findings.push(...(await check.run(ctx)));
        continue;
      }
      const mine = results.byCluster.get(check.name);
      const merged = [
        ...run.clusters.flatMap((c) => cached.get(c.name)?.checks[check.name] ?? mine?.get(c.name) ?? []),
        ...(results.rest.get(check.name) ?? []),
      ];
      findings.push(...(check.sharedAcrossClusters || results.rest.has(check.name) ? dedupeShared(merged) : merged));
    }
  });
  return findings;
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
      schemasFromCluster: run.schemasFromCluster,
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** A rendered leaf reduced to what the report needs, its render left in the cache (kept whole when nothing is cached). */
function releaseRender(r: RenderedLeaf): RenderedLeaf {
  if (!r.renderKey || !hasCachedRender(r.renderKey)) return r;
  const key = r.renderKey;
  const count = r.resourceCount ?? r.objects.length;
  const { leaf, cached, chartHome, error, chartMissing } = r;
  return lazyRender({ leaf, cached, chartHome, renderKey: key, error, chartMissing }, () => readCachedRender(key), count);
}

/** Each missed cluster's results, cached when every leaf has a render key. */
function writeVerdicts(
  run: ClusterChecks,
  missed: Cluster[],
  keys: Map<string, string | undefined>,
  results: CheckResults,
  fresh: RenderedLeaf[],
  signer: CacheSigner,
): void {
  const leafChecks = run.checks.filter((c) => c.scope === 'leaf');
  for (const cluster of missed) {
    const key = keys.get(cluster.name);
    const leaves = fresh.filter((r) => r.leaf.cluster.name === cluster.name);
    if (!key || leaves.some((r) => !r.renderKey)) continue;
    writeVerdict(
      key,
      {
        checks: Object.fromEntries(leafChecks.map((c) => [c.name, results.byCluster.get(c.name)?.get(cluster.name) ?? []])),
        leaves: leaves.map((r) => ({
          app: r.leaf.app,
          renderKey: r.renderKey!,
          resourceCount: r.resourceCount ?? r.objects.length,
          ...(r.error ? { error: r.error } : {}),
        })),
      },
      signer,
    );
  }
}

/** A cached cluster's leaves as the report lists them; the render is read only if something asks for it. */
function cachedLeaves(cluster: Cluster, verdict: Verdict, pins: [string, ChartPin][], charts: (pin: ChartPin) => { home: string } | undefined): RenderedLeaf[] {
  return verdict.leaves.map((summary) => {
    const pin = pins.find(([app]) => app === summary.app)![1];
    const leaf = { cluster, app: summary.app, dir: leafPath(cluster, summary.app), pin, files: [] };
    return lazyRender(
      { leaf, cached: true, chartHome: charts(pin)?.home, renderKey: summary.renderKey, error: summary.error },
      () => (hasCachedRender(summary.renderKey) ? readCachedRender(summary.renderKey) : ''),
      summary.resourceCount,
    );
  });
}

/** Each enabled app of a cluster with its environment's pin. */
function pinsReader(inventory: Inventory): (cluster: Cluster) => [string, ChartPin][] {
  const envs = new Map(inventory.environments.map((e) => [e.name, e]));
  return (cluster) => enabledApps(cluster).map((app) => [app, envs.get(cluster.environment)!.pins[app]!]);
}

/**
 * The fleet root files a cluster's kubeconform run checks: a fleet root goes with the first checked cluster of its
 * Argo CD namespace (kubeconform's fleetRootCluster), and so into that cluster's key alone.
 */
function fleetRootsChecked(inventory: Inventory, clusters: Cluster[]): (cluster: Cluster) => FileWrite[] {
  const roots = planFleetRoots(inventory);
  const first = new Map<string, string>();
  for (const c of clusters) if (!first.has(c.argocd.namespace)) first.set(c.argocd.namespace, c.name);
  return (cluster) => (first.get(cluster.argocd.namespace) === cluster.name ? roots.filter((f) => f.path === fleetRootPath(cluster.argocd.namespace)) : []);
}
