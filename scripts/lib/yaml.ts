import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { emitYaml } from './yaml-emit.ts';

/** The one YAML serialisation of the project: canonical key order, fixed options, trailing newline. */
export function toYaml(value: unknown): string {
  return emitYaml(value);
}

/** Several objects as one multi-document YAML file. */
export function toYamlDocuments(values: unknown[]): string {
  return values.map(toYaml).join('---\n');
}

/** A parsed YAML file that can still say where each value came from. */
export interface SourceDocument {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export interface YamlProblem {
  line: number;
  column: number;
  message: string;
}

/** Parses one YAML document, keeping positions; duplicate keys and syntax errors become problems. */
export function parseYamlSource(file: string, text: string): { source: SourceDocument; problems: YamlProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const problems = [...doc.errors, ...doc.warnings].map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { line: pos.line, column: pos.col, message: yamlErrorMessage(e.code, e.message) };
  });
  return { source: { file, doc, lines }, problems };
}

function yamlErrorMessage(code: string, message: string): string {
  const first = message.split('\n')[0] ?? message;
  if (code === 'DUPLICATE_KEY') return `duplicate key: ${first}`;
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
      if (last && atKey && isNode(pair.key)) { best = pair.key; break; }
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
