import { isMap as isPlainObject, type Values } from './values.ts';

/**
 * Merges Helm values layers the way `helm -f lower -f upper` does: maps merge deeply, lists and
 * scalars are replaced. A `null` is kept (not dropped) so that Helm still deletes the chart's default.
 * Read-only: a subtree that only one layer has is that layer's own object, not a copy (10,000 clusters
 * share their base layer's rules, and the emitter writes a shared subtree once).
 */
export function mergeValues(...layers: Values[]): Values {
  return layers.reduce<Values>((merged, layer) => mergeTwo(merged, layer), {});
}

function mergeTwo(lower: Values, upper: Values): Values {
  const result: Values = { ...lower };
  for (const [key, value] of Object.entries(upper)) {
    const below = result[key];
    result[key] = isPlainObject(below) && isPlainObject(value) ? mergeTwo(below, value) : value;
  }
  return result;
}
