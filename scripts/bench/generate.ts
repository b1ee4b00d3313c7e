import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runGenerate } from '../generate/command.ts';

/** bench:generate — plans and writes a synthetic fleet (default 1,000 clusters) and prints the time. */
const CLUSTERS = Number(process.argv[2] ?? 1000);
const TARGET_SECONDS = 3;
const repoRoot = new URL('../../', import.meta.url).pathname;

function clusterFile(i: number): string {
  const env = ['dev', 'staging', 'prod'][i % 3]!;
  const name = `${env}-${String(i).padStart(4, '0')}`;
  const destination = i % 2 ? `  name: ${name}` : `  server: https://${name}.k8s.example.com:6443`;
  return `name: ${name}
environment: ${env}
kubernetesVersion: 1.34.${i % 5}
domain: ${name}.example.com
storageClass: openebs-hostpath
destination:
${destination}
  namespace: monitoring
apps:
  prometheus:
    enabled: true
    values:
      server:
        retention: ${(i % 30) + 1}d
  grafana:
    enabled: ${i % 10 !== 0}
`;
}

/** Plans and writes the synthetic fleet under `parent`; returns seconds for the cold and the no-change run. */
async function measure(parent: string): Promise<{ cold: number; warm: number; files: number }> {
  const root = await mkdtemp(join(parent, 'bench-generate-'));
  try {
    for (const part of ['fleet.yaml', 'overlays', 'base']) await cp(join(repoRoot, part), join(root, part), { recursive: true, filter: (src) => !/overlays\/[^/]+\/[^/]+\//.test(src) });
    await mkdir(join(root, 'clusters'));
    for (let i = 0; i < CLUSTERS; i++) {
      const text = clusterFile(i);
      await writeFile(join(root, 'clusters', `${/^name: (.+)$/m.exec(text)![1]}.yaml`), text);
    }
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
const targets: [string, string][] = [['tmpfs (/dev/shm)', '/dev/shm'], ['disk (os tmpdir)', tmpdir()]];
console.log(`bench:generate  clusters=${CLUSTERS}`);
for (const [label, parent] of targets) {
  if (!existsSync(parent)) continue;
  const { cold, warm, files } = await measure(parent);
  const verdict = cold < TARGET_SECONDS ? 'met' : 'MISSED';
  console.log(`  ${label.padEnd(17)} read + check + plan + write ${files} files: ${cold.toFixed(2)} s (target < ${TARGET_SECONDS} s: ${verdict});  no-change run: ${warm.toFixed(2)} s`);
}
