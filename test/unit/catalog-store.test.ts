import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CATALOG_FORMAT, isCurrentCatalog, readCatalogMarker, writeCatalogDir } from '../../scripts/catalog/store.ts';
import { tempRepo } from '../helpers/repo.ts';

const FILES = [
  { path: 'service-v1.json', schema: { type: 'object' } },
  { path: 'argoproj.io/application_v1alpha1.json', schema: { type: 'object', properties: {} } },
];

test('a written catalog holds its files and a marker naming its source', async () => {
  const dir = join(await tempRepo(), 'v1.34.2-standalone-strict');
  assert.equal(isCurrentCatalog(dir, 'k8s.io/kubernetes@v1.34.2'), false);
  writeCatalogDir(dir, FILES, 'k8s.io/kubernetes@v1.34.2');
  assert.equal(readFileSync(join(dir, 'service-v1.json'), 'utf8'), '{"type":"object"}\n');
  assert.equal(readFileSync(join(dir, 'argoproj.io/application_v1alpha1.json'), 'utf8'), '{"type":"object","properties":{}}\n');
  assert.deepEqual(readCatalogMarker(dir), { format: CATALOG_FORMAT, source: 'k8s.io/kubernetes@v1.34.2', files: 2 });
  assert.equal(isCurrentCatalog(dir, 'k8s.io/kubernetes@v1.34.2'), true);
  assert.equal(isCurrentCatalog(dir, 'k8s.io/kubernetes@v1.34.3'), false);
  assert.deepEqual(readdirSync(join(dir, '..')), ['v1.34.2-standalone-strict'], 'no staging folder left behind');
});

test('an interrupted build (no marker) or an older format is rebuilt from scratch', async () => {
  const root = await tempRepo({ 'cat/half-written.json': '{"type":', 'old/service-v1.json': '{}' });
  assert.equal(isCurrentCatalog(join(root, 'cat'), 'src'), false);
  writeCatalogDir(join(root, 'cat'), FILES, 'src');
  assert.equal(existsSync(join(root, 'cat/half-written.json')), false);
  writeFileSync(join(root, 'old/.catalog.json'), JSON.stringify({ format: CATALOG_FORMAT - 1, source: 'src', files: 1 }));
  assert.equal(isCurrentCatalog(join(root, 'old'), 'src'), false);
});

test('staging folders of dead builds are removed, those of running ones are left alone', async () => {
  const root = await tempRepo();
  const dead = join(root, 'cat.partial-2147483646-abcd');
  const alive = join(root, `cat.partial-${process.pid}-beef`);
  for (const d of [dead, alive]) mkdirSync(d);
  writeCatalogDir(join(root, 'cat'), FILES, 'src');
  assert.deepEqual(readdirSync(root).sort(), ['cat', `cat.partial-${process.pid}-beef`]);
});
