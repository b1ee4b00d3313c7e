import { parseArgs } from 'node:util';

/**
 * Bench scripts' arguments: --help prints `help` and exits 0; an unknown flag or a stray argument is
 * a usage error (exit 2); returns the positional arguments (at most `positionals`).
 */
export function benchArgs(help: string, positionals = 0): string[] {
  return benchOptions(help, positionals, []).positionals;
}

/** Like benchArgs, with string options too (`--charts URL`): returns the positionals and the options given. */
export function benchOptions(help: string, positionals: number, names: string[]): { positionals: string[]; options: Record<string, string | undefined> } {
  try {
    const { values, positionals: rest } = parseArgs({
      args: process.argv.slice(2),
      options: { help: { type: 'boolean', short: 'h' }, ...Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])) },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      console.log(help);
      process.exit(0);
    }
    if (rest.length > positionals) throw new Error(`unexpected argument '${rest[positionals]}'`);
    return { positionals: rest, options: Object.fromEntries(names.map((n) => [n, (values as Record<string, unknown>)[n] as string | undefined])) };
  } catch (err) {
    console.error(`usage error: ${(err as Error).message}; run with --help to see the options`);
    process.exit(2);
  }
}
