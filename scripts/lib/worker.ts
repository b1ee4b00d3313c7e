import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/**
 * Runs the TypeScript module `entry` on a worker thread with `data` as its workerData, and returns the one
 * message it posts. The thread loads the sources through tsx, as this process does. Undefined when the thread
 * fails or ends without an answer: callers then do the work on this thread.
 */
export async function onSecondThread<T>(entry: URL, data: unknown): Promise<T | undefined> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  try {
    const worker = new Worker(boot, { eval: true, workerData: data });
    const answer = await Promise.race([once(worker, 'message').then(([m]) => m as T), once(worker, 'exit').then(() => undefined)]);
    await worker.terminate();
    return answer;
  } catch {
    return undefined;
  }
}
