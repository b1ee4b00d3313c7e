import { parse } from 'yaml';
import { fileHistory } from '../lib/git.ts';
import { appNames, type AppName } from './app-catalog.ts';
import type { Environment } from './types.ts';

/** When an environment's current version of an app reached a branch. */
export interface Arrival {
  commit: string;
  time: Date;
}

/** Per app, when its current pin arrived. */
export type AppArrivals = Partial<Record<AppName, Arrival>>;

/**
 * When an app's current version arrived in a pins file: walking its history newest first, the oldest
 * commit of the unbroken run that has this version. `exact`: the same whole pin (chart, version and
 * release values), which is what a promotion gate must have seen running. Pure.
 */
export function arrivalOf(history: { commit: string; time: Date; text: string }[], app: AppName, version: string, exact = false): Arrival | undefined {
  let arrival: Arrival | undefined;
  let newest: string | undefined;
  for (const entry of history) {
    let pinned: { version?: unknown } | undefined;
    try {
      pinned = (parse(entry.text) as Record<string, { version?: unknown }> | null)?.[app];
    } catch {
      break;
    }
    if (String(pinned?.version) !== version) break;
    const whole = canonical(pinned);
    newest ??= whole;
    if (exact && whole !== newest) break;
    arrival = { commit: entry.commit, time: entry.time };
  }
  return arrival;
}

/** JSON with sorted keys: two pins compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** When each of the environment's current pins arrived at `ref` (`exact`: the whole pin), from the git history of its pins file. */
export async function readArrivals(dir: string, ref: string, env: Environment, exact = false): Promise<AppArrivals> {
  const history = await fileHistory(dir, ref, `overlays/${env.name}/pins.yaml`);
  return Object.fromEntries(
    appNames().flatMap((app) => {
      const pin = env.pins[app];
      const arrival = pin && arrivalOf(history, app, pin.version, exact);
      return arrival ? [[app, arrival]] : [];
    }),
  );
}
