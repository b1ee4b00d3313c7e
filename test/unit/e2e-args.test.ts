import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../scripts/lib/errors.ts';
import { E2E_HELP, parseE2eArgs } from '../e2e/args.ts';
import { SCENARIOS } from '../e2e/scenario-list.ts';

const names = SCENARIOS.map((s) => s.name);

test('--help asks for the usage, which lists every scenario, what the e2e starts and its exit codes', () => {
  assert.deepEqual(parseE2eArgs(['--help']), { help: true });
  assert.deepEqual(parseE2eArgs(['-h', '--only', 'steady']), { help: true });
  assert.match(E2E_HELP, /^usage: npm run e2e -- \[--only SCENARIO\[,SCENARIO…\]\]/);
  for (const { name, summary } of SCENARIOS) assert.ok(E2E_HELP.includes(`  ${name.padEnd(10)}${summary}`), `${name} in:\n${E2E_HELP}`);
  assert.match(E2E_HELP, /about 15 minutes/);
  assert.match(E2E_HELP, /Argo CD/);
  assert.match(E2E_HELP, /exit codes: 0 .*, 1 .*, 2 usage error/s);
});

test('--only picks scenarios, comma-separated or repeated, and runs them in the order given; without it every scenario runs', () => {
  assert.deepEqual(parseE2eArgs([]), { help: false, only: names });
  assert.deepEqual(parseE2eArgs(['--only', 'change,prune']), { help: false, only: ['change', 'prune'] });
  assert.deepEqual(parseE2eArgs(['--only', 'prune', '--only=steady']), { help: false, only: ['prune', 'steady'] });
});

test('--only without a value, an unknown scenario, an unknown flag or a stray argument are usage errors', () => {
  const usage = (argv: string[], message: RegExp) =>
    assert.throws(
      () => parseE2eArgs(argv),
      (err: unknown) => err instanceof UsageError && message.test(err.message),
    );
  usage(['--only'], /Option '--only <value>' argument missing/);
  usage(['--only', ''], /--only needs scenario names: steady, pipeline, drift, change, selfheal, retry, promote, prune, roots/);
  usage(
    ['--only', 'steady,chnage,bogus'],
    /^--only: no scenario chnage, bogus; the scenarios are steady, pipeline, drift, change, selfheal, retry, promote, prune, roots$/,
  );
  usage(['--onyl', 'steady'], /Unknown option '--onyl'/);
  usage(['steady'], /^Unexpected argument 'steady'/);
});
