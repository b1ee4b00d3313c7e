import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

/** Set UPDATE_GOLDEN=1 to rewrite the expected trees from the actual output (then review the diff). */
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const GOLDEN_ROOT = new URL('../golden/', import.meta.url).pathname;

async function readTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const abs = join(d, e.name);
      if (e.isDirectory()) await walk(abs);
      else files.set(relative(dir, abs), await readFile(abs, 'utf8'));
    }
  };
  await walk(dir);
  return files;
}

/** Asserts that `actual` (path → content) is exactly the tree test/golden/<name>/. */
export async function assertGoldenTree(name: string, actual: Map<string, string>): Promise<void> {
  const dir = join(GOLDEN_ROOT, name);
  if (UPDATE) {
    await rm(dir, { recursive: true, force: true });
    for (const [path, content] of actual) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    return;
  }
  const expected = await readTree(dir);
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), `file list differs from test/golden/${name} (UPDATE_GOLDEN=1 to accept)`);
  for (const [path, content] of actual) assert.equal(content, expected.get(path), `${path} differs from test/golden/${name}/${path}`);
}
