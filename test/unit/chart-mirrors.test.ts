import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { planGenerate } from '../../scripts/generate/plan.ts';
import { parseInventory } from '../../scripts/inventory/parse.ts';
import { minimalSources } from '../helpers/inventory.ts';

const MIRROR = 'https://charts.internal.example.com/prometheus-community';

async function leafRepos(fleetEdit: (text: string) => string = (t) => t): Promise<Map<string, string>> {
  const { inventory, findings } = parseInventory(await minimalSources({ 'fleet.yaml': fleetEdit }));
  assert.ok(inventory, JSON.stringify(findings));
  const repos = new Map<string, string>();
  for (const file of planGenerate(inventory)) {
    if (!file.path.endsWith('/kustomization.yaml')) continue;
    repos.set(file.path, (parse(file.content) as { helmCharts: { repo: string }[] }).helmCharts[0]!.repo);
  }
  return repos;
}

test("the fleet's chartMirrors reach Argo CD: leaves name the mirror, pins keep the canonical URL", async () => {
  const canonical = await leafRepos();
  const prometheusLeaf = [...canonical.keys()].find((p) => p.endsWith('/prometheus/kustomization.yaml'))!;
  assert.equal(canonical.get(prometheusLeaf), 'https://charts.example.com/prometheus');
  const mirrored = await leafRepos((t) => `${t}chartMirrors:\n  https://charts.example.com/prometheus/: ${MIRROR}/\n`);
  assert.equal(mirrored.get(prometheusLeaf), MIRROR);
  for (const [path, repo] of mirrored)
    if (!path.includes('/prometheus/')) assert.equal(repo, canonical.get(path), `${path}: an unmirrored repository stays canonical`);
});

test('chartMirrors must map URLs to URLs', async () => {
  const { findings } = parseInventory(
    await minimalSources({ 'fleet.yaml': (t) => `${t}chartMirrors:\n  https://prometheus-community.github.io/helm-charts: not-a-url\n` }),
  );
  assert.ok(
    findings.some((f) => f.file === 'fleet.yaml' && /chartMirrors/.test(f.message)),
    JSON.stringify(findings),
  );
});
