import { diffValues, formatValueChange, type ValueChange } from '../diff/values.ts';
import type { Inventory } from '../inventory/types.ts';
import { isMap, type Values } from '../lib/values.ts';
import { APP_LABEL, CLUSTER_LABEL, ENVIRONMENT_LABEL, itemOf, type PlannedApplication, type Target } from './argocd-targets.ts';
import type { ArgoApplication, ArgoApplicationSpec } from '../argocd/types.ts';
import type { DriftItem } from './types.ts';

/** Whether Argo CD answered an Application of this name. */
type OnHub = (name: string) => boolean;

/** The spec fields Git sets on a root and drift compares: project, destination, syncPolicy, and of the source what locates it. */
function comparedSpec(spec: ArgoApplicationSpec | undefined): Values {
  const { project, destination, syncPolicy, source } = spec ?? {};
  const located = source && { repoURL: source.repoURL, path: source.path, targetRevision: source.targetRevision, directory: source.directory };
  return withoutEmpty({ project, destination, syncPolicy, source: located }, '') as Values;
}

/** Go's `omitempty` reads an empty value as absent; `syncPolicy.automated: {}` is the exception: it turns automated sync on. */
function withoutEmpty(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.length ? value : undefined;
  if (!isMap(value)) return value === null || value === '' ? undefined : value;
  const kept = Object.entries(value)
    .map(([k, v]) => [k, withoutEmpty(v, path ? `${path}.${k}` : k)] as const)
    .filter(([, v]) => v !== undefined);
  return kept.length || path === 'syncPolicy.automated' ? Object.fromEntries(kept) : undefined;
}

/** Each field Git sets on a root where Argo CD's Application differs, Git as `before`, live as `after`. Pure. */
export function rootSpecChanges(planned: ArgoApplicationSpec, live: ArgoApplicationSpec | undefined): ValueChange[] {
  return diffValues(comparedSpec(planned), comparedSpec(live), 'spec');
}

/** What puts a planned Application back as Git has it: a sync of the closest root above it on the hub, else bootstrap's `kubectl apply`. */
export function restoreAction(app: PlannedApplication, planned: PlannedApplication[], onHub: OnHub): string {
  const chain = [app];
  for (let p = planned.find((x) => x.name === app.parent); p && !chain.includes(p); p = planned.find((x) => x.name === p!.parent)) chain.push(p);
  const at = chain.findIndex((p, i) => i > 0 && onHub(p.name));
  if (at > 0) {
    const how = at === 1 ? `it applies ${app.file}` : `it brings back ${chain[at - 1]!.name}, which applies ${app.file}`;
    return `argocd app sync ${chain[at]!.name} (${how}); if that does not help, check that ${app.file} is committed on main`;
  }
  const top = chain.at(-1)!;
  const apply = `kubectl -n ${top.namespace} apply -f ${top.file}`;
  return top === app ? `apply it as bootstrap does: ${apply}` : `${apply} (${top.name} is missing too; it brings back ${app.name})`;
}

/**
 * A planned root Argo CD did not answer. Critical when nothing it syncs is on the hub either (a cluster never
 * bootstrapped: its monitoring is not deployed), a warning when what it syncs runs on without it.
 */
export function missingRootItem(target: Target, planned: PlannedApplication[], onHub: OnHub): DriftItem {
  const held = planned.filter((p) => p.parent === target.name);
  const running = held.filter((p) => onHub(p.name));
  const path = target.planned.spec.source?.path ?? '?';
  return itemOf(target, 'missing', {
    severity: running.length ? 'warning' : 'critical',
    summary: running.length
      ? `root Application ${target.name} is missing from Argo CD: ${running.length === held.length ? 'the' : `${running.length} of the`} ${held.length === 1 ? 'Application' : `${held.length} Applications`} it syncs ${running.length === 1 ? 'runs' : 'run'} on without it, but changes to ${path} are not applied`
      : `root Application ${target.name} is missing from Argo CD, and so is everything it syncs from ${path}`,
    action: restoreAction(target.planned, planned, onHub),
  });
}

/** A root on the hub whose spec differs from Git in a field Git sets. */
export function rootSpecItem(target: Target, live: ArgoApplication, planned: PlannedApplication[], onHub: OnHub): DriftItem | undefined {
  const changes = rootSpecChanges(target.planned.spec, live.spec);
  if (!changes.length) return undefined;
  const fields = changes.map((c) => c.path);
  return itemOf(target, 'spec-drift', {
    severity: 'warning',
    summary: `root Application ${target.name} differs from Git in ${fields.length > 3 ? `${fields.length} fields: ${fields.slice(0, 3).join(', ')}, …` : fields.join(', ')}`,
    details: changes.map((c) => `${formatValueChange(c)}  (Git → live)`),
    action: `if the change is not meant to stay: ${restoreAction(target.planned, planned, onHub)}; if it is, make it in the inventory and run npm run generate`,
  });
}

/** The cluster an Application of this repository was generated for, when that cluster is gone from clusters/. */
export function removedClusterOf(app: ArgoApplication, inventory: Inventory): string | undefined {
  const cluster = app.metadata.labels?.[CLUSTER_LABEL];
  return cluster !== undefined && !inventory.clusters.some((c) => c.name === cluster) ? cluster : undefined;
}

/**
 * Applications of clusters gone from clusters/ (see {@link removedClusterOf}): one info item per cluster. Nothing
 * deletes them (a root has no cascading finalizer), so the cluster's monitoring stays until they are deleted on purpose.
 */
export function removedClusterItems(applications: ArgoApplication[]): DriftItem[] {
  const byCluster = new Map<string, ArgoApplication[]>();
  for (const app of applications) {
    const cluster = app.metadata.labels?.[CLUSTER_LABEL] ?? '';
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), app]);
  }
  return [...byCluster].map(([cluster, apps]) => {
    const names = apps.map((a) => a.metadata.name).sort();
    const children = apps.filter((a) => a.metadata.labels?.[APP_LABEL]).map((a) => a.metadata.name);
    const roots = names.filter((n) => !children.includes(n));
    const environment = apps.map((a) => a.metadata.labels?.[ENVIRONMENT_LABEL]).find(Boolean);
    const steps = [
      ...(roots.length ? [`kubectl -n argocd delete application ${roots.join(' ')}`] : []),
      ...(children.length ? [`kubectl -n argocd delete application ${children.sort().join(' ')}`] : []),
    ];
    return {
      section: 'live',
      key: `live:argocd:${cluster}/-:cluster-removed`,
      kind: 'cluster-removed',
      severity: 'info',
      ...(environment ? { environment } : {}),
      cluster,
      summary: `cluster ${cluster} is gone from clusters/, but its ${names.length === 1 ? 'Application is' : `${names.length} Applications are`} still on Argo CD (${names.join(', ')}): its monitoring is kept until they are deleted`,
      action: `delete them on purpose when the cluster is gone (README: Remove a cluster): ${steps.join(', then ')}`,
    };
  });
}
