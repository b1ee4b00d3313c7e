import { parse } from 'yaml';
import { fileHistory } from '../lib/git.ts';
import { APPS, type AppName } from './apps.ts';
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
 * commit of the unbroken run that has this version. Pure.
 */
export function arrivalOf(history: { commit: string; time: Date; text: string }[], app: AppName, version: string): Arrival | undefined {
  let arrival: Arrival | undefined;
  for (const entry of history) {
    let pinned: unknown;
    try {
      pinned = (parse(entry.text) as Record<string, { version?: unknown }> | null)?.[app]?.version;
    } catch {
      break;
    }
    if (String(pinned) !== version) break;
    arrival = { commit: entry.commit, time: entry.time };
  }
  return arrival;
}

/** When each of the environment's current pins arrived at `ref`, read from the git history of its pins file. */
export async function readArrivals(dir: string, ref: string, env: Environment): Promise<AppArrivals> {
  const history = await fileHistory(dir, ref, `overlays/${env.name}/pins.yaml`);
  return Object.fromEntries(
    APPS.flatMap((app) => {
      const pin = env.pins[app];
      const arrival = pin && arrivalOf(history, app, pin.version);
      return arrival ? [[app, arrival]] : [];
    }),
  );
}
