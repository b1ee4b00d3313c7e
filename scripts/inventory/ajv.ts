import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { cacheDir, writeCacheFile } from '../lib/cache.ts';
import { readCacheKey, signedFileText, verifiedBody } from '../lib/cache-key.ts';
import { hexDigest } from '../lib/digest.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const require = createRequire(import.meta.url);

const OPTIONS = { allErrors: true, verbose: true, strict: true, strictRequired: false } as const;
/** Our keyword for fixes: a string beside a schema, read by schema-errors.ts, checked by no code. */
const HINT_KEYWORD = { keyword: 'x-hint', schemaType: 'string' } as const;

/** The one ajv setup of the repository's schemas: every error, strict, formats, and our x-hint keyword for fixes. */
export function newAjv(keepSource = false): Ajv {
  const ajv = new Ajv({ ...OPTIONS, ...(keepSource ? { code: { source: true } } : {}) });
  addFormats(ajv);
  ajv.addKeyword(HINT_KEYWORD);
  return ajv;
}

/**
 * The schemas compiled by name. Compiling them is a fifth of a second of every command's start, so the code ajv
 * generates is kept in the cache, addressed by ajv's version, the setup and the schemas, and signed with the
 * cache key like every cached result: a cache someone else can write cannot plant code. No key: compiled here.
 */
export function compiledSchemas<K extends string>(schemas: Record<K, object>): Record<K, ValidateFunction> {
  const key = readCacheKey();
  if (!('signer' in key)) return compileEach(newAjv(), schemas);
  const address = hexDigest('sha256', JSON.stringify([ajvVersion(), OPTIONS, HINT_KEYWORD, schemas]));
  const path = cacheDir('compiled-schemas', `${address}.js`);
  const context = `compiled-schemas\0${address}`;
  const kept = readOrUndefined(path);
  const code = kept === undefined ? undefined : verifiedBody(key.signer, context, kept);
  if (code !== undefined) return load(code);
  const ajv = newAjv(true);
  const validators = compileEach(ajv, schemas);
  const standaloneCode = require('ajv/dist/standalone').default as (ajv: Ajv, refs: Record<string, string>) => string;
  const byName = Object.fromEntries(Object.keys(validators).map((name) => [name, name]));
  writeCacheFile(path, signedFileText(key.signer, context, standaloneCode(ajv, byName)));
  return validators;
}

/** Each schema added under its name (the standalone module exports it by that name), then compiled. */
function compileEach<K extends string>(ajv: Ajv, schemas: Record<K, object>): Record<K, ValidateFunction> {
  for (const [name, schema] of Object.entries<object>(schemas)) ajv.addSchema(schema, name);
  return Object.fromEntries(Object.keys(schemas).map((name) => [name, ajv.getSchema(name)!])) as Record<K, ValidateFunction>;
}

/** Standalone code is a CommonJS module: its require reaches ajv's runtime helpers (deep equality, string length). */
function load<K extends string>(code: string): Record<K, ValidateFunction> {
  const module = { exports: {} as Record<K, ValidateFunction> };
  new Function('require', 'module', 'exports', code)(require, module, module.exports);
  return module.exports;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

let version: string | undefined;
const ajvVersion = () => (version ??= (require('ajv/package.json') as { version: string }).version);
