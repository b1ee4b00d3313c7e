import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../lib/errors.ts';

/** Canonical repository URL prefix → mirror URL prefix, for air-gapped use and tests. */
export type MirrorMap = Map<string, string>;

/** Env var holding a mirror map: `canonical=mirror` pairs separated by commas or newlines. */
const MIRRORS_ENV = 'MONITORING_GITOPS_HELM_MIRRORS';
/** Optional file at the repository root: a YAML mapping of canonical URL → mirror URL. */
export const MIRRORS_FILE = 'helm-mirrors.yaml';

export function parseMirrorPairs(text: string): MirrorMap {
  const map: MirrorMap = new Map();
  for (const pair of text
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new UsageError(
        `${MIRRORS_ENV}: '${pair}' is not canonical=mirror (for example https://prometheus-community.github.io/helm-charts=http://127.0.0.1:8879)`,
      );
    map.set(trimSlash(pair.slice(0, at)), trimSlash(pair.slice(at + 1)));
  }
  return map;
}

/** The mirror map from helm-mirrors.yaml, overridden entry by entry by the environment variable. */
export function readMirrorMap(root: string, env = process.env): MirrorMap {
  const map: MirrorMap = new Map();
  const file = join(root, MIRRORS_FILE);
  if (existsSync(file)) {
    const data = parse(readFileSync(file, 'utf8')) ?? {};
    if (typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`${MIRRORS_FILE} must map canonical repository URLs to mirror URLs`);
    for (const [from, to] of Object.entries(data)) map.set(trimSlash(from), trimSlash(String(to)));
  }
  for (const [from, to] of parseMirrorPairs(env[MIRRORS_ENV] ?? '')) map.set(from, to);
  return map;
}

/** The URL to fetch a repository from: the longest matching canonical prefix is replaced by its mirror. */
export function resolveRepository(url: string, mirrors: MirrorMap): string {
  const canonical = trimSlash(url);
  let best: string | undefined;
  for (const from of mirrors.keys()) {
    if ((canonical === from || canonical.startsWith(`${from}/`)) && (!best || from.length > best.length)) best = from;
  }
  return best === undefined ? canonical : mirrors.get(best)! + canonical.slice(best.length);
}

const trimSlash = (url: string) => url.trim().replace(/\/+$/, '');
