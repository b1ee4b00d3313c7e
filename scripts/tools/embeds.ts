import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolPin } from './pins.ts';

/** The repository's root folder, where the wrapper modules' folders are relative to. */
const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * The pin of a wrapper module that links pinned tools in (`embeds`): their versions and a digest of the
 * wrapper's own files make its version (a code change is a new build), their ldflags its ldflags. Pure
 * but for reading the wrapper's files.
 */
export function withEmbedded(spec: Omit<ToolPin, 'version'>, embedded: ToolPin[]): ToolPin {
  if (!spec.wrapper) throw new Error('a pin that embeds tools must name its wrapper module');
  const versions = embedded.map((pin, i) => `${spec.embeds![i]}-${pin.version}`);
  const ldflags = embedded.flatMap((pin) => (pin.ldflags ? [pin.ldflags] : [])).join(' ');
  return { ...spec, version: [...versions, `src-${wrapperDigest(spec.wrapper)}`].join('+'), ldflags: ldflags || undefined, embedded };
}

/** A short digest of a Go module folder's source (names and contents of its .go files, go.mod and go.sum). */
export function wrapperDigest(folder: string): string {
  const hash = createHash('sha256');
  const files = readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /(\.go|^go\.mod|^go\.sum)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const file of files)
    hash
      .update(`${file.slice(ROOT.length)}\0`)
      .update(readFileSync(file))
      .update('\0');
  return hash.digest('hex').slice(0, 12);
}
