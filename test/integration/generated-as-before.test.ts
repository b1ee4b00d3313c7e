import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GENERATED_PATHSPECS } from '../../scripts/generate/read-tree.ts';
import { readCheckedInventory } from '../../scripts/inventory/read.ts';
import { probeWorktree } from '../../scripts/lib/worktree-files.ts';
import { generatedCheck } from '../../scripts/validate/checks/repository.ts';
import { generatedAsBefore } from '../../scripts/validate/generated-as-before.ts';
import type { ValidateContext } from '../../scripts/validate/types.ts';
import { fleetWithOrigin, gitIn } from '../helpers/git-fleet.ts';

/** The generated check over the whole fleet, as validate runs it without --changed-since: the stale files it names. */
async function staleFiles(root: string): Promise<string[]> {
  const { inventory, sources } = await readCheckedInventory(root);
  const ctx = { root, inventory, sources, plan: [], rendered: [] } as unknown as ValidateContext;
  return (await generatedCheck.run(ctx)).map((f) => f.file);
}

/** Whether the next run would take the trees as found up to date before, without listing them. */
async function asBefore(root: string): Promise<boolean> {
  const { sources } = await readCheckedInventory(root);
  return generatedAsBefore(root, await probeWorktree(root, GENERATED_PATHSPECS), sources).known;
}

test('trees found up to date are not listed again until git, the files on disk or the inventory say otherwise', async () => {
  const { root } = await fleetWithOrigin();
  assert.equal(await asBefore(root), false, 'nothing remembered yet');
  assert.deepEqual(await staleFiles(root), []);
  assert.equal(await asBefore(root), true, 'a clean run over the whole fleet is remembered');

  const child = 'apps/dev-1/children/grafana.yaml';
  const original = readFileSync(join(root, child), 'utf8');
  writeFileSync(join(root, child), `${original}# edited by hand\n`);
  assert.equal(await asBefore(root), false, 'a generated file edited on disk');
  assert.deepEqual(await staleFiles(root), [child]);

  gitIn(root, 'add', child);
  assert.equal(await asBefore(root), false, 'the edit staged: the index changed');
  assert.deepEqual(await staleFiles(root), [child]);
  gitIn(root, 'commit', '--quiet', '-m', 'hand edit');
  assert.deepEqual(await staleFiles(root), [child], 'and committed');

  writeFileSync(join(root, child), original);
  gitIn(root, 'commit', '--quiet', '-am', 'undo');
  assert.deepEqual(await staleFiles(root), []);
  assert.equal(await asBefore(root), true);

  const foreign = 'overlays/dev/dev-1/prometheus/extra.yaml';
  writeFileSync(join(root, foreign), 'kind: ConfigMap\n');
  assert.equal(await asBefore(root), false, 'a new file in a generated folder');
  assert.deepEqual(await staleFiles(root), [foreign]);
  rmSync(join(root, foreign));
  assert.equal(await asBefore(root), true, 'gone again: the same trees as before');

  const cluster = join(root, 'clusters/dev-1.yaml');
  const clusterText = readFileSync(cluster, 'utf8');
  const changed = clusterText.replace(
    '  prometheus:\n    enabled: true\n',
    '  prometheus:\n    enabled: true\n    values:\n      server:\n        retention: 41d\n',
  );
  assert.notEqual(changed, clusterText);
  writeFileSync(cluster, changed);
  assert.equal(await asBefore(root), false, 'a hand-written file changed');
  assert.ok((await staleFiles(root)).includes('overlays/dev/dev-1/prometheus/values.yaml'), 'generate not run after it');
  writeFileSync(cluster, `${clusterText}# a comment changes no generated file\n`);
  assert.deepEqual(await staleFiles(root), []);
  assert.equal(await asBefore(root), true);
});
