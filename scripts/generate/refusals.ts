import type { InventorySources } from '../inventory/types.ts';
import type { Cluster, Inventory, Values } from '../inventory/types.ts';
import type { Finding } from '../lib/findings.ts';
import { NOTHING_KNOWN, scanSecrets, type KnownFiles } from '../inventory/parse-memo.ts';
import { enabledApps } from '../inventory/app-values.ts';
import { handWrittenLayers } from './values.ts';

/** Values keys with which a chart puts objects in another namespace than the Application's destination. */
const NAMESPACE_KEYS = new Set(['namespaceOverride', 'forceNamespace']);

/**
 * Why generate must not write this inventory even though it parsed: a secret would be copied into the
 * generated tree, or a chart would be sent outside the AppProject's namespace. Pure.
 */
export function generateRefusals(inventory: Inventory, sources: InventorySources, known: KnownFiles = NOTHING_KNOWN): Finding[] {
  const secrets = scanSecrets(sources, known).map((f) => ({
    ...f,
    message: `${f.message}; generate would copy it into the generated tree`,
  }));
  // Base and environment layers are shared by thousands of clusters: each values tree is walked once.
  const walked = new WeakMap<Values, ReturnType<typeof namespaceKeys>>();
  const keysOf = (values: Values) => walked.get(values) ?? walked.set(values, namespaceKeys(values)).get(values)!;
  return [...secrets, ...inventory.clusters.flatMap((c) => namespaceOverrides(inventory, c, keysOf))];
}

/** Namespace keys in the layers people write (the derived ones come from the inventory's fields and app-catalog.yaml). */
function namespaceOverrides(inventory: Inventory, cluster: Cluster, keysOf: (values: Values) => { path: string[]; value: unknown }[]): Finding[] {
  const env = inventory.environments.find((e) => e.name === cluster.environment)!;
  return enabledApps(cluster).flatMap((app) =>
    handWrittenLayers(inventory, env, cluster, app).flatMap((layer) =>
      keysOf(layer.values)
        .filter(({ value }) => value !== cluster.destination.namespace)
        .map(({ path, value }) => ({
          file: layer.source.split(' ')[0]!,
          cluster: cluster.name,
          app,
          message: `${app} values ${path.join('.')}: ${JSON.stringify(value)} would put objects outside the destination namespace '${cluster.destination.namespace}' (the AppProject allows only that one)`,
          hint: `remove ${path.at(-1)}: every object of ${enabledApps(cluster).join(' and ')} goes to destination.namespace; to move the stack, change destination.namespace in ${cluster.file}`,
        })),
    ),
  );
}

/** Every non-empty namespaceOverride-like key in a values tree, with its path. */
function namespaceKeys(values: Values, path: string[] = []): { path: string[]; value: unknown }[] {
  return Object.entries(values).flatMap(([key, value]) => {
    if (NAMESPACE_KEYS.has(key) && value !== null && value !== '' && value !== undefined) return [{ path: [...path, key], value }];
    return value && typeof value === 'object' && !Array.isArray(value) ? namespaceKeys(value as Values, [...path, key]) : [];
  });
}
