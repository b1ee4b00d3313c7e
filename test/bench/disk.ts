import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The share of the last 10 s in which some task waited for the disk (Linux pressure stall information), if known. */
export function ioPressure(): number | undefined {
  try {
    return Number(/^some avg10=([\d.]+)/m.exec(readFileSync('/proc/pressure/io', 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

/**
 * Flushes what earlier steps wrote and waits (up to `limitSeconds`) until the disk is idle, so that a timed step
 * does not pay for the previous one's writeback or for the discards of a large tree deleted before the run. Says
 * what it found: a figure measured on a busy disk is reported as such.
 */
export async function settleDisk(limitSeconds = 90): Promise<string> {
  execFileSync('sync');
  const start = Date.now();
  let pressure = ioPressure();
  while (pressure !== undefined && pressure > IDLE && Date.now() - start < limitSeconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    pressure = ioPressure();
  }
  if (pressure === undefined) return 'disk pressure unknown';
  const waited = Math.round((Date.now() - start) / 1000);
  return `disk ${pressure > IDLE ? 'still busy' : 'idle'} (io some avg10 ${pressure.toFixed(1)} %${waited ? ` after ${waited} s` : ''})`;
}

/** Below this share of waiting the disk counts as idle. */
const IDLE = 2;
