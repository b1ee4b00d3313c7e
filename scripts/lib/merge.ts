import type { Values } from '../inventory/types.ts';

function isPlainObject(value: unknown): value is Values {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Merges Helm values layers the way `helm -f lower -f upper` does: maps merge deeply, lists and
 * scalars are replaced. A `null` is kept (not dropped) so that Helm still deletes the chart's default.
 */
export function mergeValues(...layers: Values[]): Values {
  return layers.reduce<Values>((merged, layer) => mergeTwo(merged, layer), {});
}

function mergeTwo(lower: Values, upper: Values): Values {
  const result: Values = { ...lower };
  for (const [key, value] of Object.entries(upper)) {
    const below = result[key];
    result[key] = isPlainObject(below) && isPlainObject(value) ? mergeTwo(below, value) : cloneDeep(value);
  }
  return result;
}

function cloneDeep<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}
