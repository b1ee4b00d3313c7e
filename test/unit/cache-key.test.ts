import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { CACHE_KEY_ENV, cacheKeyFile, readCacheKey, type CacheSigner } from '../../scripts/lib/cache-key.ts';
import { tempRepo } from '../helpers/repo.ts';

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['XDG_CONFIG_HOME', 'MONITORING_GITOPS_CACHE', CACHE_KEY_ENV]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/** A config folder and a cache folder of their own, apart from each other. */
async function isolated(): Promise<{ config: string; cache: string }> {
  const dir = await tempRepo();
  const [config, cache] = [join(dir, 'config'), join(dir, 'cache')];
  process.env.XDG_CONFIG_HOME = config;
  process.env.MONITORING_GITOPS_CACHE = cache;
  delete process.env[CACHE_KEY_ENV];
  return { config, cache };
}

const signerOf = (): CacheSigner => {
  const key = readCacheKey();
  assert.ok('signer' in key, 'off' in key ? key.off : '');
  return key.signer;
};

test('the key file is created on first use, private (0600), outside the cache folder, and kept', async () => {
  const { config } = await isolated();
  const signer = signerOf();
  const file = join(config, 'monitoring-gitops', 'cache.key');
  assert.equal(cacheKeyFile(), file);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(join(config, 'monitoring-gitops')).mode & 0o077, 0);
  assert.match(readFileSync(file, 'utf8'), /^[0-9a-f]{64}\n$/);
  const signature = signer.sign('entry');
  assert.ok(signer.verify('entry', signature));
  assert.ok(!signer.verify('entry with findings removed', signature));
  assert.ok(!signer.verify('entry', undefined));
  assert.ok(!signer.verify('entry', signature.slice(1)));
});

test('another key (another machine, or a forger without the key) does not verify', async () => {
  await isolated();
  const mine = signerOf();
  await isolated();
  const theirs = signerOf();
  assert.ok(!mine.verify('entry', theirs.sign('entry')));
  process.env[CACHE_KEY_ENV] = 'k'.repeat(64);
  const ci = signerOf();
  assert.equal(ci.source, CACHE_KEY_ENV);
  assert.ok(!ci.verify('entry', theirs.sign('entry')));
});

test('no usable key turns the cache off, saying why: a key file others can read, a short key, a key file inside the cache', async () => {
  const { config } = await isolated();
  mkdirSync(join(config, 'monitoring-gitops'), { recursive: true });
  const file = join(config, 'monitoring-gitops', 'cache.key');
  writeFileSync(file, `${'a'.repeat(64)}\n`);
  chmodSync(file, 0o644);
  assert.deepEqual(readCacheKey(), { off: `the key file ${file} is open to other users (mode 644; fix: chmod 600 ${file})` });
  chmodSync(file, 0o600);
  writeFileSync(file, 'short\n');
  assert.match(String((readCacheKey() as { off: string }).off), /fewer than 32 characters/);

  process.env[CACHE_KEY_ENV] = 'short';
  assert.match(String((readCacheKey() as { off: string }).off), /MONITORING_GITOPS_CACHE_KEY is shorter than 32 characters/);

  delete process.env[CACHE_KEY_ENV];
  process.env.MONITORING_GITOPS_CACHE = config;
  assert.match(String((readCacheKey() as { off: string }).off), /is inside the cache folder/);
});
