import { posix } from 'node:path';

/** A file a Prometheus or Alertmanager config names (rule files, templates, credentials, CA files…). */
export interface FileReference {
  /** Where in the config: `rule_files[1]`, `scrape_configs[0].authorization.credentials_file`. */
  field: string;
  /** As written in the config. */
  written: string;
  /** Resolved against the config file's folder, as both programs resolve relative paths. */
  absolute: string;
}

/** Which keys of a config name files: lists of paths or globs, and single paths (`*_file`). */
export interface ReferenceKeys {
  lists: Set<string>;
}

export const PROMETHEUS_KEYS: ReferenceKeys = { lists: new Set(['rule_files', 'scrape_config_files', 'files']) };
export const ALERTMANAGER_KEYS: ReferenceKeys = { lists: new Set(['templates']) };

type Visit = (field: string, written: string) => string;

/** Walks the config, calling `visit` on every path it names and putting back what `visit` returns. Pure. */
function mapReferences(node: unknown, keys: ReferenceKeys, visit: Visit, field = ''): unknown {
  if (Array.isArray(node)) return node.map((item, i) => mapReferences(item, keys, visit, `${field}[${i}]`));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const at = field ? `${field}.${key}` : key;
    if (keys.lists.has(key) && Array.isArray(value)) out[key] = value.map((v, i) => (typeof v === 'string' ? visit(`${at}[${i}]`, v) : v));
    else if (key.endsWith('_file') && typeof value === 'string' && value !== '') out[key] = visit(at, value);
    else out[key] = mapReferences(value, keys, visit, at);
  }
  return out;
}

/** Every file the config names, resolved against `configFile`'s folder. Pure. */
export function fileReferences(config: unknown, configFile: string, keys: ReferenceKeys): FileReference[] {
  const found: FileReference[] = [];
  mapReferences(config, keys, (field, written) => {
    found.push({ field, written, absolute: posix.resolve(posix.dirname(configFile), written) });
    return written;
  });
  return found;
}

/** The config with every named file moved under `root` (a folder that mirrors the container's files). Pure. */
export function rebaseReferences(config: unknown, configFile: string, keys: ReferenceKeys, root: string): unknown {
  return mapReferences(config, keys, (_field, written) => posix.join(root, posix.resolve(posix.dirname(configFile), written)));
}
