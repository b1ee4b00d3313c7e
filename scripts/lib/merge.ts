import { isMap as isPlainObject, type Values } from './values.ts';

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

/** Copies parsed YAML data (maps, lists, scalars); faster than structuredClone for this shape. */
function cloneDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneDeep);
  if (isPlainObject(value)) {
    const copy: Values = {};
    for (const key of Object.keys(value)) copy[key] = cloneDeep(value[key]);
    return copy;
  }
  return value;
}
