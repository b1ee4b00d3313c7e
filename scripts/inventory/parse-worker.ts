import { parentPort, workerData } from 'node:worker_threads';
import { claimChunks, type ChunkedWork } from '../lib/chunks.ts';
import { passingClusterData } from './parse.ts';

/** parse-ahead.ts's second thread: chunk 0 and every chunk it claims, parsed and checked as parseInventory would. */
const done: [number, ReturnType<typeof passingClusterData>[]][] = [];
claimChunks(
  workerData as ChunkedWork<[file: string, text: string]>,
  (start, files) => done.push([start, files.map(([file, text]) => passingClusterData(file, text))]),
  {
    first: true,
  },
);
parentPort!.postMessage(done);
