import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { test } from 'node:test';
import { commitOnMain, fleetWithOrigin, gitIn } from '../helpers/git-fleet.ts';
import { snapshotTree } from '../helpers/repo.ts';
import { cacheContents, interrupt, type Interruption, isolatedCache, type Launcher, processesNaming, startCommand } from '../helpers/signals.ts';
import { editedFleet, useTestChartMirror } from '../helpers/validate.ts';

/**
 * Signals (issue 19, item 9): however a signal reaches a run — its node process alone, its process group
 * (Ctrl-C), npm alone, or `timeout` — the run ends by it within 2 s, its kustomize and helm stopped, its work
 * folders removed, and nothing cached from it. Each run has a cache of its own, so every leaf renders afresh
 * and the signal is sent while kustomize's helm runs.
 */

/** Which process gets the signal, and how the command is started. */
interface Case {
  name: string;
  launcher: Launcher;
  signal: NodeJS.Signals;
  /** The started process alone, or its whole process group. */
  to: 'process' | 'group';
}

const VALIDATE_CASES: Case[] = [
  { name: 'SIGINT to the node process alone', launcher: 'node', signal: 'SIGINT', to: 'process' },
  { name: 'SIGTERM to the node process alone', launcher: 'node', signal: 'SIGTERM', to: 'process' },
  { name: 'Ctrl-C (SIGINT) to the process group of npm run validate', launcher: 'npm', signal: 'SIGINT', to: 'group' },
  { name: 'SIGTERM to npm alone (npm forwards it)', launcher: 'npm', signal: 'SIGTERM', to: 'process' },
  { name: 'timeout 600 npm run validate, ended early by SIGTERM (timeout signals npm, then its group)', launcher: 'timeout', signal: 'SIGTERM', to: 'process' },
];

/** The exit a signal asks for: death by it, or the shell's 128+n; `timeout` passes it on likewise. */
function assertEndedBy(exit: NodeJS.Signals | number | null, signal: NodeJS.Signals, output: string): void {
  assert.ok(exit === signal || exit === 128 + constants.signals[signal], `ended by ${signal}, not ${exit}:\n${output}`);
}

/** What the run did after the signal, for the test's output (kept when an assertion fails). */
function describe(result: Interruption, cache: string): string {
  const left = cacheContents(cache).filter((p) => /^work\/[^/]+\/?$|^results\/.+\.json$|\.tmp-\d+$/.test(p));
  return `exit ${result.exit} ${result.ms} ms after the signal; processes left 2 s after it: ${result.survivors.length}; left in the cache: ${left.join(', ') || 'nothing'}`;
}

/** The run's kustomize has started helm (the leaf renderer's stand-in for it): the signal lands in the middle of a render. */
const helmRunning = (cache: string) => () => processesNaming(cache).some((p) => /\/(leaf-renderer-)?helm .*\btemplate\b/.test(p));

/** What the run may leave in its cache: whole renders and pulled charts; no work folder, no check result, no partial file. */
function assertNothingLeft(cache: string): void {
  const left = cacheContents(cache);
  assert.deepEqual(
    left.filter((p) => /^work\/./.test(p)),
    [],
    'no work folder (leaf copies, kustomize-helm-*, check inputs)',
  );
  assert.deepEqual(
    left.filter((p) => p.startsWith('results/') && !p.endsWith('/')),
    [],
    'no check result cached',
  );
  assert.deepEqual(
    left.filter((p) => /\.tmp-\d+$|\.partial-\d+/.test(p)),
    [],
    'no partial file',
  );
}

for (const c of VALIDATE_CASES) {
  test(`validate, ${c.name}: ends by the signal within 2 s, kustomize and helm stopped, nothing left or cached`, async (t) => {
    await useTestChartMirror();
    const root = await editedFleet({}, { regenerate: false });
    const tree = await snapshotTree(root);
    const cache = await isolatedCache();
    const child = startCommand(c.launcher, 'validate', ['--root', root], cache);
    const send = () => (c.to === 'group' ? process.kill(-child.pid!, c.signal) : child.kill(c.signal));
    const result = await interrupt(child, cache, helmRunning(cache), send);
    t.diagnostic(describe(result, cache));
    assertEndedBy(result.exit, c.signal, result.output);
    assert.ok(result.ms <= 2000, `ended ${result.ms} ms after the signal`);
    assert.deepEqual(result.survivors, [], 'no kustomize or helm left');
    assert.doesNotMatch(result.output, /internal error|^error:/m);
    assertNothingLeft(cache);
    assert.deepEqual(await snapshotTree(root), tree, 'the checkout unchanged');
  });
}

test('promote --dry-run, SIGINT to the node process alone: ends by it within 2 s, no worktree, process or cache entry left', async (t) => {
  await useTestChartMirror();
  const { root } = await fleetWithOrigin();
  await commitOnMain(root, 'overlays/dev/pins.yaml', (t) => t.replace('version: 29.27.0', 'version: 29.28.0'), 'dev: prometheus 29.28.0');
  const refs = gitIn(root, 'for-each-ref');
  const cache = await isolatedCache();
  const child = startCommand('node', 'promote', ['--root', root, '--from', 'dev', '--to', 'staging', '--dry-run'], cache);
  const result = await interrupt(child, cache, helmRunning(cache), () => child.kill('SIGINT'));
  t.diagnostic(describe(result, cache));
  assertEndedBy(result.exit, 'SIGINT', result.output);
  assert.ok(result.ms <= 2000, `ended ${result.ms} ms after the signal`);
  assert.deepEqual(result.survivors, [], 'no kustomize or helm left');
  assertNothingLeft(cache);
  assert.equal(gitIn(root, 'worktree', 'list').split('\n').length, 1, 'no worktree left, not even its entry');
  assert.equal(gitIn(root, 'status', '--porcelain'), '');
  assert.equal(gitIn(root, 'for-each-ref'), refs);
});
