import assert from 'node:assert/strict';
import { statSync, utimesSync } from 'node:fs';
import { inspect, isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { carriedByJson, readKnownFiles } from '../../scripts/inventory/parse-memo.ts';
import { CACHE_KEY_ENV } from '../../scripts/lib/cache-key.ts';
import { memoPath } from '../../scripts/lib/signed-memo.ts';
import { tempRepo } from '../helpers/repo.ts';

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['XDG_CONFIG_HOME', 'MONITORING_GITOPS_CACHE', CACHE_KEY_ENV]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/** A checkout whose memo knows `count` cluster files (keys c0…), with its cache and key of its own. */
async function memoOf(count: number): Promise<{ root: string; keys: string[]; file: string }> {
  const root = await tempRepo();
  process.env.XDG_CONFIG_HOME = join(root, '.config');
  process.env.MONITORING_GITOPS_CACHE = join(root, '.cache');
  delete process.env[CACHE_KEY_ENV];
  const keys = Array.from({ length: count }, (_, i) => `c${i}`);
  const first = readKnownFiles(root);
  for (const key of keys) first.learnCluster(key, { name: key });
  first.save();
  return { root, keys, file: memoPath('inventory', root) };
}

/** Saves a run that asked for `asked` and learned `learned`; whether the memo file was rewritten. */
function run(root: string, file: string, asked: string[], learned: string[]): boolean {
  utimesSync(file, 1000, 1000); // a write now would show in its time
  const known = readKnownFiles(root);
  for (const key of asked) assert.ok(known.cluster(key), `${key} is known`);
  for (const key of learned) known.learnCluster(key, { name: key });
  known.save();
  return statSync(file).mtimeMs !== 1000 * 1000;
}

test('the memo is rewritten only when a sixty-fourth of it is new; what was not written is parsed again, never wrong', async () => {
  const { root, keys, file } = await memoOf(640);
  assert.equal(run(root, file, keys, ['n1']), false, 'one new file in 641: not worth a rewrite');
  assert.equal(readKnownFiles(root).cluster('n1'), undefined, 'so the next run parses it again');
  const eleven = Array.from({ length: 11 }, (_, i) => `n${i}`);
  assert.equal(run(root, file, keys, eleven), true, 'eleven in 651: rewritten');
  assert.deepEqual(readKnownFiles(root).cluster('n10'), { name: 'n10' });
});

test('stale entries stay until a sixty-fourth of the memo is stale, then go', async () => {
  const { root, keys, file } = await memoOf(640);
  assert.equal(run(root, file, keys.slice(5), []), false, 'five changed files out of 640: kept as they were');
  assert.deepEqual(readKnownFiles(root).cluster('c0'), { name: 'c0' });
  assert.equal(run(root, file, keys.slice(10), []), true, 'ten stale: rewritten');
  assert.equal(readKnownFiles(root).cluster('c0'), undefined, 'without the stale entries');
  assert.deepEqual(readKnownFiles(root).cluster('c10'), { name: 'c10' });
});

test('a small memo is rewritten for a single change', async () => {
  const { root, keys, file } = await memoOf(38);
  assert.equal(run(root, file, keys, []), false, 'nothing changed: not rewritten');
  assert.equal(run(root, file, keys, ['n1']), true);
  assert.equal(run(root, file, keys.slice(1), ['n1']), true, 'one file gone');
});

test('a value is kept in the memo exactly when JSON gives it back unchanged', () => {
  const holey = [1, 2, 3];
  delete holey[1];
  const values: unknown[] = [
    { name: 'dev-1', apps: { prometheus: { enabled: true, values: { retention: '8d', replicas: 2, ratio: 0.5 } } }, list: ['a', null, [1, 2]] },
    { a: Number.NaN },
    { a: Number.POSITIVE_INFINITY },
    { a: -0 },
    { a: undefined },
    { a: new Date(0) },
    { a: new Map() },
    { a: holey },
    { a: [undefined] },
    { a: Object.create(null) },
    { a: 1n },
    { a: () => 1 },
    { a: 'text\u{1F600}\ud800' },
    JSON.parse('{"__proto__": 1}'),
  ];
  for (const value of values) {
    let roundTrip: boolean;
    try {
      roundTrip = isDeepStrictEqual(JSON.parse(JSON.stringify(value)), value);
    } catch {
      roundTrip = false;
    }
    assert.equal(carriedByJson(value), roundTrip, inspect(value));
  }
});
