import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { cacheDir } from './cache.ts';

/**
 * Signs what the toolkit caches with a key kept outside the cache: whoever can write the cache folder (a
 * restored CI cache, a shared volume) cannot forge an entry that verifies. A checksum only detects torn files.
 */
export interface CacheSigner {
  sign(text: string): string;
  verify(text: string, signature: unknown): boolean;
  /** Where the key came from, for messages. */
  source: string;
}

/** The key, or why there is none (then nothing is read from or written to a signed cache). */
export type CacheKey = { signer: CacheSigner } | { off: string };

/** The key's value in CI (a repository secret); locally the key file is used. */
export const CACHE_KEY_ENV = 'MONITORING_GITOPS_CACHE_KEY';
const MIN_LENGTH = 32;

/** Per-user key file: under XDG_CONFIG_HOME (default ~/.config), apart from the cache folder. */
export const cacheKeyFile = () => join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'monitoring-gitops', 'cache.key');

let memo: { id: string; signer: CacheSigner } | undefined;

/** The signing key: $MONITORING_GITOPS_CACHE_KEY, else the key file (created 0600 on first use). A usable key is read once per process. */
export function readCacheKey(): CacheKey {
  const env = process.env[CACHE_KEY_ENV] ?? '';
  const id = `${env}\0${cacheKeyFile()}\0${cacheDir()}`;
  if (memo?.id === id) return { signer: memo.signer };
  const key = env ? keyFromEnv(env) : keyFromFile(cacheKeyFile());
  if ('signer' in key) memo = { id, signer: key.signer };
  return key;
}

function keyFromEnv(value: string): CacheKey {
  if (value.length < MIN_LENGTH) return { off: `${CACHE_KEY_ENV} is shorter than ${MIN_LENGTH} characters (fix: openssl rand -hex 32)` };
  return { signer: signer(Buffer.from(value), CACHE_KEY_ENV) };
}

function keyFromFile(file: string): CacheKey {
  const inCache = relative(cacheDir(), file);
  if (!inCache.startsWith('..') && !inCache.startsWith('/'))
    return {
      off: `the key file ${file} is inside the cache folder ${cacheDir()}, where a restored cache could replace it (fix: set XDG_CONFIG_HOME or MONITORING_GITOPS_CACHE apart)`,
    };
  try {
    createKeyFile(file);
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) return { off: `the key file ${file} is open to other users (mode ${mode.toString(8)}; fix: chmod 600 ${file})` };
    const key = readFileSync(file, 'utf8').trim();
    if (key.length < MIN_LENGTH)
      return { off: `the key file ${file} holds fewer than ${MIN_LENGTH} characters (fix: delete it; the next run creates a new one)` };
    return { signer: signer(Buffer.from(key), file) };
  } catch (err) {
    return { off: `cannot read or create the key file ${file}: ${(err as Error).message}` };
  }
}

/** A fresh random key, unless the file exists; written aside and linked into place, so a concurrent run never reads half a key. */
function createKeyFile(file: string): void {
  if (existsSync(file)) return;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function signer(key: Buffer, source: string): CacheSigner {
  const sign = (text: string) => createHmac('sha256', key).update(text).digest('hex');
  return {
    source,
    sign,
    verify(text, signature) {
      if (typeof signature !== 'string') return false;
      const [a, b] = [Buffer.from(sign(text)), Buffer.from(signature)];
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}

/**
 * A signed cache file's text: the signature of `context`, a NUL and the body on the first line, then the body
 * (one file, written by one rename: never half a signature). The context names what the body is for.
 */
export const signedFileText = (signer: CacheSigner, context: string, body: string) => `${signer.sign(`${context}\0${body}`)}\n${body}`;

/** The body of a signed cache file's text, or undefined when it is torn, edited or signed with another key or context. */
export function verifiedBody(signer: CacheSigner, context: string, text: string): string | undefined {
  const at = text.indexOf('\n');
  if (at < 0) return undefined;
  const body = text.slice(at + 1);
  return signer.verify(`${context}\0${body}`, text.slice(0, at)) ? body : undefined;
}
