import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, type CliResult } from './cli.ts';
import { committedRepo, gitStatus, tempFiles } from './faults.ts';
import { MINIMAL } from './inventory.ts';

/** One bad input to generate: how to make it, the exit code and messages expected, what must never be printed. */
export interface InputCase {
  name: string;
  /** Changes the committed checkout into the bad state (the change itself is what git status shows). */
  setup: (root: string) => Promise<void>;
  code: number;
  stderr: RegExp[];
  /** Must never appear in the output (secrets). */
  never?: string[];
}

/** A setup that rewrites one file of the checkout. */
export const editFile = (path: string, change: (text: string) => string) => async (root: string) =>
  writeFile(join(root, path), change(await readFile(join(root, path), 'utf8')));

/** A setup that adds lines under the minimal fixture's alpha prometheus `server:` values. */
export const alphaValues = (lines: string) => editFile('clusters/alpha.yaml', (t) => t.replace('      server:\n', `      server:\n${lines}`));

/** Runs generate on a committed copy of the minimal fixture in the case's bad state: its exit code and messages, nothing written, no secret printed. */
export async function assertGenerateRefuses(c: InputCase): Promise<CliResult> {
  const root = await committedRepo(MINIMAL);
  await c.setup(root);
  const before = gitStatus(root);
  const result = await runCli('generate', ['--root', root]);
  assert.equal(result.code, c.code, result.stderr);
  for (const re of c.stderr) assert.match(result.stderr, re);
  for (const secret of c.never ?? []) assert.ok(!`${result.stdout}${result.stderr}`.includes(secret), `${secret} printed`);
  assert.doesNotMatch(result.stderr, /internal error/);
  assert.equal(gitStatus(root), before, 'generate changed nothing');
  assert.deepEqual(tempFiles(root), []);
  return result;
}
