import type { K8sObject } from '../render/render.ts';
import { diffValues, type ValueChange } from './values.ts';

/** A rendered resource's identity: `Kind namespace/name` (cluster-scoped: `Kind name`). */
export const resourceId = (o: K8sObject) => `${o.kind ?? '?'} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '?'}`;

export interface ResourceDiff {
  added: string[];
  removed: string[];
  changed: { id: string; fields: ValueChange[] }[];
}

/** Secret values never appear in a diff: only that they changed. */
export function masked(o: K8sObject): K8sObject {
  if (o.kind !== 'Secret') return o;
  const mask = (data: unknown) => (data && typeof data === 'object' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, `(masked sha:${hashOf(String(v))})`])) : data);
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
  const diff: ResourceDiff = { added: [], removed: [], changed: [] };
  for (const id of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const [x, y] = [b.get(id), a.get(id)];
    if (!x) diff.added.push(id);
    else if (!y) diff.removed.push(id);
    else {
      const fields = diffValues(x as Record<string, unknown>, y as Record<string, unknown>);
      if (fields.length) diff.changed.push({ id, fields });
    }
  }
  return diff;
}

export const isEmptyDiff = (d: ResourceDiff) => !d.added.length && !d.removed.length && !d.changed.length;
