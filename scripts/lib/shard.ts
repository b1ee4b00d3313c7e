import { createHash } from 'node:crypto';
import { UsageError } from './errors.ts';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** `--shard i/n` → {index, count}, refused with the fix when it is not 1 ≤ i ≤ n. */
export function parseShard(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || count < 1 || index < 1 || index > count)
    throw new UsageError(`--shard ${text}: expected i/n with 1 ≤ i ≤ n\nfix: for example --shard 2/4 for the second of four shards`);
  return { index, count };
}

/**
 * Whether `cluster` belongs to the shard: by a hash of its name alone, so a cluster stays in its shard
 * whatever else the fleet or the change holds (each shard's caches stay warm). Pure.
 */
export function inShard(cluster: string, shard: Shard | undefined): boolean {
  if (!shard || shard.count === 1) return true;
  return createHash('sha256').update(cluster).digest().readUInt32BE(0) % shard.count === shard.index - 1;
}
