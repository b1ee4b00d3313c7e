import { isScalar, visit, type Document, type LineCounter, type Node } from 'yaml';

/** Bounds that keep parsing linear and the call stack safe, whatever a file holds. */
export const YAML_LIMITS = {
  /** Bytes per hand-written file: the largest real dashboards are a few hundred KB. */
  maxBytes: 1024 * 1024,
  /** Nesting levels (block indentation plus flow brackets); real values files stay under 20. */
  maxDepth: 64,
  /** Alias expansions per document (the yaml library's own default). */
  maxAliasCount: 100,
} as const;

export interface LimitProblem {
  offset: number;
  message: string;
}

/**
 * An upper bound of the nesting depth, computed in one linear pass before the parser sees the text
 * (the parser recurses per level and overflows the stack on deep input).
 */
export function nestingProblem(text: string, maxDepth = YAML_LIMITS.maxDepth): LimitProblem | undefined {
  return blockNesting(text, maxDepth) ?? flowNesting(text, maxDepth);
}

const tooDeep = (offset: number, maxDepth: number): LimitProblem => ({ offset, message: `nesting is deeper than ${maxDepth} levels` });

/** Block nesting: the stack of open indentations, plus `- - -` on one line. */
function blockNesting(text: string, maxDepth: number): LimitProblem | undefined {
  const indents: number[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    const rest = line.slice(indent);
    if (rest && !rest.startsWith('#')) {
      while (indents.length && indents.at(-1)! >= indent) indents.pop();
      indents.push(indent);
      const dashes = (/^(?:-[ \t]+)*/.exec(rest)![0].match(/-/g) ?? []).length;
      if (indents.length + dashes > maxDepth) return tooDeep(offset + indent, maxDepth);
    }
    offset += line.length + 1;
  }
  return undefined;
}

/** Flow nesting across lines: brackets outside quoted scalars and comments. */
function flowNesting(text: string, maxDepth: number): LimitProblem | undefined {
  let depth = 0;
  let quote = '';
  let comment = false;
  let previous = '\n';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (comment) comment = c !== '\n';
    else if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === "'" && quote === "'" && text[i + 1] === "'")
        i++; // '' is a quote inside '…'
      else if (c === quote) quote = '';
    } else if ((c === '"' || c === "'") && /[\n:,[{-]/.test(previous)) quote = c;
    else if (c === '#' && /\s/.test(text[i - 1] ?? '\n')) comment = true;
    else if (c === '[' || c === '{') {
      if (++depth > maxDepth) return tooDeep(i, maxDepth);
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
    if (c === '\n' || !/\s/.test(c)) previous = c;
  }
  return undefined;
}

/** Duplicate keys (one Set per mapping: linear, where the library's check compares every pair) and `<<` merge keys. */
export function keyProblems(doc: Document.Parsed): LimitProblem[] {
  const problems: LimitProblem[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, Node>();
      for (const pair of map.items) {
        const key = pair.key as Node | null;
        if (!key) continue;
        const offset = key.range?.[0] ?? 0;
        if (isScalar(key) && key.value === '<<' && key.type === 'PLAIN') {
          problems.push({
            offset,
            message:
              "merge key '<<': Helm would merge it, this toolkit would keep it as a key named '<<'; write the keys out (anchors and aliases without << are fine)",
          });
          continue;
        }
        const name = isScalar(key) ? String(key.value) : String(key);
        if (seen.has(name)) problems.push({ offset, message: `duplicate key '${name}' (first at offset ${seen.get(name)!.range?.[0] ?? 0})` });
        else seen.set(name, key);
      }
    },
  });
  return problems;
}

/** "first at offset N" → "first at line L" once a line counter is at hand. */
export function withLines(problem: LimitProblem, lines: LineCounter): string {
  return problem.message.replace(/first at offset (\d+)/, (_, o: string) => `first at line ${lines.linePos(Number(o)).line}`);
}
