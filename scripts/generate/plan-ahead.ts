import { rmSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import type { Inventory } from '../inventory/types.ts';
import { chunkedWork, claimChunks, type ChunkedWork } from '../lib/chunks.ts';
import { startSecondThread } from '../lib/worker.ts';
import type { ObjectFormat } from '../lib/worktree-files.ts';
import { clusterPlans, StagedFile, type ClusterPlan, type Staging } from './cluster-plans.ts';
import type { PlannedRefs } from './plan-memo.ts';
import type { FileWrite } from './plan-types.ts';

/** Below this many clusters to plan, a second thread (about 0.3 s to start) costs more than it saves. */
const MIN_CLUSTERS = 200;
/** Clusters a thread claims at a time: small enough that neither waits long for the other's last chunk. */
const CHUNK = 20;

/** What plan-ahead-worker.ts is given. */
export interface PlanAheadData {
  inventory: Inventory;
  work: ChunkedWork<number>;
  format: ObjectFormat;
  staging?: Staging;
  /** Where it posts each chunk's plans as [start, plans], then `{ end: true }`. */
  results: MessagePort;
}

export type PlanAheadMessage = [start: number, plans: ClusterPlan[]] | { end: true; failure?: string };

/** Planned clusters, and the paths of the files already staged for them. */
export interface PlannedClusters {
  plans: { refs: PlannedRefs; files: FileWrite[] }[];
  staged: Set<string>;
}

/**
 * The plans of the clusters at `indices` of the inventory, in that order, and the paths of the files staged for
 * them. Many clusters (a new fleet, a new checkout) are planned on two threads at once, each claiming chunks from
 * one shared counter and staging the files of clusters whose folders are all new below `staging.folder`; the
 * transaction moves those in. When either thread failed to stage, or the second thread failed, nothing staged
 * is kept (the transaction writes every file) and what was staged or not planned is planned again here.
 */
export async function planClusters(inventory: Inventory, indices: number[], format: ObjectFormat, staging?: Staging): Promise<PlannedClusters> {
  const onOneThread = () => {
    const here = clusterPlans(inventory, format);
    return { plans: indices.map((i) => withFiles(here.plan(inventory.clusters[i]!))), staged: new Set<string>() };
  };
  // The transaction writes a few clusters' files sooner than a thread starts.
  if (indices.length < MIN_CLUSTERS) return onOneThread();
  const work = chunkedWork(indices, CHUNK);
  const { port1: results, port2 } = new MessageChannel();
  const data: PlanAheadData = { inventory, work, format, staging, results: port2 };
  let worker: Worker;
  try {
    worker = startSecondThread(new URL('./plan-ahead-worker.ts', import.meta.url), data, [port2]);
  } catch {
    results.close();
    return onOneThread();
  }
  // A thread that fails ends; its 'error' must not end this process.
  const exited = new Promise<void>((resolve) => worker.on('error', () => {}).once('exit', () => resolve()));
  const plans: (ClusterPlan | undefined)[] = new Array(indices.length);
  let end: { failure?: string } | undefined;
  const take = (message: PlanAheadMessage) => {
    if (!Array.isArray(message)) end = message;
    else for (const [i, plan] of message[1].entries()) plans[message[0] + i] = plan;
  };
  // Between its own chunks this thread takes in the other's, so that neither waits at the end.
  const drain = () => {
    for (let m = receiveMessageOnPort(results); m; m = receiveMessageOnPort(results)) take(m.message as PlanAheadMessage);
  };
  const here = clusterPlans(inventory, format, staging);
  try {
    claimChunks(work, (start, chunk) => {
      for (const [i, index] of chunk.entries()) plans[start + i] = here.plan(inventory.clusters[index]!);
      drain();
    });
    const ended = new Promise<void>((resolve) =>
      results.on('message', (message: PlanAheadMessage) => {
        take(message);
        if (end) resolve();
      }),
    );
    if (!end) await Promise.race([ended, exited]);
    drain();
  } finally {
    results.close();
    await worker.terminate();
  }
  if (end !== undefined && end.failure === undefined && here.failure() === undefined) {
    const staged = new Set<string>();
    for (const plan of plans as ClusterPlan[]) if (!plan.files) for (const [path] of plan.refs) staged.add(path);
    return { plans: (plans as ClusterPlan[]).map((plan) => withFiles(plan, staging)), staged };
  }
  // Something staged may be half-written: none of it moves in, and what was staged is planned again.
  if (staging) removeStaged(staging.folder);
  const again = clusterPlans(inventory, format);
  return { plans: plans.map((plan, n) => withFiles(plan?.files ? plan : again.plan(inventory.clusters[indices[n]!]!))), staged: new Set() };
}

/** A plan with its files: those staged are read back from the staging folder if asked for. */
const withFiles = (plan: ClusterPlan, staging?: Staging) => ({
  refs: plan.refs,
  files: plan.files ?? plan.refs.map(([path]) => new StagedFile(path, staging!.folder)),
});

/** Removes the staging folder; a path through a file (ENOTDIR) holds nothing staged. */
function removeStaged(folder: string): void {
  try {
    rmSync(folder, { recursive: true, force: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
  }
}
