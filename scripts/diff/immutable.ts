import type { ResourceDiff } from './resources.ts';
import type { ValueChange } from './values.ts';

/** A change the API server will refuse on an existing object: Argo CD's sync would fail after merge. */
export interface BreakingChange {
  resource: string;
  reason: string;
}

const kindOf = (resourceId: string) => resourceId.split(' ')[0] ?? '';
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

function quantityBytes(q: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(String(q ?? ''));
  if (!m) return undefined;
  const unit: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };
  return Number(m[1]) * (m[2] ? unit[m[2]]! : 1);
}

/** Changes to fields Kubernetes makes immutable after creation, for one changed resource. Pure. */
export function breakingChanges(resource: string, fields: ValueChange[]): BreakingChange[] {
  const kind = kindOf(resource);
  const out: BreakingChange[] = [];
  const changed = (prefix: string) => fields.filter((f) => f.path === prefix || f.path.startsWith(`${prefix}.`) || f.path.startsWith(`${prefix}[`));
  if (kind === 'PersistentVolumeClaim') {
    for (const f of changed('spec')) {
      if (f.path === 'spec.resources.requests.storage') {
        const [before, after] = [quantityBytes(f.before), quantityBytes(f.after)];
        if (before !== undefined && after !== undefined && after < before)
          out.push({ resource, reason: `a PersistentVolumeClaim cannot shrink (${String(f.before)} → ${String(f.after)})` });
      } else
        out.push({
          resource,
          reason: `${f.path} is immutable on an existing PersistentVolumeClaim: the sync will fail until the claim (and its data) is replaced`,
        });
    }
  }
  if (WORKLOADS.has(kind) && changed('spec.selector').length)
    out.push({ resource, reason: `spec.selector is immutable on an existing ${kind}: the sync will fail until the object is deleted and recreated` });
  if (kind === 'StatefulSet') {
    for (const prefix of ['spec.volumeClaimTemplates', 'spec.serviceName', 'spec.podManagementPolicy']) {
      if (changed(prefix).length) out.push({ resource, reason: `${prefix} is immutable on an existing StatefulSet: the sync will fail until it is recreated` });
    }
  }
  if (kind === 'Service' && changed('spec.clusterIP').length) out.push({ resource, reason: 'spec.clusterIP is immutable on an existing Service' });
  return out;
}

/**
 * Claims the head no longer renders while it adds a StatefulSet (Prometheus switched to `server.statefulSet`):
 * Argo CD keeps the old claim (Delete=false,Prune=false) but nothing mounts it any more, and the StatefulSet
 * starts on a new, empty claim from its volumeClaimTemplates. The sync succeeds; the history stays behind. Pure.
 */
export function volumesLeftBehind(resources: ResourceDiff): BreakingChange[] {
  const statefulSets = resources.added.filter((id) => kindOf(id) === 'StatefulSet');
  if (!statefulSets.length) return [];
  return resources.removed
    .filter((id) => kindOf(id) === 'PersistentVolumeClaim')
    .map((resource) => ({
      resource,
      reason: `no longer rendered: Argo CD keeps the claim and its data, but nothing mounts it; ${statefulSets.join(', ')} starts on a new, empty claim from its volumeClaimTemplates (copy the data over before merging, or keep the Deployment)`,
    }));
}
