import type { Values } from '../inventory/types.ts';
import { isMap } from '../lib/values.ts';

/** A values path as a list of keys (keys may hold dots: `serverFiles`, `alerting_rules.yml`). */
export type KeyPath = string[];

/** What a chart (with its subcharts under their keys) accepts in its values, read from its own files. */
export interface ChartKeys {
  /** The chart's values.yaml defaults (subcharts' under their key). */
  defaults: Values;
  /** Paths documented only in comments of values.yaml (`# storageClass: "-"`). */
  documented: Set<string>;
  /** Maps whose keys are the user's to choose: passed whole into a template, `{}` by default, typed as an open object. */
  freeForm: Set<string>;
  /** Paths the templates read (`.Values.fullnameOverride`), with their parents, whether values.yaml declares them or not. */
  read?: Set<string>;
}

export const pathKey = (path: KeyPath) => JSON.stringify(path);

/** `server.persistentVolume.size`, `serverFiles."alerting_rules.yml"`. */
export function formatPath(path: KeyPath): string {
  return path.map((k) => (/^[A-Za-z_][\w-]*$/.test(k) ? k : JSON.stringify(k))).join('.');
}

/**
 * Keys that values.yaml shows only as commented-out examples, each under the key its indentation puts
 * it in (`# key: value` with the `#` at the key's column, as charts write them). Pure.
 */
export function commentedKeys(text: string): Set<string> {
  const found = new Set<string>();
  const stack: { indent: number; key: string }[] = [];
  for (const line of text.split('\n')) {
    const real = /^( *)(?:- +)?("[^"]+"|'[^']+'|[A-Za-z_][\w.-]*) *:(?: |$)/.exec(line);
    const commented = real ? undefined : /^( *)#( *)("[^"]+"|[A-Za-z_][\w.-]*) *:(?: |$)/.exec(line);
    if (!real && !commented) continue;
    if (real && /^ *- /.test(line)) continue; // a list item's keys belong to no values path
    const indent = real ? real[1]!.length : commented![1]!.length + Math.max(0, commented![2]!.length - 1);
    const key = (real ? real[2]! : commented![3]!).replace(/^["']|["']$/g, '');
    while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
    if (commented) found.add(pathKey([...stack.map((s) => s.key), key]));
    stack.push({ indent, key });
  }
  return found;
}

/** Every values path a chart's templates read (`.Values.a.b` and its parent `a`). Pure. */
export function templateReads(templates: string[]): Set<string> {
  const found = new Set<string>();
  for (const text of templates)
    for (const m of text.matchAll(/\.Values((?:\.[A-Za-z_]\w*)+)/g)) {
      const path = m[1]!.slice(1).split('.');
      for (let i = 1; i <= path.length; i++) found.add(pathKey(path.slice(0, i)));
    }
  return found;
}

/**
 * Values paths a chart's templates hand over whole (toYaml, tpl, range, omit, index): their keys are
 * the user's, checked downstream (kubeconform on the objects, promtool/amtool on the configs). Pure.
 */
export function templateFreeForm(templates: string[]): Set<string> {
  const found = new Set<string>();
  const ref = String.raw`(?:\$\w*)?\.Values((?:\.[A-Za-z_][\w]*)+)`;
  const handover = String.raw`(?:toYaml|toJson|toPrettyJson|tpl|omit|range\s+(?:\$\w+\s*,\s*)?\$\w+\s*:=|fromYaml)`;
  const patterns = [
    new RegExp(String.raw`${handover}\s*\(?\s*${ref}`, 'g'),
    new RegExp(String.raw`${ref}\s*\|\s*(?:toYaml|toJson|toPrettyJson)`, 'g'),
    new RegExp(String.raw`with\s+${ref}\s*-?}}[^{]*{{-?\s*toYaml\s+\.\s`, 'g'),
  ];
  for (const text of templates) {
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.add(pathKey(m[1]!.slice(1).split('.')));
    for (const m of text.matchAll(new RegExp(String.raw`${handover}\s*\(?\s*index\s+(?:\$\w*)?\.Values((?:\.[A-Za-z_]\w*)*)((?:\s+"[^"]+")+)`, 'g'))) {
      found.add(pathKey([...(m[1] ? m[1].slice(1).split('.') : []), ...[...m[2]!.matchAll(/"([^"]+)"/g)].map((q) => q[1]!)]));
    }
  }
  return found;
}

/** Open objects in a values.schema.json (`type: object` with no `properties`, or `additionalProperties` allowed by a schema). Pure. */
export function schemaFreeForm(schema: unknown, prefix: KeyPath = []): Set<string> {
  const found = new Set<string>();
  const walk = (node: unknown, path: KeyPath) => {
    if (!isMap(node)) return;
    const props = isMap(node.properties) ? node.properties : undefined;
    if (path.length && (isMap(node.additionalProperties) || (node.type === 'object' && !props && !node.patternProperties))) found.add(pathKey(path));
    for (const [k, v] of Object.entries(props ?? {})) walk(v, [...path, k]);
  };
  walk(schema, prefix);
  return found;
}

/** Whether the chart lets the user choose the keys under `path`. */
function isFreeForm(keys: ChartKeys, path: KeyPath, defaults: unknown): boolean {
  if (path[0] === 'global') return true; // Helm hands global to every subchart: any chart in the tree may read any key
  if (isMap(defaults) && Object.keys(defaults).length === 0) return true;
  // Keys naming files (serverFiles."prometheus.yml", "grafana.ini"): a map of files, or a program's config.
  if (path.some((k) => k.includes('.')) || (isMap(defaults) && Object.keys(defaults).some((k) => k.includes('.')))) return true;
  for (let i = path.length; i > 0; i--) if (keys.freeForm.has(pathKey(path.slice(0, i)))) return true;
  return false;
}

/** An unknown key in the user's values, with the closest key the chart has there. */
interface UnknownKey {
  path: KeyPath;
  suggestion?: string;
}

/** Every key of `user` the chart neither defines, documents nor leaves free-form. Pure. */
export function unknownKeys(user: Values, keys: ChartKeys): UnknownKey[] {
  const found: UnknownKey[] = [];
  const walk = (node: Values, defaults: unknown, path: KeyPath) => {
    if (path.length && isFreeForm(keys, path, defaults)) return;
    if (path.length && !isMap(defaults)) return; // the chart has no map here (null, a list, a string): nothing to compare with
    const known = isMap(defaults) ? defaults : {};
    for (const [key, value] of Object.entries(node)) {
      const at = [...path, key];
      if (key in known) {
        if (isMap(value) && isMap(known[key])) walk(value, known[key], at);
        continue;
      }
      // Read by a template though values.yaml leaves it out (fullnameOverride in some charts): a real value.
      if (keys.documented.has(pathKey(at)) || keys.read?.has(pathKey(at)) || value === null || (key === 'global' && !path.length)) continue;
      found.push({ path: at, suggestion: closest(key, [...Object.keys(known), ...documentedChildren(keys, path)]) });
    }
  };
  walk(user, keys.defaults, []);
  return found;
}

function documentedChildren(keys: ChartKeys, path: KeyPath): string[] {
  const prefix = path.length ? `${pathKey(path).slice(0, -1)},` : '[';
  return [...keys.documented]
    .filter((k) => k.startsWith(prefix) && (JSON.parse(k) as KeyPath).length === path.length + 1)
    .map((k) => (JSON.parse(k) as KeyPath).at(-1)!);
}

/** The candidate within edit distance 2 (or a third of the key's length), nearest first. */
export function closest(key: string, candidates: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of new Set(candidates)) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= Math.max(2, Math.floor(key.length / 3)) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
