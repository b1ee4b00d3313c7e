/** A Helm values tree (or any YAML mapping read as data). */
export type Values = Record<string, unknown>;

/** A mapping: not null, not a list. */
export const isMap = (value: unknown): value is Values => value !== null && typeof value === 'object' && !Array.isArray(value);
