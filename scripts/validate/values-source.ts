import type { Values } from '../inventory/types.ts';
import type { Finding } from '../lib/findings.ts';
import { isMap } from '../lib/values.ts';
import { parseYamlSource, positionOf } from '../lib/yaml.ts';
import type { ValuesLayer } from '../generate/values.ts';
import type { ValidateContext } from './types.ts';

/** A path into values: map keys, and list indices where a list sits (a list is replaced whole by a higher layer). */
export type ValuesPath = (string | number)[];

function has(values: Values, path: ValuesPath): boolean {
  let node: unknown = values;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number' && key < node.length) node = node[key];
    else if (isMap(node) && String(key) in node) node = node[String(key)];
    else return false;
  }
  return true;
}

/** The highest hand-written layer that sets `path`, with the line and column of the key there (`atKey`) or of its value. */
export function locateValue(
  ctx: Pick<ValidateContext, 'sources'>,
  layers: ValuesLayer[],
  path: ValuesPath,
  atKey = true,
): Pick<Finding, 'file' | 'line' | 'column'> | undefined {
  const layer = [...layers].reverse().find((l) => l.file && has(l.values, path));
  if (!layer?.file) return undefined;
  const text = ctx.sources.get(layer.file);
  return { file: layer.file, ...(text ? positionOf(parseYamlSource(layer.file, text).source, [...layer.at!, ...path], atKey) : {}) };
}
