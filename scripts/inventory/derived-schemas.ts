import type { AppCatalog } from './app-catalog-types.ts';

/** The schemas whose app-specific parts come from the catalog; the rest of each is written by hand in schemas/. */
export const DERIVED_SCHEMAS = ['cluster', 'pins', 'fleet'] as const;
export type DerivedSchemaName = (typeof DERIVED_SCHEMAS)[number];

type Schema = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: a JSON Schema document, navigated by the keys this file writes
type Json = any;

/**
 * A schema with its app-specific parts written from the catalog: the cluster file's apps.<app> blocks, the pins
 * file's keys, and the Secret names External Secrets may map (cluster and fleet files). Pure; the committed
 * schemas/<name>.schema.json must equal it (npm run schemas writes it).
 */
export function deriveSchema(name: DerivedSchemaName, committed: Schema, catalog: AppCatalog): Schema {
  const schema: Json = structuredClone(committed);
  const names = catalog.apps.map((a) => a.name);
  if (name === 'pins') schema.properties = Object.fromEntries(names.map((app) => [app, { $ref: '#/definitions/pin' }]));
  if (name === 'cluster') {
    const byDefault = catalog.apps.filter((a) => a.enabledByDefault).map((a) => a.name);
    const optional = names.filter((n) => !byDefault.includes(n));
    const runs = [
      byDefault.length ? `${byDefault.join(', ')} run${byDefault.length === 1 ? 's' : ''} unless enabled: false` : '',
      optional.length ? `${optional.join(', ')} only with enabled: true` : '',
    ].filter(Boolean);
    schema.properties.apps.description = `The apps on this cluster, from app-catalog.yaml: ${runs.join('; ')}.`;
    schema.properties.apps.properties = Object.fromEntries(catalog.apps.map((a) => [a.name, a.clusterSchema]));
  }
  if (name === 'cluster' || name === 'fleet') {
    const secrets = [...new Set(catalog.apps.flatMap((a) => a.secrets.map((s) => s.name)))];
    const external = schema.definitions.externalSecrets;
    external.description = String(external.description).replace(/^(Make the stack's Secrets )\([^)]*\)/, `$1(${secrets.join(', ')})`);
    external.properties.remoteKeys.properties = Object.fromEntries(secrets.map((s) => [s, { type: 'string', minLength: 1 }]));
    external.properties.remoteKeys['x-hint'] = `name one of ${secrets.join(', ')}`;
  }
  return schema;
}

/** A schema as the committed file holds it. */
export const schemaText = (schema: Schema) => `${JSON.stringify(schema, null, 2)}\n`;
