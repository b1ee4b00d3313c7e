import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, writeCacheFile } from '../lib/cache.ts';
import { readCacheKey, type CacheSigner } from '../lib/cache-key.ts';
import type { Finding } from '../lib/findings.ts';
import type { RenderedLeaf } from '../render/render.ts';
import type { Check, ValidateContext } from './types.ts';

/**
 * Check results cached by the hash of their inputs, one entry per check and cluster: a warm run checks only
 * the clusters whose inputs changed. The key covers the toolkit's own code (a new check version), the tool
 * builds, every hand-written file but the cluster files (each cluster's own file reaches its key through its
 * renders and cluster object), and per cluster its renders, Argo CD objects and settings.
 */

export interface CacheStats {
  hits: number;
  misses: number;
  /** Entries that could not be trusted (unreadable, wrong key, not signed with this key): recomputed. */
  corrupted: number;
  /** Why the cache was not used at all (no usable signing key). */
  off?: string;
  evicted: number;
  /** The entry files this run read or wrote. */
  entries: string[];
}

/** Entries kept at most; the least recently used go first. */
const MAX_ENTRIES = 40_000;
const ENTRY_VERSION = 2;

interface Entry {
  v: number;
  key: string;
  findings: Finding[];
  /** HMAC of the version, key and findings with a key kept outside the cache (lib/cache-key.ts): a torn, edited or forged entry does not verify. */
  sig: string;
}

/** What an entry's signature covers: the key too, so a signed entry of another check or cluster cannot be copied in. */
const signedText = (key: string, findings: Finding[]) => `${ENTRY_VERSION}\0${key}\0${JSON.stringify(findings)}`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let toolkitDigest: string | undefined;
/** The toolkit's own sources and tool pins: a change to any check's code invalidates every entry. */
function toolkitVersion(): string {
  if (toolkitDigest) return toolkitDigest;
  const root = new URL('../../', import.meta.url).pathname;
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (/\.(ts|json|yaml)$/.test(e.name)) hash.update(`${path}\0`).update(readFileSync(join(root, path)));
    }
  };
  walk('scripts');
  hash.update(readFileSync(join(root, 'tools', 'pins.json')));
  toolkitDigest = hash.digest('hex');
  return toolkitDigest;
}

/** Per run (one context for every check): each cluster's renders and its digest. */
const digests = new WeakMap<ValidateContext['plan'], { byCluster: Map<string, RenderedLeaf[]>; clusters: Map<string, string | undefined> }>();

/**
 * Each cluster's inputs hashed once per run: what every cluster shares (toolkit, tools, the hand-written
 * files other than cluster files), its cluster object, its renders' keys and its Argo CD objects.
 */
function clusterDigests(ctx: ValidateContext): { byCluster: Map<string, RenderedLeaf[]>; clusters: Map<string, string | undefined> } {
  const known = digests.get(ctx.plan);
  if (known) return known;
  const hash = createHash('sha256').update(toolkitVersion()).update(JSON.stringify(ctx.tools));
  for (const [path, text] of [...ctx.sources].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!/^clusters\/[^/]+\.ya?ml$/.test(path)) hash.update(`${path}\0${text}\0`);
  }
  const shared = hash.digest('hex');
  const argo = new Map<string, ReturnType<typeof createHash>>();
  // A fleet root (apps/fleet-<namespace>.yaml) is an input of every cluster: kubeconform checks it with one of them.
  const fleetRoots = ctx.plan.filter((f) => /^apps\/fleet-[^/]+\.yaml$/.test(f.path)).map((f) => `${f.path}\0${f.content}\0`);
  for (const f of ctx.plan) {
    if (!f.path.startsWith('apps/') || fleetRoots.some((r) => r.startsWith(`${f.path}\0`))) continue;
    const cluster = f.path.split('/')[1]!;
    if (!argo.has(cluster)) argo.set(cluster, createHash('sha256'));
    argo.get(cluster)!.update(`${f.path}\0${f.content}\0`);
  }
  const byCluster = new Map<string, RenderedLeaf[]>();
  for (const r of ctx.rendered) byCluster.set(r.leaf.cluster.name, [...(byCluster.get(r.leaf.cluster.name) ?? []), r]);
  const clusters = new Map<string, string | undefined>();
  for (const [cluster, leaves] of byCluster) {
    const h = createHash('sha256')
      .update(shared)
      .update(JSON.stringify(leaves[0]!.leaf.cluster))
      .update(argo.get(cluster)?.digest('hex') ?? '')
      .update(fleetRoots.join(''));
    // Without a render key (chart missing, not rendered) the inputs are not known well enough to cache.
    const unknown = leaves.some((r) => !r.renderKey);
    for (const r of leaves) h.update(`${r.leaf.app}\0${r.renderKey}\0${r.error ?? ''}\0`);
    clusters.set(cluster, unknown ? undefined : h.digest('hex'));
  }
  const computed = { byCluster, clusters };
  digests.set(ctx.plan, computed);
  return computed;
}

const entryPath = (key: string) => cacheDir('results', key.slice(0, 2), `${key}.json`);

function readEntry(key: string, signer: CacheSigner, stats: CacheStats): Finding[] | undefined {
  const path = entryPath(key);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const entry = JSON.parse(text) as Entry;
    if (entry.v === ENTRY_VERSION && entry.key === key && Array.isArray(entry.findings) && signer.verify(signedText(key, entry.findings), entry.sig)) {
      const now = new Date();
      utimesSync(path, now, now);
      return entry.findings;
    }
  } catch {
    // falls through: not JSON
  }
  stats.corrupted++;
  rmSync(path, { force: true });
  return undefined;
}

function writeEntry(key: string, findings: Finding[], signer: CacheSigner): void {
  const entry: Entry = { v: ENTRY_VERSION, key, findings, sig: signer.sign(signedText(key, findings)) };
  writeCacheFile(entryPath(key), JSON.stringify(entry));
}

/** Keeps the cache under MAX_ENTRIES, dropping the least recently used; returns how many went. */
export function evictResults(max = MAX_ENTRIES): number {
  const root = cacheDir('results');
  let entries: { path: string; used: number }[] = [];
  try {
    for (const dir of readdirSync(root)) {
      for (const name of readdirSync(join(root, dir))) {
        const path = join(root, dir, name);
        entries.push({ path, used: statSync(path).mtimeMs });
      }
    }
  } catch {
    return 0;
  }
  if (entries.length <= max) return 0;
  entries = entries.sort((a, b) => a.used - b.used).slice(0, entries.length - Math.floor(max * 0.8));
  for (const e of entries) rmSync(e.path, { force: true });
  return entries.length;
}

/** Checks that do not cache: what they read is outside the repository (a live API server). */
const uncacheable = (check: Check, ctx: ValidateContext) => check.scope !== 'leaf' || check.live === true || Boolean(ctx.schemasFromCluster);

/**
 * Runs `check`, taking each cluster's findings from the cache when its inputs are unchanged and running the
 * check once over the clusters that missed. A check's finding without a cluster makes its run uncacheable.
 */
export async function runCached(check: Check, ctx: ValidateContext, stats: CacheStats, useCache: boolean): Promise<Finding[]> {
  if (!useCache || uncacheable(check, ctx)) return check.run(ctx);
  const signing = readCacheKey();
  if ('off' in signing) {
    stats.off = signing.off;
    return check.run(ctx);
  }
  const { signer } = signing;
  const { byCluster, clusters: clusterDigest } = clusterDigests(ctx);
  const found = new Map<string, Finding[]>();
  const missed: { cluster: string; key?: string }[] = [];
  for (const cluster of byCluster.keys()) {
    const digest = clusterDigest.get(cluster);
    const key = digest && sha256(`${check.name}\0${digest}`);
    const cached = key ? readEntry(key, signer, stats) : undefined;
    if (key) stats.entries.push(entryPath(key));
    if (cached) {
      stats.hits++;
      found.set(cluster, cached);
    } else {
      stats.misses++;
      missed.push({ cluster, key });
    }
  }
  if (missed.length) {
    const names = new Set(missed.map((m) => m.cluster));
    const fresh = await check.run({ ...ctx, rendered: ctx.rendered.filter((r) => names.has(r.leaf.cluster.name)) });
    const unattributed = fresh.some((f) => !f.cluster || !names.has(f.cluster));
    for (const { cluster, key } of missed) {
      const mine = fresh.filter((f) => f.cluster === cluster);
      found.set(cluster, mine);
      if (key && !unattributed) writeEntry(key, mine, signer);
    }
    if (unattributed)
      return mergeInOrder(
        check,
        byCluster,
        found,
        fresh.filter((f) => !f.cluster || !names.has(f.cluster)),
      );
  }
  return mergeInOrder(check, byCluster, found, []);
}

/** Findings in cluster order, as one run over every cluster lists them; shared-layer findings said once. */
function mergeInOrder(check: Check, byCluster: Map<string, RenderedLeaf[]>, found: Map<string, Finding[]>, rest: Finding[]): Finding[] {
  const all = [...[...byCluster.keys()].flatMap((c) => found.get(c) ?? []), ...rest];
  return check.sharedAcrossClusters ? dedupeShared(all) : all;
}

/** One finding per place and message: a base or environment layer is shared by many clusters (and shards). */
export function dedupeShared(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.check}\0${f.file}\0${f.line}\0${f.column}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
