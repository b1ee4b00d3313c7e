import { readFileSync, realpathSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { UsageError } from './errors.ts';

/** How to read one kind of shard file (validate --json reports, diff --format json outcomes). */
export interface ShardFileKind<T> {
  /** `a validate --json report`. */
  what: string;
  /** What to do instead: `pass the files that validate --shard … --json wrote`. */
  fix: string;
  /** The JSON Schema a file must satisfy before anything reads it. */
  schema: object;
  /** What one shard covers (cluster/app): two files covering the same one are the same shard twice. */
  units: (shard: T) => string[];
}

const ajv = new Ajv({ allErrors: false, strict: true });
const compiled = new WeakMap<object, ValidateFunction>();

/** `/findings/3/line` → `findings[3].line`, the way a reader looks for it in the file. */
function jsonPath(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('');
  return path ? path.replace(/^\./, '') : 'the document';
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'required') return `${jsonPath(error)} has no '${(error.params as { missingProperty: string }).missingProperty}'`;
  if (error.keyword === 'enum')
    return `${jsonPath(error)} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `${jsonPath(error)} ${error.message}`;
}

/**
 * The shards' files, each read and checked against `kind.schema` before anything uses it; a file that is
 * not one, or that repeats a shard (the same file, or a cluster covered twice), is refused naming it (exit 2).
 */
export function readShardFiles<T>(files: string[], kind: ShardFileKind<T>): T[] {
  const validate = compiled.get(kind.schema) ?? ajv.compile(kind.schema);
  compiled.set(kind.schema, validate);
  const refuse = (file: string, why: string) => new UsageError(`${file}: ${why}\nfix: ${kind.fix}`);
  const seen = new Map<string, string>();
  const covered = new Map<string, string>();
  return files.map((file) => {
    let text: string;
    let real: string;
    try {
      text = readFileSync(file, 'utf8');
      real = realpathSync(file);
    } catch (err) {
      throw refuse(file, `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (seen.has(real)) throw refuse(file, `given twice (also as ${seen.get(real)}); each shard is merged once`);
    seen.set(real, file);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw refuse(file, `not ${kind.what}: not JSON (${(err as Error).message})`);
    }
    if (!validate(data)) throw refuse(file, `not ${kind.what}: ${describe(validate.errors![0]!)}`);
    for (const unit of new Set(kind.units(data as T))) {
      const other = covered.get(unit);
      if (other !== undefined) throw refuse(file, `${unit} is also in ${other}: the same shard twice, or shards of different runs`);
      covered.set(unit, file);
    }
    return data as T;
  });
}
