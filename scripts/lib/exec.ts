import { execa, type Options } from 'execa';
import { EnvironmentError } from './errors.ts';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program and returns its output whatever its exit code (callers read tools' exit codes);
 * a program that cannot be started at all is an environment error (exit 2).
 */
export async function run(file: string, args: string[], options: Options = {}): Promise<ExecResult> {
  const result = await execa(file, args, { reject: false, stripFinalNewline: false, ...options });
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
