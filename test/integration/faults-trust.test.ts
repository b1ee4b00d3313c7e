import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { defaultFleetCopy, snapshotTree } from '../helpers/repo.ts';
import { withHeader } from '../../scripts/generate/header.ts';
import { formatFinding } from '../../scripts/lib/findings.ts';
import { memoPath } from '../../scripts/lib/signed-memo.ts';
import { runValidate } from '../../scripts/validate/run.ts';
import { editedFleet, replaceOnce, useTestChartMirror } from '../helpers/validate.ts';

const generate = (root: string, ...args: string[]) => runCli('generate', ['--root', root, ...args]);
const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8' }).trim();

/** Paths that differ between two snapshots: added, removed or changed. */
function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p)).sort();
}

/** What one pull request could add next to the generated children: a project allowing anything, and an Application in it. */
const WIDE_OPEN = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: anything
  namespace: argocd
spec:
  sourceRepos: ['*']
  destinations: [{ server: '*', namespace: '*' }]
  clusterResourceWhitelist: [{ group: '*', kind: '*' }]
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: anything
  namespace: argocd
spec:
  project: anything
  source: { repoURL: 'https://example.com/x.git', path: '.', targetRevision: HEAD }
  destination: { server: 'https://kubernetes.default.svc', namespace: kube-system }
`;

test('a hand-written file in a folder Argo CD syncs is a finding of generate --check, and generate refuses to write anything', async () => {
  const root = await defaultFleetCopy();
  await writeFile(join(root, 'apps/dev-1/children/wide-open.yaml'), WIDE_OPEN);
  // Kustomize-readable extras in a leaf: Argo CD reads .argocd-source.yaml from the source path.
  await writeFile(join(root, 'overlays/dev/dev-1/prometheus/.argocd-source.yaml'), 'kustomize:\n  images: [evil/prometheus:latest]\n');
  await mkdir(join(root, 'apps/dev-1/children/extra'));
  await writeFile(join(root, 'apps/dev-1/children/extra/kustomization.yaml'), 'resources: [../wide-open.yaml]\n');
  // The header's checksum is no signature: a file that carries one but that the plan does not name is stale.
  await writeFile(join(root, 'apps/dev-1/children/looks-generated.yaml'), withHeader(WIDE_OPEN, ['clusters/dev-1.yaml']));
  // A change generate would write, to show that a refusal writes nothing at all.
  await writeFile(join(root, 'overlays/dev/prometheus.values.yaml'), 'server:\n  retention: 1d\n');
  const before = await snapshotTree(root);

  const check = await generate(root, '--check');
  assert.equal(check.code, 1, check.stderr);
  assert.match(
    check.stderr,
    /^apps\/dev-1\/children\/wide-open\.yaml: a file the generator did not write \(no generated header\) is in a folder Argo CD syncs: the root Application of cluster 'dev-1' applies every file in apps\/dev-1\/children\/\n {4}fix: remove it \(git rm\); to change what Argo CD applies, change clusters\/, overlays\/<env>\/ or base\//m,
  );
  assert.match(check.stderr, /^apps\/dev-1\/children\/extra\/kustomization\.yaml: a file the generator did not write/m);
  assert.match(check.stderr, /^apps\/dev-1\/children\/looks-generated\.yaml: stale: generate would delete it/m);
  assert.match(
    check.stderr,
    /^overlays\/dev\/dev-1\/prometheus\/\.argocd-source\.yaml: a file the generator did not write .*: the Application of leaf overlays\/dev\/dev-1\/prometheus\/ renders that folder$/m,
  );

  for (const args of [[], ['--force']]) {
    const run = await generate(root, ...args);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^apps\/dev-1\/children\/wide-open\.yaml: a file the generator did not write/m);
    assert.match(run.stderr, /generate refused to touch 3 files/);
    assert.deepEqual(changedPaths(before, await snapshotTree(root)), [], `generate ${args.join(' ')} wrote nothing`);
  }
});

test('validate reports a hand-written file in a folder Argo CD syncs (exit 1), on top of what it renders', async () => {
  await useTestChartMirror();
  const root = await editedFleet({}, { regenerate: false });
  await writeFile(join(root, 'apps/dev-1/children/wide-open.yaml'), WIDE_OPEN);
  const run = await runCli('validate', ['--root', root, '--cluster', 'dev-1']);
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stdout + run.stderr,
    /\[generated\] apps\/dev-1\/children\/wide-open\.yaml: a file the generator did not write \(no generated header\) is in a folder Argo CD syncs/,
  );
});

test('hand-written files the generator does not own stay allowed: environment pins and values, notes at the top of apps/', async () => {
  const root = await defaultFleetCopy();
  await writeFile(join(root, 'apps/README.md'), 'Generated by `npm run generate`; see the README.\n');
  await writeFile(join(root, 'overlays/dev/prometheus.values.yaml'), 'server:\n  retention: 1d\n');
  const run = await generate(root);
  assert.equal(run.code, 0, run.stderr);
  const check = await generate(root, '--check');
  assert.equal(check.code, 0, check.stderr);
  assert.equal(await readFile(join(root, 'apps/README.md'), 'utf8'), 'Generated by `npm run generate`; see the README.\n');
});

/** The default fleet committed on main, and a bot branch with a pin bump that generate has not followed yet. */
async function fleetWithBotBranch(branch: string): Promise<string> {
  const root = await editedFleet({}, { regenerate: false });
  git(root, 'init', '--quiet', '--initial-branch=main');
  git(root, 'add', '-A');
  git(root, 'commit', '--quiet', '-m', 'the default fleet');
  git(root, 'checkout', '--quiet', '-b', branch);
  const pins = join(root, 'overlays/dev/pins.yaml');
  await writeFile(pins, (await readFile(pins, 'utf8')).replace('version: 29.27.0', 'version: 29.28.0'));
  git(root, 'commit', '--quiet', '-am', 'chore(deps): update helm release prometheus to v29.28.0');
  return root;
}

test('regenerate:branch --branch X refuses when another branch (or a detached HEAD) is checked out: nothing generated or committed', async () => {
  const branch = 'renovate/prometheus-29.x';
  const root = await fleetWithBotBranch(branch);
  const tips = () => git(root, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads');

  git(root, 'switch', '--quiet', 'main');
  // main with an inventory change whose regeneration is still to come: what generate on main would commit.
  await writeFile(join(root, 'overlays/dev/prometheus.values.yaml'), 'server:\n  retention: 1d\n');
  git(root, 'commit', '--quiet', '-am', 'dev: keep one day');
  const before = { tips: tips(), tree: await snapshotTree(root) };
  const onMain = await runCli('regenerate-branch', ['--root', root, '--branch', branch]);
  assert.equal(onMain.code, 2, onMain.stdout + onMain.stderr);
  assert.match(
    onMain.stderr,
    /--branch renovate\/prometheus-29\.x is not the checked-out branch \('main'\); regenerate commits on the checked-out branch, so nothing was done\nfix: git switch renovate\/prometheus-29\.x, then run again/,
  );
  assert.equal(tips(), before.tips, 'no branch moved');
  assert.deepEqual(changedPaths(before.tree, await snapshotTree(root)), [], 'nothing generated');
  assert.equal(git(root, 'status', '--porcelain'), '');

  git(root, 'switch', '--quiet', '--detach', branch);
  const detached = await runCli('regenerate-branch', ['--root', root, '--branch', branch]);
  assert.equal(detached.code, 2, detached.stdout + detached.stderr);
  assert.match(detached.stderr, /is not the checked-out branch \(a detached HEAD\)/);
  assert.equal(tips(), before.tips);

  // The contract still holds on the named branch itself.
  git(root, 'switch', '--quiet', branch);
  const onBranch = await runCli('regenerate-branch', ['--root', root, '--branch', branch]);
  assert.equal(onBranch.code, 0, onBranch.stderr);
  assert.match(onBranch.stdout, new RegExp(`committed [0-9a-f]{12} on ${branch}`));
  assert.equal(git(root, 'rev-parse', 'main'), before.tips.match(/refs\/heads\/main (\w+)/)![1], 'main did not move');
});

/** Every check-results entry a run read or wrote, parsed, with its path. */
const entriesOf = (paths: string[]) => paths.map((path) => ({ path, entry: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> }));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A fleet of its own (a unique comment in base/) whose first run caches one finding, for dev-1: what a forger wants gone. */
async function fleetWithCachedFinding(label: string) {
  await useTestChartMirror();
  const root = await editedFleet({
    'base/prometheus/values.yaml': (t) => `${t}# ${label} ${randomUUID()}\n`,
    'clusters/dev-1.yaml': replaceOnce(
      '  prometheus:\n    enabled: true\n',
      '  prometheus:\n    enabled: true\n    values:\n      server:\n        retension: 3d\n',
    ),
  });
  const expected = /clusters\/dev-1\.yaml:\d+:\d+ \[dev-1\/prometheus\]: server\.retension is not a value of chart prometheus/;
  const clusters = ['dev-1', 'prod-eu-1'];
  const first = await runValidate({ root, clusters });
  assert.match(first.findings.map(formatFinding).join('\n'), expected);
  return { root, expected, clusters, first };
}

test('a forged check-results entry ("no findings", checksum or signature recomputed without the key) does not make validate pass', async () => {
  const { root, expected, clusters, first } = await fleetWithCachedFinding('faults-trust test');
  const entries = entriesOf(first.cache!.entries);
  const broken = entries.find((e) => JSON.stringify(e.entry.verdict).includes('retension'))!;
  const clean = entries.find((e) => e !== broken)!;
  assert.ok(broken && clean, "one entry holds dev-1's finding, the other is prod-eu-1's");
  const key = String(broken.entry.key);
  // dev-1's results with every finding dropped: what a forger wants validate to read.
  const emptied = { ...(broken.entry.verdict as object), checks: {} };
  const signedText = `3\0${key}\0${JSON.stringify(emptied)}`;

  const forgeries: Record<string, Record<string, unknown>> = {
    'the old per-check format, its checksum recomputed': { v: 1, key, findings: [], sum: sha256('[]') },
    'the signature replaced by a plain sha256': { ...broken.entry, verdict: emptied, sig: sha256(signedText) },
    'signed with a key of its own': {
      ...broken.entry,
      verdict: emptied,
      sig: createHmac('sha256', 'a forger key, not this machine').update(signedText).digest('hex'),
    },
    "another entry's valid signature, its key rewritten": { ...clean.entry, key },
  };
  for (const [how, forged] of Object.entries(forgeries)) {
    writeFileSync(broken.path, JSON.stringify(forged));
    // Without the checkout's verdict memo (it answers first): the entries alone, as a restored CI cache holds them.
    rmSync(memoPath('verdicts', root), { force: true });
    const run = await runValidate({ root, clusters });
    assert.match(run.findings.map(formatFinding).join('\n'), expected, `${how}: the finding is still reported`);
    assert.equal(run.cache?.corrupted, 1, `${how}: the entry is not trusted`);
  }

  // As a user runs it: exit 1, and the untrusted entry said once.
  writeFileSync(broken.path, JSON.stringify(forgeries['the old per-check format, its checksum recomputed']));
  rmSync(memoPath('verdicts', root), { force: true });
  const cli = await runCli('validate', ['--root', root, '--cluster', 'dev-1']);
  assert.equal(cli.code, 1, cli.stderr);
  assert.match(cli.stdout + cli.stderr, /server\.retension is not a value of chart prometheus/);
  assert.equal(cli.stderr.match(/1 untrusted entries recomputed \(torn, edited, or not signed with this machine's cache key\)/g)?.length, 1, cli.stderr);
});

test("a forged verdict memo (a cluster's findings dropped, its signature kept or redone without the key) does not make validate pass", async () => {
  const { root, expected } = await fleetWithCachedFinding('faults-trust memo test');
  // The memo answers a run over the whole fleet (a run over a few of its clusters reads their entries).
  const whole = await runValidate({ root });
  const path = memoPath('verdicts', root);
  const signed = readFileSync(path, 'utf8');
  const [sig, body] = [signed.slice(0, signed.indexOf('\n')), signed.slice(signed.indexOf('\n') + 1)];
  assert.match(body, /retension/, "the memo holds dev-1's finding");
  // Every check of dev-1 emptied: what a forger wants validate to read.
  const emptied = JSON.stringify(
    (JSON.parse(body) as [string, { key: string; verdict: { checks: Record<string, unknown[]> } }][]).map(([cluster, entry]) => [
      cluster,
      { ...entry, verdict: { ...entry.verdict, checks: Object.fromEntries(Object.keys(entry.verdict.checks).map((c) => [c, []])) } },
    ]),
  );
  // Entries are what a second run would fall back to: these are removed, so only the memo could answer.
  const entries = whole.cache!.entries;
  for (const [how, text] of Object.entries({
    'the body edited, the signature kept': `${sig}\n${emptied}`,
    'signed with a key of its own': `${createHmac('sha256', 'a forger key').update(emptied).digest('hex')}\n${emptied}`,
    torn: body.slice(0, 40),
  })) {
    for (const entry of entries) rmSync(entry, { force: true });
    writeFileSync(path, text);
    const run = await runValidate({ root });
    assert.match(run.findings.map(formatFinding).join('\n'), expected, `${how}: the finding is still reported`);
    assert.deepEqual([run.cache?.hits, run.cache?.misses], [0, 4], `${how}: nothing is taken from the memo`);
  }
});
