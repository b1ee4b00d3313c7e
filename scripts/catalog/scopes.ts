import { isRecord } from './schema.ts';

/** Whether objects of a kind live in a namespace, by `apiVersion/Kind` (`apps/v1/Deployment`, `v1/Namespace`). */
export type KindScopes = Record<string, 'Namespaced' | 'Cluster'>;

/** File of the scopes in a catalog folder, next to the schemas. */
export const SCOPES_FILE = 'scopes.json';

/**
 * Reads each kind's scope off the OpenAPI paths: a kind is namespaced when one of its operations sits
 * under `/namespaces/{namespace}/`. Pure.
 */
export function kindScopes(document: unknown): KindScopes {
  const scopes: KindScopes = {};
  const paths = isRecord(document) && isRecord(document.paths) ? document.paths : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isRecord(item)) continue;
    for (const operation of Object.values(item)) {
      const gvk = isRecord(operation) ? operation['x-kubernetes-group-version-kind'] : undefined;
      if (!isRecord(gvk) || typeof gvk.kind !== 'string') continue;
      const key = `${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`;
      if (path.includes('/namespaces/{namespace}/')) scopes[key] = 'Namespaced';
      else scopes[key] ??= 'Cluster';
    }
  }
  return scopes;
}

/** Scopes declared by CustomResourceDefinitions among `objects`. Pure. */
export function crdScopes(objects: unknown[]): KindScopes {
  const scopes: KindScopes = {};
  for (const o of objects) {
    if (!isRecord(o) || o.kind !== 'CustomResourceDefinition' || !isRecord(o.spec)) continue;
    const { group, scope, names, versions } = o.spec as { group?: string; scope?: string; names?: { kind?: string }; versions?: { name?: string }[] };
    for (const v of Array.isArray(versions) ? versions : []) scopes[`${group}/${v?.name}/${names?.kind}`] = scope === 'Cluster' ? 'Cluster' : 'Namespaced';
  }
  return scopes;
}
