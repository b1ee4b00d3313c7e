import assert from 'node:assert/strict';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { readKnownFiles } from '../../scripts/inventory/parse-memo.ts';
import { CACHE_KEY_ENV } from '../../scripts/lib/cache-key.ts';
import { memoPath } from '../../scripts/lib/signed-memo.ts';
import type { Finding } from '../../scripts/lib/findings.ts';
import { sandboxesToRun, unlessPassedBefore } from '../../scripts/validate/passed-before.ts';
import type { ValidateContext } from '../../scripts/validate/types.ts';
import { tempRepo } from '../helpers/repo.ts';

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['XDG_CONFIG_HOME', 'MONITORING_GITOPS_CACHE', CACHE_KEY_ENV]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/** A checkout with a cache and a key of its own, and a context whose memo is that checkout's. */
async function checkout(): Promise<{ root: string; context: (reuseResults?: boolean) => ValidateContext }> {
  const root = await tempRepo();
  process.env.XDG_CONFIG_HOME = join(root, '.config');
  process.env.MONITORING_GITOPS_CACHE = join(root, '.cache');
  delete process.env[CACHE_KEY_ENV];
  return {
    root,
    context: (reuseResults = true) =>
      ({ root, tools: { promtool: '/tools/promtool@v1' }, known: readKnownFiles(root), reuseResults }) as unknown as ValidateContext,
  };
}

/** A tool run stand-in that counts its runs and fails while `failing` is set. */
function counted(failing = false) {
  const state = { runs: 0, failing };
  const finding: Finding = { check: 'promtool', file: 'base/prometheus/rules/node.yaml', message: 'fails' };
  const run = async () => {
    state.runs++;
    return state.failing ? [finding] : [];
  };
  return Object.assign(state, { run });
}

test('a pass over the same inputs is not run again, in this run or the next; other inputs, another tool or --no-cache run it', async () => {
  const { context } = await checkout();
  const tool = counted();
  const ctx = context();
  const inputs: [string, string][] = [['base/prometheus/rules/node.yaml', 'groups: []\n']];
  assert.deepEqual(await unlessPassedBefore(ctx, 'check rules', inputs, tool.run), []);
  assert.deepEqual(await unlessPassedBefore(ctx, 'check rules', inputs, tool.run), []);
  assert.equal(tool.runs, 1, 'the pass is known within the run');
  ctx.known!.save();

  const next = context();
  await unlessPassedBefore(next, 'check rules', inputs, tool.run);
  assert.equal(tool.runs, 1, 'and in the next run, from the memo');
  await unlessPassedBefore(next, 'check rules', [['base/prometheus/rules/node.yaml', 'groups: [] \n']], tool.run);
  assert.equal(tool.runs, 2, 'one byte more is another input');
  await unlessPassedBefore(next, 'test rules', inputs, tool.run);
  assert.equal(tool.runs, 3, 'another run over the same files');
  await unlessPassedBefore({ ...next, tools: { promtool: '/tools/promtool@v2' } } as unknown as ValidateContext, 'check rules', inputs, tool.run);
  assert.equal(tool.runs, 4, 'another tool build');
  await unlessPassedBefore(context(false), 'check rules', inputs, tool.run);
  assert.equal(tool.runs, 5, '--no-cache runs everything');
});

test('a failure is never remembered: it is run and reported every time', async () => {
  const { context } = await checkout();
  const tool = counted(true);
  const ctx = context();
  const inputs: [string, string][] = [['base/prometheus/rules/tests/node.test.yaml', 'tests: []\n']];
  for (let i = 1; i <= 2; i++) {
    assert.equal((await unlessPassedBefore(ctx, 'test rules', inputs, tool.run)).length, 1);
    assert.equal(tool.runs, i);
  }
  ctx.known!.save();
  assert.equal((await unlessPassedBefore(context(), 'test rules', inputs, tool.run)).length, 1);
  tool.failing = false;
  assert.deepEqual(await unlessPassedBefore(context(), 'test rules', inputs, tool.run), []);
  assert.equal(tool.runs, 4);
});

test('passes are kept by runs that ask for none (a warm run) and dropped only past the limit, oldest first', async () => {
  const { context } = await checkout();
  const first = context();
  const tool = counted();
  await unlessPassedBefore(first, 'check rules', [['a.yaml', 'a']], tool.run);
  first.known!.learnCluster('some-cluster-key', { name: 'dev-1' });
  first.known!.save();
  // A run that reads the memo, uses none of it and learns a cluster: it saves, and must keep the pass.
  const warm = context();
  warm.known!.learnCluster('other-cluster-key', { name: 'dev-2' });
  warm.known!.save();
  await unlessPassedBefore(context(), 'check rules', [['a.yaml', 'a']], tool.run);
  assert.equal(tool.runs, 1);

  const many = context();
  for (let i = 0; i < 4096; i++) await unlessPassedBefore(many, 'check rules', [[`f${i}.yaml`, 'x']], tool.run);
  many.known!.save();
  await unlessPassedBefore(context(), 'check rules', [['a.yaml', 'a']], tool.run);
  assert.equal(tool.runs, 4098, 'the oldest pass went when 4,096 newer ones came');
  await unlessPassedBefore(context(), 'check rules', [['f4095.yaml', 'x']], tool.run);
  assert.equal(tool.runs, 4098, 'the newest are kept');
});

test('a sandbox the toolkit did not write (no digest of its content) is always run', async () => {
  const { context } = await checkout();
  const ctx = context();
  const inputs = [{ path: '/elsewhere/alertmanager.yml' }];
  const first = sandboxesToRun(ctx, 'amtool check-config', inputs);
  assert.deepEqual(first.todo, inputs);
  first.remember(inputs);
  assert.deepEqual(sandboxesToRun(ctx, 'amtool check-config', inputs).todo, inputs);
});

test("a run that learns only a pass leaves the files' memo as it was (megabytes at 10,000 clusters) and keeps the pass", async () => {
  const { root, context } = await checkout();
  const first = context();
  first.known!.learnCluster('cluster-key', { name: 'dev-1' });
  first.known!.save();
  const files = memoPath('inventory', root);
  const written = readFileSync(files, 'utf8');
  utimesSync(files, 1000, 1000); // a write now would show in its time

  const tool = counted();
  const ctx = context();
  assert.deepEqual(ctx.known!.cluster('cluster-key'), { name: 'dev-1' });
  await unlessPassedBefore(ctx, 'check rules', [['base/prometheus/rules/node.yaml', 'groups: []\n']], tool.run);
  ctx.known!.save();
  assert.equal(statSync(files).mtimeMs, 1000 * 1000, 'not rewritten');
  assert.equal(readFileSync(files, 'utf8'), written);
  await unlessPassedBefore(context(), 'check rules', [['base/prometheus/rules/node.yaml', 'groups: []\n']], tool.run);
  assert.equal(tool.runs, 1, 'the pass was kept');
});
