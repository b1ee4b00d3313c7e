import { parse } from 'yaml';
import type { AppName } from '../inventory/apps.ts';
import type { Arrival } from './plan.ts';

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
