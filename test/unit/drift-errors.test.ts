import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argoCdSectionFrom } from '../../scripts/drift/argocd-section.ts';
import { liveSection } from '../../scripts/drift/live-items.ts';
import { buildReport, driftErrors } from '../../scripts/drift/report.ts';
import type { DriftSection } from '../../scripts/drift/types.ts';
import { lookupKey, upstreamSection, type ReleaseLookup } from '../../scripts/drift/upstream.ts';
import { minimalInventory } from '../helpers/inventory.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const report = (sections: DriftSection[]) =>
  buildReport({ generatedAt: NOW.toISOString(), commit: 'abc', environments: [], clusters: [], sections }, undefined);

test('a section that could not run for an error (a repository, Argo CD or a cluster unreachable) carries that error', async () => {
  const inventory = await minimalInventory();
  const lookup: ReleaseLookup = new Map();
  for (const env of inventory.environments)
    for (const pin of Object.values(env.pins)) lookup.set(lookupKey(pin!.repoURL, pin!.chart), new Error('connect ECONNREFUSED 127.0.0.1:9'));
  const upstream = upstreamSection(inventory, lookup, NOW);
  assert.equal(upstream.status, 'skipped');
  assert.deepEqual(upstream.errors, [
    'cannot read https://charts.example.com/prometheus: connect ECONNREFUSED 127.0.0.1:9',
    'cannot read oci://registry.example.com/charts: connect ECONNREFUSED 127.0.0.1:9',
  ]);
  const argocd = argoCdSectionFrom(
    { unreachable: 'cannot reach Argo CD at https://argocd.example.com: ECONNREFUSED' },
    { inventory, planned: [], mainRevision: 'abc', now: NOW },
  );
  assert.deepEqual([argocd.status, argocd.errors], ['skipped', ['cannot reach Argo CD at https://argocd.example.com: ECONNREFUSED']]);
  const live = liveSection([
    { cluster: 'alpha', reached: false, reason: 'no answer from https://alpha.example.com:6443' },
    { cluster: 'beta', reached: true, items: [], suppressed: {} },
  ]);
  assert.deepEqual([live.status, live.errors], ['partial', ['cannot reach cluster alpha: no answer from https://alpha.example.com:6443']]);
});

test('driftErrors lists what could not be checked for an error, per section; input left out (no --argocd-url) is no error', async () => {
  const inventory = await minimalInventory();
  const skippedByChoice: DriftSection = { section: 'live', status: 'skipped', reason: 'no --argocd-url and no --kubeconfig given', items: [] };
  const clean: DriftSection = { section: 'generated', status: 'checked', items: [] };
  assert.deepEqual(driftErrors(report([clean, skippedByChoice])), []);
  const lookup: ReleaseLookup = new Map<string, { version: string }[] | Error>([
    [lookupKey('https://charts.example.com/prometheus', 'prometheus'), [{ version: '2.1.0' }]],
    [lookupKey('oci://registry.example.com/charts', 'grafana'), new Error('https://registry.example.com/v2/charts/grafana/tags/list answered 503')],
  ]);
  const upstream = upstreamSection(inventory, lookup, NOW);
  assert.equal(upstream.status, 'partial');
  assert.deepEqual(driftErrors(report([clean, upstream, skippedByChoice])), [
    'upstream: cannot read oci://registry.example.com/charts: https://registry.example.com/v2/charts/grafana/tags/list answered 503',
  ]);
});
