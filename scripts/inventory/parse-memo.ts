import { hexDigest } from '../lib/digest.ts';
import type { Finding } from '../lib/findings.ts';
import { signedMemo } from '../lib/signed-memo.ts';
import { findPlaintextSecrets } from './secrets.ts';
import type { InventorySources } from './types.ts';

/**
 * What earlier runs learned about hand-written files, by content: a cluster file that passed its schema (its
 * data), and files found free of plaintext secrets. At 10,000 clusters, parsing and scanning every file again
 * is most of a run that changed one.
 */
export interface KnownFiles {
  /** Whether what is learned is kept (for this run at least): worth learning what nobody asked yet. */
  remembers: boolean;
  cluster(key: string): unknown;
  learnCluster(key: string, data: unknown): void;
  isClean(key: string): boolean;
  learnClean(key: string): void;
  /** Tool runs over hand-written files that passed (validate/passed-before.ts): kept across runs that do not ask. */
  passed(key: string): boolean;
  learnPassed(key: string): void;
  /** Keeps what this run used or learned, drops the rest. */
  save(): void;
}

interface Stored {
  clusters: Record<string, unknown>;
  clean: string[];
}

/** Passes kept, the oldest dropped first: per distinct Alertmanager config and per version of the base rules and dashboards. */
const MAX_PASSED = 4096;

/**
 * The memo is rewritten whole (megabytes at 10,000 clusters, a tenth of a second) only when a sixty-fourth of
 * it is new or stale: a few files left unknown cost a parse each next time, far less than the rewrite.
 */
const REWRITE_FRACTION = 64;

/** A file's identity for the memo: its path and its content. */
export const fileKey = (file: string, text: string) => hexDigest('sha256', `${file}\0${text}`);

/** The memo of the checkout at `root`; without a cache key it remembers nothing. */
export function readKnownFiles(root: string): KnownFiles {
  const memo = signedMemo<Stored>('inventory', root);
  const stored = memo.read();
  const clusters = new Map(Object.entries(stored?.clusters ?? {}));
  const storedClean = new Set(stored?.clean ?? []);
  const clean = new Set(storedClean);
  // A memo of their own: a run that learns only a pass does not rewrite the files' memo (megabytes at 10,000 clusters).
  const passedMemo = signedMemo<string[]>('passed', root);
  // Oldest first (a Set keeps insertion order); kept whether asked or not: a warm run asks none, the next change needs them.
  let passedKeys: Set<string> | undefined;
  const passed = () => (passedKeys ??= new Set(passedMemo.read() ?? []));
  const used = { clusters: {} as Stored['clusters'], clean: new Set<string>() };
  let passedChanged = false;
  return {
    remembers: true,
    cluster(key) {
      // Learned earlier in this run too (parse-ahead.ts parses new files before the inventory is read).
      const data = clusters.get(key) ?? used.clusters[key];
      if (data !== undefined) used.clusters[key] = data;
      return data;
    },
    learnCluster(key, data) {
      // Only what JSON carries exactly (YAML's .nan and .inf would come back as null).
      if (!carriedByJson(data)) return;
      used.clusters[key] = data;
    },
    isClean(key) {
      if (!clean.has(key)) return false;
      used.clean.add(key);
      return true;
    },
    learnClean(key) {
      // Known in this run too: a file scanned while it was parsed is not scanned again by the secrets check.
      clean.add(key);
      used.clean.add(key);
    },
    passed: (key) => passed().has(key),
    learnPassed(key) {
      passed().delete(key);
      passed().add(key);
      passedChanged = true;
    },
    save() {
      const keys = Object.keys(used.clusters);
      const learned = keys.filter((k) => !clusters.has(k)).length + [...used.clean].filter((k) => !storedClean.has(k)).length;
      const kept = keys.length + used.clean.size - learned;
      const stale = clusters.size + storedClean.size - kept;
      const entries = keys.length + used.clean.size;
      if (learned + stale > 0 && (learned + stale) * REWRITE_FRACTION >= entries) memo.write({ clusters: used.clusters, clean: [...used.clean] });
      if (passedChanged) passedMemo.write([...passed()].slice(-MAX_PASSED));
    },
  };
}

/** Remembers nothing: for callers without a checkout (tests, an inventory built in memory). */
export const NOTHING_KNOWN: KnownFiles = {
  remembers: false,
  cluster: () => undefined,
  learnCluster() {},
  isClean: () => false,
  learnClean() {},
  passed: () => false,
  learnPassed() {},
  save() {},
};

/** Plaintext secrets in hand-written files; a file already found clean is not scanned again. */
export function scanSecrets(sources: InventorySources, known: KnownFiles): Finding[] {
  return [...sources].flatMap(([file, text]) => {
    const key = fileKey(file, text);
    if (known.isClean(key)) return [];
    const found = findPlaintextSecrets(file, text);
    if (!found.length) known.learnClean(key);
    return found;
  });
}

/** Whether JSON gives back exactly this value: plain objects and arrays of strings, booleans, null and finite numbers (not -0). */
export function carriedByJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value) || !carriedByJson(value[i])) return false;
    return true;
  }
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype || Object.getOwnPropertySymbols(value).length) return false;
  for (const key of Object.keys(value)) if (!carriedByJson((value as Record<string, unknown>)[key])) return false;
  return true;
}
