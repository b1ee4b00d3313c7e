import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { StageAheadMessage } from './stage-ahead.ts';

/**
 * stage-ahead.ts's thread: writes the files it is sent below `folder` (their folders made as needed) while the
 * main thread plans, and answers `end` with how many it wrote, or the first error (it writes nothing after one).
 */
const { folder } = workerData as { folder: string };
const made = new Set<string>();
let written = 0;
let failure: string | undefined;

function ensureFolder(path: string): void {
  const dir = path.slice(0, path.lastIndexOf('/'));
  if (made.has(dir)) return;
  mkdirSync(join(folder, dir), { recursive: true });
  for (let d = dir; d && !made.has(d); d = d.slice(0, Math.max(0, d.lastIndexOf('/')))) made.add(d);
}

parentPort!.on('message', (message: StageAheadMessage) => {
  if (message === 'end') {
    parentPort!.postMessage(failure === undefined ? { written } : { failure });
    return;
  }
  if (failure !== undefined) return;
  try {
    for (const [path, content] of message) {
      ensureFolder(path);
      writeFileSync(join(folder, path), content);
      written++;
    }
  } catch (err) {
    failure = (err as Error).message;
  }
});
