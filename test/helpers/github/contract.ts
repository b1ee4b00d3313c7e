import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readGitHubDescription, type OpenApiOperation, type OpenApiParameter } from './openapi.ts';
import { describeSchemaErrors } from '../ajv-problems.ts';

/** What a request carried, as the server saw it: path parameters by name, the query, the parsed JSON body. */
export interface RequestParts {
  params?: Record<string, string>;
  query?: URLSearchParams | Record<string, string>;
  body?: unknown;
}

/**
 * Statuses GitHub may answer on any operation though most operations do not document them
 * (bad credentials, rate limits (403 or 429) and missing permissions, resources hidden as 404, server errors).
 * Their bodies are checked against `basic-error`.
 */
export const GENERIC_STATUSES: ReadonlySet<number> = new Set([401, 403, 404, 429, 500, 502, 503]);

/**
 * Statuses GitHub answers though its description leaves them out for the operation, by operationId; their bodies are
 * checked against `basic-error`, like the generic ones. repos/create-commit-status answers 422 for a SHA it does not
 * have ("No commit found for SHA: …") and for a description over 140 characters; the description documents only 201.
 */
const UNDOCUMENTED_STATUSES: Readonly<Record<string, readonly number[]>> = { 'repos/create-commit-status': [422] };

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface Validators {
  /** Bodies: no coercion, so a string where GitHub sends a number is a violation. */
  strict: Ajv;
  /** Path and query parameters arrive as strings: coerced to the schema's type before checking. */
  coercing: Ajv;
  compiled: Map<string, ValidateFunction>;
}

let validators: Validators | undefined;

function newAjv(coerceTypes: boolean): Ajv {
  // strict: false because the description carries OpenAPI-only keywords (discriminator, readOnly, x-*).
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes, validateSchema: false });
  addFormats(ajv);
  ajv.addFormat('repo.nwo', /^[\w.-]+\/[\w.-]+$/);
  ajv.addFormat('timestamp', true);
  ajv.addSchema(readGitHubDescription().components);
  return ajv;
}

function readValidators(): Validators {
  validators ??= { strict: newAjv(false), coercing: newAjv(true), compiled: new Map() };
  return validators;
}

function compile(key: string, schema: object, coercing = false): ValidateFunction {
  const v = readValidators();
  let fn = v.compiled.get(key);
  if (!fn) {
    fn = (coercing ? v.coercing : v.strict).compile(schema);
    v.compiled.set(key, fn);
  }
  return fn;
}

/** Loads the description and builds the validators now, so the first request does not pay for it. */
export function warmUpContract(): void {
  readValidators();
}

function operationOf(method: string, route: string): OpenApiOperation | string {
  return readGitHubDescription().operation(method, route) ?? `${method.toUpperCase()} ${route} is not an operation of GitHub's REST API description`;
}

/** Problems with a request to `route` (a template such as '/repos/{owner}/{repo}/pulls'); empty when it conforms. */
export function checkRequest(method: string, route: string, parts: RequestParts): string[] {
  const op = operationOf(method, route);
  if (typeof op === 'string') return [op];
  const where = `${method.toUpperCase()} ${route}`;
  const query = parts.query instanceof URLSearchParams ? Object.fromEntries(parts.query) : (parts.query ?? {});
  return [...checkParameters(where, op, 'path', parts.params ?? {}), ...checkParameters(where, op, 'query', query), ...checkBody(where, op, parts.body)];
}

function checkParameters(where: string, op: OpenApiOperation, location: 'path' | 'query', values: Record<string, string>): string[] {
  const declared = op.parameters.filter((p) => p.in === location);
  const names = new Set(declared.map((p) => p.name));
  const unknown = Object.keys(values)
    .filter((name) => !names.has(name))
    .map((name) => `${where}: ${location} parameter '${name}' is not documented`);
  const validate = compile(`${where} ${location}`, parameterSchema(declared), true);
  const data = { ...values };
  return validate(data) ? unknown : [...unknown, ...describeSchemaErrors(`${where} ${location} parameters`, validate.errors)];
}

function parameterSchema(params: OpenApiParameter[]): object {
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required || p.in === 'path').map((p) => p.name),
  };
}

function checkBody(where: string, op: OpenApiOperation, body: unknown): string[] {
  if (body === undefined) return op.requestBody?.required ? [`${where}: the request body is required`] : [];
  if (!op.requestBody) return [`${where}: the operation takes no request body`];
  if (!op.requestBody.schema) return [];
  const validate = compile(`${where} request`, op.requestBody.schema);
  return validate(body) ? [] : describeSchemaErrors(`${where} request body`, validate.errors);
}

/** Problems with a response: `status` must be documented for the operation (or generic), its body must match. */
export function checkResponse(method: string, route: string, status: number, body: unknown): string[] {
  const op = operationOf(method, route);
  if (typeof op === 'string') return [op];
  const where = `${method.toUpperCase()} ${route} → ${status}`;
  const documented = [String(status), `${String(status)[0]}XX`, 'default'].find((key) => op.responses.has(key));
  if (!documented && !GENERIC_STATUSES.has(status) && !UNDOCUMENTED_STATUSES[op.operationId]?.includes(status)) {
    return [`${where}: status ${status} is not documented for ${op.operationId} (documented: ${[...op.responses.keys()].join(', ')})`];
  }
  const schema = documented ? op.responses.get(documented) : { $ref: `${readGitHubDescription().components.$id}#/components/schemas/basic-error` };
  if (!schema) return []; // documented without content (e.g. 204, 304, or a 422 described only in prose)
  if (body === undefined) return [`${where}: the response has no body, expected JSON`];
  const validate = compile(`${method.toUpperCase()} ${route} ${documented ?? 'generic'} response`, schema);
  return validate(body) ? [] : describeSchemaErrors(`${where} response body`, validate.errors);
}
