import { existsSync, readFileSync } from 'node:fs';
import { cacheDir, writeCacheFile } from '../lib/cache.ts';
import { type CacheSigner, readCacheKey, signedFileText, verifiedBody } from '../lib/cache-key.ts';
import { EnvironmentError } from '../lib/errors.ts';

/**
 * Cached renders, signed like check results with the key kept outside the cache: a render rewritten in the
 * cache (to hide what a chart really renders) never reaches a check. Files are named after the key that
 * signed them, so renders of another key (another machine, a fork's CI run) are misses, not errors. Without a
 * usable key nothing is cached, and every leaf is rendered afresh.
 */
function signing(): CacheSigner | undefined {
  const key = readCacheKey();
  return 'signer' in key ? key.signer : undefined;
}

const renderFile = (key: string, signer: CacheSigner) => cacheDir('renders', `${key}.${signer.sign('render key id').slice(0, 16)}.yaml`);
const context = (key: string) => `render\0${key}`;

/** Whether a render is cached under `key` with this machine's cache key (its signature is checked when it is read). */
export function hasCachedRender(key: string): boolean {
  const signer = signing();
  return signer !== undefined && existsSync(renderFile(key, signer));
}

/** The cached render: its first line is the signature. One that does not verify is refused, never used. */
export function readCachedRender(key: string): string {
  const signer = signing()!;
  const file = renderFile(key, signer);
  const yaml = verifiedBody(signer, context(key), readFileSync(file, 'utf8'));
  if (yaml === undefined)
    throw new EnvironmentError(
      `the cached render ${file} does not verify with the cache key (edited in the cache); it was not used. fix: delete ${cacheDir('renders')} and run again`,
    );
  return yaml;
}

/** Caches a render, its signature on the first line (one file, one rename: never half written). */
export function writeCachedRender(key: string, yaml: string): void {
  const signer = signing();
  if (!signer) return;
  writeCacheFile(renderFile(key, signer), signedFileText(signer, context(key), yaml));
}
