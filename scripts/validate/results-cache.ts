import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, writeCacheFile } from '../lib/cache.ts';
import type { CacheSigner } from '../lib/cache-key.ts';
import { toolkitVersion } from '../lib/toolkit-version.ts';
import type { Finding } from '../lib/findings.ts';
import type { FileWrite } from '../generate/plan-types.ts';
import type { ChartPin, Cluster } from '../inventory/types.ts';

/**
 * Check results cached per cluster: one signed entry holds every cacheable check's findings for the cluster and a
 * summary of its leaves, keyed by everything its checks read (clusterKeys). A warm run reads one small file per
 * cluster and neither plans, renders nor checks a cluster whose key is unchanged.
 */

export interface CacheStats {
  /** Clusters whose results came from the cache. */
  hits: number;
  /** Clusters checked afresh. */
  misses: number;
  /** Entries that could not be trusted (unreadable, wrong key, not signed with this key): recomputed. */
  corrupted: number;
  /** Why the cache was not used at all (no usable signing key). */
  off?: string;
  evicted: number;
  /** The entry files this run read or wrote. */
  entries: string[];
}

/** What a cached cluster's report row needs of each leaf, without reading its render. */
export interface LeafSummary {
  app: string;
  renderKey: string;
  resourceCount: number;
  error?: string;
}

/** One cluster's cached results: findings per check, and its leaves. */
export interface Verdict {
  checks: Record<string, Finding[]>;
  leaves: LeafSummary[];
}

/** Entries kept at most; the least recently used go first. */
const MAX_ENTRIES = 40_000;
const ENTRY_VERSION = 3;

interface Entry {
  v: number;
  key: string;
  verdict: Verdict;
  /** HMAC of the version, key and verdict with a key kept outside the cache (lib/cache-key.ts): a torn, edited or forged entry does not verify. */
  sig: string;
}

/** What an entry's signature covers: the key too, so a signed entry of another cluster cannot be copied in. */
const signedText = (key: string, verdict: Verdict) => `${ENTRY_VERSION}\0${key}\0${JSON.stringify(verdict)}`;

/** What every cluster's key shares: the toolkit, the tool builds, the hand-written files other than cluster files. */
export function sharedKey(tools: Record<string, string>, sources: Map<string, string>): string {
  const hash = createHash('sha256').update(toolkitVersion()).update(JSON.stringify(tools));
  for (const [path, text] of [...sources].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!/^clusters\/[^/]+\.ya?ml$/.test(path)) hash.update(`${path}\0${text}\0`);
  }
  return hash.digest('hex');
}

/**
 * A cluster's key: the shared part, the cluster as parsed, each enabled app's pin and chart digest, and the fleet
 * root files it is checked with. Its leaves and Argo CD objects are planned from exactly these, so they need no
 * planning to be known. Undefined when a chart could not be had (nothing is cached for that cluster).
 */
export function clusterKey(
  shared: string,
  cluster: Cluster,
  pins: [app: string, pin: ChartPin][],
  charts: (pin: ChartPin) => string | undefined,
  fleetRoots: FileWrite[],
): string | undefined {
  const hash = createHash('sha256').update(shared).update(JSON.stringify(cluster));
  for (const [app, pin] of pins) {
    const digest = charts(pin);
    if (!digest) return undefined;
    hash.update(`${app}\0${JSON.stringify(pin)}\0${digest}\0`);
  }
  for (const f of fleetRoots) hash.update(`${f.path}\0${f.content}\0`);
  return hash.digest('hex');
}

export const entryPath = (key: string) => cacheDir('results', key.slice(0, 2), `${key}.json`);

export function readVerdict(key: string, signer: CacheSigner, stats: CacheStats): Verdict | undefined {
  const path = entryPath(key);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const entry = JSON.parse(text) as Entry;
    if (entry.v === ENTRY_VERSION && entry.key === key && entry.verdict && signer.verify(signedText(key, entry.verdict), entry.sig)) {
      touchIfStale(path);
      return entry.verdict;
    }
  } catch {
    // falls through: not JSON
  }
  stats.corrupted++;
  rmSync(path, { force: true });
  return undefined;
}

/** How fresh an entry's time must be kept for eviction's least-recently-used order. */
const TOUCH_AFTER_MS = 3600_000;

/** Marks an entry used, at most once an hour: rewriting 10,000 inodes' times on every warm run costs more than reading them. */
function touchIfStale(path: string): void {
  const now = Date.now();
  if (now - statSync(path).mtimeMs < TOUCH_AFTER_MS) return;
  utimesSync(path, now / 1000, now / 1000);
}

export function writeVerdict(key: string, verdict: Verdict, signer: CacheSigner): void {
  const entry: Entry = { v: ENTRY_VERSION, key, verdict, sig: signer.sign(signedText(key, verdict)) };
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
