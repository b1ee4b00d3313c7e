/** Work shared by two threads, which take chunks of it in turn from one counter (a SharedArrayBuffer). */
export interface ChunkedWork<T> {
  items: T[];
  chunk: number;
  /** The next chunk to take; chunk 0 is the second thread's, so that both threads always take part. */
  next: Int32Array;
}

export const chunkedWork = <T>(items: T[], chunk: number): ChunkedWork<T> => ({ items, chunk, next: new Int32Array(new SharedArrayBuffer(4)) });

/**
 * Calls `take` for each chunk this thread claims, until none is left. The first thread to call it with
 * `first` (the second thread does) also gets chunk 0; the counter starts after it.
 */
export function claimChunks<T>(work: ChunkedWork<T>, take: (start: number, items: T[]) => void, { first = false } = {}): void {
  const count = Math.ceil(work.items.length / work.chunk);
  const claim = (n: number) => take(n * work.chunk, work.items.slice(n * work.chunk, (n + 1) * work.chunk));
  if (first) claim(0);
  for (let n = Atomics.add(work.next, 0, 1) + 1; n < count; n = Atomics.add(work.next, 0, 1) + 1) claim(n);
}
