import type { AppName } from '../inventory/app-catalog.ts';
import { appNames } from '../inventory/app-catalog.ts';
import type { Values } from '../inventory/types.ts';
import type { K8sObject } from '../lib/k8s.ts';
import type { AppState, ClusterState, FleetState } from '../render/fleet-state.ts';
import { diffResources, isEmptyDiff, maskSecretsDeep, type ResourceDiff } from './resources.ts';
import { diffValues, type ValueChange } from './values.ts';
import { breakingChanges, type BreakingChange, volumesLeftBehind } from './immutable.ts';

export interface AppDiff {
  app: AppName;
  status: 'added' | 'removed' | 'changed';
  version?: { from?: string; to?: string };
  values: ValueChange[];
  resources: ResourceDiff;
  /** Changes the API server refuses on existing objects: merging them breaks the sync. */
  breaking: BreakingChange[];
  /** Volumes whose data the new render no longer mounts (kept, but left behind). */
  leftBehind: BreakingChange[];
}

export interface ClusterDiff {
  cluster: string;
  environment: string;
  status: 'added' | 'removed' | 'changed';
  apps: AppDiff[];
  argo: ResourceDiff;
}

/** Clusters with exactly the same change (cluster names aside): a fleet-wide change reads as one entry. */
export interface ChangeGroup {
  clusters: string[];
  environments: string[];
  /** The change as the first cluster of the group sees it. */
  example: ClusterDiff;
}

export interface FleetDiff {
  environments: string[];
  changed: ClusterDiff[];
  groups: ChangeGroup[];
  unchanged: string[];
}

/** Fields that only echo other changes (pods roll because a ConfigMap changed): left out of resource diffs. */
function withoutNoise(o: K8sObject): K8sObject {
  const strip = (annotations: unknown) =>
    annotations && typeof annotations === 'object' ? Object.fromEntries(Object.entries(annotations).filter(([k]) => !k.startsWith('checksum/'))) : annotations;
  const copy = structuredClone(o) as { metadata?: { annotations?: unknown }; spec?: { template?: { metadata?: { annotations?: unknown } } } };
  if (copy.metadata?.annotations) copy.metadata.annotations = strip(copy.metadata.annotations);
  if (copy.spec?.template?.metadata?.annotations) copy.spec.template.metadata.annotations = strip(copy.spec.template.metadata.annotations);
  return copy as K8sObject;
}

function diffApp(app: AppName, base: AppState | undefined, head: AppState | undefined): AppDiff | undefined {
  const resources = diffResources((base?.objects ?? []).map(withoutNoise), (head?.objects ?? []).map(withoutNoise));
  const values = diffValues(maskSecretsDeep(base?.values ?? {}) as Values, maskSecretsDeep(head?.values ?? {}) as Values);
  const version = base?.pin.version !== head?.pin.version ? { from: base?.pin.version, to: head?.pin.version } : undefined;
  if (isEmptyDiff(resources) && !values.length && !version) return undefined;
  const breaking = base && head ? resources.changed.flatMap((c) => breakingChanges(c.id, c.fields)) : [];
  const leftBehind = base && head ? volumesLeftBehind(resources) : [];
  return { app, status: !base ? 'added' : !head ? 'removed' : 'changed', ...(version ? { version } : {}), values, resources, breaking, leftBehind };
}

function diffCluster(name: string, base: ClusterState | undefined, head: ClusterState | undefined): ClusterDiff | undefined {
  const apps = appNames().flatMap((app) => diffApp(app, base?.apps[app], head?.apps[app]) ?? []);
  const argo = diffResources(base?.argo ?? [], head?.argo ?? []);
  if (!apps.length && isEmptyDiff(argo)) return undefined;
  return { cluster: name, environment: (head ?? base)!.environment, status: !base ? 'added' : !head ? 'removed' : 'changed', apps, argo };
}

/** What differs between two rendered states of the fleet, per cluster and app, grouped across clusters. Pure. */
export function diffFleet(base: FleetState, head: FleetState): FleetDiff {
  const names = [...new Set([...base.clusters.keys(), ...head.clusters.keys()])].sort();
  const changed: ClusterDiff[] = [];
  const unchanged: string[] = [];
  for (const name of names) {
    const diff = diffCluster(name, base.clusters.get(name), head.clusters.get(name));
    if (diff) changed.push(diff);
    else unchanged.push(name);
  }
  return { environments: head.environments, changed, groups: groupChanges(changed), unchanged };
}

/** The change with the cluster's own name replaced, so the same change on two clusters compares equal. */
const signature = (d: ClusterDiff) =>
  JSON.stringify({ ...d, cluster: '', environment: '' })
    .split(d.cluster)
    .join('<cluster>');

/** Shards' diffs (each over its own clusters) as one diff of the whole change. Pure. */
export function mergeFleetDiffs(diffs: FleetDiff[]): FleetDiff {
  const changed = diffs.flatMap((d) => d.changed).sort((a, b) => (a.cluster < b.cluster ? -1 : 1));
  return { environments: diffs[0]?.environments ?? [], changed, groups: groupChanges(changed), unchanged: diffs.flatMap((d) => d.unchanged).sort() };
}

function groupChanges(changed: ClusterDiff[]): ChangeGroup[] {
  const groups = new Map<string, ChangeGroup>();
  for (const d of changed) {
    const key = signature(d);
    const group = groups.get(key);
    if (group) {
      group.clusters.push(d.cluster);
      if (!group.environments.includes(d.environment)) group.environments.push(d.environment);
    } else groups.set(key, { clusters: [d.cluster], environments: [d.environment], example: d });
  }
  return [...groups.values()];
}
