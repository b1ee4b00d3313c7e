import type { AppName } from '../inventory/app-catalog.ts';
import type { ChartPin, Inventory, Values } from '../inventory/types.ts';
import { planGenerate } from '../generate/plan.ts';
import { mergedValues } from '../generate/values.ts';
import { leafSpecs } from './leaves.ts';
import type { MirrorMap } from '../inventory/mirrors.ts';
import { parseObjects, renderLeaves, type RenderTools } from './render.ts';
import type { K8sObject } from '../lib/k8s.ts';

/** One app of one cluster as a side of the diff sees it. */
export interface AppState {
  pin: ChartPin;
  values: Values;
  objects: K8sObject[];
  renderError?: string;
}

export interface ClusterState {
  name: string;
  environment: string;
  apps: Partial<Record<AppName, AppState>>;
  /** The cluster's generated Argo CD objects (root, project, children). */
  argo: K8sObject[];
}

/** Everything a diff compares: the selected clusters of one side, rendered. */
export interface FleetState {
  environments: string[];
  clusters: Map<string, ClusterState>;
}

/** Renders the selected clusters of an inventory into the state a diff compares (renders come from the cache when they can). */
export async function renderFleetState(
  inventory: Inventory,
  clusters: Set<string>,
  tools: RenderTools,
  mirrors: MirrorMap,
  progress: (line: string) => void = () => {},
): Promise<FleetState> {
  // Clusters plan independently: planning only the selected ones keeps a one-cluster diff of a large fleet fast.
  const selected = inventory.clusters.filter((c) => clusters.has(c.name));
  const plan = planGenerate({ ...inventory, clusters: selected });
  const rendered = await renderLeaves(leafSpecs(inventory, plan, selected), mirrors, tools, progress);
  const state: FleetState = { environments: inventory.fleet.environments, clusters: new Map() };
  for (const cluster of selected) {
    const argo = plan.filter((f) => f.path.startsWith(`apps/${cluster.name}/`)).flatMap((f) => parseObjects(f.content));
    const entry: ClusterState = { name: cluster.name, environment: cluster.environment, apps: {}, argo };
    const env = inventory.environments.find((e) => e.name === cluster.environment)!;
    for (const r of rendered.filter((x) => x.leaf.cluster.name === cluster.name)) {
      const app: AppName = r.leaf.app;
      entry.apps[app] = {
        pin: r.leaf.pin,
        values: mergedValues(inventory, env, cluster, app),
        objects: r.objects,
        ...(r.error ? { renderError: r.error } : {}),
      };
    }
    state.clusters.set(cluster.name, entry);
  }
  return state;
}
