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

/**
 * Names, paths, versions, URLs and short sentences: strings the library writes as they are, known without asking
 * it (most strings of a generated tree are; each cluster's URLs and descriptions would otherwise be asked once
 * each). A letter first (no indicator, no number), and a colon or space only before another such character (no
 * `: `, ` #` or trailing blank). yaml-emit.test.ts compares it with the library over many random strings.
 */
const PLAIN = /^[A-Za-z_/](?:[\w./()-]|[: ](?=[\w./()-]))*$/;
/** The plain-looking words the core schema reads as booleans or null: the library quotes them. */
const CORE_WORDS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL']);

/** How the yaml library writes a string on its own, without the trailing newline; cached. */
function stringText(value: string): string {
  if (PLAIN.test(value) && !CORE_WORDS.has(value)) return value;
  // A document marker's look-alike: written one way alone and another as a key or value, so the library writes the whole file.
  if (value.startsWith('---') || value.startsWith('...')) throw new Unusual();
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
const LEADING_RANK = new Map(LEADING_KEYS.map((key, i) => [key, i]));

function compareKeys(a: string, b: string): number {
  const ia = LEADING_RANK.get(a);
  const ib = LEADING_RANK.get(b);
  if (ia !== undefined || ib !== undefined) return (ia ?? Infinity) - (ib ?? Infinity);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A mapping's keys in canonical order; most generated mappings are built in that order already and are not sorted. */
function sortedKeys(map: Record<string, unknown>): string[] {
  const keys = Object.keys(map);
  for (let i = 1; i < keys.length; i++) if (compareKeys(keys[i - 1]!, keys[i]!) > 0) return keys.sort(compareKeys);
  return keys;
}

function sortedEntries(map: Record<string, unknown>): [string, unknown][] {
  return sortedKeys(map).map((key) => [key, map[key]]);
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

/** A list or mapping with something in it: written as a block (an empty one is written inline, as [] or {}). */
function isFilled(value: unknown): value is object {
  if (Array.isArray(value)) return value.length > 0;
  if (!isMap(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return true;
  return false;
}

const PADS = Array.from({ length: 64 }, (_, i) => ' '.repeat(i));
const padOf = (indent: number) => PADS[indent] ?? ' '.repeat(indent);

/**
 * Lines of `value` as a block node at `indent`; each line ends with a newline. `inline`: the first line goes
 * after a `- ` already written, without its indentation.
 */
function block(value: object, indent: number, memo: EmitMemo | undefined, inline = false): string {
  if (!memo) return blockText(value, indent, memo, inline);
  const byIndent = memo.get(value);
  const known = byIndent?.get(indent);
  if (known !== undefined) return inline ? known.slice(indent) : known;
  const text = blockText(value, indent, memo, false);
  // Small nodes are cheaper to write again than to remember.
  if (text.length >= 256) (byIndent ?? memo.set(value, new Map()).get(value)!).set(indent, text);
  return inline ? text.slice(indent) : text;
}

// Text is built with += (V8 joins the pieces once, when the file's text is first read), not by joining arrays at every level.
function blockText(value: object, indent: number, memo: EmitMemo | undefined, inline: boolean): string {
  const pad = padOf(indent);
  let out = '';
  if (Array.isArray(value)) {
    for (const item of value) {
      out += inline ? '- ' : `${pad}- `;
      inline = false;
      out += isFilled(item) ? block(item, indent + 2, memo, true) : `${valueText(item, indent + 2)}\n`;
    }
    return out;
  }
  const map = value as Record<string, unknown>;
  for (const key of sortedKeys(map)) {
    if (key.length > 1000 || key.includes('\n')) throw new Unusual();
    const v = map[key];
    out += inline ? stringText(key) : pad + stringText(key);
    inline = false;
    out += isFilled(v) ? `:\n${block(v, indent + 2, memo)}` : `: ${valueText(v, indent + 2)}\n`;
  }
  return out;
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
    if (isFilled(value)) return block(value, 0, memo);
    return `${valueText(value, 0)}\n`;
  } catch (err) {
    if (err instanceof Unusual) return stringify(sortKeysDeep(value), YAML_OPTIONS);
    throw err;
  }
}
