import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Finding } from '../lib/findings.ts';
import { positionOf, type SourceDocument } from '../lib/yaml.ts';
import { describeSchemaError, type DescribedError } from './schema-errors.ts';

const SCHEMA_NAMES = ['fleet', 'cluster', 'pins', 'values', 'rules', 'routing-tests', 'dashboard'] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
let compiled: { ajv: Ajv; validators: Map<SchemaName, ValidateFunction> } | undefined;

function compileAll(): { ajv: Ajv; validators: Map<SchemaName, ValidateFunction> } {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-hint', schemaType: 'string' });
  const validators = new Map<SchemaName, ValidateFunction>();
  for (const name of SCHEMA_NAMES) {
    const url = new URL(`../../schemas/${name}.schema.json`, import.meta.url);
    validators.set(name, ajv.compile(JSON.parse(readFileSync(url, 'utf8'))));
  }
  return { ajv, validators };
}

/** The raw ajv errors of `data` against one of the repository's schemas. */
function schemaErrors(name: SchemaName, data: unknown): ErrorObject[] {
  compiled ??= compileAll();
  const validate = compiled.validators.get(name)!;
  return validate(data) ? [] : (validate.errors ?? []);
}

/** Whether `value` matches the schema of one top-level property (`#/properties/<key>`): the usable part of a file that failed its schema. */
export function matchesPropertySchema(name: SchemaName, key: string, value: unknown): boolean {
  compiled ??= compileAll();
  const id = (compiled.validators.get(name)!.schema as { $id: string }).$id;
  const validate = compiled.ajv.getSchema(`${id}#/properties/${key}`);
  if (!validate) throw new Error(`${name}.schema.json has no property ${key}`);
  return value !== undefined && validate(value) === true;
}

/** Checks a parsed YAML file against a schema; every problem located at file:line:column. */
export function checkYamlAgainstSchema(name: SchemaName, source: SourceDocument): Finding[] {
  const described = schemaErrors(name, source.data).flatMap((error) => describeSchemaError(error) ?? []);
  return withoutTypoEchoes(described).map((described) => {
    const pos = positionOf(source, described.path, described.atKey);
    const finding = { file: source.file, ...pos, message: described.message, hint: described.hint };
    return described.wantedString ? explainNotAString(finding, source, described.path) : finding;
  });
}

/** `kubernetesVersion: 1.30` is the number 1.3 to YAML: say so, and show the quoted text as the fix. */
function explainNotAString(finding: Finding, source: SourceDocument, path: (string | number)[]): Finding {
  const node = source.doc.getIn(path, true) as { range?: [number, number]; value?: unknown } | undefined;
  const value = node?.value;
  if (!node?.range || !['number', 'boolean'].includes(typeof value)) return finding;
  const text = source.text.slice(node.range[0], node.range[1]).trim();
  return {
    ...finding,
    message: `${finding.message}; YAML read the unquoted ${text} as a ${typeof value} (${JSON.stringify(value)})`,
    hint: `quote it: "${text}"`,
  };
}

/** A misspelt required key also shows as "missing": keep only the typo finding, which names the fix. */
function withoutTypoEchoes(errors: DescribedError[]): DescribedError[] {
  const typoFixes = new Set(errors.flatMap((e) => (e.typoOf ? [`${e.path.slice(0, -1).join('.')}|${e.typoOf}`] : [])));
  return errors.filter((e) => !(e.missingKey && typoFixes.has(`${e.path.join('.')}|${e.missingKey}`)));
}
