import { inlineRefs } from './inline.ts';
import { constrainGvk, isRecord, SCHEMA_DRAFT, tightenSchema, type ConvertOptions, type GroupVersionKind, type JsonSchema, type SchemaFile } from './schema.ts';

/** Quantities are strings in the spec, but `cpu: 1` is accepted by the API server, so numbers are too. */
const QUANTITY: JsonSchema = { oneOf: [{ type: 'string' }, { type: 'number' }] };

/**
 * Converts a Kubernetes OpenAPI v2 document into kubeconform's standalone layout (as openapi2jsonschema
 * builds yannh/kubernetes-json-schema): one self-contained schema per group/version/kind, named
 * `<kind><KindSuffix>.json`. A definition listing several kinds (DeleteOptions) gets one file per kind.
 * Two kinds with the same file name (groups sharing their first label) keep the first by definition name.
 */
export function convertOpenApi(document: unknown /* swagger.json or /openapi/v2 */, options: ConvertOptions): SchemaFile[] {
  const definitions = readDefinitions(document);
  const files = new Map<string, SchemaFile>();
  for (const name of Object.keys(definitions).sort()) {
    const gvks = readGvks(definitions[name]);
    if (gvks.length === 0) continue;
    const inlined = inlineRefs({ $ref: `#/definitions/${name}` }, definitions, overrideDefinition);
    const { 'x-kubernetes-group-version-kind': _gvks, ...body } = tightenSchema(inlined, options);
    for (const gvk of gvks) {
      const path = schemaFileName(gvk);
      if (!files.has(path)) files.set(path, { path, schema: { $schema: SCHEMA_DRAFT, ...constrainGvk(body, gvk) } });
    }
  }
  return [...files.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** kubeconform's `{{.KindSuffix}}`: `-<first label of the group>-<version>`, or `-<version>` for the core group. */
export function kindSuffix(group: string, version: string): string {
  return `${(group ? `-${group.split('.')[0]}` : '').toLowerCase()}-${version.toLowerCase()}`;
}

/** The file kubeconform's default template looks for: `deployment-apps-v1.json`, `service-v1.json`. */
export function schemaFileName(gvk: GroupVersionKind): string {
  return `${gvk.kind.toLowerCase()}${kindSuffix(gvk.group, gvk.version)}.json`;
}

function readDefinitions(document: unknown): Record<string, JsonSchema> {
  if (!isRecord(document) || !isRecord(document.definitions)) {
    throw new Error('not an OpenAPI v2 document: it has no "definitions" (expected swagger.json or a cluster\'s /openapi/v2)');
  }
  return document.definitions as Record<string, JsonSchema>;
}

function readGvks(definition: JsonSchema | undefined): GroupVersionKind[] {
  const list = definition?.['x-kubernetes-group-version-kind'];
  if (!Array.isArray(list)) return [];
  return list.filter(
    (g): g is GroupVersionKind => isRecord(g) && typeof g.group === 'string' && typeof g.version === 'string' && typeof g.kind === 'string' && g.kind !== '',
  );
}

function overrideDefinition(name: string, definition: JsonSchema): JsonSchema {
  if (!name.endsWith('.api.resource.Quantity')) return definition;
  const description = typeof definition.description === 'string' ? { description: definition.description } : {};
  return { ...description, ...QUANTITY };
}
