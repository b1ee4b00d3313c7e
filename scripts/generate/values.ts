import { appSpec, CATALOG_FILE, type AppName } from '../inventory/app-catalog.ts';
import { contentValues, contributedValues, inventoryValues, schedulingValues } from '../inventory/app-values.ts';
import type { Cluster, Environment, Inventory, Scheduling, Values } from '../inventory/types.ts';
import { mergeValues } from '../lib/merge.ts';

/** One values layer, named by where it comes from so diffs and messages can say it. */
export interface ValuesLayer {
  source: string;
  values: Values;
  /** The hand-written file the layer is read from, and where in it the values sit; absent for derived layers. */
  file?: string;
  at?: string[];
}

/**
 * The layers of one cluster's app, lowest first: base → what other enabled apps contribute → release values (promoted)
 * → environment → inventory fields → cluster values. app-catalog.yaml says what each derived layer holds.
 */
export function valuesLayers(inventory: Inventory, env: Environment, cluster: Cluster, app: AppName): ValuesLayer[] {
  const spec = appSpec(app);
  return [
    baseLayer(inventory, app),
    { source: `base/${app} (rules, dashboards)`, values: contentValues(spec, inventory, cluster) },
    ...contributedValues(spec, cluster).map(({ from, values }) => ({ source: `${CATALOG_FILE} (${from.name} contributes to ${app})`, values })),
    pinsLayer(env, app),
    environmentLayer(env, app),
    { source: `${cluster.file} (domain, storageClass)`, values: inventoryValues(spec, cluster) },
    { source: `fleet.yaml scheduling.${env.name} and ${cluster.file} scheduling`, values: schedulingLayer(app, effectiveScheduling(inventory, cluster)) },
    clusterLayer(cluster, app),
  ];
}

/** The layers read from hand-written files, in the same order; the others derive from the inventory and app-catalog.yaml. */
export function handWrittenLayers(inventory: Inventory, env: Environment, cluster: Cluster, app: AppName): ValuesLayer[] {
  return [baseLayer(inventory, app), pinsLayer(env, app), environmentLayer(env, app), clusterLayer(cluster, app)];
}

const baseLayer = (inventory: Inventory, app: AppName): ValuesLayer => ({
  source: `base/${app}/values.yaml`,
  values: inventory.base.values[app] ?? {},
  file: `base/${app}/values.yaml`,
  at: [],
});

const pinsLayer = (env: Environment, app: AppName): ValuesLayer => ({
  source: `overlays/${env.name}/pins.yaml (${app}.values, promoted)`,
  values: env.pins[app]?.values ?? {},
  file: `overlays/${env.name}/pins.yaml`,
  at: [app, 'values'],
});

const environmentLayer = (env: Environment, app: AppName): ValuesLayer => ({
  source: `overlays/${env.name}/${app}.values.yaml`,
  values: env.values[app] ?? {},
  file: `overlays/${env.name}/${app}.values.yaml`,
  at: [],
});

const clusterLayer = (cluster: Cluster, app: AppName): ValuesLayer => ({
  source: `${cluster.file} (apps.${app}.values)`,
  values: cluster.apps[app]?.values ?? {},
  file: cluster.file,
  at: ['apps', app, 'values'],
});

/** The environment's scheduling refined by the cluster's: node labels merged, tolerations and affinity replaced. Pure. */
export function effectiveScheduling(inventory: Inventory, cluster: Cluster): Scheduling {
  const env = inventory.fleet.scheduling?.[cluster.environment] ?? {};
  const own = cluster.scheduling ?? {};
  const nodeSelector = { ...env.nodeSelector, ...own.nodeSelector };
  const tolerations = own.tolerations ?? env.tolerations;
  const affinity = own.affinity ?? env.affinity;
  return { ...(Object.keys(nodeSelector).length ? { nodeSelector } : {}), ...(tolerations ? { tolerations } : {}), ...(affinity ? { affinity } : {}) };
}

/** Nothing at all when nothing is scheduled, so an unscheduled cluster's values stay as they were. */
const schedulingLayer = (app: AppName, scheduling: Scheduling): Values => (Object.keys(scheduling).length ? schedulingValues(appSpec(app), scheduling) : {});

/** The merged values handed to the chart: chart defaults come last, inside Helm. */
export function mergedValues(inventory: Inventory, env: Environment, cluster: Cluster, app: AppName): Values {
  return mergeValues(...valuesLayers(inventory, env, cluster, app).map((l) => l.values));
}
