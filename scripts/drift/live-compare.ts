import { masked } from '../diff/resources.ts';
import { diffValues, type ValueChange } from '../diff/values.ts';
import type { K8sObject } from '../lib/k8s.ts';
import { fieldOwners, type FieldOwner } from './live-managers.ts';
import { DEFAULT_IGNORE_RULES, matchingRule, type IgnoreRule, type PathSegment } from './live-rules.ts';
import { isMap } from '../lib/values.ts';

/** Argo CD's annotation tracking (the default since v3): `<app>:<group>/<kind>:<namespace>/<name>`. */
const ARGOCD_TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';
/** Argo CD's label tracking writes the Application name here; Helm charts write the release name here too. */
const ARGOCD_TRACKING_LABEL = 'app.kubernetes.io/instance';

/** Bookkeeping the server writes on every change: never drift. */
const DROPPED_METADATA = ['managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp', 'selfLink'];
const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', ARGOCD_TRACKING_ANNOTATION];

type Obj = Record<string, unknown>;

/**
 * A copy of `object` without what is never drift: `status`, server bookkeeping in `metadata`
 * (managedFields, resourceVersion, uid, generation, creationTimestamp, selfLink), the client-side
 * apply annotation (it also holds Secret values in plain text) and Argo CD's tracking annotation;
 * `annotations`/`labels` left empty are removed. Pure.
 */
export function normaliseObject(object: K8sObject): K8sObject {
  const copy = structuredClone(object);
  delete copy.status;
  const meta = copy.metadata;
  if (!meta) return copy;
  for (const field of DROPPED_METADATA) delete meta[field];
  if (isMap(meta.annotations)) for (const key of DROPPED_ANNOTATIONS) delete meta.annotations[key];
  for (const field of ['annotations', 'labels']) if (isMap(meta[field]) && !Object.keys(meta[field]).length) delete meta[field];
  return copy;
}

/**
 * Both sides normalised, and the `app.kubernetes.io/instance` label dropped from both only when the live
 * value is the Argo CD Application's name and Git says otherwise: that is Argo CD's label tracking
 * overwriting the chart's release name. Any other value of the label (the chart's, or a hand edit) is compared. Pure.
 */
export function normalisePair(desired: K8sObject, live: K8sObject, applicationNames: readonly string[] = []): [K8sObject, K8sObject] {
  const [d, l] = [normaliseObject(desired), normaliseObject(live)];
  const label = (o: K8sObject) => (isMap(o.metadata?.labels) ? o.metadata.labels : undefined);
  const liveValue = label(l)?.[ARGOCD_TRACKING_LABEL];
  if (typeof liveValue === 'string' && applicationNames.includes(liveValue) && label(d)?.[ARGOCD_TRACKING_LABEL] !== liveValue) {
    for (const o of [d, l]) {
      const labels = label(o);
      if (!labels) continue;
      delete labels[ARGOCD_TRACKING_LABEL];
      if (!Object.keys(labels).length) delete o.metadata!.labels;
    }
  }
  return [d, l];
}

/**
 * The segments of a `diffValues` path (`metadata.annotations.deployment.kubernetes.io/revision`, `env[0].value`),
 * resolved against the objects it came from, since map keys may contain dots: the longest key present wins. Pure.
 */
export function pathSegments(path: string, roots: readonly unknown[]): PathSegment[] {
  const segments: PathSegment[] = [];
  let rest = path;
  let nodes = [...roots];
  while (rest) {
    const index = /^\[(\d+)\]\.?/.exec(rest);
    if (index) {
      const i = Number(index[1]);
      segments.push(i);
      nodes = nodes.map((n) => (Array.isArray(n) ? (n[i] as unknown) : undefined));
      rest = rest.slice(index[0].length);
      continue;
    }
    const keys = [...new Set(nodes.filter(isMap).flatMap((n) => Object.keys(n)))].sort((a, b) => b.length - a.length);
    const key = keys.find((k) => rest === k || rest.startsWith(`${k}.`) || rest.startsWith(`${k}[`)) ?? /^[^.[]+/.exec(rest)?.[0] ?? rest;
    segments.push(key);
    nodes = nodes.map((n) => (isMap(n) ? n[key] : undefined));
    rest = rest.slice(key.length).replace(/^\./, '');
  }
  return segments;
}

/** One field where the live object differs from what applying Git would give. */
export interface FieldDrift {
  /** `spec.template.spec.containers[0].env[0].value`, as `diffValues` writes paths. */
  path: string;
  segments: PathSegment[];
  /** `before`: Git (as the server would have it after applying), `after`: live; absent side = field absent there. Secret values are masked. */
  change: ValueChange;
  /** The managers that own the live field (none when the field is absent live). */
  owners: FieldOwner[];
}

interface CompareOptions {
  /** Names the Argo CD Application of the object may carry in its tracking label. */
  applicationNames?: readonly string[];
  /** An HPA scales the object. */
  scaledByHpa?: boolean;
  rules?: readonly IgnoreRule[];
}

/**
 * Compares the server's dry-run result of applying Git's object (`merged`) with the live object: both
 * normalised, so server defaults cancel out. Differences an ignore rule covers are only counted. Pure.
 */
export function compareLive(merged: K8sObject, live: K8sObject, options: CompareOptions = {}): { drifts: FieldDrift[]; suppressed: Record<string, number> } {
  const [d, l] = normalisePair(merged, live, options.applicationNames).map(masked) as [Obj, Obj];
  const context = { kind: live.kind ?? merged.kind ?? '', scaledByHpa: options.scaledByHpa ?? false };
  const drifts: FieldDrift[] = [];
  const suppressed: Record<string, number> = {};
  for (const change of diffValues(d, l)) {
    const segments = pathSegments(change.path, [d, l]);
    const rule = matchingRule(options.rules ?? DEFAULT_IGNORE_RULES, context, segments);
    if (rule) suppressed[rule.name] = (suppressed[rule.name] ?? 0) + 1;
    else
      drifts.push({
        path: change.path,
        segments,
        change: context.kind === 'Secret' ? maskedChange(change, segments) : change,
        owners: 'after' in change ? fieldOwners(live, segments) : [],
      });
  }
  return { drifts, suppressed };
}

/** Secret data shows as masked on both sides: not even the hash `masked()` compares by. */
function maskedChange(change: ValueChange, segments: readonly PathSegment[]): ValueChange {
  if (segments[0] !== 'data' && segments[0] !== 'stringData') return change;
  const both = 'before' in change && 'after' in change;
  return {
    path: change.path,
    ...('before' in change ? { before: '(masked)' } : {}),
    ...('after' in change ? { after: both ? '(masked, differs)' : '(masked)' } : {}),
  };
}
