import { isRecord, type JsonSchema } from './schema.ts';

/** Replaces one named definition before inlining (the Quantity of built-in APIs, for instance). */
type DefinitionOverride = (name: string, definition: JsonSchema) => JsonSchema;

/**
 * Inlines every `#/definitions/…` reference of `schema`, so that the result stands alone. A definition
 * that refers back to itself (JSONSchemaProps) is inlined once; the inner reference becomes `{}`
 * (anything), which keeps files finite while still checking the outer level.
 */
export function inlineRefs(
  schema: JsonSchema,
  definitions: Record<string, JsonSchema>,
  override: DefinitionOverride = (_name, definition) => definition,
): JsonSchema {
  const expand = (node: JsonSchema, stack: ReadonlySet<string>): JsonSchema => {
    if (typeof node.$ref === 'string') return expandRef(node, node.$ref, stack);
    return mapSubschemas(node, (child) => expand(child, stack));
  };
  const expandRef = (node: JsonSchema, ref: string, stack: ReadonlySet<string>): JsonSchema => {
    const { $ref: _ref, ...siblings } = node;
    const name = ref.replace(/^#\/definitions\//, '');
    const definition = definitions[name];
    if (!definition) throw new Error(`unresolvable reference ${ref}`);
    if (stack.has(name)) return siblings;
    // The referring schema's own keywords (its description, mostly) win over the definition's.
    return { ...expand(override(name, definition), new Set([...stack, name])), ...siblings };
  };
  return expand(schema, new Set());
}

const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions'] as const;
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'] as const;
const SCHEMA_VALUES = ['items', 'additionalProperties', 'additionalItems', 'not'] as const;

/**
 * A copy of `node` with `fn` applied to each direct subschema. Only schema positions are visited:
 * JSONSchemaProps has a property *named* `$ref`, which is not a reference.
 */
function mapSubschemas(node: JsonSchema, fn: (child: JsonSchema) => JsonSchema): JsonSchema {
  const out: JsonSchema = { ...node };
  for (const key of SCHEMA_MAPS) {
    const map = node[key];
    if (isRecord(map)) out[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, isRecord(v) ? fn(v) : v]));
  }
  for (const key of SCHEMA_LISTS) {
    const list = node[key];
    if (Array.isArray(list)) out[key] = list.map((v) => (isRecord(v) ? fn(v) : v));
  }
  for (const key of SCHEMA_VALUES) {
    const value = node[key];
    if (isRecord(value)) out[key] = fn(value);
    else if (key === 'items' && Array.isArray(value)) out[key] = value.map((v) => (isRecord(v) ? fn(v) : v));
  }
  return out;
}
