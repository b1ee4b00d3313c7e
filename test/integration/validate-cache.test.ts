import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatFinding, sortFindings } from '../../scripts/lib/findings.ts';
import { runValidate } from '../../scripts/validate/run.ts';
import { runCli } from '../helpers/cli.ts';
import { editedFleet, replaceOnce, useTestChartMirror } from '../helpers/validate.ts';
import { runGenerate } from '../../scripts/generate/command.ts';
import { memoPath } from '../../scripts/lib/signed-memo.ts';

const shown = (findings: Parameters<typeof sortFindings>[0]) => sortFindings(findings).map(formatFinding);

test('check results are cached per cluster: a warm run recomputes nothing, a change only its cluster, a corrupted entry is recomputed', async () => {
  await useTestChartMirror();
  // A fleet of its own (a unique comment in base/): no other test's run can have filled these entries.
  const root = await editedFleet({
    'base/prometheus/values.yaml': (t) => `${t}# validate-cache test ${randomUUID()}\n`,
    'clusters/dev-1.yaml': replaceOnce(
      '  prometheus:\n    enabled: true\n',
      '  prometheus:\n    enabled: true\n    values:\n      server:\n        retension: 3d\n',
    ),
  });
  const first = await runValidate({ root });
  assert.deepEqual([first.cache?.hits, first.cache?.misses], [0, 4], '4 clusters checked');
  assert.match(shown(first.findings).join('\n'), /clusters\/dev-1\.yaml:\d+:\d+ \[dev-1\/prometheus\]: server\.retension is not a value of chart prometheus/);

  const warm = await runValidate({ root });
  assert.deepEqual([warm.cache?.hits, warm.cache?.misses], [4, 0]);
  assert.equal(warm.rendered.filter((r) => !r.cached).length, 0, 'a warm run renders nothing');
  assert.deepEqual(shown(warm.findings), shown(first.findings), 'a cached finding is still reported');

  const file = join(root, 'clusters/staging-1.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(
      '  prometheus:\n    enabled: true\n',
      '  prometheus:\n    enabled: true\n    values:\n      server:\n        retention: 9d\n',
    ),
  );
  await runGenerate(root);
  const changed = await runValidate({ root });
  assert.deepEqual([changed.cache?.hits, changed.cache?.misses], [3, 1], "only staging-1's entry is recomputed");

  // A torn file and an edited one (valid JSON, findings dropped): neither is trusted.
  const [torn, edited] = changed.cache!.entries;
  writeFileSync(torn!, readFileSync(torn!, 'utf8').slice(0, 20));
  const entry = JSON.parse(readFileSync(edited!, 'utf8'));
  writeFileSync(
    edited!,
    JSON.stringify({ ...entry, verdict: { ...entry.verdict, checks: { ...entry.verdict.checks, render: [{ check: 'render', message: 'planted' }] } } }),
  );
  // The checkout's verdict memo would answer before the entries: without it, as on a CI runner restoring the results cache.
  rmSync(memoPath('verdicts', root));
  const repaired = await runValidate({ root });
  assert.deepEqual([repaired.cache?.corrupted, repaired.cache?.misses, repaired.cache?.hits], [2, 2, 2]);
  assert.deepEqual(shown(repaired.findings), shown(first.findings));

  const clean = await runValidate({ root, noCache: true });
  assert.deepEqual([clean.cache?.hits, clean.cache?.misses], [0, 0], '--no-cache neither reads nor writes');
  assert.deepEqual(shown(clean.findings), shown(first.findings));
});

test('--shard i/n splits the clusters without overlap, and --merge prints the shards as one run, exiting like it', async () => {
  await useTestChartMirror();
  const root = await editedFleet({
    'clusters/dev-1.yaml': replaceOnce(
      '  prometheus:\n    enabled: true\n',
      '  prometheus:\n    enabled: true\n    values:\n      server:\n        retension: 3d\n',
    ),
  });
  const whole = await runCli('validate', ['--root', root, '--json']);
  const shards = await Promise.all([1, 2, 3].map((i) => runCli('validate', ['--root', root, '--json', '--shard', `${i}/3`])));
  const reports = shards.map((s) => JSON.parse(s.stdout) as { leaves: { cluster: string }[]; findings: unknown[] });
  const clusters = reports.flatMap((r) => [...new Set(r.leaves.map((l) => l.cluster))]).sort();
  assert.deepEqual(clusters, ['dev-1', 'prod-eu-1', 'prod-us-1', 'staging-1'], 'every cluster in exactly one shard');
  const dir = join(root, 'reports');
  mkdirSync(dir);
  const files = shards.map((s, i) => {
    const path = join(dir, `shard-${i + 1}.json`);
    writeFileSync(path, s.stdout);
    return path;
  });
  const merged = await runCli('validate', ['--merge', ...files, '--json']);
  assert.equal(merged.code, 1, merged.stderr);
  assert.equal(whole.code, 1);
  const [a, b] = [JSON.parse(merged.stdout), JSON.parse(whole.stdout)];
  assert.deepEqual(a.findings, b.findings, 'the same findings, each once (repository checks ran in every shard)');
  assert.deepEqual(a.leaves.length, b.leaves.length);
  const text = await runCli('validate', ['--merge', ...files]);
  assert.match(text.stdout, /validate: 1 finding, 8 leaves/);

  const bad = await runCli('validate', ['--merge', join(root, 'fleet.yaml')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /fleet\.yaml: not a validate --json report/);
  const shard = await runCli('validate', ['--root', root, '--shard', '4/3']);
  assert.equal(shard.code, 2);
  assert.match(shard.stderr, /--shard 4\/3: expected i\/n with 1 ≤ i ≤ n\n\s*fix: /);
});
