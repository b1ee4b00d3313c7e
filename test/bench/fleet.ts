import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const repoRoot = new URL('../../', import.meta.url).pathname;

/** The inventory file of synthetic cluster `i`: environments, destinations and apps vary with i. */
export function syntheticClusterFile(i: number): { name: string; text: string } {
  const env = ['dev', 'staging', 'prod'][i % 3]!;
  const name = `${env}-${String(i).padStart(4, '0')}`;
  const destination = i % 2 ? `  name: ${name}` : `  server: https://${name}.k8s.example.com:6443`;
  const text = `name: ${name}
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
  return { name, text };
}

/** Writes this repository's inventory with `clusters` synthetic cluster files (and no generated files) into `root`. */
export async function writeSyntheticFleet(root: string, clusters: number): Promise<void> {
  for (const part of ['fleet.yaml', 'overlays', 'base'])
    await cp(join(repoRoot, part), join(root, part), { recursive: true, filter: (src) => !/overlays\/[^/]+\/[^/]+\//.test(src) });
  await mkdir(join(root, 'clusters'), { recursive: true });
  for (let i = 0; i < clusters; i++) {
    const { name, text } = syntheticClusterFile(i);
    await writeFile(join(root, 'clusters', `${name}.yaml`), text);
  }
}
