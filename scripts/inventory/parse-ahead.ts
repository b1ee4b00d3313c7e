import { onSecondThread } from '../lib/worker.ts';
import { passingClusterData } from './parse.ts';
import { fileKey, type KnownFiles } from './parse-memo.ts';
import type { InventorySources } from './types.ts';

/** Below this many new cluster files, starting a second thread (about 0.3 s) costs more than it saves. */
const MIN_FILES = 1500;
/** The second thread's share: it starts later, loading the parser while this thread parses. */
const THEIR_SHARE = 0.45;

/**
 * Cluster files the memo does not know (a new fleet, a new checkout), parsed on two threads at once: what
 * passes is learned into `known`, where parseInventory takes it as it takes a file that passed before. A file
 * that fails is left to parseInventory, which reports it, and so are the second thread's files if it failed.
 * Returns how many files each thread parsed.
 */
export async function parseAhead(sources: InventorySources, known: KnownFiles): Promise<{ here: number; second: number }> {
  if (!known.remembers) return NONE;
  const todo = [...sources].flatMap(([path, text]) => {
    if (!path.startsWith('clusters/')) return [];
    const key = fileKey(path, text);
    return known.cluster(key) === undefined ? [{ path, text, key }] : [];
  });
  if (todo.length < MIN_FILES) return NONE;
  const split = Math.floor(todo.length * THEIR_SHARE);
  const [theirFiles, myFiles] = [todo.slice(0, split), todo.slice(split)];
  const theirs = onSecondThread<ReturnType<typeof passingClusterData>[]>(
    new URL('./parse-worker.ts', import.meta.url),
    theirFiles.map((f) => [f.path, f.text]),
  );
  const learn = (files: typeof todo, found: ReturnType<typeof passingClusterData>[]) =>
    files.forEach(({ key }, i) => {
      const passing = found[i];
      if (!passing) return;
      known.learnCluster(key, passing.data);
      if (passing.clean) known.learnClean(key);
    });
  learn(
    myFiles,
    myFiles.map((f) => passingClusterData(f.path, f.text)),
  );
  const second = await theirs;
  if (second) learn(theirFiles, second);
  return { here: todo.length - split, second: second ? split : 0 };
}

const NONE = { here: 0, second: 0 };
