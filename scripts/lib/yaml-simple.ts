/**
 * A reader for the plainest YAML only: nested block mappings whose keys are names and whose values are plain
 * words, decimal integers, true/false or quoted strings without escapes, with whole-line comments and blank lines.
 * That is what a cluster file usually is, and such text is read here a dozen times faster than by the yaml
 * library. For any other text it returns undefined and the caller asks the library: so the data returned is
 * always what the library's core schema reads, from text the library reads without a problem (a test compares
 * both over random texts).
 */
export function readSimpleYaml(text: string): SimpleYaml | undefined {
  if (text.length > MAX_LENGTH || OUTSIDE.test(text)) return undefined;
  const root: Mapping = {};
  const open: { indent: number; map: Mapping }[] = [{ indent: 0, map: root }];
  const scalars: SimpleYaml['scalars'] = [];
  // A key that ended its line: the lines below it, further in, are its mapping.
  let parent: { indent: number; map: Mapping; key: string } | undefined;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    const rest = line.slice(indent);
    if (rest === '' || rest[0] === '#') {
      // A blank line with spaces, or a comment after them, is still blank or a comment.
      if (rest === '' && indent > 0) return undefined;
      continue;
    }
    if (parent) {
      if (indent <= parent.indent || open.length >= MAX_DEPTH) return undefined;
      const map: Mapping = {};
      parent.map[parent.key] = map;
      open.push({ indent, map });
      parent = undefined;
    } else {
      while (open.length > 1 && open.at(-1)!.indent > indent) open.pop();
      if (open.at(-1)!.indent !== indent) return undefined;
    }
    const colon = rest.indexOf(':');
    const key = rest.slice(0, colon);
    if (colon < 0 || !KEY.test(key) || NOT_A_NAME.test(key)) return undefined;
    const { map } = open.at(-1)!;
    if (Object.hasOwn(map, key)) return undefined;
    if (colon === rest.length - 1) {
      parent = { indent, map, key };
      scalars.push([key, undefined]);
      continue;
    }
    if (rest[colon + 1] !== ' ') return undefined;
    const value = scalarValue(rest.slice(colon + 2));
    if (value === undefined) return undefined;
    map[key] = value;
    scalars.push([key, value]);
  }
  // A key with nothing below it is null, and a file without keys is null: rare, and the library's to read.
  return parent || !scalars.length ? undefined : { data: root, scalars };
}

/** The data read, and every key with its value (undefined for a mapping), in the order written. */
export interface SimpleYaml {
  data: Record<string, unknown>;
  scalars: [key: string, value: string | number | boolean | undefined][];
}

type Mapping = Record<string, unknown>;

/** Files longer than this are left to the library (and its size limits). */
const MAX_LENGTH = 65536;
/** Mappings nested deeper than this are left to the library (and its nesting limit). */
const MAX_DEPTH = 16;
/** Tabs, carriage returns, other control characters and anything beyond ASCII: the library's to read. */
const OUTSIDE = /[^\n\x20-\x7e]/;
/** A name; the library refuses an implicit key longer than 1,024 characters, and these are far shorter. */
const KEY = /^[A-Za-z_][\w./-]{0,255}$/;
/** Keys the core schema reads as null or a boolean, and the one a values merge cannot carry. */
const NOT_A_NAME = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|__proto__)$/;
/** A plain word: no indicator first, no `: ` or ` #` inside, no trailing space; `:` only inside (URLs). */
const PLAIN = /^[\w./](?:[\w./@=+-]|:(?=[\w./@=+-]))*$/;
/** The core schema's null, boolean, integer and float forms (yaml's schema/core tests). */
const NOT_A_STRING =
  /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/;
const QUOTED = /^(?:"([\x20\x21\x23-\x5b\x5d-\x7e]*)"|'([\x20-\x26\x28-\x7e]*)')$/;

/** A value's text as the core schema reads it, when it is one this reader knows; else undefined. */
function scalarValue(written: string): string | number | boolean | undefined {
  const quoted = QUOTED.exec(written);
  if (quoted) return quoted[1] ?? quoted[2];
  if (!PLAIN.test(written)) return undefined;
  if (!NOT_A_STRING.test(written)) return written;
  if (written === 'true' || written === 'false') return written === 'true';
  // Other integer, float, boolean and null forms (0o17, 1e3, 007, True, ~): the library's to read.
  return /^(?:0|[1-9][0-9]{0,14})$/.test(written) ? Number(written) : undefined;
}
