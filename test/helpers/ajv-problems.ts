import type { ErrorObject } from 'ajv';

/** At most this many schema errors per check; the rest are counted. */
const MAX_ERRORS = 6;

/** ajv's errors as one readable line each, prefixed with where they were found. */
export function describeSchemaErrors(where: string, errors: ErrorObject[] | null | undefined): string[] {
  const all = (errors ?? []).map((e) => `${where}: ${e.instancePath || '(root)'} ${e.message ?? e.keyword}${detail(e)}`);
  return all.length > MAX_ERRORS ? [...all.slice(0, MAX_ERRORS), `${where}: … and ${all.length - MAX_ERRORS} more`] : all;
}

function detail(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'enum') return ` (${JSON.stringify(params.allowedValues)})`;
  if (e.keyword === 'additionalProperties') return ` ('${String(params.additionalProperty)}')`;
  return '';
}
