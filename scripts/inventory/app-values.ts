import { mergeValues } from '../lib/merge.ts';
import type { Values } from '../lib/values.ts';
import { appCatalog, appNames, contributionsTo } from './app-catalog.ts';
import type { AppName, AppSpec } from './app-catalog-types.ts';
import { atPath, renderValues, type TemplateContext } from './app-templates.ts';
import type { Cluster, Inventory, Scheduling } from './types.ts';

/** The apps a cluster runs, in sync-wave order. */
export const enabledApps = (cluster: Cluster): AppName[] => appNames().filter((app) => cluster.apps[app]?.enabled);

const context = (spec: AppSpec, cluster: Cluster): TemplateContext => ({ cluster, app: { name: spec.name, releaseName: spec.releaseName } });

/** Values implied by the cluster's inventory fields (storage class, hosts, labels): clusterValues, then whenGateway or whenIngress. */
export function inventoryValues(spec: AppSpec, cluster: Cluster): Values {
  const exposure = cluster.gateway ? spec.whenGateway : spec.whenIngress;
  return mergeValues(renderValues(spec.clusterValues, context(spec, cluster)), renderValues(exposure, context(spec, cluster)));
}

/** The scheduling as each of the chart's workloads takes it: a copy at every path of the entry's scheduling. */
export function schedulingValues(spec: AppSpec, scheduling: Scheduling): Values {
  return mergeValues(...spec.scheduling.map((path) => atPath(path, { ...scheduling })));
}

/**
 * Values built from shared content: an app that loads rules gets {groups} at its rules path, its own rule files'
 * groups first, then those of each enabled app that contributes its rules to it.
 */
export function contentValues(spec: AppSpec, inventory: Inventory, cluster: Cluster): Values {
  if (!spec.rules) return {};
  const from = [spec.name, ...contributionsTo(spec.name, enabledApps(cluster)).flatMap((x) => (x.contribution.rules ? [x.from.name] : []))];
  const groups = from.flatMap((app) => inventory.base.rules.filter((r) => r.app === app).flatMap((r) => r.groups));
  return atPath(spec.rules, { groups });
}

/** What other enabled apps add to this app's values on this cluster (each contribution's values, with its app's placeholders). */
export function contributedValues(spec: AppSpec, cluster: Cluster): { from: AppSpec; values: Values }[] {
  return contributionsTo(spec.name, enabledApps(cluster))
    .filter((x) => Object.keys(x.contribution.values).length)
    .map(({ from, contribution }) => ({ from, values: renderValues(contribution.values, context(from, cluster)) }));
}

/** base/<app> folders whose content (rules) reaches this app's leaf on this cluster, beyond its own. */
export function contributingFolders(spec: AppSpec, cluster: Cluster): string[] {
  return contributionsTo(spec.name, enabledApps(cluster)).flatMap((x) => (x.contribution.rules ? [x.from.folder] : []));
}

/** The apps a cluster file leaves out that run anyway (enabledByDefault). */
export const defaultApps = (): AppName[] =>
  appCatalog()
    .apps.filter((a) => a.enabledByDefault)
    .map((a) => a.name);
