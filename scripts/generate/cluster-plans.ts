import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, Inventory } from '../inventory/types.ts';
import { blobOid, type ObjectFormat } from '../lib/worktree-files.ts';
import type { PlannedRefs } from './plan-memo.ts';
import { clusterPlanner } from './plan.ts';
import type { FileWrite } from './plan-types.ts';

/**
 * One cluster's plan as a thread hands it over: its files' git object ids (what the plan memo keeps), and the
 * files themselves unless they were staged (then they are on disk, below the staging folder).
 */
export interface ClusterPlan {
  refs: PlannedRefs;
  files?: FileWrite[];
}

/**
 * A file staged ahead. Its content is read back from the staging folder only if something asks for it (the
 * transaction does for a file whose folder turned out to exist): a new fleet's 86,000 contents are not held in
 * memory, where the garbage collector would copy them again and again while the rest is planned.
 */
export class StagedFile implements FileWrite {
  constructor(
    readonly path: string,
    private readonly folder: string,
  ) {}
  get content(): string {
    return readFileSync(join(this.folder, this.path), 'utf8');
  }
}

/** Where the files of a cluster none of whose folders exists yet are written ahead of the transaction (which moves them in). */
export interface Staging {
  folder: string;
  /** The cluster folders that hold something on disk. */
  onDisk: string[];
}

/** The folder a generated path belongs to: apps/<cluster> or overlays/<env>/<cluster>; fleet files belong to none. */
export const folderOf = (path: string) => /^(apps\/[^/]+|overlays\/[^/]+\/[^/]+)\//.exec(path)?.[1];

/**
 * Plans clusters one at a time on one thread. With `staging`, a cluster whose folders are all new has its files
 * written below the staging folder as it is planned (and handed over without them); after a write fails nothing
 * more is staged, and `failure` says why (the caller then discards everything staged).
 */
export function clusterPlans(inventory: Inventory, format: ObjectFormat, staging?: Staging) {
  const planCluster = clusterPlanner(inventory);
  const onDisk = new Set(staging?.onDisk);
  const made = new Set<string>();
  let failure: string | undefined;
  const ensureFolder = (folder: string, path: string) => {
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (made.has(dir)) return;
    mkdirSync(join(folder, dir), { recursive: true });
    for (let d = dir; d && !made.has(d); d = d.slice(0, Math.max(0, d.lastIndexOf('/')))) made.add(d);
  };
  const stage = (files: FileWrite[]): boolean => {
    if (!staging || failure !== undefined || !files.every((f) => isNewFolder(folderOf(f.path)))) return false;
    try {
      for (const { path, content } of files) {
        ensureFolder(staging.folder, path);
        writeFileSync(join(staging.folder, path), content);
      }
      return true;
    } catch (err) {
      failure = (err as Error).message;
      return false;
    }
  };
  const isNewFolder = (folder: string | undefined) => folder !== undefined && !onDisk.has(folder);
  return {
    plan(cluster: Cluster): ClusterPlan {
      const files = planCluster(cluster);
      const refs: PlannedRefs = files.map((f) => [f.path, blobOid(f.content, format)]);
      return stage(files) ? { refs } : { refs, files };
    },
    failure: () => failure,
  };
}
