import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../scripts/lib/errors.ts';
import { inShard, parseShard } from '../../scripts/lib/shard.ts';
import { mergeReports, type ReportData } from '../../scripts/validate/report.ts';
import { evictResults } from '../../scripts/validate/results-cache.ts';

test('every cluster falls in exactly one of n shards, the same one whatever else the fleet holds', () => {
  const clusters = Array.from({ length: 1000 }, (_, i) => `prod-${i}`);
  for (const count of [1, 2, 4, 8]) {
    const sizes = Array.from({ length: count }, (_, i) => clusters.filter((c) => inShard(c, { index: i + 1, count })).length);
    assert.equal(
      sizes.reduce((a, b) => a + b),
      1000,
    );
    assert.ok(Math.min(...sizes) > (1000 / count) * 0.7, `roughly balanced (a hash, not a deal): ${sizes.join(' ')}`);
  }
  assert.equal(inShard('prod-7', { index: 3, count: 8 }), inShard('prod-7', { index: 3, count: 8 }));
});

test('--shard is i/n with 1 ≤ i ≤ n, or a usage error with the fix', () => {
  assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
  assert.equal(parseShard(undefined), undefined);
  for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0'])
    assert.throws(
      () => parseShard(bad),
      (e: unknown) => e instanceof UsageError && /fix: /.test(e.message),
    );
});

test('merged shard reports: leaves of all, findings once, skipped only what no shard validated', () => {
  const shard = (clusters: string[], skipped: string[], findings: ReportData['findings']): ReportData => ({
    ok: !findings.length,
    seconds: clusters.length,
    checks: [],
    leaves: clusters.map((cluster) => ({ cluster, environment: 'dev', app: 'prometheus', resources: 1, results: {} })),
    skippedClusters: skipped,
    notes: ['same note'],
    findings,
  });
  const shared = { check: 'secrets', file: 'base/x.yaml', line: 3, column: 1, message: 'plaintext secret' };
  const merged = mergeReports([
    shard(['a'], ['b', 'c'], [shared]),
    shard(['b'], ['a', 'c'], [shared, { check: 'kubeconform', cluster: 'b', file: 'apps/b/root.yaml', message: 'bad' }]),
  ]);
  assert.deepEqual(
    merged.leaves.map((l) => l.cluster),
    ['a', 'b'],
  );
  assert.equal(merged.findings.length, 2);
  assert.deepEqual(merged.skippedClusters, ['c']);
  assert.deepEqual(merged.notes, ['same note']);
  assert.equal(merged.seconds, 1, 'the slowest shard');
  assert.equal(merged.ok, false);
});

test('the results cache keeps at most its bound, dropping the least recently used', () => {
  const cache = mkdtempSync(join(tmpdir(), 'results-evict-'));
  const before = process.env.MONITORING_GITOPS_CACHE;
  process.env.MONITORING_GITOPS_CACHE = cache;
  try {
    mkdirSync(join(cache, 'results', 'ab'), { recursive: true });
    for (let i = 0; i < 10; i++) {
      const path = join(cache, 'results', 'ab', `e${i}.json`);
      writeFileSync(path, '{}');
      utimesSync(path, 1000 + i, 1000 + i);
    }
    assert.equal(evictResults(20), 0);
    assert.equal(evictResults(5), 6, 'down to 80% of the bound');
    assert.deepEqual(readdirSync(join(cache, 'results', 'ab')).sort(), ['e6.json', 'e7.json', 'e8.json', 'e9.json']);
  } finally {
    // Assigning undefined would store the string 'undefined'.
    if (before === undefined) delete process.env.MONITORING_GITOPS_CACHE;
    else process.env.MONITORING_GITOPS_CACHE = before;
    rmSync(cache, { recursive: true, force: true });
  }
});
