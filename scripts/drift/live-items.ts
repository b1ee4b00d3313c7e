import { formatValueChange } from '../diff/values.ts';
import type { FieldDrift } from './live-compare.ts';
import { formatOwner } from './live-managers.ts';
import type { DriftItem, DriftSection } from './types.ts';

/** Where one checked object lives. */
export interface ObjectPlace {
  cluster: string;
  environment: string;
  app: string;
  /** The Argo CD Application that syncs it. */
  application: string;
  /** `Kind namespace/name`. */
  resource: string;
}

const keyOf = (place: ObjectPlace, what: string) => `live:resource:${place.cluster}/${place.resource}:${what}`;
const placeOf = (place: ObjectPlace) => ({ environment: place.environment, cluster: place.cluster, app: place.app, resource: place.resource });
const syncAction = (place: ObjectPlace) =>
  `sync the Argo CD Application '${place.application}' to restore what Git says, or move the change into Git (the ${place.app} values of ${place.cluster}) to keep it`;

/** One field that differs live: `path: desired → live` and who owns the live field. Pure. */
export function fieldDriftItem(place: ObjectPlace, drift: FieldDrift): DriftItem {
  const managers = [...new Set(drift.owners.map((o) => o.manager))];
  const by = managers.length ? ` (live field managed by ${managers.join(', ')})` : '';
  const what = !('after' in drift.change) ? 'is in Git but absent live' : !('before' in drift.change) ? 'is set live but not in Git' : 'differs from Git';
  const times = drift.owners
    .map((o) => o.time)
    .filter((t): t is string => !!t)
    .sort();
  return {
    section: 'live',
    key: keyOf(place, drift.path),
    kind: 'field-drift',
    severity: 'warning',
    ...placeOf(place),
    summary: `${place.resource}: ${drift.path} ${what}${by}`,
    details: [
      formatValueChange(drift.change),
      ...(drift.owners.length ? drift.owners.map((o) => `manager: ${formatOwner(o)}`) : ['manager: none (no manager owns an absent field)']),
    ],
    ...(times.length ? { since: times[times.length - 1] } : {}),
    action: syncAction(place),
  };
}

/** Git has the object, the cluster does not. Pure. */
export function missingItem(place: ObjectPlace, why?: string): DriftItem {
  return {
    section: 'live',
    key: keyOf(place, 'missing'),
    kind: 'missing',
    severity: 'critical',
    ...placeOf(place),
    summary: `${place.resource} is in Git but not in cluster ${place.cluster}`,
    ...(why ? { details: [why] } : {}),
    action: `sync the Argo CD Application '${place.application}' (it creates the object), or remove it from Git`,
  };
}

/** The object could not be read or dry-run applied: its drift is unknown. Pure. */
export function uncheckedItem(place: ObjectPlace, step: 'read' | 'dry-run', messages: string[]): DriftItem {
  return {
    section: 'live',
    key: keyOf(place, step),
    kind: step === 'read' ? 'unreadable' : 'dry-run-failed',
    severity: 'warning',
    ...placeOf(place),
    summary:
      step === 'read'
        ? `${place.resource}: cannot read the live object`
        : `${place.resource}: the API server refuses a server-side apply dry-run of Git's object`,
    details: messages,
    action:
      step === 'read'
        ? 'grant the drift check read access (get) to this kind'
        : `fix the manifest in Git (an Argo CD sync of '${place.application}' would fail the same way)`,
  };
}

/** What checking one target gave: its items, or why its cluster could not be reached. */
export type TargetOutcome =
  | { cluster: string; reached: true; items: DriftItem[]; suppressed: Record<string, number> }
  | { cluster: string; reached: false; reason: string };

/** The `live` section from every target's outcome: coverage, status, items sorted by key, suppressed counts summed. Pure. */
export function liveSection(outcomes: readonly TargetOutcome[]): DriftSection {
  const expected = [...new Set(outcomes.map((o) => o.cluster))];
  const failed = outcomes.filter((o): o is Extract<TargetOutcome, { reached: false }> => !o.reached);
  const reached = expected.filter((c) => !failed.some((f) => f.cluster === c));
  const items: DriftItem[] = [];
  const suppressed: Record<string, number> = {};
  for (const o of outcomes) {
    if (!o.reached || !reached.includes(o.cluster)) continue;
    items.push(...o.items);
    for (const [rule, n] of Object.entries(o.suppressed)) suppressed[rule] = (suppressed[rule] ?? 0) + n;
  }
  items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const status = !expected.length || !reached.length ? 'skipped' : failed.length ? 'partial' : 'checked';
  const reason = !expected.length
    ? 'no clusters to check'
    : failed.length
      ? failed.map((f) => `cannot reach cluster ${f.cluster}: ${f.reason}`).join('; ')
      : undefined;
  const errors = failed.map((f) => `cannot reach cluster ${f.cluster}: ${f.reason}`);
  return { section: 'live', status, ...(reason ? { reason } : {}), ...(errors.length ? { errors } : {}), items, coverage: { reached, expected }, suppressed };
}
