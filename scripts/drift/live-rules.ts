/** One step of a field path: a map key or a list index. */
export type PathSegment = string | number;

/**
 * A known source of noise in live drift: differences at or below `path` of matching objects are not
 * reported, only counted (under `name`) in the section's `suppressed`.
 */
export interface IgnoreRule {
  /** Counted under this name in `suppressed`. */
  name: string;
  /** Kinds it applies to; every kind when absent. */
  kinds?: string[];
  /** Field path as segments, `'*'` for any key or list index; a difference at or below it matches. */
  path: string[];
  /** Only objects a HorizontalPodAutoscaler scales (its `scaleTargetRef` names them). */
  onlyScaledByHpa?: boolean;
}

/** What an ignore rule may look at besides the path. */
interface RuleContext {
  kind: string;
  /** An HPA in the object's namespace targets it. */
  scaledByHpa: boolean;
}

/** Noise every cluster has: controllers and operators own these fields, not Git. */
export const DEFAULT_IGNORE_RULES: readonly IgnoreRule[] = [
  { name: 'hpa-replicas', kinds: ['Deployment', 'StatefulSet'], path: ['spec', 'replicas'], onlyScaledByHpa: true },
  { name: 'webhook-ca-bundle', kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], path: ['webhooks', '*', 'clientConfig', 'caBundle'] },
  { name: 'deployment-revision', path: ['metadata', 'annotations', 'deployment.kubernetes.io/revision'] },
];

/** The first rule that covers a difference at `segments`, if any. Pure. */
export function matchingRule(rules: readonly IgnoreRule[], context: RuleContext, segments: readonly PathSegment[]): IgnoreRule | undefined {
  return rules.find(
    (rule) =>
      (!rule.kinds || rule.kinds.includes(context.kind)) &&
      (!rule.onlyScaledByHpa || context.scaledByHpa) &&
      rule.path.length <= segments.length &&
      rule.path.every((step, i) => step === '*' || step === String(segments[i])),
  );
}

/** A HorizontalPodAutoscaler as far as targeting goes. */
export interface HpaLike {
  metadata?: { namespace?: string };
  spec?: { scaleTargetRef?: { kind?: string; name?: string } };
}

/** `Kind namespace/name` of every object the HPAs scale (the form of `resourceId`). Pure. */
export function hpaTargets(hpas: readonly HpaLike[]): Set<string> {
  const targets = new Set<string>();
  for (const hpa of hpas) {
    const ref = hpa.spec?.scaleTargetRef;
    if (ref?.kind && ref.name) targets.add(`${ref.kind} ${hpa.metadata?.namespace ? `${hpa.metadata.namespace}/` : ''}${ref.name}`);
  }
  return targets;
}
