import { formatFinding, sortFindings, type Finding } from './findings.ts';
import { endIfInterrupted } from './exit.ts';
import { printable } from './output.ts';
import { redactProcessOutput, redactUrls } from './redact.ts';

/**
 * Exit codes shared by every command: 1 when the repository's content is at fault, 2 when the command
 * could not do its work (called wrongly, or the machine, network or a tool failed), 3 for a toolkit bug.
 */
export const EXIT = { ok: 0, findings: 1, notRun: 2, bug: 3 } as const;

/** The user called a command wrongly: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A tool, file system or network problem outside the repository's content: exit 2. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

/** The repository content has problems: exit 1, every finding listed. */
export class FindingsError extends Error {
  override name = 'FindingsError';
  constructor(
    readonly findings: Finding[],
    summary = `${findings.length} problem${findings.length === 1 ? '' : 's'} found`,
    /** Set by commands that write (generate): they refused before changing anything, and say so. */
    readonly nothingWritten = false,
  ) {
    super(summary);
  }
}

/** File system errors the machine causes, not the toolkit: permissions, read-only or full disks, fd limits. */
const ENVIRONMENT_CODES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
};

/** A Node system error of one of those kinds becomes an EnvironmentError naming the path. */
function asEnvironmentError(err: unknown): EnvironmentError | undefined {
  const { code, path, syscall } = (err ?? {}) as { code?: string; path?: string; syscall?: string };
  const what = code ? ENVIRONMENT_CODES[code] : undefined;
  if (!what) return undefined;
  const where = path ? ` (${syscall ?? 'access'} ${path})` : '';
  return new EnvironmentError(`${what}${where}; fix the file system (owner, mode, mount, free space) and run again`, { cause: err });
}

/** Prints an error the way users should see it and returns the exit code it maps to; URL credentials and terminal escapes never print. */
export function reportError(err: unknown, print: (line: string) => void = console.error): number {
  const log = (line: string) => print(printable(redactUrls(line)));
  err = asEnvironmentError(err) ?? err;
  if (err instanceof FindingsError) {
    for (const f of sortFindings(err.findings)) log(formatFinding(f));
    log(`error: ${err.message}${err.nothingWritten ? '; nothing was written' : ''}`);
    return EXIT.findings;
  }
  if (err instanceof UsageError) {
    log(`usage error: ${err.message}`);
    return EXIT.notRun;
  }
  if (err instanceof EnvironmentError) {
    log(`error: ${err.message}`);
    return EXIT.notRun;
  }
  log(`internal error (please report it with this output):`);
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  return EXIT.bug;
}

/** Runs a command's main function and exits with the code its outcome maps to. */
export async function runCommand(main: () => Promise<unknown>): Promise<void> {
  redactProcessOutput();
  try {
    const code = await main();
    process.exitCode = typeof code === 'number' ? code : EXIT.ok;
  } catch (err) {
    process.exitCode = reportError(err);
  }
  // Work that took a signal (generate undoing its writes) ends by it, as the user asked, once it has said what it did.
  endIfInterrupted();
}
