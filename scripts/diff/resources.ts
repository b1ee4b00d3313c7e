import { resourceId, type K8sObject } from '../lib/k8s.ts';
import { diffValues, formatValueChange, type ValueChange } from './values.ts';

export interface ResourceDiff {
  added: string[];
  removed: string[];
  /** Changed resources, with the fields that changed (chart version labels left out). */
  changed: { id: string; fields: ValueChange[] }[];
  /** Resources whose only change is the chart's version labels: a bump touches every one of them. */
  labelOnly: string[];
}

/** Labels that carry the chart or app version (`helm.sh/chart: prometheus-29.28.0`): every chart bump changes them. */
const VERSION_LABEL = /(^|\.)labels\.(helm\.sh\/chart|app\.kubernetes\.io\/version|chart)$/;
const isVersionLabel = (change: ValueChange) => VERSION_LABEL.test(change.path);

/** Secret values never appear in a diff: only that they changed. */
export function masked(o: K8sObject): K8sObject {
  if (o.kind !== 'Secret') return o;
  const mask = (data: unknown) =>
    data && typeof data === 'object' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, `(masked sha:${hashOf(String(v))})`])) : data;
  return { ...o, data: mask(o.data), stringData: mask(o.stringData) };
}

/** The same masking for Secrets embedded anywhere in a values tree (extraManifests, extraObjects). */
export function maskSecretsDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecretsDeep);
  if (!value || typeof value !== 'object') return value;
  const o = value as K8sObject;
  const copy = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, maskSecretsDeep(v)]));
  return o.kind === 'Secret' ? masked(copy as K8sObject) : copy;
}

function hashOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Resources added, removed and changed (with field paths) between two renders. Pure. */
export function diffResources(before: K8sObject[], after: K8sObject[]): ResourceDiff {
  const index = (objects: K8sObject[]) => new Map(objects.map((o) => [resourceId(o), masked(o)]));
  const [b, a] = [index(before), index(after)];
  const diff: ResourceDiff = { added: [], removed: [], changed: [], labelOnly: [] };
  for (const id of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const [x, y] = [b.get(id), a.get(id)];
    if (!x) diff.added.push(id);
    else if (!y) diff.removed.push(id);
    else {
      const all = diffValues(x as Record<string, unknown>, y as Record<string, unknown>);
      const fields = all.filter((f) => !isVersionLabel(f));
      if (fields.length) diff.changed.push({ id, fields });
      else if (all.length) diff.labelOnly.push(id);
    }
  }
  return diff;
}

export const isEmptyDiff = (d: ResourceDiff) => !d.added.length && !d.removed.length && !d.changed.length && !d.labelOnly.length;

/** `+2 −0 ~3 resources` (and ` (21 more: chart label only)`): a resource diff in one phrase. */
export function countsPhrase(r: ResourceDiff): string {
  return `+${r.added.length} −${r.removed.length} ~${r.changed.length} resources${r.labelOnly.length ? ` (${r.labelOnly.length} more: chart label only)` : ''}`;
}

/** A resource diff as diff-block lines; label-only changes collapse into one line so a bump's real changes stand out. */
export function resourceDiffLines(r: ResourceDiff, maxFields = Infinity): string[] {
  return [
    ...r.added.map((id) => `+ ${id}`),
    ...r.removed.map((id) => `- ${id}`),
    ...r.changed.flatMap((c) => [
      `~ ${c.id}`,
      ...c.fields.slice(0, maxFields).map((f) => `    ${formatValueChange(f)}`),
      ...(c.fields.length > maxFields ? [`    … ${c.fields.length - maxFields} more fields`] : []),
    ]),
    ...(r.labelOnly.length
      ? [`~ ${r.labelOnly.length} resource${r.labelOnly.length === 1 ? '' : 's'}: chart label only (helm.sh/chart, app.kubernetes.io/version)`]
      : []),
  ];
}
