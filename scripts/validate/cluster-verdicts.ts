import { leafPath } from '../generate/leaf.ts';
import type { FileWrite } from '../generate/plan-types.ts';
import { planFleetRoots } from '../generate/fleet-root.ts';
import { enabledApps } from '../inventory/app-values.ts';
import { fleetRootPath } from '../inventory/names.ts';
import type { ChartPin, Cluster, Inventory } from '../inventory/types.ts';
import type { CacheSigner } from '../lib/cache-key.ts';
import { hasCachedRender, readCachedRender } from '../render/render-cache.ts';
import { lazyRender, type RenderedLeaf } from '../render/render.ts';
import { writeVerdict, type Verdict } from './results-cache.ts';
import type { Check } from './types.ts';
import type { Finding } from '../lib/findings.ts';
import type { VerdictMemo } from './verdict-memo.ts';

/** What the per-cluster cache needs around a run: its keys' inputs, its entries written, its cached rows. */

/** A rendered leaf reduced to what the report needs, its render left in the cache (kept whole when nothing is cached). */
export function releaseRender(r: RenderedLeaf): RenderedLeaf {
  if (!r.renderKey || !hasCachedRender(r.renderKey)) return r;
  const key = r.renderKey;
  const count = r.resourceCount ?? r.objects.length;
  const { leaf, cached, chartHome, error, chartMissing } = r;
  return lazyRender({ leaf, cached, chartHome, renderKey: key, error, chartMissing }, () => readCachedRender(key), count);
}

/** Each missed cluster's results, cached (in the shared entries and the checkout's memo) when every leaf has a render key. */
export function writeVerdicts(
  checks: Check[],
  missed: Cluster[],
  keys: Map<string, string | undefined>,
  byCluster: Map<string, Map<string, Finding[]>>,
  fresh: RenderedLeaf[],
  cache: { signer: CacheSigner; memo: VerdictMemo },
): void {
  const leafChecks = checks.filter((c) => c.scope === 'leaf');
  for (const cluster of missed) {
    const key = keys.get(cluster.name);
    const leaves = fresh.filter((r) => r.leaf.cluster.name === cluster.name);
    if (!key || leaves.some((r) => !r.renderKey)) continue;
    const verdict: Verdict = {
      checks: Object.fromEntries(leafChecks.map((c) => [c.name, byCluster.get(c.name)?.get(cluster.name) ?? []])),
      leaves: leaves.map((r) => ({
        app: r.leaf.app,
        renderKey: r.renderKey!,
        resourceCount: r.resourceCount ?? r.objects.length,
        ...(r.error ? { error: r.error } : {}),
      })),
    };
    writeVerdict(key, verdict, cache.signer);
    cache.memo.set(cluster.name, key, verdict);
  }
}

/** A cached cluster's leaves as the report lists them; the render is read only if something asks for it. */
export function cachedLeaves(
  cluster: Cluster,
  verdict: Verdict,
  pins: [string, ChartPin][],
  charts: (pin: ChartPin) => { home: string } | undefined,
): RenderedLeaf[] {
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
export function pinsReader(inventory: Inventory): (cluster: Cluster) => [string, ChartPin][] {
  const envs = new Map(inventory.environments.map((e) => [e.name, e]));
  return (cluster) => enabledApps(cluster).map((app) => [app, envs.get(cluster.environment)!.pins[app]!]);
}

/**
 * The fleet root files a cluster's kubeconform run checks: a fleet root goes with the first checked cluster of its
 * Argo CD namespace (kubeconform's fleetRootCluster), and so into that cluster's key alone.
 */
export function fleetRootsChecked(inventory: Inventory, clusters: Cluster[]): (cluster: Cluster) => FileWrite[] {
  const roots = planFleetRoots(inventory);
  const first = new Map<string, string>();
  for (const c of clusters) if (!first.has(c.argocd.namespace)) first.set(c.argocd.namespace, c.name);
  return (cluster) => (first.get(cluster.argocd.namespace) === cluster.name ? roots.filter((f) => f.path === fleetRootPath(cluster.argocd.namespace)) : []);
}
