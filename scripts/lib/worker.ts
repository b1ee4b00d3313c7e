import { once } from 'node:events';
import { Worker, type Transferable } from 'node:worker_threads';

/**
 * A worker thread running the TypeScript module `entry`, loaded through tsx as this process loads its sources;
 * `transfer`: ports among `data` that move to the thread.
 */
export function startSecondThread(entry: URL, data: unknown, transfer: Transferable[] = []): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData: data, transferList: transfer });
}

/** The worker's next message, or undefined when it fails or ends first. */
export function nextAnswer<T>(worker: Worker): Promise<T | undefined> {
  return Promise.race([once(worker, 'message').then(([m]) => m as T), once(worker, 'exit').then(() => undefined)]).catch(() => undefined);
}

/**
 * Runs `entry` on a worker thread with `data` as its workerData, and returns the one message it posts.
 * Undefined when the thread fails or ends without an answer: callers then do the work on this thread.
 */
export async function onSecondThread<T>(entry: URL, data: unknown): Promise<T | undefined> {
  try {
    const worker = startSecondThread(entry, data);
    const answer = await nextAnswer<T>(worker);
    await worker.terminate();
    return answer;
  } catch {
    return undefined;
  }
}
