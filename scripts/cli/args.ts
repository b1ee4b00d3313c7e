import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../lib/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with our conventions: unknown flags are usage errors (exit 2), --help is always there. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, { positionals = false } = {}) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: positionals, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; run with --help to see the options`, { cause: err });
  }
}
