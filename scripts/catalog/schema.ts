/** A JSON Schema (draft-04, as kubeconform compiles it) or an OpenAPI schema object, as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

/** One schema of a catalog: where it goes (relative to the catalog folder) and what it holds. */
export interface SchemaFile {
  /** Relative path with `/` separators, e.g. `deployment-apps-v1.json` or `argoproj.io/application_v1alpha1.json`. */
  path: string;
  schema: JsonSchema;
}

/** How a converted schema treats fields it does not know. */
export interface ConvertOptions {
  /** Adds `additionalProperties: false` wherever `properties` are listed (kubeconform `-strict`). */
  strict: boolean;
}

/** One group/version/kind, as `x-kubernetes-group-version-kind` lists it (`group` is '' for the core group). */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The draft kubeconform compiles every schema with. */
export const SCHEMA_DRAFT = 'http://json-schema.org/draft-04/schema#';

export const INT_OR_STRING: JsonSchema = { oneOf: [{ type: 'string' }, { type: 'integer' }] };

export function isRecord(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `group/version`, or only `version` for the core group. */
function apiVersionOf(gvk: GroupVersionKind): string {
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

/**
 * Rewrites a schema tree for kubeconform: int-or-string as `oneOf`, optional fields nullable and, when
 * strict, no unknown fields where `properties` are listed. Only the structural positions (properties,
 * items, additionalProperties) are rewritten: `allOf`/`anyOf`/`oneOf`/`not` branches only add value
 * checks, and closing them would reject fields the main branch allows. Returns new objects.
 */
export function tightenSchema(node: JsonSchema, options: ConvertOptions): JsonSchema {
  if (isIntOrString(node)) return intOrString(node);
  const out: JsonSchema = { ...node };
  if (node.nullable === true) Object.assign(out, allowNull(out));
  if (isRecord(node.properties)) {
    const required = new Set(Array.isArray(node.required) ? node.required : []);
    const properties: JsonSchema = {};
    for (const [name, child] of Object.entries(node.properties)) {
      if (!isRecord(child)) continue;
      const tight = tightenSchema(child, options);
      // The API server treats null like an omitted field, so optional fields accept it.
      properties[name] = required.has(name) ? tight : allowNull(tight);
    }
    out.properties = properties;
    if (options.strict && !('additionalProperties' in node) && node['x-kubernetes-preserve-unknown-fields'] !== true) {
      out.additionalProperties = false;
    }
  }
  if (isRecord(node.items)) out.items = tightenSchema(node.items, options);
  if (isRecord(node.additionalProperties)) out.additionalProperties = tightenSchema(node.additionalProperties, options);
  // draft-04 requires a non-empty `required`; a schema that fails to compile looks like a missing one to kubeconform.
  if (Array.isArray(node.required) && node.required.length === 0) delete out.required;
  return out;
}

function isIntOrString(node: JsonSchema): boolean {
  return node.format === 'int-or-string' || node['x-kubernetes-int-or-string'] === true;
}

function intOrString(node: JsonSchema): JsonSchema {
  const { type: _type, format: _format, anyOf: _anyOf, ...rest } = node;
  const out = { ...rest, ...INT_OR_STRING };
  return node.nullable === true ? allowNull(out) : out;
}

/** The same schema, also accepting null: `type: [T, "null"]`, or one more `oneOf` branch. */
export function allowNull(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (typeof schema.type === 'string' && schema.type !== 'null') out.type = [schema.type, 'null'];
  else if (Array.isArray(schema.type) && !schema.type.includes('null')) out.type = [...schema.type, 'null'];
  else if (Array.isArray(schema.oneOf) && !schema.oneOf.some((b) => isRecord(b) && b.type === 'null')) out.oneOf = [...schema.oneOf, { type: 'null' }];
  else return schema;
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) out.enum = [...schema.enum, null];
  return out;
}

/** Pins `apiVersion` and `kind` of a top-level schema to the given values (kept first, as in a manifest). */
export function constrainGvk(schema: JsonSchema, gvk: GroupVersionKind): JsonSchema {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const pinned = (name: string, value: string): JsonSchema => {
    const current = properties[name];
    const description = isRecord(current) && typeof current.description === 'string' ? { description: current.description } : {};
    return { ...description, type: 'string', enum: [value] };
  };
  const { apiVersion: _a, kind: _k, ...others } = properties;
  return { ...schema, properties: { apiVersion: pinned('apiVersion', apiVersionOf(gvk)), kind: pinned('kind', gvk.kind), ...others } };
}
