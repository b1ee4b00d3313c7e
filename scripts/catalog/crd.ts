import { constrainGvk, isRecord, SCHEMA_DRAFT, tightenSchema, type ConvertOptions, type GroupVersionKind, type JsonSchema, type SchemaFile } from './schema.ts';

/** kubeconform `-schema-location` template (relative part) for schemas written by {@link crdSchemas}. */
export const CRD_FILE_TEMPLATE = '{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json';

/** Whether `value` is an apiextensions.k8s.io/v1 CustomResourceDefinition (the only version 1.22+ serves). */
function isCrd(value: unknown): value is JsonSchema {
  return isRecord(value) && value.apiVersion === 'apiextensions.k8s.io/v1' && value.kind === 'CustomResourceDefinition';
}

/**
 * The schemas of a CustomResourceDefinition, one per served version that has a schema, at
 * `<group>/<kind>_<version>.json`. Nothing for anything that is not a v1 CRD.
 */
export function crdSchemas(crd: unknown, options: ConvertOptions): SchemaFile[] {
  if (!isCrd(crd) || !isRecord(crd.spec) || !isRecord(crd.spec.names)) return [];
  const { group, names, versions } = crd.spec;
  if (typeof group !== 'string' || typeof names.kind !== 'string' || !Array.isArray(versions)) return [];
  const files: SchemaFile[] = [];
  for (const version of versions) {
    if (!isRecord(version) || typeof version.name !== 'string' || version.served === false) continue;
    const root = isRecord(version.schema) ? version.schema.openAPIV3Schema : undefined;
    if (!isRecord(root)) continue;
    const gvk = { group, version: version.name, kind: names.kind };
    files.push({ path: crdFileName(gvk), schema: convertCrdSchema(root, gvk, options) });
  }
  return files;
}

/** `<group>/<kind lower-case>_<version>.json`, as {@link CRD_FILE_TEMPLATE} resolves it. */
export function crdFileName(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.kind.toLowerCase()}_${gvk.version}.json`;
}

/** One version's openAPIV3Schema as a standalone kubeconform schema. */
function convertCrdSchema(root: JsonSchema, gvk: GroupVersionKind, options: ConvertOptions): JsonSchema {
  const tight = constrainGvk(tightenSchema(withEmbeddedResources(root), options), gvk);
  const properties = tight.properties as JsonSchema;
  // The API server checks metadata as ObjectMeta whatever the CRD says; a CRD may only narrow it (name length).
  const metadata = isRecord(root.properties) && isRecord(root.properties.metadata) ? root.properties.metadata : {};
  const { additionalProperties: _closed, ...openMetadata } = metadata;
  return { $schema: SCHEMA_DRAFT, ...tight, properties: { ...properties, metadata: { ...openMetadata, type: 'object' } } };
}

/**
 * Embedded resources (`x-kubernetes-embedded-resource`) always accept apiVersion, kind and metadata,
 * even when their schema lists other properties only.
 */
function withEmbeddedResources(node: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...node };
  if (isRecord(node.properties)) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, isRecord(v) ? withEmbeddedResources(v) : v]));
    if (node['x-kubernetes-embedded-resource'] === true) {
      out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(out.properties as JsonSchema) };
    }
  }
  if (isRecord(node.items)) out.items = withEmbeddedResources(node.items);
  if (isRecord(node.additionalProperties)) out.additionalProperties = withEmbeddedResources(node.additionalProperties);
  return out;
}
