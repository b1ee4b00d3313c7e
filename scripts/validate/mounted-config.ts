import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { fileReferences, rebaseReferences, type FileReference, type ReferenceKeys } from './config-files.ts';
import { expandGlob, hasGlob, lookupFile, type ConfiguredContainer, type FileLookup } from './pod-files.ts';

/** A file the config names, and what the container finds there (a glob: every file it matches). */
interface ResolvedReference extends FileReference {
  lookup: FileLookup;
  /** For a glob: the matching files (empty when it matches none). */
  matches?: string[];
}

/** A container's config file as mounted, with the files it names. Pure result of `readMountedConfig`. */
export interface MountedConfig {
  container: ConfiguredContainer;
  /** Where the config file comes from: `ConfigMap/prometheus-server` key `prometheus.yml`. */
  lookup: FileLookup;
  config?: unknown;
  /** Why the config could not be read (not mounted, not YAML). */
  problem?: string;
  references: ResolvedReference[];
}

/** Reads the config file the container's --config.file names from its mounts, and resolves what it references. Pure. */
export function readMountedConfig(container: ConfiguredContainer, keys: ReferenceKeys): MountedConfig {
  const lookup = lookupFile(container.mounts, container.configFile);
  if (lookup.found !== 'file') return { container, lookup, references: [], problem: describeAbsence(container.configFile, lookup) };
  let config: unknown;
  try {
    config = parse(lookup.text, { maxAliasCount: 100 });
  } catch (err) {
    return { container, lookup, references: [], problem: `${container.configFile} is not valid YAML: ${(err as Error).message.split('\n')[0]}` };
  }
  const references = fileReferences(config, container.configFile, keys).map((ref): ResolvedReference => {
    if (!hasGlob(ref.absolute)) return { ...ref, lookup: lookupFile(container.mounts, ref.absolute) };
    const { paths, opaque } = expandGlob(container.mounts, ref.absolute);
    return { ...ref, lookup: opaque ? lookupFile(container.mounts, dirname(ref.absolute)) : { found: 'unmounted' }, matches: paths };
  });
  return { container, lookup, config, references };
}

/** Why a path names nothing the container has, in words. */
export function describeAbsence(path: string, lookup: FileLookup): string {
  if (lookup.found === 'missing')
    return `${path} is not in ${lookup.mount.source} (mounted at ${lookup.mount.path}; it has ${[...lookup.mount.files.keys()].sort().join(', ') || 'no keys'})`;
  if (lookup.found === 'unmounted') return `${path} is on no volume the container mounts`;
  return `${path} is in ${lookup.mount.path}, whose content is not rendered`;
}

/** The references that name a file the container would not find (a non-glob path on a ConfigMap without it, or on no volume). */
export function missingReferences(mounted: MountedConfig): ResolvedReference[] {
  return mounted.references.filter((r) => r.matches === undefined && (r.lookup.found === 'missing' || r.lookup.found === 'unmounted'));
}

/**
 * Writes the container's view under `parent`: every ConfigMap file at its mount path, an empty
 * placeholder for each referenced file on a mount whose content is not rendered (a Secret, the service
 * account), and the config rebased onto that folder. Identical views share one folder. Returns the config's path.
 */
export function writeSandbox(parent: string, mounted: MountedConfig, keys: ReferenceKeys, stringify: (config: unknown) => string): string {
  const { container } = mounted;
  const files = container.mounts.flatMap((m) => [...m.files].map(([k, text]) => [join(m.path, k), text] as const));
  const placeholders = mounted.references.filter((r) => r.lookup.found === 'opaque' && !hasGlob(r.absolute)).map((r) => r.absolute);
  const digest = createHash('sha256')
    .update(JSON.stringify([container.configFile, files, placeholders]))
    .digest('hex');
  const root = join(parent, digest.slice(0, 16));
  const configPath = join(root, container.configFile);
  sandboxDigests.set(configPath, digest);
  if (existsSync(configPath)) return configPath;
  for (const [path, text] of files) put(join(root, path), text);
  for (const path of placeholders) if (!existsSync(join(root, path))) put(join(root, path), '');
  put(configPath, stringify(rebaseReferences(mounted.config, container.configFile, keys, root)));
  return configPath;
}

/** Sandbox config path → the digest of everything written into that sandbox (its folder is named by the digest's start). */
const sandboxDigests = new Map<string, string>();

/** What a sandbox holds, as one digest: two sandboxes with the same digest hold the same files. */
export const sandboxDigest = (configPath: string) => sandboxDigests.get(configPath);

function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
