import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { coreSchemaProblems } from './yaml-core.ts';
import { emitYaml, type EmitMemo } from './yaml-emit.ts';
import { keyProblems, nestingProblem, withLines, YAML_LIMITS, type LimitProblem } from './yaml-limits.ts';

/** The one YAML serialisation of the project: canonical key order, fixed options, trailing newline. */
export function toYaml(value: unknown, memo?: EmitMemo): string {
  return emitYaml(value, memo);
}

/** Several objects as one multi-document YAML file. */
export function toYamlDocuments(values: unknown[]): string {
  return values.map((v) => toYaml(v)).join('---\n');
}

/** A parsed YAML file that can still say where each value came from. */
export interface SourceDocument {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The text it was parsed from. */
  text: string;
  /** The document as plain data (aliases expanded within YAML_LIMITS); undefined when it has problems. */
  data?: unknown;
}

interface YamlProblem {
  line: number;
  column: number;
  message: string;
}

/**
 * Parses one YAML document, keeping positions. Syntax errors, duplicate and `<<` merge keys, tags and keys
 * outside the core schema, and input beyond YAML_LIMITS (size, nesting, alias expansion) become problems; nothing here throws.
 */
export function parseYamlSource(file: string, text: string): { source: SourceDocument; problems: YamlProblem[] } {
  const lines = new LineCounter();
  const at = (offset: number, message: string) => ({ ...position(lines, offset), message });
  const limit = sizeProblem(text) ?? nestingProblem(text);
  if (limit) {
    // The text is not parsed at all; its position is counted by hand.
    const before = text.slice(0, limit.offset).split('\n');
    const problem = { line: before.length, column: before.at(-1)!.length + 1, message: limit.message };
    return { source: { file, doc: parseDocument('', { lineCounter: lines }), lines, text }, problems: [problem] };
  }
  // uniqueKeys off: the library compares every pair of keys (quadratic); keyProblems does it with a Set.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  const problems = [...doc.errors, ...doc.warnings].map((e) => at(e.pos[0], yamlErrorMessage(e.code, e.message)));
  problems.push(...keyProblems(doc).map((p) => at(p.offset, withLines(p, lines))));
  problems.push(...coreSchemaProblems(doc).map((p) => at(p.offset, p.message)));
  const source: SourceDocument = { file, doc, lines, text };
  if (problems.length) return { source, problems: overflowAsOne(problems) };
  try {
    source.data = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
  } catch (err) {
    const message = /alias/i.test((err as Error).message)
      ? `aliases expand to too much data (more than ${YAML_LIMITS.maxAliasCount} expansions): refused as a resource exhaustion attack`
      : `cannot read the YAML: ${(err as Error).message}`;
    problems.push(at(0, message));
  }
  return { source, problems };
}

function position(lines: LineCounter, offset: number) {
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function sizeProblem(text: string): LimitProblem | undefined {
  const bytes = Buffer.byteLength(text);
  if (bytes <= YAML_LIMITS.maxBytes) return undefined;
  return { offset: 0, message: `the file is ${(bytes / 1048576).toFixed(1)} MiB; inventory files are limited to ${YAML_LIMITS.maxBytes / 1048576} MiB` };
}

/** A stack overflow inside the parser shows as many errors; one says it all. */
function overflowAsOne(problems: YamlProblem[]): YamlProblem[] {
  const overflow = problems.find((p) => /Maximum call stack/.test(p.message));
  return overflow ? [{ ...overflow, message: 'nesting is too deep to parse' }] : problems;
}

function yamlErrorMessage(code: string, message: string): string {
  const first = message.split('\n')[0] ?? message;
  if (code === 'MULTIPLE_DOCS') return 'the file holds several YAML documents; keep one document per file';
  return `invalid YAML: ${first.replace(/ at line \d+, column \d+:?$/, '')}`;
}

/** Position of the value at `path`, or of its key when `atKey`; falls back to the nearest ancestor. */
export function positionOf(source: SourceDocument, path: (string | number)[], atKey = false): { line: number; column: number } {
  let node: unknown = source.doc.contents;
  let best: Node | null = isNode(node) ? node : null;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      if (last && atKey && isNode(pair.key)) {
        best = pair.key;
        break;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else break;
    if (isNode(node)) best = node;
  }
  const offset = best?.range?.[0] ?? 0;
  const pos = source.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && 'range' in (value as object);
}

/** A parsed file's source whose YAML tree is built only when a finding needs a position. */
export function lazySource(file: string, text: string, data: unknown): SourceDocument {
  let parsed: SourceDocument | undefined;
  const tree = () => (parsed ??= parseYamlSource(file, text).source);
  return {
    file,
    text,
    data,
    get doc() {
      return tree().doc;
    },
    get lines() {
      return tree().lines;
    },
  };
}
