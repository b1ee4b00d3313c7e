import type { Values } from '../inventory/types.ts';
import { isMap } from '../lib/values.ts';

/** One changed leaf of a values tree; `undefined` on a side means absent there. */
export interface ValueChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

/** Leaf-level differences between two values trees, maps by key and lists by index (`containers[0].image`). Pure. */
export function diffValues(before: Values, after: Values, prefix = ''): ValueChange[] {
  const changes: ValueChange[] = [];
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const path = prefix ? `${prefix}.${key}` : key;
    changes.push(...diffNode(before[key], after[key], path, key in before, key in after));
  }
  return changes;
}

function diffNode(b: unknown, a: unknown, path: string, inBefore: boolean, inAfter: boolean): ValueChange[] {
  if (isMap(b) && isMap(a)) return diffValues(b, a, path);
  // A map added or removed whole reads better leaf by leaf, like any other change.
  const leaves = (isMap(b) && !inAfter) || (isMap(a) && !inBefore) ? diffValues(isMap(b) ? b : {}, isMap(a) ? a : {}, path) : [];
  if (leaves.length) return leaves;
  if (Array.isArray(b) && Array.isArray(a)) {
    return Array.from({ length: Math.max(b.length, a.length) }, (_, i) => diffNode(b[i], a[i], `${path}[${i}]`, i < b.length, i < a.length)).flat();
  }
  if (JSON.stringify(b) === JSON.stringify(a)) return [];
  return [{ path, ...(inBefore ? { before: b } : {}), ...(inAfter ? { after: a } : {}) }];
}

/** `path: before → after` with short JSON values, for reports. */
export function formatValueChange(change: ValueChange, maxLength = 80): string {
  const show = (v: unknown) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
  };
  if (!('before' in change)) return `${change.path}: (added) ${show(change.after)}`;
  if (!('after' in change)) return `${change.path}: ${show(change.before)} (removed)`;
  return `${change.path}: ${show(change.before)} → ${show(change.after)}`;
}
