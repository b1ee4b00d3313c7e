import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from '../helpers/repo.ts';
import { processesNaming } from '../helpers/signals.ts';

test('Ctrl-C during npm run e2e stops every process it started and removes their folders', { timeout: 300_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test/e2e/run.ts'), '--only', 'steady'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  while (!/Argo CD up at/.test(output)) {
    if (child.exitCode !== null) assert.fail(`e2e ended before Argo CD was up:\n${output}`);
    await sleep(200);
  }
  const dirs = [...output.matchAll(/cluster \S+ up at \S+ \((\S+)\)/g)].map((m) => m[1]!);
  assert.equal(dirs.length, 3, output);
  // This run's own folders, as it names them: another e2e test may run beside this one with folders of its own.
  const own = /git served from (\S+), fleet checkout (\S+)/.exec(output)!.slice(1);
  assert.ok(processesNaming(...dirs).length >= 3 * 5 + 4, 'the fleet and Argo CD run');
  child.kill('SIGINT');
  assert.equal(await exited, 'SIGINT', output);
  // The exit handlers kill synchronously; give the kernel a moment to reap.
  for (let i = 0; i < 50 && processesNaming(...dirs).length; i++) await sleep(100);
  assert.deepEqual(processesNaming(...dirs), []);
  for (const dir of dirs) assert.throws(() => readdirSync(dir), /ENOENT/, `${dir} removed`);
  // The served Git repository and the fleet checkout go too.
  for (const dir of own) assert.throws(() => readdirSync(dir), /ENOENT/, `${dir} removed`);
});
