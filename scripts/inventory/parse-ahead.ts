import { onSecondThread } from '../lib/worker.ts';
import { chunkedWork, claimChunks } from '../lib/chunks.ts';
import { passingClusterData } from './parse.ts';
import { fileKey, type KnownFiles } from './parse-memo.ts';
import type { InventorySources } from './types.ts';

/** Below this many new cluster files, starting a second thread (about 0.3 s) costs more than it saves. */
const MIN_FILES = 1500;
/** Files a thread claims at a time: small enough that neither waits long for the other's last chunk. */
const CHUNK = 100;

type Passing = ReturnType<typeof passingClusterData>;

/**
 * Cluster files the memo does not know (a new fleet, a new checkout), parsed on two threads at once: what
 * passes is learned into `known`, where parseInventory takes it as it takes a file that passed before. A file
 * that fails is left to parseInventory, which reports it, and so are the second thread's files if it failed.
 * The threads claim chunks from one shared counter, so a thread slowed by the machine's other work parses less.
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
  const work = chunkedWork<[file: string, text: string]>(
    todo.map((f) => [f.path, f.text]),
    CHUNK,
  );
  const theirs = onSecondThread<[start: number, found: Passing[]][]>(new URL('./parse-worker.ts', import.meta.url), work);
  const learn = (start: number, found: Passing[]) =>
    found.forEach((passing, i) => {
      if (!passing) return;
      const { key } = todo[start + i]!;
      known.learnCluster(key, passing.data);
      if (passing.clean) known.learnClean(key);
    });
  let here = 0;
  claimChunks(work, (start, files) => {
    learn(
      start,
      files.map(([file, text]) => passingClusterData(file, text)),
    );
    here += files.length;
  });
  const second = (await theirs) ?? [];
  for (const [start, found] of second) learn(start, found);
  return { here, second: second.reduce((n, [, found]) => n + found.length, 0) };
}

const NONE = { here: 0, second: 0 };
