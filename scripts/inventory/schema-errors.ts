import type { ErrorObject } from 'ajv';

export interface DescribedError {
  /** Path of the offending value inside the document. */
  path: (string | number)[];
  /** Point at the key rather than the value (unknown keys). */
  atKey: boolean;
  message: string;
  hint?: string;
  /** For an unknown key: the allowed key it is probably a typo of. */
  typoOf?: string;
  /** For a missing required key: its name. */
  missingKey?: string;
  /** A string was wanted and something else found (an unquoted number or boolean, usually). */
  wantedString?: boolean;
}

type SchemaNode = { properties?: Record<string, { description?: string }>; oneOf?: { required?: string[] }[]; 'x-hint'?: string };

/** Turns one ajv error into a message a person can act on, or null when another error already says it. */
export function describeSchemaError(error: ErrorObject): DescribedError | null {
  // Branch failures of oneOf repeat what the oneOf error itself says.
  if (/\/oneOf\/\d+\//.test(error.schemaPath)) return null;
  // An if/then/else failure only says which branch failed; that branch's own errors say why.
  if (error.keyword === 'if') return null;
  const path = parsePointer(error.instancePath);
  const where = path.length ? path.join('.') : 'the top level';
  const parent = (error.parentSchema ?? {}) as SchemaNode;
  const hint = parent['x-hint'];
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const allowed = Object.keys(parent.properties ?? {});
      const guess = closest(key, allowed);
      return {
        path: [...path, key],
        atKey: true,
        message: `unknown key '${key}' in ${where}`,
        hint: `${guess ? `did you mean '${guess}'? ` : ''}allowed keys: ${allowed.join(', ')}`,
        ...(guess ? { typoOf: guess } : {}),
      };
    }
    case 'required': {
      const key = String(error.params.missingProperty);
      const description = parent.properties?.[key]?.description;
      return {
        path,
        atKey: false,
        missingKey: key,
        message: `missing required key '${key}' in ${where}`,
        hint: description ? `add '${key}' (${description})` : `add '${key}'`,
      };
    }
    case 'oneOf': {
      const choices = (parent.oneOf ?? []).flatMap((branch) => branch.required ?? []);
      return { path, atKey: false, message: `${where} must set exactly one of: ${choices.join(', ')}`, hint };
    }
    case 'pattern':
      return {
        path,
        atKey: false,
        message: `${where} is not valid: ${JSON.stringify(error.data)}`,
        hint: hint ?? `match the pattern ${String(error.params.pattern)}`,
      };
    case 'not':
      return { path, atKey: false, message: `${where} has a value that is not allowed`, hint };
    default: {
      const wantedString = error.keyword === 'type' && error.params.type === 'string';
      return {
        path,
        atKey: false,
        message: `${where} ${plainWords(error.message ?? 'is invalid')}${valueSuffix(error)}`,
        hint,
        ...(wantedString ? { wantedString } : {}),
      };
    }
  }
}

/** ajv speaks JSON; our users write YAML. */
function plainWords(message: string): string {
  return message.replace(/must be object$/, 'must be a mapping').replace(/must be array$/, 'must be a list');
}

function valueSuffix(error: ErrorObject): string {
  if (error.keyword === 'type' || typeof error.data === 'object') return '';
  return ` (found ${JSON.stringify(error.data)})`;
}

/** JSON pointer → path segments; digits become list indices. */
function parsePointer(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The allowed key nearest to a typo, if it is near enough to be a likely fix. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(word.length / 3)) ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
