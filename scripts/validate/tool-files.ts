import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tail, type ExecResult } from '../lib/exec.ts';

/** A file handed to a tool, and whom a problem in it concerns. */
export interface ToolInput<T> {
  path: string;
  owners: T[];
}

/** Writes each distinct text once (many clusters render the same rules), remembering who rendered it. */
export function writeDistinct<T>(dir: string, ext: string, items: { text: string; owner: T }[]): ToolInput<T>[] {
  mkdirSync(dir, { recursive: true });
  const byHash = new Map<string, ToolInput<T>>();
  for (const { text, owner } of items) {
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
    let input = byHash.get(hash);
    if (!input) {
      input = { path: join(dir, `${hash}${ext}`), owners: [] };
      writeFileSync(input.path, text);
      byHash.set(hash, input);
    }
    input.owners.push(owner);
  }
  return [...byHash.values()];
}

/** Owners of the same file share one input (leaves that render the same config are checked once). */
export function groupInputs<T>(items: { path: string; owner: T }[]): ToolInput<T>[] {
  const byPath = new Map<string, ToolInput<T>>();
  for (const { path, owner } of items) {
    const input = byPath.get(path) ?? { path, owners: [] };
    input.owners.push(owner);
    byPath.set(path, input);
  }
  return [...byPath.values()];
}

/**
 * Runs a tool once over every input; only when that fails, once per input to tell which failed and why
 * (the tools print per-file results on stdout and the reasons on stderr, not in step).
 */
export async function runThenAttribute<T>(
  tool: string,
  args: string[],
  inputs: ToolInput<T>[],
  ok = (r: ExecResult) => r.exitCode === 0,
): Promise<{ input: ToolInput<T>; output: string; exitCode: number }[]> {
  if (!inputs.length) return [];
  const all = await run(tool, [...args, ...inputs.map((i) => i.path)]);
  if (ok(all)) return [];
  const failures = [];
  for (const input of inputs) {
    const one = await run(tool, [...args, input.path]);
    if (!ok(one)) failures.push({ input, output: tail(`${one.stderr}\n${one.stdout}`.trim(), 15), exitCode: one.exitCode });
  }
  return failures;
}
