import { readFileSync } from 'node:fs';
import type { Ajv, ValidateFunction } from 'ajv';
import type { Finding } from '../lib/findings.ts';
import type { SourceDocument } from '../lib/yaml.ts';
import { compiledSchemas, newAjv } from './ajv.ts';
import { appCatalog } from './app-catalog.ts';
import { DERIVED_SCHEMAS, deriveSchema, schemaText, type DerivedSchemaName } from './derived-schemas.ts';
import { checkSourceWith } from './schema-check.ts';

const SCHEMA_NAMES = ['fleet', 'cluster', 'pins', 'values', 'rules', 'routing-tests', 'dashboard'] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

let validators: Record<SchemaName, ValidateFunction> | undefined;
/** Every schema added, compiled per property on demand: only files that failed their schema get here. */
let propertyAjv: Ajv | undefined;

/** The committed schemas/<name>.schema.json, as data. */
export const committedSchema = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../schemas/${name}.schema.json`, import.meta.url), 'utf8'));

const isDerived = (name: SchemaName): name is DerivedSchemaName => (DERIVED_SCHEMAS as readonly string[]).includes(name);

/** A schema as checks use it: the cluster, pins and fleet schemas with their app parts from the catalog, whatever the committed file says. */
export const schemaOf = (name: SchemaName) => (isDerived(name) ? deriveSchema(name, committedSchema(name), appCatalog()) : committedSchema(name));

const everySchema = () => Object.fromEntries(SCHEMA_NAMES.map((name) => [name, schemaOf(name)])) as Record<SchemaName, object>;

/** Checks a parsed YAML file against a schema; every problem located at file:line:column. */
export function checkYamlAgainstSchema(name: SchemaName, source: SourceDocument): Finding[] {
  validators ??= compiledSchemas(everySchema());
  return checkSourceWith(validators[name], source);
}

/** Whether `value` matches the schema of one top-level property (`#/properties/<key>`): the usable part of a file that failed its schema. */
export function matchesPropertySchema(name: SchemaName, key: string, value: unknown): boolean {
  if (!propertyAjv) {
    propertyAjv = newAjv();
    for (const schema of Object.values(everySchema())) propertyAjv.addSchema(schema);
  }
  const id = (schemaOf(name) as { $id: string }).$id;
  const validate = propertyAjv.getSchema(`${id}#/properties/${key}`);
  if (!validate) throw new Error(`${name}.schema.json has no property ${key}`);
  return value !== undefined && validate(value) === true;
}

/** The schemas whose app parts the catalog writes: each as it must read, and whether the committed file does. */
export function derivedSchemaFiles(): { file: string; url: URL; text: string; stale: boolean }[] {
  return DERIVED_SCHEMAS.map((name) => {
    const url = new URL(`../../schemas/${name}.schema.json`, import.meta.url);
    const text = schemaText(deriveSchema(name, committedSchema(name), appCatalog()));
    return { file: `schemas/${name}.schema.json`, url, text, stale: readFileSync(url, 'utf8') !== text };
  });
}
