import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runGenerate } from '../../scripts/generate/command.ts';
import { benchArgs } from './args.ts';
import { writeSyntheticFleet } from './fleet.ts';

const HELP = `usage: npm run bench:generate [-- N]

Plans and writes a synthetic fleet of N clusters (default 1,000) twice — cold, then with nothing to
change — in /dev/shm and in the os temporary folder, and prints the times (target: cold under 3 s).`;

/** bench:generate — plans and writes a synthetic fleet (default 1,000 clusters) and prints the time. */
const CLUSTERS = Number(benchArgs(HELP, 1)[0] ?? 1000);
const TARGET_SECONDS = 3;

/** Plans and writes the synthetic fleet under `parent`; returns seconds for the cold and the no-change run. */
async function measure(parent: string): Promise<{ cold: number; warm: number; files: number }> {
  const root = await mkdtemp(join(parent, 'bench-generate-'));
  try {
    await writeSyntheticFleet(root, CLUSTERS);
    const t0 = performance.now();
    const cold = await runGenerate(root);
    const t1 = performance.now();
    const warm = await runGenerate(root);
    const t2 = performance.now();
    if (warm.written.length) throw new Error('the second run wrote files: output is not stable');
    return { cold: (t1 - t0) / 1000, warm: (t2 - t1) / 1000, files: cold.written.length };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

// In memory (tmpfs) the figure is the toolkit's own cost; on disk it adds this machine's file-creation
// cost, which varies several-fold here from run to run (ext4 mounted with discard on a virtual disk).
const targets: [string, string][] = [
  ['tmpfs (/dev/shm)', '/dev/shm'],
  ['disk (os tmpdir)', tmpdir()],
];
console.log(`bench:generate  clusters=${CLUSTERS}`);
for (const [label, parent] of targets) {
  if (!existsSync(parent)) continue;
  const { cold, warm, files } = await measure(parent);
  const verdict = cold < TARGET_SECONDS ? 'met' : 'MISSED';
  console.log(
    `  ${label.padEnd(17)} read + check + plan + write ${files} files: ${cold.toFixed(2)} s (target < ${TARGET_SECONDS} s: ${verdict});  no-change run: ${warm.toFixed(2)} s`,
  );
}
