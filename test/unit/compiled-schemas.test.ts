import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { compiledSchemas, newAjv } from '../../scripts/inventory/ajv.ts';
import { schemaOf } from '../../scripts/inventory/schemas.ts';
import { CACHE_KEY_ENV } from '../../scripts/lib/cache-key.ts';
import { tempRepo } from '../helpers/repo.ts';

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['XDG_CONFIG_HOME', 'MONITORING_GITOPS_CACHE', CACHE_KEY_ENV]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

async function ownCache(): Promise<string> {
  const root = await tempRepo();
  process.env.XDG_CONFIG_HOME = join(root, '.config');
  process.env.MONITORING_GITOPS_CACHE = join(root, '.cache');
  delete process.env[CACHE_KEY_ENV];
  return join(root, '.cache', 'compiled-schemas');
}

/** The kept entries (the folder is made by the first). */
const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

const NAMES = ['fleet', 'cluster', 'pins', 'values', 'rules', 'routing-tests', 'dashboard'] as const;
const schemas = () => Object.fromEntries(NAMES.map((n) => [n, schemaOf(n)]));

/** Documents each schema refuses in its own way (missing keys, unknown keys, wrong types, nested mistakes) and one it may take. */
const SAMPLES: unknown[] = [
  {},
  [],
  'text',
  { bogus: 1 },
  { name: 'dev-1', environment: 3, kubernetesVersion: 1.3, apps: { prometheus: { enabled: 'yes' } } },
  { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 1 }] }] },
  { tests: [{ alert: 'A', labels: 'x' }] },
  { prometheus: { chart: { version: 29 } } },
];

test('schemas loaded from the cache report exactly what freshly compiled ones report', async () => {
  const dir = await ownCache();
  const fresh = newAjv();
  const compiled = Object.fromEntries(NAMES.map((n) => [n, fresh.compile(schemaOf(n))]));
  const all = schemas(); // the app catalog's schema is compiled (and kept) on the way
  const before = entries(dir).length;
  compiledSchemas(all);
  assert.equal(entries(dir).length, before + 1, 'kept in the cache');
  const loaded = compiledSchemas(schemas());
  for (const name of NAMES)
    for (const sample of SAMPLES) {
      const [a, b] = [compiled[name]!, loaded[name]!];
      assert.equal(b(sample), a(sample), `${name}: ${JSON.stringify(sample)}`);
      assert.deepEqual(JSON.parse(JSON.stringify(b.errors ?? null)), JSON.parse(JSON.stringify(a.errors ?? null)), `${name}: ${JSON.stringify(sample)}`);
    }
});

test('kept code that does not carry this machine key is never run: compiled again and kept anew', async () => {
  const dir = await ownCache();
  const all = schemas();
  const before = new Set(entries(dir));
  compiledSchemas(all);
  const path = join(dir, entries(dir).find((f) => !before.has(f))!);
  const planted = `${'0'.repeat(64)}\nglobalThis.plantedRan = true; exports.cluster = () => true;`;
  writeFileSync(path, planted);
  const loaded = compiledSchemas(all);
  assert.equal((globalThis as { plantedRan?: boolean }).plantedRan, undefined, 'the planted code did not run');
  assert.equal(loaded.cluster!({}), false, 'the real schema checks');
  assert.notEqual(readFileSync(path, 'utf8'), planted, 'rewritten');
});

test('another schema is another entry; schemas without an $id are told apart by name', async () => {
  const dir = await ownCache();
  const text = { type: 'object', properties: { a: { type: 'string' } } };
  const number = { type: 'object', properties: { a: { type: 'number' } } };
  compiledSchemas({ one: text, two: number });
  compiledSchemas({ one: number });
  assert.equal(entries(dir).length, 2);
  const loaded = compiledSchemas({ one: text, two: number });
  assert.equal(entries(dir).length, 2, 'loaded, not compiled again');
  assert.deepEqual([loaded.one!({ a: 1 }), loaded.two!({ a: 1 })], [false, true]);
  assert.equal(compiledSchemas({ one: number }).one!({ a: 1 }), true);
});
