import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../helpers/repo.ts';

/** `npm run e2e -- <args>` as npm runs it (tsx), stopped with SIGINT if it has not ended within `ms`: it must not start the fleet. */
function runE2e(args: string[], ms = 20_000): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test/e2e/run.ts'), ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGINT'), ms);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

test('npm run e2e -- --help prints the usage and exits 0 at once, building and starting nothing', async () => {
  const run = await runE2e(['--help']);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^usage: npm run e2e -- \[--only SCENARIO/);
  assert.match(run.stdout, /^ {2}promote {3}dev → staging/m);
  assert.equal(run.stderr, '');
  assert.doesNotMatch(run.stdout, /\[ *\d+s\]/, 'no progress line: nothing was built or started');
  assert.ok(run.ms < 10_000, `took ${run.ms} ms`);
});

test('npm run e2e -- --only without a value, or with an unknown scenario, is a usage error (exit 2) naming the scenarios', async () => {
  const missing = await runE2e(['--only']);
  assert.equal(missing.code, 2, missing.stdout + missing.stderr);
  assert.match(missing.stderr, /^usage error: Option '--only <value>' argument missing; run with --help to see the options$/m);
  const unknown = await runE2e(['--only', 'steady,bogus']);
  assert.equal(unknown.code, 2, unknown.stdout + unknown.stderr);
  assert.match(
    unknown.stderr,
    /^usage error: --only: no scenario bogus; the scenarios are steady, pipeline, drift, change, selfheal, retry, promote, prune, roots$/m,
  );
  assert.equal(unknown.stdout, '');
});
