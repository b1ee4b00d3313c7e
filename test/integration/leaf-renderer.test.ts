import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ensureCatalog } from '../../scripts/catalog/build.ts';
import { planGenerate } from '../../scripts/generate/plan.ts';
import { mapLimit } from '../../scripts/lib/concurrency.ts';
import { runWorkDir } from '../../scripts/lib/work-dir.ts';
import { readMirrorMap } from '../../scripts/inventory/mirrors.ts';
import { readInventory } from '../../scripts/inventory/read.ts';
import { servedApiVersions } from '../../scripts/render/argocd-build.ts';
import { ensureChart } from '../../scripts/render/charts.ts';
import { startLeafRenderers } from '../../scripts/render/leaf-renderer.ts';
import { leafLabel, leafSpecs, type LeafSpec } from '../../scripts/render/leaves.ts';
import { buildLeaf, kustomizeCli } from '../../scripts/render/render.ts';
import { ensureTools } from '../../scripts/tools/install.ts';
import { writeSyntheticFleet } from '../bench/fleet.ts';
import { PROJECT_ROOT, tempRepo } from '../helpers/repo.ts';
import { useTestChartMirror } from '../helpers/validate.ts';

const tools = await ensureTools(['helm', 'kustomize', 'leafRenderer']);
const renderers = startLeafRenderers(tools.leafRenderer, { TMPDIR: runWorkDir() });
after(renderers.stop);

async function leavesOf(root: string): Promise<LeafSpec[]> {
  const inventory = await readInventory(root);
  return leafSpecs(inventory, planGenerate(inventory));
}

/** kustomize's temporary folders (for helm's homes and the values it hands helm) have random names. */
const sameTemp = (text?: string) => text?.replace(/kustomize-helm-\d+/g, 'kustomize-helm-*');

/** Renders each leaf with the pinned kustomize CLI and with the leaf renderer; returns how many rendered and how many failed. */
async function renderBothWays(root: string, leaves: LeafSpec[]): Promise<{ rendered: number; failed: string[] }> {
  await useTestChartMirror();
  const mirrors = readMirrorMap(root);
  const failed: string[] = [];
  await mapLimit(leaves, 2, async (leaf) => {
    const chart = await ensureChart(leaf.pin, mirrors, tools.helm);
    const apiVersions = servedApiVersions((await ensureCatalog(leaf.cluster.kubernetesVersion)).scopes);
    const cli = await buildLeaf(leaf, chart, tools.helm, apiVersions, kustomizeCli(tools.kustomize));
    const renderer = await buildLeaf(leaf, chart, tools.helm, apiVersions, renderers.build);
    assert.equal(renderer.yaml, cli.yaml, `${leafLabel(leaf)}: the leaf renderer's output differs from kustomize's`);
    assert.equal(sameTemp(renderer.error), sameTemp(cli.error), `${leafLabel(leaf)}: the leaf renderer fails otherwise than kustomize`);
    if (cli.error) failed.push(`${leafLabel(leaf)}: ${cli.error}`);
    else assert.match(cli.yaml!, /^kind: (Deployment|StatefulSet)$/m, `${leafLabel(leaf)} rendered no workload`);
  });
  return { rendered: leaves.length - failed.length, failed };
}

test('the leaf renderer renders every leaf of the default fleet byte for byte as kustomize build --enable-helm', async () => {
  const leaves = await leavesOf(PROJECT_ROOT);
  assert.ok(leaves.length >= 6, `${leaves.length} leaves`);
  assert.deepEqual(await renderBothWays(PROJECT_ROOT, leaves), { rendered: leaves.length, failed: [] });
});

test('the same on a synthetic fleet of 20 clusters (Kubernetes 1.34.0 to 1.34.4, per-cluster values)', async () => {
  const root = await tempRepo();
  await writeSyntheticFleet(root, 20);
  const leaves = await leavesOf(root);
  assert.equal(leaves.length, 38); // every cluster's prometheus, grafana but on clusters 0 and 10
  assert.deepEqual(await renderBothWays(root, leaves), { rendered: 38, failed: [] });
});

test('a leaf that breaks fails the same way: values the chart refuses (helm), a patch file that is missing (kustomize)', async () => {
  const [leaf] = (await leavesOf(PROJECT_ROOT)).filter((l) => l.app === 'prometheus');
  const edit = (name: string, change: (text: string) => string): LeafSpec => ({
    ...leaf!,
    files: leaf!.files.map((f) => (f.path.endsWith(`/${name}`) ? { ...f, content: change(f.content) } : f)),
  });
  const brokenValues = edit('values.yaml', (t) => `${t}nameOverride: 42\n`);
  const missingPatch = edit('kustomization.yaml', (t) => `${t}patchesStrategicMerge:\n  - missing.yaml\n`);
  const { failed } = await renderBothWays(PROJECT_ROOT, [brokenValues, missingPatch, leaf!]);
  assert.equal(failed.length, 2, failed.join('\n'));
  assert.match(failed.join('\n'), /nameOverride[\s\S]*got number, want string|want string[\s\S]*nameOverride/);
  assert.match(failed.join('\n'), /missing\.yaml/);
  // The error names the leaf's files and the pinned helm, not the renderer's temporary copy or its helm stand-in.
  assert.match(failed.join('\n'), new RegExp(`${leaf!.dir}|${tools.helm}`));
  assert.doesNotMatch(failed.join('\n'), /leaf-renderer-helm/);
});

test('a renderer that dies or cannot start fails its build as an environment problem, and the next build starts another', async () => {
  const dying = startLeafRenderers('/bin/false', {});
  await assert.rejects(dying.build(['build', '.']), (err: Error) => err.name === 'EnvironmentError' && /\/bin\/false\) stopped \(exit 1\)/.test(err.message));
  await assert.rejects(dying.build(['build', '.']), /stopped \(exit 1\)/);
  dying.stop();
  const missing = startLeafRenderers('/nonexistent/leaf-renderer', {});
  await assert.rejects(missing.build(['build', '.']), /cannot run: spawn \/nonexistent\/leaf-renderer ENOENT/);
  missing.stop();
});
