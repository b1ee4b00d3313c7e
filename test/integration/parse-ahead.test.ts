import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { parseAhead } from '../../scripts/inventory/parse-ahead.ts';
import { parseInventory } from '../../scripts/inventory/parse.ts';
import { fileKey, readKnownFiles } from '../../scripts/inventory/parse-memo.ts';
import { readInventorySources } from '../../scripts/inventory/read.ts';
import { CACHE_KEY_ENV } from '../../scripts/lib/cache-key.ts';
import { formatFinding } from '../../scripts/lib/findings.ts';
import { syntheticClusterFile, writeSyntheticFleet } from '../bench/fleet.ts';
import { tempRepo } from '../helpers/repo.ts';

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['XDG_CONFIG_HOME', 'MONITORING_GITOPS_CACHE', CACHE_KEY_ENV]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

test('a new fleet of 1,600 clusters parsed on two threads is the inventory one thread parses; bad files are still reported', async () => {
  const root = await tempRepo();
  process.env.XDG_CONFIG_HOME = join(root, '.config');
  process.env.MONITORING_GITOPS_CACHE = join(root, '.cache');
  delete process.env[CACHE_KEY_ENV];
  await writeSyntheticFleet(root, 1600);
  const sources = await readInventorySources(root);
  const oneThread = parseInventory(sources);
  assert.ok(oneThread.inventory);

  const known = readKnownFiles(root);
  const parsed = await parseAhead(sources, known);
  // The second thread always parses chunk 0 (100 files); the rest goes to whichever thread claims it first.
  assert.ok(parsed.second >= 100 && parsed.here > 0 && parsed.here + parsed.second === 1600, `both threads parsed files: ${JSON.stringify(parsed)}`);
  assert.deepEqual(parseInventory(sources, known).inventory, oneThread.inventory);

  // A typo and a plaintext password among them: neither is learned as passing or clean, and the findings are one thread's.
  const typo = syntheticClusterFile(7);
  const secret = syntheticClusterFile(8);
  sources.set(`clusters/${typo.name}.yaml`, typo.text.replace('storageClass:', 'storageClas:'));
  sources.set(`clusters/${secret.name}.yaml`, `${secret.text.replace('      server:\n', '      server:\n        basicAuth:\n          password: hunter2\n')}`);
  for (let i = 1600; i < 3200; i++) sources.set(`clusters/${syntheticClusterFile(i).name}.yaml`, syntheticClusterFile(i).text);
  const again = readKnownFiles(root);
  assert.ok((await parseAhead(sources, again)).second > 0);
  const findings = (k?: typeof again) => parseInventory(sources, k).findings.map(formatFinding);
  assert.deepEqual(findings(again), findings());
  assert.match(findings(again).join('\n'), new RegExp(`clusters/${typo.name}\\.yaml:5:1: unknown key 'storageClas'`));
  const secretPath = `clusters/${secret.name}.yaml`;
  assert.equal(again.isClean(fileKey(secretPath, sources.get(secretPath)!)), false, 'the file with a password is not taken as clean');
  const other = `clusters/${syntheticClusterFile(9).name}.yaml`;
  assert.equal(again.isClean(fileKey(other, sources.get(other)!)), true);
});
