import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadArgoCdModule } from '../../../scripts/tools/argocd-release.ts';
import { readToolPins } from '../../../scripts/tools/pins.ts';

/** The id the translated definitions are registered under, so every `$ref` resolves against it. */
export const DEFINITIONS_ID = 'https://argo-cd.invalid/assets/swagger.json';

type Json = Record<string, unknown>;

/** A Swagger 2.0 path or query parameter, its own fields translated to a JSON Schema. */
export interface SwaggerParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'body';
  required: boolean;
  /** `multi`: the parameter repeats (`?projects=a&projects=b`). */
  collectionFormat?: string;
  schema: Json;
}

export interface SwaggerOperation {
  operationId: string;
  parameters: SwaggerParameter[];
  /** Status code or 'default' → JSON Schema of the body. */
  responses: Map<string, Json | undefined>;
}

export interface ArgoCdDescription {
  /** `module@version` it was read from. */
  source: string;
  /** `{ $id: DEFINITIONS_ID, definitions }`, translated and tightened (see {@link translateDefinitions}). */
  schema: Json;
  operation(method: string, route: string): SwaggerOperation | undefined;
}

/**
 * Where the description is loose or wrong about what argocd-server actually writes (encoding/json of
 * the Go types): fields without `omitempty` are always sent, raw JSON fields are JSON, not base64.
 */
const REQUIRED: Record<string, string[]> = {
  v1alpha1ApplicationList: ['metadata', 'items'],
  v1alpha1Application: ['metadata', 'spec'],
  // Go's ObjectMeta.name is omitempty, but every stored object has one.
  v1ObjectMeta: ['name'],
  v1alpha1ApplicationSpec: ['destination', 'project'],
  v1alpha1ApplicationSource: ['repoURL'],
  v1alpha1SyncStatus: ['status'],
  v1alpha1OperationState: ['operation', 'phase', 'startedAt'],
};
const RAW_JSON = ['v1FieldsV1', 'runtimeRawExtension'];
// gitops-engine's HealthStatusCode and OperationPhase: a separate module, not in argo-cd's zip.
const HEALTH = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown'];
const PHASES = ['Running', 'Terminating', 'Failed', 'Error', 'Succeeded'];

let loaded: Promise<ArgoCdDescription> | undefined;

/** `assets/swagger.json` of the pinned Argo CD module (tools/pins.json `argocd`), once per process. */
export function readArgoCdDescription(): Promise<ArgoCdDescription> {
  loaded ??= load().catch((err: unknown) => {
    loaded = undefined;
    throw err;
  });
  return loaded;
}

async function load(): Promise<ArgoCdDescription> {
  const { module, version } = readToolPins().argocd;
  const dir = await downloadArgoCdModule(readToolPins().argocd, 'the Argo CD API description');
  const doc = JSON.parse(await readFile(join(dir, 'assets/swagger.json'), 'utf8')) as Json;
  if (doc.swagger !== '2.0') throw new Error(`${module}@${version}: expected a Swagger 2.0 assets/swagger.json, found swagger: ${String(doc.swagger)}`);
  const syncCodes = [...(await readFile(join(dir, 'pkg/apis/application/v1alpha1/types.go'), 'utf8')).matchAll(/SyncStatusCode = "(\w+)"/g)].map((m) => m[1]!);
  if (syncCodes.length < 3) throw new Error(`${module}@${version}: found ${syncCodes.length} SyncStatusCode constants, expected Synced, OutOfSync, Unknown`);
  const definitions = translateDefinitions(doc.definitions as Record<string, Json>, { syncCodes });
  const paths = doc.paths as Record<string, Record<string, Json>>;
  return {
    source: `${module}@${version}`,
    schema: { $id: DEFINITIONS_ID, definitions },
    operation: (method, route) => readOperation(paths[route]?.[method.toLowerCase()]),
  };
}

/** Swagger definitions → JSON Schema, tightened: unknown fields refused, the wire facts above applied. */
export function translateDefinitions(definitions: Record<string, Json>, { syncCodes }: { syncCodes: string[] }): Record<string, Json> {
  const out = Object.fromEntries(Object.entries(definitions).map(([name, def]) => [name, toJsonSchema(def)]));
  for (const [name, required] of Object.entries(REQUIRED)) out[name] = { ...out[name], required };
  for (const name of RAW_JSON) out[name] = {};
  const restrict = (name: string, property: string, values: string[]) => {
    const props = out[name]?.properties as Record<string, Json>;
    props[property] = { ...props[property], enum: values };
  };
  restrict('v1alpha1SyncStatus', 'status', syncCodes);
  restrict('applicationv1alpha1ResourceStatus', 'status', syncCodes);
  restrict('v1alpha1AppHealthStatus', 'status', HEALTH);
  restrict('v1alpha1HealthStatus', 'status', HEALTH);
  restrict('v1alpha1OperationState', 'phase', PHASES);
  return out;
}

function readOperation(op: Json | undefined): SwaggerOperation | undefined {
  if (!op) return undefined;
  const parameters = ((op.parameters ?? []) as Json[]).map((p) => ({
    name: String(p.name),
    in: p.in as SwaggerParameter['in'],
    required: p.required === true,
    ...(typeof p.collectionFormat === 'string' ? { collectionFormat: p.collectionFormat } : {}),
    schema: toJsonSchema(p.in === 'body' ? (p.schema as Json) : pick(p, ['type', 'items', 'format', 'enum', 'pattern', 'minimum', 'maximum', 'default'])),
  }));
  const responses = new Map<string, Json | undefined>();
  for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, Json>))
    responses.set(status, response.schema ? toJsonSchema(response.schema) : undefined);
  return { operationId: String(op.operationId), parameters, responses };
}

const INT64 = '^-?[0-9]+$';

/**
 * One Swagger schema → JSON Schema (draft-07): refs made absolute, objects with `properties` closed
 * (`additionalProperties: false`, as kubeconform's strict mode does), Go's numeric formats made checkable:
 * int64 may be a number (encoding/json, which argocd-server uses) or a decimal string (protojson).
 */
export function toJsonSchema(node: unknown): Json {
  const schema = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'title' || key === 'description' || key === 'format' || key.startsWith('x-')) continue;
    if (key === 'properties') out[key] = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, toJsonSchema(v)]));
    else if ((key === 'items' || key === 'additionalProperties') && typeof value === 'object') out[key] = toJsonSchema(value);
    else if (key === 'allOf') out[key] = (value as unknown[]).map(toJsonSchema);
    else if (key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')) out[key] = DEFINITIONS_ID + value;
    else out[key] = value;
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return withFormat(out, schema.format);
}

function withFormat(out: Json, format: unknown): Json {
  switch (`${String(out.type)}/${String(format)}`) {
    case 'integer/int32':
      return { ...out, minimum: -(2 ** 31), maximum: 2 ** 31 - 1 };
    case 'integer/uint32':
      return { ...out, minimum: 0, maximum: 2 ** 32 - 1 };
    case 'integer/int64':
    case 'integer/uint64': {
      const { type: _type, ...rest } = out;
      return { ...rest, anyOf: [{ type: 'integer' }, { type: 'string', pattern: INT64 }] };
    }
    case 'string/int64':
    case 'string/uint64':
      return { ...out, pattern: INT64 };
    case 'string/byte':
      return { ...out, pattern: '^[A-Za-z0-9+/]*={0,2}$' };
    case 'string/date-time':
      return { ...out, format: 'date-time' };
    default:
      return out;
  }
}

function pick(node: Json, keys: string[]): Json {
  return Object.fromEntries(keys.filter((k) => k in node).map((k) => [k, node[k]]));
}
