import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { checkGenerated, runGenerate } from '../../scripts/generate/command.ts';
import { StagedFile } from '../../scripts/generate/cluster-plans.ts';
import { planClusters } from '../../scripts/generate/plan-ahead.ts';
import { planGenerate } from '../../scripts/generate/plan.ts';
import { readInventory } from '../../scripts/inventory/read.ts';
import { blobOid } from '../../scripts/lib/worktree-files.ts';
import { STAGING_DIR } from '../../scripts/generate/lock.ts';
import { CACHE_KEY_ENV } from '../../scripts/lib/cache-key.ts';
import { FindingsError } from '../../scripts/lib/errors.ts';
import { syntheticClusterFile, writeSyntheticFleet } from '../bench/fleet.ts';
import { gitIn } from '../helpers/git-fleet.ts';
import { snapshotTree, tempRepo } from '../helpers/repo.ts';

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['XDG_CONFIG_HOME', 'MONITORING_GITOPS_CACHE', CACHE_KEY_ENV]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/** A checkout of `clusters` synthetic clusters with nothing generated yet, and a cache of its own. */
async function newFleet(clusters: number): Promise<string> {
  const root = await tempRepo();
  process.env.XDG_CONFIG_HOME = join(root, '.config');
  process.env.MONITORING_GITOPS_CACHE = join(root, '.cache');
  delete process.env[CACHE_KEY_ENV];
  await writeSyntheticFleet(root, clusters);
  writeFileSync(join(root, '.gitignore'), '.config/\n.cache/\n');
  gitIn(root, 'init', '--quiet');
  return root;
}

/** A file of one cluster's folders (not CODEOWNERS or a fleet root). */
const isClusterPath = (path: string) => /^(apps\/[^/]+|overlays\/[^/]+\/[^/]+)\//.test(path);

const addClusters = (root: string, from: number, to: number) => {
  for (let i = from; i < to; i++) {
    const { name, text } = syntheticClusterFile(i);
    writeFileSync(join(root, 'clusters', `${name}.yaml`), text);
  }
};

test('a new fleet of 300 clusters is staged on a second thread while it is planned; what lands is exactly the plan', async () => {
  const root = await newFleet(300);
  // A new cluster's folder that git does not list (an empty one): its files are written into it one by one.
  mkdirSync(join(root, 'apps/dev-0003'), { recursive: true });
  const outcome = await runGenerate(root);
  assert.ok(outcome.written.length > 2000);
  // Every file of a new cluster's folders was staged ahead, but the fleet files and the one file directly in the
  // folder that was there (apps/dev-0003/root.yaml; its children/ folder is new and moves in whole).
  const clusterFiles = outcome.written.filter((p) => /^(apps\/[^/]+|overlays\/[^/]+\/[^/]+)\//.test(p));
  assert.ok(clusterFiles.includes('apps/dev-0003/root.yaml'));
  assert.equal(outcome.stagedAhead, clusterFiles.length - 1);
  await checkGenerated(root);
  assert.equal(existsSync(join(root, STAGING_DIR)), false);
});

test('a refused run leaves nothing of what it staged ahead (1,200 new clusters): no new folder, no staging folder', async () => {
  const root = await newFleet(20);
  await runGenerate(root);
  gitIn(root, 'add', '-A');
  gitIn(root, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', 'fleet');
  const edited = 'overlays/dev/dev-0003/prometheus/values.yaml';
  writeFileSync(join(root, edited), `${readFileSync(join(root, edited), 'utf8')}# a hand edit\n`);
  // The edited file's cluster changes too, so generate wants to overwrite the edit: refused.
  const clusterFile = join(root, 'clusters/dev-0003.yaml');
  writeFileSync(clusterFile, readFileSync(clusterFile, 'utf8').replace(/retention: \d+d/, 'retention: 99d'));
  addClusters(root, 20, 1220);
  const before = await snapshotTree(root);
  await assert.rejects(runGenerate(root), (err: unknown) => err instanceof FindingsError && err.findings.some((f) => f.file === edited));
  assert.equal(existsSync(join(root, 'apps/dev-0300')), false);
  assert.equal(existsSync(join(root, STAGING_DIR)), false);
  const after = await snapshotTree(root);
  for (const [path, text] of before) if (!path.startsWith('.cache/') && !path.startsWith('.git/')) assert.equal(after.get(path), text, path);
  assert.deepEqual(
    [...after.keys()].filter((p) => !before.has(p) && !p.startsWith('.cache/') && !p.startsWith('.git/')),
    [],
  );
});

test('two threads plan exactly what one plans; staged files hold those bytes, and a cluster with a folder on disk is not staged', async () => {
  const root = await newFleet(300);
  const inventory = await readInventory(root);
  const expected = new Map(planGenerate(inventory).map((f) => [f.path, f.content]));
  const folder = join(root, 'staged');
  const { plans, staged } = await planClusters(
    inventory,
    inventory.clusters.map((_, i) => i),
    'sha1',
    { folder, onDisk: ['apps/dev-0001'] },
  );
  const files = plans.flatMap((p) => p.files);
  assert.deepEqual(files.map((f) => f.path).sort(), [...expected.keys()].filter(isClusterPath).sort());
  for (const [n, plan] of plans.entries()) {
    const cluster = inventory.clusters[n]!.name;
    for (const [i, file] of plan.files.entries()) {
      assert.equal(file.content, expected.get(file.path), file.path);
      assert.deepEqual(plan.refs[i], [file.path, blobOid(expected.get(file.path)!)]);
      // Staged: on disk with those bytes, and not held in memory; the cluster with a folder on disk: held, not staged.
      assert.equal(file instanceof StagedFile, cluster !== 'dev-0001', file.path);
      assert.equal(staged.has(file.path), cluster !== 'dev-0001', file.path);
      if (cluster !== 'dev-0001') assert.equal(readFileSync(join(folder, file.path), 'utf8'), file.content);
    }
  }
  assert.equal(existsSync(join(folder, 'apps/dev-0001')), false);
});

test('when staging fails, or no second thread can start, every cluster is still planned and nothing staged is kept', async () => {
  const root = await newFleet(300);
  const inventory = await readInventory(root);
  const expected = new Map(planGenerate(inventory).map((f) => [f.path, f.content]));
  const indices = inventory.clusters.map((_, i) => i);
  // A file where the staging folder's parent should be: neither thread can make a folder below it.
  writeFileSync(join(root, 'blocker'), '');
  const failed = await planClusters(inventory, indices, 'sha1', { folder: join(root, 'blocker', 'staged'), onDisk: [] });
  // An inventory that cannot be sent to a thread (a function in it): planned on this one.
  const alone = await planClusters({ ...inventory, fleet: { ...inventory.fleet, odd: () => 1 } as typeof inventory.fleet }, indices, 'sha1', {
    folder: join(root, 'alone'),
    onDisk: [],
  });
  for (const { plans, staged } of [failed, alone]) {
    assert.equal(staged.size, 0);
    const files = plans.flatMap((p) => p.files);
    assert.equal(files.length, [...expected.keys()].filter(isClusterPath).length);
    for (const file of files) {
      assert.equal(file instanceof StagedFile, false);
      assert.equal(file.content, expected.get(file.path), file.path);
    }
  }
  assert.equal(existsSync(join(root, 'alone')), false);
});
