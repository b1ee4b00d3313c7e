import { rmSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { nextAnswer, startSecondThread } from '../lib/worker.ts';
import type { FileWrite } from './plan-types.ts';

/** What the staging thread is sent: files to write, then `end`. */
export type StageAheadMessage = [path: string, content: string][] | 'end';

/** Files held back until this many wait: fewer are written sooner by the transaction than a thread starts (about 0.3 s). */
const MIN_FILES = 2000;
/** Files per message once the thread runs. */
const BATCH = 200;

/**
 * Writes the files of new clusters into the staging folder on a second thread while this one plans the rest: a
 * new fleet's 86,000 files are staged by the time the plan is done (runTransaction then moves them in). What it
 * stages is only ever moved in as part of the transaction, after every check and refusal.
 */
export interface StageAhead {
  /** The files of one cluster whose folders are all new. */
  stage(files: FileWrite[]): void;
  /** Waits for the thread: the files it wrote below the folder, by path; none when it failed or never started. */
  finish(): Promise<Map<string, string>>;
  /** Ends the thread (the caller removes the staging folder). */
  stop(): Promise<void>;
}

export function stageAhead(folder: string): StageAhead {
  let worker: Worker | undefined;
  let exited = false;
  let pending: [string, string][] = [];
  const staged = new Map<string, string>();
  const send = () => {
    if (!worker) {
      worker = startSecondThread(new URL('./stage-ahead-worker.ts', import.meta.url), { folder });
      // A thread that fails ends: finish() must not wait for an answer from a thread that is gone.
      worker.on('error', () => {}).once('exit', () => (exited = true));
    }
    worker.postMessage(pending);
    pending = [];
  };
  const stop = async () => {
    await worker?.terminate();
    worker = undefined;
  };
  return {
    stage(files) {
      for (const { path, content } of files) {
        pending.push([path, content]);
        staged.set(path, content);
      }
      if (pending.length >= (worker ? BATCH : MIN_FILES)) send();
    },
    async finish() {
      if (!worker) return new Map();
      if (pending.length) send();
      worker.postMessage('end' satisfies StageAheadMessage);
      const answer = exited ? undefined : await nextAnswer<{ written?: number }>(worker);
      if (answer?.written === staged.size) return staged;
      // The transaction writes everything itself; nothing half-staged may move in with a folder.
      await stop();
      rmSync(folder, { recursive: true, force: true });
      return new Map();
    },
    stop,
  };
}
