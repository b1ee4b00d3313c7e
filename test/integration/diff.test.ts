import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDiff } from '../../scripts/diff/command.ts';
import { upsertStickyComment } from '../../scripts/diff/comment.ts';
import { DIFF_MARKER, formatMarkdown, formatText, groupSummary } from '../../scripts/diff/format.ts';
import { createGitHubClient } from '../../scripts/lib/github.ts';
import { runCli } from '../helpers/cli.ts';
import { commitOnMain, fleetWithOrigin, gitIn } from '../helpers/git-fleet.ts';
import { startGitHubStandIn } from '../helpers/github/server.ts';
import { useTestChartMirror } from '../helpers/validate.ts';

/** A fleet repository whose main is the base; `change` is committed on top as the head. */
async function changed(path: string, edit: (text: string) => string) {
  await useTestChartMirror();
  const { root, origin } = await fleetWithOrigin();
  const base = gitIn(root, 'rev-parse', 'HEAD');
  await commitOnMain(root, path, edit, 'the change');
  return { root, origin, base, head: gitIn(root, 'rev-parse', 'HEAD') };
}

test('a one-cluster value change shows only that cluster, and only it is rendered', async () => {
  const { root, base, head } = await changed('clusters/staging-1.yaml', (t) =>
    t.replace('  prometheus:\n    enabled: true\n', '  prometheus:\n    enabled: true\n    values:\n      server:\n        retention: 30d\n'),
  );
  const outcome = await runDiff({ root, base, head });
  assert.deepEqual(outcome.rendered, ['staging-1']);
  assert.deepEqual(
    outcome.diff.changed.map((d) => d.cluster),
    ['staging-1'],
  );
  const text = formatText(outcome.diff, 'diff');
  assert.match(text, /staging-1: prometheus, 1 value — resources \+0 −0 ~1/);
  assert.match(text, /values server\.retention: 15d → 30d/);
  assert.match(
    text,
    /~ Deployment monitoring\/prometheus-server\n\s+spec\.template\.spec\.containers\[1\]\.args\[0\]: --storage\.tsdb\.retention\.time=15d → --storage\.tsdb\.retention\.time=30d/,
  );
});

test('a base value change shows every cluster, grouped as one change', async () => {
  const { root, base, head } = await changed('base/prometheus/values.yaml', (t) => t.replace('retention: 15d', 'retention: 20d'));
  const outcome = await runDiff({ root, base, head });
  assert.equal(outcome.diff.changed.length, 4);
  assert.equal(outcome.diff.groups.length, 1);
  assert.match(groupSummary(outcome.diff.groups[0]!), /^the same change on 4 clusters \(dev-1, prod-eu-1, prod-us-1, staging-1\): prometheus, 1 value/);
  const md = formatMarkdown(outcome.diff, 'Monitoring fleet diff');
  assert.ok(md.startsWith(DIFF_MARKER));
  assert.match(md, /\| prod \| 2 \| 0 \| 0 \| 2 \|\n\| staging \| 1 \| 0 \| 0 \| 1 \|\n\| dev \| 1 \| 0 \| 0 \| 1 \|/);
  assert.ok(md.indexOf('### prod') < md.indexOf('<details>'), 'prod first');
});

test('a chart version bump shows the version and the resources it changes', async () => {
  const { root, base, head } = await changed('overlays/dev/pins.yaml', (t) => t.replace('version: 29.27.0', 'version: 29.28.0'));
  const outcome = await runDiff({ root, base, head });
  assert.deepEqual(
    outcome.diff.changed.map((d) => d.cluster),
    ['dev-1'],
  );
  const text = formatText(outcome.diff, 'diff');
  assert.match(text, /prometheus: chart 29\.27\.0 → 29\.28\.0/);
  assert.match(text, /\+ PodDisruptionBudget monitoring\/prometheus-server/);
  assert.match(text, /spec\.template\.spec\.containers\[1\]\.image: quay\.io\/prometheus\/prometheus:v3\.14\.0 → quay\.io\/prometheus\/prometheus:v3\.15\.0/);
  assert.ok(!/checksum\//.test(text), 'checksum annotations are noise');
  assert.match(text, /~ \d+ resources?: chart label only \(helm\.sh\/chart, app\.kubernetes\.io\/version\)/);
  assert.deepEqual(outcome.diff.changed[0]!.argo, { added: [], removed: [], changed: [], labelOnly: [] }, 'the Applications do not change with a pin');
});

test('a new cluster shows as added; a Secret change is masked', async () => {
  await useTestChartMirror();
  const { root } = await fleetWithOrigin();
  const base = gitIn(root, 'rev-parse', 'HEAD');
  const text = (await readFile(join(root, 'clusters/dev-1.yaml'), 'utf8')).replaceAll('dev-1', 'dev-2');
  await writeFile(join(root, 'clusters/dev-2.yaml'), text);
  await commitOnMain(
    root,
    'clusters/dev-1.yaml',
    (t) =>
      t.replace(
        '  prometheus:\n    enabled: true\n',
        '  prometheus:\n    enabled: true\n    values:\n      extraManifests:\n        - apiVersion: v1\n          kind: Secret\n          metadata:\n            name: webhook\n          stringData:\n            url: https://example.com/hook-v2\n',
      ),
    'dev-2 and a secret',
  );
  const outcome = await runDiff({ root, base, head: 'HEAD' });
  const byCluster = Object.fromEntries(outcome.diff.changed.map((d) => [d.cluster, d]));
  assert.equal(byCluster['dev-2']!.status, 'added');
  assert.match(formatText(outcome.diff, 'diff'), /dev-2 \[cluster added\]/);
  const report = JSON.stringify(outcome);
  assert.ok(!report.includes('hook-v2'), 'the Secret value never appears');
  assert.match(report, /\(masked sha:[0-9a-f]{8}\)/);
});

test('an unchanged repository reports no changes; the CLI exits 0 either way', async () => {
  await useTestChartMirror();
  const { root } = await fleetWithOrigin();
  const cli = await runCli('diff', ['--root', root, '--base', 'HEAD', '--format', 'md']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /No changes to any cluster/);
  const bad = await runCli('diff', ['--root', root, '--base', 'no-such-ref']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^usage error: --base no-such-ref: git cannot resolve it to a commit/m, 'a ref the user named is a usage error in every command');
});

test('the sticky comment is created once and updated on re-run; an over-long diff degrades to counts', async () => {
  const { root, origin, base, head } = await changed('base/prometheus/values.yaml', (t) => t.replace('retention: 15d', 'retention: 20d'));
  const github = await startGitHubStandIn({ owner: 'acme', repo: 'fleet', gitDir: origin, token: 't' });
  try {
    gitIn(root, 'push', '--quiet', 'origin', `${head}:refs/heads/feature`);
    gitIn(root, 'push', '--quiet', '--force', 'origin', `${base}:refs/heads/main`);
    const gh = createGitHubClient('t', { baseUrl: github.url, retryAfterBaseValue: 5, writeSpacing: 0 });
    const pr = (await gh.rest.pulls.create({ owner: 'acme', repo: 'fleet', head: 'feature', base: 'main', title: 'retention' })).data.number;
    const outcome = await runDiff({ root, base, head });
    const md = formatMarkdown(outcome.diff, 'Monitoring fleet diff');
    const first = await upsertStickyComment(gh, { owner: 'acme', repo: 'fleet' }, pr, md);
    const again = await upsertStickyComment(gh, { owner: 'acme', repo: 'fleet' }, pr, md);
    const edited = await upsertStickyComment(gh, { owner: 'acme', repo: 'fleet' }, pr, `${md}\nupdated`);
    assert.deepEqual([first.action, again.action, edited.action], ['created', 'unchanged', 'updated']);
    assert.equal(first.id, edited.id);
    assert.equal([...github.comments.values()].filter((c) => c.issueNumber === pr).length, 1, 'never duplicated');
    const huge = {
      ...outcome.diff,
      groups: outcome.diff.groups.map((g) => ({
        ...g,
        example: {
          ...g.example,
          apps: g.example.apps.map((a) => ({
            ...a,
            resources: { ...a.resources, added: Array.from({ length: 5000 }, (_, i) => `ConfigMap monitoring/generated-${i}`) },
          })),
        },
      })),
    };
    const degraded = formatMarkdown(huge, 'Monitoring fleet diff');
    assert.ok(degraded.length <= 60_000, String(degraded.length));
    assert.match(degraded, /The full diff is too long for a comment \(\d+ characters\); it is in diff\.json, attached to this workflow run/);
    assert.match(degraded, /- the same change on 4 clusters .* resources \+5000 −0 ~1/);
    assert.deepEqual(github.contractViolations, []);
  } finally {
    await github.stop();
  }
});

test('a change the API server refuses on existing objects is called out before merge', async () => {
  const { root, base, head } = await changed('clusters/prod-us-1.yaml', (t) => t.replace('          size: 16Gi', '          size: 4Gi'));
  const outcome = await runDiff({ root, base, head });
  const md = formatMarkdown(outcome.diff, 'Monitoring fleet diff');
  assert.match(
    md,
    /> \[!CAUTION\]\n> 1 change the API server will refuse on existing objects; after merge, Argo CD's sync fails there:\n> - prod-us-1: PersistentVolumeClaim monitoring\/prometheus-server: a PersistentVolumeClaim cannot shrink \(16Gi → 4Gi\)/,
  );
  assert.match(formatText(outcome.diff, 'diff'), /! BREAKS SYNC: PersistentVolumeClaim monitoring\/prometheus-server/);
});

test('switching Prometheus to a StatefulSet is shown with the TSDB claim it leaves behind', async () => {
  const { root, base, head } = await changed('clusters/staging-1.yaml', (t) =>
    t.replace(
      '  prometheus:\n    enabled: true\n',
      '  prometheus:\n    enabled: true\n    values:\n      server:\n        statefulSet:\n          enabled: true\n',
    ),
  );
  const outcome = await runDiff({ root, base, head });
  const text = formatText(outcome.diff, 'diff');
  assert.match(text, /\+ StatefulSet monitoring\/prometheus-server\n/);
  assert.match(text, /\+ Service monitoring\/prometheus-server-headless\n/);
  assert.match(text, /- PersistentVolumeClaim monitoring\/prometheus-server\n/);
  assert.match(
    text,
    /! DATA LEFT BEHIND: PersistentVolumeClaim monitoring\/prometheus-server: no longer rendered: Argo CD keeps the claim and its data, but nothing mounts it/,
  );
  assert.match(
    formatMarkdown(outcome.diff, 'Monitoring fleet diff'),
    /> \[!WARNING\]\n> 1 volume keep their data but are no longer mounted after merge:\n> - staging-1: PersistentVolumeClaim monitoring\/prometheus-server/,
  );
});

test('diff --shard i/n covers each affected cluster once, and --merge reports the shards as the whole diff', async () => {
  const { root, base, head } = await changed('base/prometheus/values.yaml', (t) => t.replace('retention: 15d', 'retention: 20d'));
  const whole = await runCli('diff', ['--root', root, '--base', base, '--head', head, '--format', 'md']);
  const files = [];
  for (const i of [1, 2]) {
    const out = join(root, `diff-${i}.json`);
    const shard = await runCli('diff', ['--root', root, '--base', base, '--head', head, '--shard', `${i}/2`, '--format', 'json', '--out', out]);
    assert.equal(shard.code, 0, shard.stderr);
    files.push(out);
  }
  const rendered = (await Promise.all(files.map(async (f) => JSON.parse(await readFile(f, 'utf8')).rendered as string[]))).flat().sort();
  assert.deepEqual(rendered, ['dev-1', 'prod-eu-1', 'prod-us-1', 'staging-1']);
  const merged = await runCli('diff', ['--merge', ...files, '--format', 'md']);
  assert.equal(merged.code, 0, merged.stderr);
  assert.equal(merged.stdout, whole.stdout, 'the merged comment is the unsharded one');
  const bad = await runCli('diff', ['--merge', join(root, 'fleet.yaml')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /fleet\.yaml: not a diff --format json file/);
});
