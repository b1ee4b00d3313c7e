import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_CONCURRENCY, mapLimit } from '../lib/concurrency.ts';

/** Hand-written inputs of the generator: repository-relative path → text. */
export type InventorySources = Map<string, string>;

/** Which hand-written files the inventory is made of; anything else is not read. */
export function isInventoryPath(path: string): boolean {
  return (
    path === 'fleet.yaml' ||
    /^clusters\/[^/]+\.ya?ml$/.test(path) ||
    /^overlays\/[^/]+\/pins\.yaml$/.test(path) ||
    /^overlays\/[^/]+\/[^/]+\.values\.yaml$/.test(path) ||
    /^base\/[^/]+\/values\.yaml$/.test(path) ||
    /^base\/prometheus\/rules\/[^/]+\.yaml$/.test(path) ||
    /^base\/grafana\/dashboards\/[^/]+\.json$/.test(path)
  );
}

/** Reads every inventory file under `root`. */
export async function readInventorySources(root: string): Promise<InventorySources> {
  const candidates = [
    'fleet.yaml',
    ...(await list(root, 'clusters')),
    ...(await listNested(root, 'overlays')),
    ...(await listNested(root, 'base')),
    ...(await list(root, 'base/prometheus/rules')),
    ...(await list(root, 'base/grafana/dashboards')),
  ];
  const paths = candidates.filter(isInventoryPath).sort();
  const texts = await mapLimit(paths, FILE_CONCURRENCY, (path) => readFile(join(root, path), 'utf8').catch(() => undefined));
  const sources: InventorySources = new Map();
  paths.forEach((path, i) => texts[i] !== undefined && sources.set(path, texts[i]!));
  return sources;
}

async function list(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => `${dir}/${e.name}`);
}

/** Files one level below each sub-folder of `dir` (overlays/<env>/*, base/<app>/*). */
async function listNested(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => list(root, `${dir}/${e.name}`)));
  return nested.flat();
}
