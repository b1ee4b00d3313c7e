import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import semver from 'semver';
import { parse } from 'yaml';
import { type UpdateFixture, updateFixture } from '../helpers/renovate-fixtures.ts';
import { addBotBranch, checkoutCopy, type DryRun, type ReportBranch, renovateDryRun, validateRenovateConfig } from '../helpers/renovate-dry-run.ts';
import { PROJECT_ROOT, tempRepo } from '../helpers/repo.ts';

// Renovate reads the wall clock for its schedule and for release ages: each run is pinned to an instant.
// The schedule is weekdays 00:00–05:59 UTC: a Saturday at 03:00 is outside, a Tuesday at 05:30 inside.
const SATURDAY_0300 = new Date('2026-12-12T03:00:00Z');
const TUESDAY_0530 = new Date('2026-12-08T05:30:00Z');

interface Runs {
  root: string;
  fixture: UpdateFixture;
  /** The branch a ticked Dependency Dashboard box approved, already pushed by the bot (a dry run creates no branch). */
  approvedBranch: string;
  outside: DryRun;
  inside: DryRun;
}

/** Two full dry runs of the real Renovate on one checkout, in parallel, shared by the tests below. */
async function dryRuns(): Promise<Runs> {
  const started = Date.now();
  const root = await checkoutCopy();
  const fixture = await updateFixture(root);
  const { name, current, major } = fixture.youngChart;
  const approvedBranch = `renovate/${name}-${semver.major(major)}.x`;
  await addBotBranch(root, approvedBranch, 'overlays/dev/pins.yaml', (text) =>
    text.replace(new RegExp(`(chart: ${name}\\s+version: )${current}`), `$1${major}`),
  );
  const dashboard = [{ title: 'Dependency Dashboard', body: `## Pending Approval\n\n - [x] <!-- approve-branch=${approvedBranch} -->${approvedBranch}\n` }];
  const [outside, inside] = await Promise.all([SATURDAY_0300, TUESDAY_0530].map((now) => renovateDryRun(root, now, fixture.packages, dashboard)));
  console.log(`# two renovate dry runs in ${Math.round((Date.now() - started) / 1000)} s`);
  return { root, fixture, approvedBranch, outside: outside!, inside: inside! };
}

// Started while the file loads, so that its temporary folders belong to the file, not to the first test.
const runs = dryRuns();
runs.catch(() => {}); // each test awaits it and reports a failure itself

const branchOf = (run: DryRun, depName: string, newVersion: string): ReportBranch | undefined =>
  run.report.branches.find((b) => b.upgrades.some((u) => u.depName === depName && u.newVersion === newVersion));
const resultOf = (run: DryRun, depName: string, newVersion: string) =>
  branchOf(run, depName, newVersion)?.result ?? `no branch updates ${depName} to ${newVersion}`;
const depOf = (run: DryRun, packageFile: string, depName: string) =>
  Object.values(run.report.packageFiles)
    .flat()
    .find((f) => f.packageFile === packageFile)
    ?.deps.find((d) => d.depName === depName);

test('renovate.json passes the real renovate-config-validator (--strict, as repository config), which refuses a broken schedule', async () => {
  const broken = JSON.parse(await readFile(join(PROJECT_ROOT, 'renovate.json'), 'utf8'));
  broken.schedule = ['* 0-5 * * 1-8'];
  const brokenPath = join(await tempRepo(), 'renovate.json');
  await writeFile(brokenPath, JSON.stringify(broken));
  const [real, refused] = await Promise.all([validateRenovateConfig(join(PROJECT_ROOT, 'renovate.json')), validateRenovateConfig(brokenPath)]);
  assert.equal(real.exitCode, 0, real.output);
  assert.match(real.output, /Config validated successfully against 1 file/);
  assert.equal(refused.exitCode, 1, refused.output);
  assert.match(refused.output, /Invalid schedule/);
});

test('the real Renovate extracts exactly the dev pins, touches no generated file, and sees every action pinned by SHA', async () => {
  const { root, outside } = await runs;
  const packageFiles = outside.report.packageFiles;
  const all = Object.entries(packageFiles).flatMap(([manager, files]) => files.map((f) => ({ manager, ...f })));
  // Every manager: nothing under the generated trees (a bumped leaf makes generate refuse the branch).
  const generated = all.filter((f) => /^apps\//.test(f.packageFile) || /^overlays\/[^/]+\/[^/]+\//.test(f.packageFile));
  assert.deepEqual(
    generated.map((f) => `${f.manager}: ${f.packageFile}`),
    [],
  );
  assert.equal(packageFiles.kustomize, undefined, 'the kustomize manager finds nothing');

  // Chart pins: exactly dev's, as overlays/dev/pins.yaml has them; staging and prod move by promotion.
  const pins = parse(await readFile(join(root, 'overlays/dev/pins.yaml'), 'utf8')) as Record<string, { repoURL: string; chart: string; version: string }>;
  const charts = all.flatMap((f) =>
    f.deps.filter((d) => d.datasource === 'helm').map((d) => ({ file: f.packageFile, chart: d.depName, version: d.currentValue, repo: d.registryUrls?.[0] })),
  );
  const expected = Object.values(pins).map((p) => ({ file: 'overlays/dev/pins.yaml', chart: p.chart, version: p.version, repo: p.repoURL }));
  assert.deepEqual(charts, expected);
  assert.ok(expected.length >= 2, 'the default fleet pins prometheus and grafana');

  // The Argo CD release and the npm tools have their managers too.
  const regexDeps = (file: string) => (packageFiles.regex ?? []).find((f) => f.packageFile === file)?.deps.map((d) => `${d.depName}@${d.currentValue}`) ?? [];
  const toolPins = JSON.parse(await readFile(join(root, 'tools/pins.json'), 'utf8'));
  assert.deepEqual(regexDeps('tools/pins.json'), [`${toolPins.argocd.module}@${toolPins.argocd.version}`]);
  const npmTools = JSON.parse(await readFile(join(root, 'tools/npm-tools.json'), 'utf8'));
  assert.deepEqual(regexDeps('tools/npm-tools.json'), [`renovate@${npmTools.renovate.version}`, `node@${npmTools.node.version}`]);

  // Workflows: each action at a full commit SHA with its exact version in the comment; Node 24.
  const workflows = packageFiles['github-actions'] ?? [];
  assert.ok(workflows.length >= 4, workflows.map((f) => f.packageFile).join(', '));
  for (const file of workflows) {
    for (const dep of file.deps.filter((d) => d.depType === 'action')) {
      assert.match(dep.currentDigest ?? '', /^[0-9a-f]{40}$/, `${file.packageFile}: ${dep.depName} is not pinned by commit SHA`);
      assert.match(dep.currentValue ?? '', /^v\d+\.\d+\.\d+$/, `${file.packageFile}: ${dep.depName} has no exact version comment`);
    }
    const nodes = file.deps.filter((d) => d.depName === 'node').map((d) => d.currentValue);
    assert.ok(
      nodes.every((v) => v === '24'),
      `${file.packageFile}: node-version ${nodes.join(', ')}`,
    );
  }
});

test('charts and npm packages wait 3 days: a younger release is held back (pending), an older one is proposed instead', async () => {
  const { root, fixture, outside } = await runs;
  const { settledChart, youngChart, renovate, node } = fixture;
  // The settled chart: its newest minor is 0.1 day old, so Renovate proposes the one before it and lists the newest as pending.
  assert.equal(resultOf(outside, settledChart.name, settledChart.youngMinor), `no branch updates ${settledChart.name} to ${settledChart.youngMinor}`);
  const settledMinor = depOf(outside, 'overlays/dev/pins.yaml', settledChart.name)?.updates?.find((u) => u.updateType === 'minor');
  assert.deepEqual(
    { newVersion: settledMinor?.newVersion, pendingVersions: settledMinor?.pendingVersions },
    { newVersion: settledChart.minor, pendingVersions: [settledChart.youngMinor] },
  );
  // Only young releases: the branch waits (internalChecksFilter strict: no branch until one is old enough).
  assert.equal(resultOf(outside, youngChart.name, youngChart.youngMinor), 'pending');
  assert.equal(resultOf(outside, 'renovate', renovate.major), 'pending');
  assert.notEqual(resultOf(outside, 'renovate', renovate.minor), 'pending');
  assert.notEqual(resultOf(outside, 'node', node.minor), 'pending');
  // package.json: every dependency has only a 0.1-day-old patch, so every branch that bumps one is pending.
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const npmNames = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  const npmBranches = outside.report.branches.filter((b) => b.upgrades.some((u) => u.packageFile === 'package.json'));
  assert.deepEqual(new Set(npmBranches.flatMap((b) => b.upgrades.map((u) => u.depName))), new Set(npmNames));
  assert.deepEqual(
    npmBranches.filter((b) => b.result !== 'pending').map((b) => `${b.branchName}: ${b.result}`),
    [],
  );
});

test('updates wait for weekday mornings (00:00–05:59 UTC): not scheduled on a Saturday at 03:00, committed on a Tuesday at 05:30', async () => {
  const { fixture, outside, inside } = await runs;
  const scheduled: [string, string][] = [
    [fixture.settledChart.name, fixture.settledChart.minor],
    ['renovate', fixture.renovate.minor],
    ['node', fixture.node.minor],
    ['github.com/argoproj/argo-cd/v3', fixture.argocd.patch],
  ];
  for (const [dep, version] of scheduled) {
    assert.equal(resultOf(outside, dep, version), 'not-scheduled', `${dep} ${version} on Saturday`);
    const branch = branchOf(inside, dep, version)?.branchName;
    assert.ok(
      inside.logs.some((l) => l.branch === branch && l.msg.startsWith('DRY-RUN: Would commit files to branch')),
      `${dep} ${version} on Tuesday: branch ${branch} ${resultOf(inside, dep, version)}`,
    );
  }
});

test("a chart's major waits for the Dependency Dashboard: needs approval until ticked, then its PR is labelled chart-bump and chart-major", async () => {
  const { fixture, approvedBranch, outside, inside } = await runs;
  // Unticked: no branch, on any day (approval does not depend on the schedule).
  for (const run of [outside, inside]) assert.equal(resultOf(run, fixture.settledChart.name, fixture.settledChart.major), 'needs-approval');
  // Ticked: the pull request goes ahead even outside the schedule, with both labels.
  const created = outside.logs.find((l) => l.branch === approvedBranch && l.msg.startsWith('DRY-RUN: Would create PR'));
  assert.ok(created, `no pull request for ${approvedBranch}: ${resultOf(outside, fixture.youngChart.name, fixture.youngChart.major)}`);
  assert.deepEqual(created.labels, ['chart-bump', 'chart-major']);
});

test('the Go wrapper modules under tools/ are ignored, every one of them; tools/pins.json still gets its Argo CD bump', async () => {
  const { root, fixture, outside } = await runs;
  const wrappers = execFileSync('git', ['ls-files', 'tools/**/go.mod'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  assert.ok(wrappers.length >= 5, wrappers.join(', '));
  assert.deepEqual(outside.report.packageFiles.gomod?.map((f) => f.packageFile) ?? [], []);
  const argocd = depOf(outside, 'tools/pins.json', 'github.com/argoproj/argo-cd/v3');
  assert.deepEqual(
    argocd?.updates?.map((u) => u.newVersion),
    [fixture.argocd.patch],
  );
});

test('Node in tools/npm-tools.json follows node versioning (no odd major), Renovate itself npm versioning', async () => {
  const { fixture, outside } = await runs;
  const node = depOf(outside, 'tools/npm-tools.json', 'node');
  const renovate = depOf(outside, 'tools/npm-tools.json', 'renovate');
  assert.equal(node?.versioning, 'node');
  assert.equal(renovate?.versioning, 'npm');
  // The stand-in offers Node's odd major, 10 days old: node versioning never proposes it, only the minor.
  assert.deepEqual(
    node?.updates?.map((u) => u.newVersion),
    [fixture.node.minor],
  );
  assert.deepEqual(
    renovate?.updates?.map((u) => `${u.updateType} ${u.newVersion}`),
    [`minor ${fixture.renovate.minor}`, `major ${fixture.renovate.major}`],
  );
});
