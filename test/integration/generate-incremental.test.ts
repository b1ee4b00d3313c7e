import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runGenerate } from '../../scripts/generate/command.ts';
import { compareIncrementally } from '../../scripts/generate/incremental.ts';
import { readPlanMemo, type PlanMemo } from '../../scripts/generate/plan-memo.ts';
import { readGeneratedIndex } from '../../scripts/generate/read-tree.ts';
import { readInventory } from '../../scripts/inventory/read.ts';
import { FindingsError } from '../../scripts/lib/errors.ts';
import { readWorktreeFiles } from '../../scripts/lib/worktree-files.ts';
import { generatedCheck } from '../../scripts/validate/checks/repository.ts';
import type { ValidateContext } from '../../scripts/validate/types.ts';
import { runCli } from '../helpers/cli.ts';
import { fleetWithOrigin, gitIn } from '../helpers/git-fleet.ts';

/** The checkout's plan memo, counting the clusters it had to plan. */
function countingMemo(root: string): PlanMemo & { planned: number } {
  const memo = readPlanMemo(root);
  const counting = {
    ...memo,
    planned: 0,
    learn(key: string, refs: Parameters<PlanMemo['learn']>[1]) {
      counting.planned++;
      memo.learn(key, refs);
    },
  };
  return counting;
}

const compare = async (root: string) => {
  const memo = countingMemo(root);
  const { changes } = await compareIncrementally(await readInventory(root), await readGeneratedIndex(root), memo);
  memo.save();
  return { changes, planned: memo.planned };
};

test('a warm generate plans no cluster; a changed cluster file plans that cluster alone', async () => {
  const { root } = await fleetWithOrigin();
  assert.ok(await readWorktreeFiles(root, ['apps']), "git's index stands for the files of this checkout");
  await compare(root);
  const warm = await compare(root);
  assert.equal(warm.planned, 0, 'every cluster known from the memo and the index');
  assert.equal(warm.changes.create.length + warm.changes.update.length + warm.changes.remove.length, 0);

  const file = join(root, 'clusters/staging-1.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(
      '  prometheus:\n    enabled: true\n',
      '  prometheus:\n    enabled: true\n    values:\n      server:\n        retention: 9d\n',
    ),
  );
  const one = await compare(root);
  assert.equal(one.planned, 1);
  assert.deepEqual(
    one.changes.update.map((w) => w.path),
    ['overlays/staging/staging-1/prometheus/values.yaml'],
  );
});

test("a scoped comparison (validate --changed-since) keeps the other clusters' memo: the next whole run plans none", async () => {
  const { root } = await fleetWithOrigin();
  await compare(root);
  const context = { root, inventory: await readInventory(root), changedPaths: ['clusters/dev-1.yaml'] } as unknown as ValidateContext;
  assert.deepEqual(await generatedCheck.run(context), []);
  assert.equal((await compare(root)).planned, 0);
});

test('what the index does not hold is still seen: a hand edit (committed or not), a foreign file, a deleted file', async () => {
  const { root } = await fleetWithOrigin();
  await runGenerate(root);
  const values = 'overlays/dev/dev-1/prometheus/values.yaml';
  appendFileSync(join(root, values), '# tuned by hand\n');
  const check = () => runCli('generate', ['--root', root, '--check']);
  const edited = await check();
  assert.equal(edited.code, 1, edited.stderr);
  assert.match(edited.stderr + edited.stdout, new RegExp(values));

  gitIn(root, 'commit', '--quiet', '-am', 'hand edit');
  const committed = await check();
  assert.equal(committed.code, 1, 'a committed hand edit differs from the plan too');
  assert.match(committed.stderr + committed.stdout, new RegExp(values));
  gitIn(root, 'checkout', '--quiet', 'HEAD~1', '--', values);

  writeFileSync(join(root, 'apps/dev-1/children/extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n');
  await assert.rejects(
    runGenerate(root),
    (err: unknown) => err instanceof FindingsError && JSON.stringify(err.findings).includes('apps/dev-1/children/extra.yaml'),
  );
  rmSync(join(root, 'apps/dev-1/children/extra.yaml'));

  rmSync(join(root, values));
  const restored = await runGenerate(root);
  assert.deepEqual(restored.written, [values]);
  assert.equal((await check()).code, 0);
});

test('a checkout whose git converts line endings is read whole, and generate still changes nothing', async () => {
  const { root } = await fleetWithOrigin();
  gitIn(root, 'config', 'core.autocrlf', 'true');
  assert.equal(await readWorktreeFiles(root, ['apps']), undefined, 'the index cannot stand for the bytes');
  const run = await runGenerate(root);
  assert.deepEqual([run.written, run.removed], [[], []]);
});
