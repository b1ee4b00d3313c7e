import { createHash } from 'node:crypto';
import type { Finding } from '../lib/findings.ts';
import { sandboxDigest } from './mounted-config.ts';
import type { ValidateContext } from './types.ts';

/** The memo this run may read and add passes to, if any. */
const passMemo = (ctx: ValidateContext) => (ctx.reuseResults && ctx.known?.remembers ? ctx.known : undefined);

/** What ran, with which tool builds, over what content (the memo holding it is tied to the toolkit's version). */
const passKey = (ctx: ValidateContext, what: string, parts: string[]) => {
  const hash = createHash('sha256').update(`passed\0${what}\0${JSON.stringify(ctx.tools)}\0`);
  for (const part of parts) hash.update(`${part.length}\0${part}\0`);
  return hash.digest('hex');
};

/**
 * A tool run over hand-written files alone (the base rules, their tests, the dashboards' queries) answers the
 * same until those files or the tool change: a pass is remembered in the checkout's memo by a digest of what
 * was run and every input's content, and is not run again. A failure is run every time (its output names this
 * run's paths), and so is everything under --no-cache.
 */
export async function unlessPassedBefore(
  ctx: ValidateContext,
  what: string,
  inputs: [path: string, content: string][],
  run: () => Promise<Finding[]>,
): Promise<Finding[]> {
  const known = passMemo(ctx);
  const key = passKey(ctx, what, inputs.flat());
  if (known?.passed(key)) return [];
  const found = await run();
  if (!found.length) known?.learnPassed(key);
  return found;
}

/**
 * The same for one tool run per Alertmanager sandbox (amtool check-config, routes test, template render): a
 * sandbox whose exact content passed `what` before (with `extra`, the other files the run reads) is not run
 * again. `remember` takes the inputs that passed this time.
 */
export function sandboxesToRun<T extends { path: string }>(
  ctx: ValidateContext,
  what: string,
  inputs: T[],
  extra = '',
): { todo: T[]; remember(passed: T[]): void } {
  const known = passMemo(ctx);
  const keyOf = (input: T) => {
    const digest = sandboxDigest(input.path);
    return digest && passKey(ctx, what, [digest, extra]);
  };
  return {
    todo: inputs.filter((input) => {
      const key = keyOf(input);
      return !(key && known?.passed(key));
    }),
    remember(passed) {
      for (const input of passed) {
        const key = keyOf(input);
        if (key) known?.learnPassed(key);
      }
    },
  };
}
