import { stringify, type ToStringOptions, type CreateNodeOptions, type DocumentOptions, type SchemaOptions } from 'yaml';
import { isMap } from './values.ts';

/** The fixed options of every YAML file we write. */
export const YAML_OPTIONS: DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions = {
  indent: 2,
  indentSeq: true,
  lineWidth: 0,
  minContentWidth: 0,
  aliasDuplicateObjects: false,
  singleQuote: false,
};

/** Thrown for shapes the fast emitter leaves to the yaml library (rare: odd keys, indentation indicators). */
class Unusual extends Error {}

const scalarCache = new Map<string, string>();

/** Names, paths and versions: strings the library writes as they are, known without asking it (most strings of a generated tree are). */
const PLAIN = /^[A-Za-z_/][\w./-]*$/;
/** The plain-looking words the core schema reads as booleans or null: the library quotes them. */
const CORE_WORDS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL']);

/** How the yaml library writes a string on its own, without the trailing newline; cached. */
function stringText(value: string): string {
  if (PLAIN.test(value) && !CORE_WORDS.has(value)) return value;
  let text = scalarCache.get(value);
  if (text === undefined) {
    text = stringify(value, YAML_OPTIONS).slice(0, -1);
    if (scalarCache.size > 100_000) scalarCache.clear();
    scalarCache.set(value, text);
  }
  return text;
}

function scalarText(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Object.is(value, -0)) throw new Unusual();
    return String(value);
  }
  if (typeof value === 'string') return stringText(value);
  throw new Unusual();
}

/** A string value after `key: ` or `- `, at `indent`: plain/quoted inline, or a block scalar with its lines indented. */
function inlineString(value: string, indent: number): string {
  const text = stringText(value);
  if (!/^[|>]/.test(text)) return text;
  const [header, ...lines] = text.split('\n');
  if (/\d/.test(header!)) throw new Unusual();
  const pad = ' '.repeat(indent);
  return `${header}\n${lines.map((l) => (l ? pad + l : l)).join('\n')}`;
}

/** Keys that lead a mapping, in this order; every other key follows alphabetically. */
const LEADING_KEYS = ['apiVersion', 'kind', 'metadata', 'name', 'namespace', 'spec'];

function compareKeys(a: string, b: string): number {
  const ia = LEADING_KEYS.indexOf(a);
  const ib = LEADING_KEYS.indexOf(b);
  if (ia !== -1 || ib !== -1) return (ia === -1 ? Infinity : ia) - (ib === -1 ? Infinity : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedEntries(map: Record<string, unknown>): [string, unknown][] {
  return Object.entries(map).sort(([a], [b]) => compareKeys(a, b));
}

/** A deep copy whose mappings have their keys in canonical order (list order is kept: it means something). */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (isMap(value)) return Object.fromEntries(sortedEntries(value).map(([k, v]) => [k, sortKeysDeep(v)]));
  return value;
}

/**
 * Block text already written, by object and indent, for data that does not change while the memo lives: merged
 * values share their layers' subtrees (every cluster's rules), so a plan writes each shared subtree once.
 */
export type EmitMemo = WeakMap<object, Map<number, string>>;

/** Lines of `value` as a block node at `indent`; each line ends with a newline. */
function block(value: unknown, indent: number, memo: EmitMemo | undefined): string {
  if (!memo) return blockText(value, indent, memo);
  const byIndent = memo.get(value as object);
  const known = byIndent?.get(indent);
  if (known !== undefined) return known;
  const text = blockText(value, indent, memo);
  // Small nodes are cheaper to write again than to remember.
  if (text.length >= 256) (byIndent ?? memo.set(value as object, new Map()).get(value as object)!).set(indent, text);
  return text;
}

function blockText(value: unknown, indent: number, memo: EmitMemo | undefined): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return value
      .map((item) => {
        if ((isMap(item) && Object.keys(item).length) || (Array.isArray(item) && item.length)) {
          return `${pad}- ${block(item, indent + 2, memo).slice(indent + 2)}`;
        }
        return `${pad}- ${valueText(item, indent + 2)}\n`;
      })
      .join('');
  }
  return sortedEntries(value as Record<string, unknown>)
    .map(([key, v]) => {
      const keyText =
        key.length > 1000 || key.includes('\n')
          ? (() => {
              throw new Unusual();
            })()
          : stringText(key);
      if ((isMap(v) && Object.keys(v).length) || (Array.isArray(v) && v.length)) {
        return `${pad}${keyText}:\n${block(v, indent + 2, memo)}`;
      }
      return `${pad}${keyText}: ${valueText(v, indent + 2)}\n`;
    })
    .join('');
}

function valueText(value: unknown, indent: number): string {
  if (isMap(value)) return '{}';
  if (Array.isArray(value)) return '[]';
  return typeof value === 'string' ? inlineString(value, indent) : scalarText(value);
}

/**
 * Writes plain data (maps, lists, strings, numbers, booleans, null) as block YAML with keys in
 * canonical order, byte for byte as the yaml library does with YAML_OPTIONS on sorted data, but
 * an order of magnitude faster; odd shapes fall back to the library.
 */
export function emitYaml(value: unknown, memo?: EmitMemo): string {
  try {
    if ((isMap(value) && Object.keys(value).length) || (Array.isArray(value) && value.length)) return block(value, 0, memo);
    return `${valueText(value, 0)}\n`;
  } catch (err) {
    if (err instanceof Unusual) return stringify(sortKeysDeep(value), YAML_OPTIONS);
    throw err;
  }
}
