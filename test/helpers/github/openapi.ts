import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The id the translated component schemas are registered under, so every `$ref` resolves against it. */
export const COMPONENTS_ID = 'https://api.github.com/openapi/components.json';

type Json = Record<string, unknown>;

/** An OpenAPI 3.0 parameter after `$ref` resolution; its schema is already translated to JSON Schema. */
export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Json;
}

/** One operation of GitHub's description, with parameters, request body and responses resolved. */
export interface OpenApiOperation {
  operationId: string;
  parameters: OpenApiParameter[];
  /** JSON Schema of the application/json request body, when the operation takes one. */
  requestBody?: { required: boolean; schema?: Json };
  /** Status code ('200', '4XX', 'default') → JSON Schema of the application/json body, or undefined when it has none. */
  responses: Map<string, Json | undefined>;
}

export interface OpenApiDescription {
  /** `info.version` of the description, e.g. '1.1.4'. */
  version: string;
  /** Every component schema, translated to JSON Schema (draft-07) with `$id` = COMPONENTS_ID. */
  components: Json;
  operation(method: string, route: string): OpenApiOperation | undefined;
}

let loaded: OpenApiDescription | undefined;

/** GitHub's api.github.com description from @octokit/openapi, parsed once per process (≈13 MB, ~0.4 s). */
export function readGitHubDescription(): OpenApiDescription {
  loaded ??= parseDescription(readFileSync(descriptionPath(), 'utf8'));
  return loaded;
}

function descriptionPath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('@octokit/openapi/generated/api.github.com.json');
}

function parseDescription(text: string): OpenApiDescription {
  const doc = JSON.parse(text) as Json;
  // ajv speaks JSON Schema, not OpenAPI: the translation below is only right for 3.0.x (3.1 drops `nullable`).
  if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.0.'))
    throw new Error(`expected an OpenAPI 3.0 description, found openapi: ${String(doc.openapi)}`);
  const components = doc.components as Record<string, Json>;
  const schemas = mapValues(components.schemas ?? {}, toJsonSchema);
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const resolve = (node: unknown): Json => resolveComponentRef(components, node as Json);
  const cache = new Map<string, OpenApiOperation | undefined>();
  return {
    version: String((doc.info as Json).version),
    components: { $id: COMPONENTS_ID, components: { schemas } },
    operation(method, route) {
      const key = `${method.toLowerCase()} ${route}`;
      if (!cache.has(key)) cache.set(key, readOperation(paths[route], method.toLowerCase(), resolve));
      return cache.get(key);
    },
  };
}

function readOperation(pathItem: Record<string, Json> | undefined, method: string, resolve: (node: unknown) => Json): OpenApiOperation | undefined {
  const op = pathItem?.[method];
  if (!op) return undefined;
  const shared = (pathItem.parameters ?? []) as unknown as Json[];
  const parameters = [...shared, ...((op.parameters ?? []) as Json[])].map((p) => {
    const param = resolve(p);
    return { ...param, schema: toJsonSchema(param.schema ?? {}) } as unknown as OpenApiParameter;
  });
  const body = op.requestBody ? resolve(op.requestBody) : undefined;
  const responses = new Map<string, Json | undefined>();
  for (const [status, response] of Object.entries((op.responses ?? {}) as Json)) responses.set(status, jsonSchemaOf(resolve(response)));
  return {
    operationId: String(op.operationId),
    parameters,
    requestBody: body ? { required: body.required === true, schema: jsonSchemaOf(body) } : undefined,
    responses,
  };
}

/** The translated schema of a request body or response's JSON content. */
function jsonSchemaOf(holder: Json): Json | undefined {
  const content = holder.content as Record<string, Json> | undefined;
  const media = content?.['application/json'] ?? Object.entries(content ?? {}).find(([type]) => type.endsWith('+json'))?.[1];
  return media?.schema ? toJsonSchema(media.schema) : undefined;
}

/** Follows `#/components/<kind>/<name>` for parameters, request bodies and responses (not schemas: ajv does those). */
function resolveComponentRef(components: Record<string, Json>, node: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const [, , kind, name] = ref.split('/');
  const target = components[kind ?? '']?.[name ?? ''];
  if (!target) throw new Error(`unresolvable $ref ${ref}`);
  return resolveComponentRef(components, target as Json);
}

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
const SCHEMA_VALUES = new Set(['items', 'additionalProperties', 'not']);

/**
 * OpenAPI 3.0 schema → JSON Schema: `nullable: true` becomes a `null` type (and a `null` enum member),
 * or `anyOf: [{type: null}, …]` where there is no `type` (GitHub writes `nullable` next to `oneOf`/`allOf`);
 * component refs are made absolute. Only schema keywords are walked: a property may be called `nullable`.
 */
export function toJsonSchema(node: unknown): Json {
  const schema = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'example' || key === 'x-github-breaking-changes') continue;
    if (SCHEMA_MAPS.has(key)) out[key] = mapValues(value as Record<string, unknown>, toJsonSchema);
    else if (SCHEMA_LISTS.has(key)) out[key] = (value as unknown[]).map(toJsonSchema);
    else if (SCHEMA_VALUES.has(key) && typeof value === 'object') out[key] = toJsonSchema(value);
    else if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) out[key] = COMPONENTS_ID + value;
    else out[key] = value;
  }
  return schema.nullable === true ? allowNull(out) : out;
}

function allowNull(schema: Json): Json {
  if (typeof schema.type === 'string') {
    const enumValues = Array.isArray(schema.enum) && !schema.enum.includes(null) ? [...schema.enum, null] : schema.enum;
    return { ...schema, type: [schema.type, 'null'], ...(enumValues ? { enum: enumValues } : {}) };
  }
  const constrains = ['$ref', 'allOf', 'anyOf', 'oneOf', 'type', 'enum', 'properties'].some((k) => k in schema);
  return constrains ? { anyOf: [{ type: 'null' }, schema] } : schema;
}

function mapValues<T>(record: Record<string, unknown>, fn: (value: unknown) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}
