import type { K8sObject } from '../lib/k8s.ts';
import { KubeApiError, type KubeClient } from './client.ts';

/** A Pod Security Standard level (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** The namespace label that overrides the cluster's default enforce level, e.g. `privileged` for node-exporter. */
export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/**
 * kube-apiserver's `--admission-control-config-file`: PodSecurity admission enforces `level` in every
 * namespace whose labels do not say otherwise, and warns at the same level, so that applying a workload
 * whose pods will be refused (a DaemonSet is admitted, only its pods are not) says so at once. Audit
 * follows too, for an audit policy added later. No exemptions: nothing the toolkit starts runs pods in
 * kube-system.
 */
export function admissionConfiguration(level: PodSecurityLevel) {
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AdmissionConfiguration',
    plugins: [
      {
        name: 'PodSecurity',
        configuration: {
          apiVersion: 'pod-security.admission.config.k8s.io/v1',
          kind: 'PodSecurityConfiguration',
          defaults: {
            enforce: level,
            'enforce-version': 'latest',
            audit: level,
            'audit-version': 'latest',
            warn: level,
            'warn-version': 'latest',
          },
          exemptions: { usernames: [], runtimeClasses: [], namespaces: [] },
        },
      },
    ],
  };
}

/** What PodSecurity admission says of a pod in a namespace. */
export type PodAdmission =
  | { admitted: true }
  | {
      admitted: false;
      /** The level and version the namespace enforces, e.g. `baseline:latest`. */
      policy: string;
      /** One entry per failed check, e.g. `host namespaces (hostNetwork=true, hostPID=true)`. */
      violations: string[];
      /** The API server's message, unchanged. */
      message: string;
    };

/**
 * Whether PodSecurity admission in `namespace` admits a pod with `spec`: a server-side dry-run create
 * (nothing is persisted). A refusal by PodSecurity is an answer; any other failure throws as it came
 * (a KubeApiError naming the request: no such namespace, an invalid spec), since it says nothing about Pod Security.
 */
export async function checkPodAdmission(client: KubeClient, namespace: string, spec: Record<string, unknown>): Promise<PodAdmission> {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: '', generateName: 'pod-security-check-', namespace }, spec };
  try {
    await client.create(pod, { dryRun: true });
    return { admitted: true };
  } catch (err) {
    const refusal = err instanceof KubeApiError && err.code === 403 ? parsePodSecurityRefusal(err.apiMessage) : undefined;
    if (refusal) return { admitted: false, ...refusal };
    throw err;
  }
}

/** Reads PodSecurity's refusal message (`… violates PodSecurity "baseline:latest": a (x, y), b (z)`); undefined for other messages. */
export function parsePodSecurityRefusal(message: string): { policy: string; violations: string[]; message: string } | undefined {
  const match = /violates PodSecurity "([^"]+)": (.*)$/s.exec(message);
  if (!match) return undefined;
  return { policy: match[1]!, violations: splitTopLevel(match[2]!), message };
}

/** Splits at `, ` outside parentheses and quotes (the details inside a violation hold commas too). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === ',' && text[i + 1] === ' ') {
      parts.push(text.slice(start, i));
      start = i + 2;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

type Spec = Record<string, unknown>;

/**
 * The pod spec a workload's controller would create pods from (Pod, Deployment, ReplicaSet, StatefulSet,
 * DaemonSet, Job, CronJob), or undefined for other kinds. A StatefulSet's claim templates become the
 * volumes its controller adds, so that the spec is valid as a Pod.
 */
export function podSpecOf(object: K8sObject): Spec | undefined {
  const spec = object.spec as Spec | undefined;
  if (!spec) return undefined;
  const template = (t: unknown) => (t as { spec?: Spec } | undefined)?.spec;
  switch (object.kind) {
    case 'Pod':
      return spec;
    case 'Deployment':
    case 'ReplicaSet':
    case 'DaemonSet':
    case 'Job':
      return template(spec.template);
    case 'CronJob':
      return template((spec.jobTemplate as { spec?: Spec } | undefined)?.spec?.template);
    case 'StatefulSet':
      return withClaimVolumes(template(spec.template), spec.volumeClaimTemplates, object.metadata?.name ?? '');
    default:
      return undefined;
  }
}

function withClaimVolumes(spec: Spec | undefined, claims: unknown, owner: string): Spec | undefined {
  if (!spec || !Array.isArray(claims) || !claims.length) return spec;
  const names = claims.map((c) => (c as { metadata?: { name?: string } }).metadata?.name ?? '');
  const volumes = names.map((name) => ({ name, persistentVolumeClaim: { claimName: `${name}-${owner}-0` } }));
  return { ...spec, volumes: [...((spec.volumes as unknown[] | undefined) ?? []), ...volumes] };
}
