import { workerData } from 'node:worker_threads';
import { claimChunks } from '../lib/chunks.ts';
import { clusterPlans } from './cluster-plans.ts';
import type { PlanAheadData, PlanAheadMessage } from './plan-ahead.ts';

/** plan-ahead.ts's second thread: chunk 0 and every chunk it claims, planned (and staged) as the first thread does. */
const { inventory, work, format, staging, results } = workerData as PlanAheadData;
const here = clusterPlans(inventory, format, staging);
claimChunks(work, (start, chunk) => results.postMessage([start, chunk.map((index) => here.plan(inventory.clusters[index]!))] satisfies PlanAheadMessage), {
  first: true,
});
results.postMessage({ end: true, failure: here.failure() } satisfies PlanAheadMessage);
