import { join, resolve } from 'node:path';
import ts from 'typescript';

/**
 * Checks Slack webhook payloads against Slack's own published types (@slack/webhook's
 * IncomingWebhookSendArguments, which uses @slack/types' MessageAttachment and blocks), not a schema written
 * here: the TypeScript compiler type-checks a virtual file that assigns each payload to those types.
 *
 * Two checks per payload, both the compiler's:
 * - strict: the payload as an object literal against the types as published; its diagnostics, with the JSON
 *   path they point at, are the reasons given.
 * - shape: the payload, through a variable (no excess-property check), against the types with every literal
 *   union widened to its primitive. A wrong JSON type (`text: 5`, `attachments: "x"`) fails both: `invalid`.
 *   Unknown fields and values outside a declared union (`mrkdwn_in: ["fallback"]`) fail the strict check only:
 *   `deviates`. Slack is not known to reject those, so the stand-in accepts them and records the reasons.
 */

export interface PayloadVerdict {
  verdict: 'valid' | 'deviates' | 'invalid';
  /** The compiler's diagnostics: the shape check's when invalid, the strict check's when it deviates. */
  reasons: string[];
}

/** How long one batch's type check took. */
export interface BatchTiming {
  payloads: number;
  ms: number;
}

const root = resolve(new URL('../../..', import.meta.url).pathname);
// Never written: inside the project only so that '@slack/webhook' resolves from its node_modules.
const VIRTUAL = join(root, 'test/helpers/receivers/__slack-payloads__.ts');
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  // The payload types need no Node globals; leaving @types/node out halves the first batch.
  types: [],
  lib: ['lib.es2022.d.ts'],
};

const PRELUDE = `import type { IncomingWebhookSendArguments } from '@slack/webhook';
// fetch, timeout and retryConfig are the client's own options; IncomingWebhook never posts them.
type Payload = Omit<IncomingWebhookSendArguments, 'fetch' | 'timeout' | 'retryConfig'>;
type Widen<T> = 0 extends 1 & T ? T : T extends string ? string : T extends number ? number : T extends boolean ? boolean
  : T extends readonly (infer U)[] ? Widen<U>[] : T extends object ? { [K in keyof T]: Widen<T[K]> } : T;
`;

interface Span {
  strict: [number, number];
  shape: [number, number];
}

/** The virtual file for a batch and, per payload, where its strict and shape statements are. */
function renderBatch(payloads: unknown[]): { text: string; spans: Span[] } {
  let text = PRELUDE;
  const spans = payloads.map((payload, i) => {
    const json = JSON.stringify(payload, null, 2) ?? 'undefined';
    const strictStart = text.length;
    text += `const strict${i}: Payload = ${json};\n`;
    const shapeStart = text.length;
    text += `const loose${i} = ${json};\nconst shape${i}: Widen<Payload> = loose${i};\n`;
    return { strict: [strictStart, shapeStart], shape: [shapeStart, text.length] } as Span;
  });
  return { text, spans };
}

/** A checker that keeps parsed declaration files between batches and checks payloads that arrive together at once. */
export function createSlackPayloadChecker(windowMs = 5) {
  const parsed = new Map<string, ts.SourceFile>();
  const host = ts.createCompilerHost(OPTIONS, true);
  let virtualText = '';
  let oldProgram: ts.Program | undefined;
  const timings: BatchTiming[] = [];
  let queue: Array<{ payload: unknown; done: (v: PayloadVerdict & { batch: BatchTiming }) => void; fail: (err: unknown) => void }> = [];

  host.getSourceFile = (fileName, languageVersion) => {
    if (fileName === VIRTUAL) return ts.createSourceFile(fileName, virtualText, languageVersion, true);
    if (!parsed.has(fileName)) {
      const text = ts.sys.readFile(fileName);
      if (text !== undefined) parsed.set(fileName, ts.createSourceFile(fileName, text, languageVersion, true));
    }
    return parsed.get(fileName);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => fileName === VIRTUAL || fileExists(fileName);

  /** Type-checks payloads in one program, synchronously. */
  function checkNow(payloads: unknown[]): PayloadVerdict[] {
    const started = performance.now();
    const { text, spans } = renderBatch(payloads);
    virtualText = text;
    const program = ts.createProgram({ rootNames: [VIRTUAL], options: OPTIONS, host, oldProgram });
    oldProgram = program;
    const file = program.getSourceFile(VIRTUAL)!;
    const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
    const verdicts = spans.map((span) => verdictOf(span, diagnostics, file));
    timings.push({ payloads: payloads.length, ms: Math.round(performance.now() - started) });
    return verdicts;
  }

  function flush(): void {
    const batch = queue;
    queue = [];
    try {
      const verdicts = checkNow(batch.map((q) => q.payload));
      const timing = timings.at(-1)!;
      for (const [i, q] of batch.entries()) q.done({ ...verdicts[i]!, batch: timing });
    } catch (err) {
      for (const q of batch) q.fail(err);
    }
  }

  return {
    checkNow,
    /** Checks one payload together with whatever else arrives within the batching window. */
    check(payload: unknown): Promise<PayloadVerdict & { batch: BatchTiming }> {
      return new Promise((done, fail) => {
        queue.push({ payload, done, fail });
        if (queue.length === 1) setTimeout(flush, windowMs);
      });
    },
    timings: () => [...timings],
  };
}

/** Invalid when the shape check fails, deviating when only the strict one does; reasons are the strict check's (they name the field). */
function verdictOf(span: Span, diagnostics: ts.Diagnostic[], file: ts.SourceFile): PayloadVerdict {
  const inside = ([from, to]: [number, number]) => diagnostics.filter((d) => d.start !== undefined && d.start >= from && d.start < to);
  const [shape, strict] = [inside(span.shape), inside(span.strict)];
  const reasons = strict.map((d) => `${pathAt(file, d.start!)}: ${message(d)}`);
  if (shape.length > 0) return { verdict: 'invalid', reasons: reasons.length > 0 ? reasons : shape.map((d) => message(d)) };
  return strict.length > 0 ? { verdict: 'deviates', reasons } : { verdict: 'valid', reasons: [] };
}

function message(d: ts.Diagnostic): string {
  return ts
    .flattenDiagnosticMessageText(d.messageText, '\n')
    .split('\n')
    .map((l) => l.trim())
    .join(' ');
}

/** The JSON path (`attachments[0].mrkdwn_in[0]`) of the literal a diagnostic points at. */
function pathAt(file: ts.SourceFile, position: number): string {
  let node: ts.Node = file;
  for (let child = childAt(node, position); child; child = childAt(node, position)) node = child;
  const steps: string[] = [];
  for (; node.parent && !ts.isVariableDeclaration(node); node = node.parent) {
    const parent = node.parent;
    if (ts.isPropertyAssignment(parent) && ts.isStringLiteral(parent.name)) steps.unshift(`.${parent.name.text}`);
    else if (ts.isArrayLiteralExpression(parent)) steps.unshift(`[${parent.elements.indexOf(node as ts.Expression)}]`);
  }
  return steps.join('').replace(/^\./, '') || '(payload)';
}

function childAt(node: ts.Node, position: number): ts.Node | undefined {
  return node.getChildren().find((c) => c.getStart() <= position && position < c.getEnd());
}
