import { spawn, type ChildProcess } from 'node:child_process';
import { execa, type Options } from 'execa';
import { $, ProcessOutput } from 'zx';
import { EnvironmentError } from './errors.ts';
import { onProcessExit } from './exit.ts';

/**
 * The one process layer. Checkers (kubeconform, promtool, helm, …) run through `run` (execa: exit codes
 * and output returned, never thrown); shell-like sequences (git, builds) through `shell` (zx). Both stop
 * their children's process groups when the toolkit exits or gets a signal, take a timeout, and trim output
 * with `tail`.
 */

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program and returns its output whatever its exit code (callers read tools' exit codes);
 * a program that cannot be started at all, or that a signal stopped, is an environment error (exit 2).
 */
export async function run(file: string, args: string[], options: Options = {}): Promise<ExecResult> {
  const subprocess = execa(file, args, { reject: false, stripFinalNewline: false, ...options, detached: true });
  const group = trackGroup(checkerGroups, subprocess.pid);
  const result = await subprocess.finally(group.done);
  if (result.failed && result.exitCode === undefined) {
    const why = (result as { code?: string }).code === 'ENOENT' ? 'not found' : result.signal ? `stopped by ${result.signal}` : result.shortMessage;
    throw new EnvironmentError(`cannot run ${file}: ${why}`, { cause: result });
  }
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

/** `run` for a program whose output is bytes, not text (git cat-file --batch): stdout as a Buffer. */
export async function runForBytes(file: string, args: string[], options: Options = {}): Promise<{ exitCode: number; stdout: Buffer; stderr: string }> {
  const subprocess = execa(file, args, { reject: false, ...options, encoding: 'buffer', detached: true });
  const group = trackGroup(checkerGroups, subprocess.pid);
  const result = await subprocess.finally(group.done);
  if (result.failed && result.exitCode === undefined) throw new EnvironmentError(`cannot run ${file}: ${result.shortMessage}`, { cause: result });
  return { exitCode: result.exitCode ?? 1, stdout: Buffer.from(result.stdout as Uint8Array), stderr: Buffer.from(result.stderr as Uint8Array).toString() };
}

/** The last lines of a tool's output: enough to explain a failure, short enough to read. */
export function tail(text: string, lines = 12): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['…', ...all.slice(-lines)] : all).join('\n');
}

/**
 * Every child starts in a process group of its own (kustomize starts helm; zx's shell starts git or go), so
 * that stopping the group stops all of it, whether the signal reached only this process or its whole group.
 * Checkers write nothing outside this run's work folder, which goes too: SIGKILL. git and go get SIGTERM,
 * on which they remove their lock files.
 */
const checkerGroups = new Set<number>();
const shellGroups = new Set<number>();
onProcessExit(() => {
  for (const pgid of checkerGroups) signalGroup(pgid, 'SIGKILL');
  for (const pgid of shellGroups) signalGroup(pgid, 'SIGTERM');
});

function trackGroup(groups: Set<number>, pgid: number | undefined): { done: () => void } {
  if (pgid !== undefined) groups.add(pgid);
  return { done: () => void (pgid !== undefined && groups.delete(pgid)) };
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts a long-lived child that answers requests on its stdin and stdout (validate's leaf renderers), in a
 * group of its own that is stopped with the checkers' when the toolkit exits (closing its stdin ends it earlier).
 */
export function startServer(file: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(file, args, { detached: true, stdio: 'pipe', env: { ...process.env, ...env } });
  const group = trackGroup(checkerGroups, child.pid);
  child.once('exit', group.done);
  return child;
}

/** child_process.spawn for zx, remembering each child's group until it exits. */
const spawnTracked = ((...args: Parameters<typeof spawn>) => {
  const child = spawn(...args);
  const group = trackGroup(shellGroups, child.pid);
  child.once('exit', group.done);
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
  /** Written to the command's standard input. */
  input?: string;
}

/**
 * zx's `$` for shell-like sequences: quiet, `${array}` expands to quoted arguments, stdout returned trimmed.
 * A failure is an environment error quoting the command and its last lines.
 */
export function shell({ cwd, env = {}, timeoutMs = 600_000, failureLines = 6, input }: ShellOptions = {}) {
  const $$ = $({
    cwd,
    env: { ...process.env, ...env },
    quiet: true,
    detached: true,
    spawn: spawnTracked,
    timeout: `${timeoutMs}ms` as const,
    ...(input !== undefined ? { input } : {}),
  });
  return async (pieces: TemplateStringsArray, ...args: unknown[]): Promise<string> => {
    try {
      return (await $$(pieces, ...args)).stdout.trim();
    } catch (err) {
      if (!(err instanceof ProcessOutput)) throw err;
      const command = String.raw({ raw: pieces }, ...args.map((a) => (Array.isArray(a) ? a.join(' ') : String(a)))).trim();
      // A command over thousands of paths is quoted by its start: the reason is in its last lines.
      const quoted = command.length > 400 ? `${command.slice(0, 400)}… (${command.length} characters)` : command;
      throw new EnvironmentError(`${quoted} failed:\n${tail(err.stderr || err.stdout, failureLines)}`, { cause: err });
    }
  };
}
