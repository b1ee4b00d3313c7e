import { appNames } from '../inventory/app-catalog.ts';
import type { Environment, Inventory } from '../inventory/types.ts';
import { diffValues, formatValueChange } from '../diff/values.ts';
import type { Arrival } from '../inventory/arrivals.ts';
import { compareVersions } from '../lib/versions.ts';
import type { DriftItem, DriftSection } from './types.ts';

/** When each environment's current version of each app arrived (from the git history of its pins.yaml). */
export type Arrivals = Record<string, Partial<Record<string, Arrival>>>;

const days = (from: Date, now: Date) => Math.floor((now.getTime() - from.getTime()) / 86_400_000);

/** Pins and release values one hop apart: the later environment is behind (pending) or has moved on its own (divergent). */
function pinItems(earlier: Environment, later: Environment, arrivals: Arrivals, now: Date): DriftItem[] {
  return appNames().flatMap((app): DriftItem[] => {
    const [a, b] = [earlier.pins[app], later.pins[app]];
    if (!a || !b) return [];
    const releaseValues = diffValues(b.values ?? {}, a.values ?? {});
    const order = compareVersions(a.version, b.version);
    if (order === 0 && !releaseValues.length) return [];
    const where = { environment: later.name, app };
    if (order < 0) {
      return [
        {
          section: 'environments',
          key: `environments:${later.name}/${app}:ahead`,
          kind: 'divergent',
          severity: 'warning',
          ...where,
          summary: `${app}: ${later.name} runs ${b.version}, ahead of ${earlier.name} (${a.version})`,
          action: 'a later environment should not be ahead: check how the pin got there, promote the earlier one or roll back by pull request',
        },
      ];
    }
    const arrival = arrivals[earlier.name]?.[app];
    const age = arrival ? ` for ${days(arrival.time, now)} days (since ${arrival.commit.slice(0, 7)})` : '';
    const what = order > 0 ? `${a.version} (${later.name} has ${b.version})` : `release values of ${a.version}`;
    return [
      {
        section: 'environments',
        key: `environments:${earlier.name}->${later.name}/${app}:pending:${a.version}`,
        kind: 'promotion-pending',
        severity: 'info',
        ...where,
        summary: `${app}: ${earlier.name} has ${what}${age}; promotion to ${later.name} pending`,
        details: releaseValues.map((c) => `release values ${formatValueChange(c)}`),
        ...(arrival ? { since: arrival.time.toISOString() } : {}),
        action: `npm run promote -- --from ${earlier.name} --to ${later.name} --app ${app}`,
      },
    ];
  });
}

/** Environment values set in a later environment that the earlier one does not have: divergent by hand. */
function valueItems(earlier: Environment, later: Environment): DriftItem[] {
  return appNames().flatMap((app) =>
    diffValues(earlier.values[app] ?? {}, later.values[app] ?? {})
      .filter((c) => !('before' in c))
      .map(
        (c): DriftItem => ({
          section: 'environments',
          key: `environments:${later.name}/${app}:divergent:${c.path}`,
          kind: 'divergent',
          severity: 'info',
          environment: later.name,
          app,
          summary: `${app}: ${c.path} is set in ${later.name} only (${formatValueChange(c).replace(`${c.path}: (added) `, '')})`,
          action: `intended for ${later.name} only? keep it; otherwise move it to base/${app}/values.yaml or the release values`,
        }),
      ),
  );
}

/** Environment vs environment, one hop at a time along the promotion order. Pure. */
export function environmentsSection(inventory: Inventory, arrivals: Arrivals, now: Date): DriftSection {
  const envs = inventory.environments;
  const items = envs.slice(1).flatMap((later, i) => [...pinItems(envs[i]!, later, arrivals, now), ...valueItems(envs[i]!, later)]);
  return { section: 'environments', status: 'checked', items };
}
