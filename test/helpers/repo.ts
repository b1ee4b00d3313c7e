import { GENERATED_FILES } from '../../scripts/generate/plan.ts';
import { rmSync } from 'node:fs';
import { cp, mkdtemp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;
export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

const made = new Set<string>();
// At exit, not in after(): node:test attaches an after() called inside a test by its async context, which after an
// await on a promise another test created can be a test that has already ended; that hook never ran (drift-live leaked).
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A temporary folder holding `files` (path → text), removed when the process (a test file's, or a bench's) exits. */
export async function tempRepo(files: Record<string, string> = {}, from?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'monitoring-gitops-test-'));
  made.add(dir);
  if (from) await cp(from, dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

/** A copy of this repository's inventory (the embedded default fleet) and generated trees. */
export async function defaultFleetCopy(): Promise<string> {
  const dir = await tempRepo();
  for (const part of ['fleet.yaml', 'clusters', 'overlays', 'base', 'apps', ...GENERATED_FILES])
    await cp(join(PROJECT_ROOT, part), join(dir, part), { recursive: true });
  return dir;
}

/** Every file under `dir`, path → content, for before/after comparisons. */
export async function snapshotTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const abs = join(d, e.name);
      if (e.isDirectory()) await walk(abs);
      else files.set(relative(dir, abs), await readFile(abs, 'utf8'));
    }
  };
  await walk(dir);
  return files;
}
