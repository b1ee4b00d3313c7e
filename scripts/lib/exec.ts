import { type ChildProcess, spawn } from 'node:child_process';
import { execa, type Options } from 'execa';
import { $, ProcessOutput } from 'zx';
import { EnvironmentError } from './errors.ts';
import { onProcessExit } from './exit.ts';

/**
 * The one process layer. Checkers (kubeconform, promtool, helm, …) run through `run` (execa: exit codes
 * and output returned, never thrown); shell-like sequences (git, builds) through `shell` (zx). Both kill
 * their children when the toolkit exits, take a timeout, and trim output with `tail`.
 */

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program and returns its output whatever its exit code (callers read tools' exit codes);
 * a program that cannot be started at all is an environment error (exit 2). execa kills it if we exit.
 */
export async function run(file: string, args: string[], options: Options = {}): Promise<ExecResult> {
  const result = await execa(file, args, { reject: false, stripFinalNewline: false, cleanup: true, ...options });
  if (result.failed && result.exitCode === undefined) {
    const why = (result as { code?: string }).code === 'ENOENT' ? 'not found' : result.shortMessage;
    throw new EnvironmentError(`cannot run ${file}: ${why}`, { cause: result });
  }
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

/** The last lines of a tool's output: enough to explain a failure, short enough to read. */
export function tail(text: string, lines = 12): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['…', ...all.slice(-lines)] : all).join('\n');
}

const children = new Set<ChildProcess>();
onProcessExit(() => {
  for (const child of children) child.kill('SIGTERM');
});

/** child_process.spawn for zx, remembering each child until it exits so that none outlives the toolkit. */
const spawnTracked = ((...args: Parameters<typeof spawn>) => {
  const child = spawn(...args);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}) as typeof spawn;

interface ShellOptions {
  cwd?: string;
  /** Added to the toolkit's environment. */
  env?: Record<string, string>;
  /** Milliseconds before the command is stopped; default 10 minutes. */
  timeoutMs?: number;
  /** Lines of output a failure quotes. */
  failureLines?: number;
}

/**
 * zx's `$` for shell-like sequences: quiet, `${array}` expands to quoted arguments, stdout returned trimmed.
 * A failure is an environment error quoting the command and its last lines.
 */
export function shell({ cwd, env = {}, timeoutMs = 600_000, failureLines = 6 }: ShellOptions = {}) {
  const $$ = $({ cwd, env: { ...process.env, ...env }, quiet: true, spawn: spawnTracked, timeout: `${timeoutMs}ms` as const });
  return async (pieces: TemplateStringsArray, ...args: unknown[]): Promise<string> => {
    try {
      return (await $$(pieces, ...args)).stdout.trim();
    } catch (err) {
      if (!(err instanceof ProcessOutput)) throw err;
      const command = String.raw({ raw: pieces }, ...args.map((a) => (Array.isArray(a) ? a.join(' ') : String(a)))).trim();
      throw new EnvironmentError(`${command} failed:\n${tail(err.stderr || err.stdout, failureLines)}`, { cause: err });
    }
  };
}
