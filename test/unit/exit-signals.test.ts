import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../helpers/repo.ts';

const EXIT_TS = new URL('../../scripts/lib/exit.ts', import.meta.url).pathname;

/** Runs `body` (an ES module that has `exit` imported) in a node of its own; sends `signal` once it prints "ready". */
function runWithSignal(body: string, signal: NodeJS.Signals): Promise<{ exit: NodeJS.Signals | number | null; stdout: string }> {
  const source = `import * as exit from ${JSON.stringify(EXIT_TS)};\n${body}\nconsole.log('ready');\nsetInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (d) => {
    stdout += d;
    if (stdout.includes('ready\n') && !child.killed) child.kill(signal);
  });
  return new Promise((resolve) => child.on('exit', (code, sig) => resolve({ exit: sig ?? code, stdout })));
}

test('a signal runs the exit cleanups and ends the process by it, even with another listener (signal-exit steps aside for ours)', async () => {
  const result = await runWithSignal(
    `exit.onProcessExit(() => console.log('cleaned up'));
     // What signal-exit (execa's cleanup) does: it acts only when it is the one listener, so here never.
     process.on('SIGINT', () => { if (process.listenerCount('SIGINT') === 1) process.exit(99); });`,
    'SIGINT',
  );
  assert.equal(result.exit, 'SIGINT', result.stdout);
  assert.match(result.stdout, /^cleaned up$/m);
});

test('SIGTERM and SIGHUP end the process by themselves too', async () => {
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    const result = await runWithSignal(`exit.onProcessExit(() => console.log('cleaned up'));`, signal);
    assert.equal(result.exit, signal);
    assert.match(result.stdout, /^cleaned up$/m);
  }
});

test('while a taker holds the signals, it gets them and the process goes on; endIfInterrupted then ends it by the signal', async () => {
  const result = await runWithSignal(
    `exit.onProcessExit(() => console.log('cleaned up'));
     const release = exit.takeSignals((s) => {
       console.log('taken ' + s + ', interrupted by ' + exit.interruptedBy());
       setTimeout(() => { console.log('undone'); release(); exit.endIfInterrupted(); }, 50);
     });`,
    'SIGTERM',
  );
  assert.equal(result.exit, 'SIGTERM', result.stdout);
  assert.match(result.stdout, /taken SIGTERM, interrupted by SIGTERM\nundone\ncleaned up\n/);
});
