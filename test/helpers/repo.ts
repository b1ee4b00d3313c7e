import { GENERATED_FILES } from '../../scripts/generate/plan.ts';
import { rmSync } from 'node:fs';
import { cp, mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after } from 'node:test';

export const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;
export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

/** A temporary folder holding `files` (path → text), removed when the test file ends. */
export async function tempRepo(files: Record<string, string> = {}, from?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'monitoring-gitops-test-'));
  // Under the test runner the folder goes with the test file; elsewhere (bench scripts) at exit.
  if (process.env.NODE_TEST_CONTEXT) after(() => rm(dir, { recursive: true, force: true }));
  else process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
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
