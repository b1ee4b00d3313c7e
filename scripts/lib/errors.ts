import { formatFinding, sortFindings, type Finding } from './findings.ts';

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, findings: 1, usage: 2, environment: 2, bug: 3 } as const;

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
  ) {
    super(summary);
  }
}

/** Prints an error the way users should see it and returns the exit code it maps to. */
export function reportError(err: unknown, log: (line: string) => void = console.error): number {
  if (err instanceof FindingsError) {
    for (const f of sortFindings(err.findings)) log(formatFinding(f));
    log(`error: ${err.message}; nothing was written`);
    return EXIT.findings;
  }
  if (err instanceof UsageError) {
    log(`usage error: ${err.message}`);
    return EXIT.usage;
  }
  if (err instanceof EnvironmentError) {
    log(`error: ${err.message}`);
    return EXIT.environment;
  }
  log(`internal error (please report it with this output):`);
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  return EXIT.bug;
}

/** Runs a command's main function and exits with the code its outcome maps to. */
export async function runCommand(main: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await main()) ?? EXIT.ok;
  } catch (err) {
    process.exitCode = reportError(err);
  }
}
