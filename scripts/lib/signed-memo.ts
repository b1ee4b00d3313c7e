import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { cacheDir, writeCacheFile } from './cache.ts';
import { readCacheKey, signedFileText, verifiedBody } from './cache-key.ts';
import { toolkitVersion } from './toolkit-version.ts';

/**
 * What a run of the toolkit learned about one checkout, kept for the next run: one JSON file per checkout and
 * kind, signed with the cache key (a restored or shared cache cannot plant an entry) and tied to the toolkit's
 * version. Entries are content-addressed by their callers, so a stale entry is never wrong, only unused.
 */
export interface SignedMemo<T> {
  /** The memo, or undefined when there is none, it does not verify, or no cache key can be had. */
  read(): T | undefined;
  write(value: T): void;
}

const ENVELOPE = 1;

/** Where the memo of this kind for the checkout at `root` is kept. */
export function memoPath(kind: string, root: string): string {
  const checkout = createHash('sha256').update(realpathSync(root)).digest('hex').slice(0, 16);
  return cacheDir('memo', `${kind}-${checkout}.json`);
}

export function signedMemo<T>(kind: string, root: string): SignedMemo<T> {
  const path = () => memoPath(kind, root);
  const context = () => `${ENVELOPE}\0${kind}\0${toolkitVersion()}`;
  return {
    read() {
      const key = readCacheKey();
      if (!('signer' in key)) return undefined;
      try {
        const body = verifiedBody(key.signer, context(), readFileSync(path(), 'utf8'));
        return body === undefined ? undefined : (JSON.parse(body) as T);
      } catch {
        return undefined;
      }
    },
    write(value) {
      const key = readCacheKey();
      if (!('signer' in key)) return;
      writeCacheFile(path(), signedFileText(key.signer, context(), JSON.stringify(value)));
    },
  };
}
