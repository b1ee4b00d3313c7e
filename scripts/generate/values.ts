import type { AppName } from '../inventory/apps.ts';
import type { Cluster, Environment, Inventory, Values } from '../inventory/types.ts';
import { mergeValues } from '../lib/merge.ts';
import { APP_SPECS } from './app-specs.ts';

/** One values layer, named by where it comes from so diffs and messages can say it. */
export interface ValuesLayer {
  source: string;
  values: Values;
  /** The hand-written file the layer is read from, and where in it the values sit; absent for derived layers. */
  file?: string;
  at?: string[];
}

/** The layers of one cluster's app, lowest first: base → release values (promoted) → environment → inventory fields → cluster values. */
export function valuesLayers(inventory: Inventory, env: Environment, cluster: Cluster, app: AppName): ValuesLayer[] {
  const spec = APP_SPECS[app];
  return [
    { source: `base/${app}/values.yaml`, values: inventory.base.values[app] ?? {}, file: `base/${app}/values.yaml`, at: [] },
    { source: `base/${app} (rules, dashboards)`, values: spec.contentValues(inventory) },
    { source: `overlays/${env.name}/pins.yaml (${app}.values, promoted)`, values: env.pins[app]?.values ?? {}, file: `overlays/${env.name}/pins.yaml`, at: [app, 'values'] },
    { source: `overlays/${env.name}/${app}.values.yaml`, values: env.values[app] ?? {}, file: `overlays/${env.name}/${app}.values.yaml`, at: [] },
    { source: `${cluster.file} (domain, storageClass)`, values: spec.inventoryValues(cluster) },
    { source: `${cluster.file} (apps.${app}.values)`, values: cluster.apps[app]?.values ?? {}, file: cluster.file, at: ['apps', app, 'values'] },
  ];
}

/** The merged values handed to the chart: chart defaults come last, inside Helm. */
export function mergedValues(inventory: Inventory, env: Environment, cluster: Cluster, app: AppName): Values {
  return mergeValues(...valuesLayers(inventory, env, cluster, app).map((l) => l.values));
}
