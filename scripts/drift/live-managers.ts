import { isDeepStrictEqual } from 'node:util';
import type { PathSegment } from './live-rules.ts';
import { isMap } from '../lib/values.ts';

/** The field set of one manager (`fieldsV1`): `f:<field>`, `k:<key json>`, `v:<value json>`, `i:<index>`, `.`. */
interface FieldSet {
  [key: string]: FieldSet;
}

/** One entry of `metadata.managedFields`. */
interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldSet;
  subresource?: string;
}

/** Who owns a live field: the manager, how it wrote (Apply or Update), when, through which subresource. */
export interface FieldOwner {
  manager: string;
  operation?: string;
  time?: string;
  subresource?: string;
}

/**
 * The managers whose `fieldsV1` contains the field at `segments` of `live` (list indexes are matched to
 * `k:` associative keys, `v:` set values or `i:` positions through the live element). A manager owning
 * an atomic ancestor (`f:args: {}`) owns the field too. Pure.
 */
export function fieldOwners(live: { metadata?: { [key: string]: unknown } }, segments: readonly PathSegment[]): FieldOwner[] {
  const entries = Array.isArray(live.metadata?.managedFields) ? (live.metadata.managedFields as ManagedFieldsEntry[]) : [];
  return entries
    .filter((e) => e.manager && e.fieldsV1 && Object.keys(e.fieldsV1).length > 0 && owns(e.fieldsV1, segments, live))
    .map((e) => ({
      manager: e.manager!,
      ...(e.operation ? { operation: e.operation } : {}),
      ...(e.time ? { time: e.time } : {}),
      ...(e.subresource ? { subresource: e.subresource } : {}),
    }));
}

function owns(set: FieldSet, segments: readonly PathSegment[], value: unknown): boolean {
  if (!segments.length) return true;
  // An empty set below the root is a leaf: the manager owns that field whole (atomic lists and maps).
  if (!Object.keys(set).length) return true;
  const [head, ...rest] = segments as [PathSegment, ...PathSegment[]];
  if (typeof head === 'string') {
    const child = set[`f:${head}`];
    return child !== undefined && owns(child, rest, isMap(value) ? value[head] : undefined);
  }
  const element = Array.isArray(value) ? (value[head] as unknown) : undefined;
  if (element === undefined) return false;
  const child = elementSet(set, head, element);
  return child !== undefined && owns(child, rest, element);
}

function elementSet(set: FieldSet, index: number, element: unknown): FieldSet | undefined {
  for (const [key, child] of Object.entries(set)) {
    if (key === `i:${index}`) return child;
    if (key.startsWith('v:') && isDeepStrictEqual(parseJson(key.slice(2)), element)) return child;
    if (key.startsWith('k:') && isMap(element)) {
      const keyFields = parseJson(key.slice(2));
      if (isMap(keyFields) && Object.entries(keyFields).every(([k, v]) => isDeepStrictEqual(element[k], v))) return child;
    }
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `kubectl-edit (Update, 2025-01-02T03:04:05Z)`, `kube-controller-manager (Update via scale)`. */
export function formatOwner(owner: FieldOwner): string {
  const how = [owner.operation, owner.subresource ? `via ${owner.subresource}` : undefined].filter(Boolean).join(' ');
  const extra = [how, owner.time].filter(Boolean).join(', ');
  return extra ? `${owner.manager} (${extra})` : owner.manager;
}
