import { parentPort, workerData } from 'node:worker_threads';
import { passingClusterData } from './parse.ts';

/** parse-ahead.ts's second thread: the cluster files it is given, parsed and checked as parseInventory would. */
const files = workerData as [file: string, text: string][];
parentPort!.postMessage(files.map(([file, text]) => passingClusterData(file, text)));
