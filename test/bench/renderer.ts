import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCatalog } from '../../scripts/catalog/build.ts';
import { planGenerate } from '../../scripts/generate/plan.ts';
import { mapLimit } from '../../scripts/lib/concurrency.ts';
import { runWorkDir } from '../../scripts/lib/work-dir.ts';
import { readMirrorMap } from '../../scripts/inventory/mirrors.ts';
import { readInventory } from '../../scripts/inventory/read.ts';
import { servedApiVersions } from '../../scripts/render/argocd-build.ts';
import { ensureChart, type CachedChart } from '../../scripts/render/charts.ts';
import { startLeafRenderers } from '../../scripts/render/leaf-renderer.ts';
import { leafSpecs, type LeafSpec } from '../../scripts/render/leaves.ts';
import { buildLeaf, kustomizeCli } from '../../scripts/render/render.ts';
import { ensureTools } from '../../scripts/tools/install.ts';
import { startChartRepository } from '../helpers/chart-repo.ts';
import { benchArgs } from './args.ts';
import { writeSyntheticFleet } from './fleet.ts';

const [count = '100'] = benchArgs(
  `usage: npm run bench:renderer -- [CLUSTERS]

Renders every leaf of a synthetic fleet of CLUSTERS clusters (default 100) with the pinned kustomize CLI
and with the leaf renderer, two at a time as validate does, in the order CLI, renderer, renderer, CLI
(the machine's load drifts), and prints seconds per leaf each way and whether every output (or error)
is byte for byte the same. Charts come through MONITORING_GITOPS_HELM_MIRRORS when set (the real
charts, say), else from the test charts served locally.`,
  1,
);
const repository = process.env.MONITORING_GITOPS_HELM_MIRRORS ? undefined : await startChartRepository();
if (repository)
  process.env.MONITORING_GITOPS_HELM_MIRRORS = ['https://prometheus-community.github.io/helm-charts', 'https://grafana-community.github.io/helm-charts']
    .map((c) => `${c}=${repository.url}`)
    .join(',');
const root = mkdtempSync(join(tmpdir(), 'bench-renderer-'));
await writeSyntheticFleet(root, Number(count));
const inventory = await readInventory(root);
const leaves = leafSpecs(inventory, planGenerate(inventory));
const tools = await ensureTools(['helm', 'kustomize', 'leafRenderer'], console.log);
const mirrors = readMirrorMap(root);
const prepared = new Map<LeafSpec, { chart: CachedChart; apiVersions: string[] }>();
for (const leaf of leaves) {
  const apiVersions = servedApiVersions((await ensureCatalog(leaf.cluster.kubernetesVersion)).scopes);
  prepared.set(leaf, { chart: await ensureChart(leaf.pin, mirrors, tools.helm), apiVersions });
}
const renderers = startLeafRenderers(tools.leafRenderer, { TMPDIR: runWorkDir() });
const ways = { cli: kustomizeCli(tools.kustomize), renderer: renderers.build };
const outputs = { cli: new Map<LeafSpec, string>(), renderer: new Map<LeafSpec, string>() };
const seconds = { cli: 0, renderer: 0 };
for (const way of ['cli', 'renderer', 'renderer', 'cli'] as const) {
  const started = performance.now();
  await mapLimit(leaves, 2, async (leaf) => {
    const { chart, apiVersions } = prepared.get(leaf)!;
    const { yaml, error } = await buildLeaf(leaf, chart, tools.helm, apiVersions, ways[way]);
    outputs[way].set(leaf, yaml ?? `error: ${error?.replace(/kustomize-helm-\d+/g, 'kustomize-helm-*')}`);
  });
  seconds[way] += (performance.now() - started) / 1000;
}
renderers.stop();
await repository?.stop();
const differ = leaves.filter((l) => outputs.cli.get(l) !== outputs.renderer.get(l)).map((l) => `${l.cluster.name}/${l.app}`);
const failed = leaves.filter((l) => outputs.cli.get(l)!.startsWith('error: ')).length;
const perLeaf = (way: keyof typeof seconds) => seconds[way] / 2 / leaves.length;
console.log(`bench:renderer  ${leaves.length} leaves (${failed} failing), 2 at a time, each way twice`);
console.log(`  kustomize CLI  ${perLeaf('cli').toFixed(3)} s/leaf`);
console.log(`  leaf renderer  ${perLeaf('renderer').toFixed(3)} s/leaf  (${(perLeaf('cli') / perLeaf('renderer')).toFixed(2)}x)`);
console.log(differ.length ? `  DIFFERENT outputs: ${differ.join(', ')}` : '  every output byte for byte the same');
process.exitCode = differ.length ? 1 : 0;
