import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let digest: string | undefined;

/** The toolkit's own sources, schemas, app catalog and tool pins, hashed once per process: a change to any of them invalidates every memo and cached result. */
export function toolkitVersion(): string {
  if (digest) return digest;
  const root = new URL('../../', import.meta.url).pathname;
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (/\.(ts|json|yaml)$/.test(e.name)) hash.update(`${path}\0`).update(readFileSync(join(root, path)));
    }
  };
  walk('scripts');
  walk('schemas');
  hash.update(readFileSync(join(root, 'tools', 'pins.json'))).update(readFileSync(join(root, 'app-catalog.yaml')));
  digest = hash.digest('hex');
  return digest;
}
