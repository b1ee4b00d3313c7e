import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readArgoCdDescription, type ArgoCdDescription, type SwaggerOperation } from './swagger.ts';
import { describeSchemaErrors } from '../ajv-problems.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Request and response checks against the pinned Argo CD's `assets/swagger.json`. */
export interface ArgoCdContract {
  source: string;
  /** Problems with a request to `route` (a template such as '/api/v1/applications/{name}'); empty when it conforms. */
  checkRequest(method: string, route: string, params: Record<string, string>, query: URLSearchParams): string[];
  /** Problems with an answer: its status must be documented ('default' covers errors), its body must match. */
  checkResponse(method: string, route: string, status: number, body: unknown): string[];
}

let contract: Promise<ArgoCdContract> | undefined;

export function readArgoCdContract(): Promise<ArgoCdContract> {
  contract ??= readArgoCdDescription().then(buildContract);
  return contract;
}

function buildContract(description: ArgoCdDescription): ArgoCdContract {
  // strict: false: the translated schemas keep Swagger-only keywords (readOnly, …) ajv does not know.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(description.schema);
  const compiled = new Map<string, ValidateFunction>();
  const compile = (key: string, schema: object) => {
    let fn = compiled.get(key);
    if (!fn) {
      fn = ajv.compile(schema);
      compiled.set(key, fn);
    }
    return fn;
  };
  const operationOf = (method: string, route: string): SwaggerOperation | string =>
    description.operation(method, route) ?? `${method.toUpperCase()} ${route} is not an operation of ${description.source} assets/swagger.json`;
  return {
    source: description.source,
    checkRequest(method, route, params, query) {
      const op = operationOf(method, route);
      if (typeof op === 'string') return [op];
      const where = `${method.toUpperCase()} ${route}`;
      const problems: string[] = [];
      const data: Record<string, unknown> = { ...params };
      const declared = new Map(op.parameters.map((p) => [p.name, p]));
      for (const name of new Set(query.keys())) {
        const param = declared.get(name);
        const values = query.getAll(name);
        if (param?.in !== 'query') problems.push(`${where}: query parameter '${name}' is not documented`);
        else if (param.collectionFormat === 'multi') data[name] = values;
        else if (values.length > 1) problems.push(`${where}: query parameter '${name}' is not repeatable (sent ${values.length} times)`);
        else data[name] = values[0];
      }
      const schema = {
        type: 'object',
        properties: Object.fromEntries(op.parameters.filter((p) => p.in === 'path' || p.in === 'query').map((p) => [p.name, p.schema])),
        required: op.parameters.filter((p) => p.in === 'path' || (p.in === 'query' && p.required)).map((p) => p.name),
      };
      const validate = compile(`${where} parameters`, schema);
      return validate(data) ? problems : [...problems, ...describeSchemaErrors(`${where} parameters`, validate.errors)];
    },
    checkResponse(method, route, status, body) {
      const op = operationOf(method, route);
      if (typeof op === 'string') return [op];
      const where = `${method.toUpperCase()} ${route} → ${status}`;
      const documented = op.responses.has(String(status)) ? String(status) : 'default';
      if (!op.responses.has(documented)) return [`${where}: status ${status} is not documented for ${op.operationId}`];
      const schema = op.responses.get(documented);
      if (!schema) return [];
      if (body === undefined) return [`${where}: the response has no body, expected JSON`];
      const validate = compile(`${method.toUpperCase()} ${route} ${documented} response`, schema);
      return validate(body) ? [] : describeSchemaErrors(`${where} response body`, validate.errors);
    },
  };
}
