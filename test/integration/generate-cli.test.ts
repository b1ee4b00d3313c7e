import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { MINIMAL } from '../helpers/inventory.ts';
import { defaultFleetCopy, snapshotTree, tempRepo } from '../helpers/repo.ts';

const generate = (root: string, ...args: string[]) => runCli('generate', ['--root', root, ...args]);

/** Paths that differ between two snapshots: added, removed or changed. */
function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p) !== after.get(p)).sort();
}

test('the committed default fleet is up to date and generate twice changes nothing', async () => {
  const root = await defaultFleetCopy();
  const check = await generate(root, '--check');
  assert.equal(check.code, 0, check.stderr);
  const before = await snapshotTree(root);
  const run = await generate(root);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /generate: 0 written, 0 removed, \d+ unchanged/);
  assert.deepEqual(changedPaths(before, await snapshotTree(root)), []);
});

test('adding a cluster adds exactly its files; deleting it removes exactly them', async () => {
  const root = await defaultFleetCopy();
  const before = await snapshotTree(root);
  const text = (await readFile(join(root, 'clusters/staging-1.yaml'), 'utf8')).replaceAll('staging-1', 'staging-2');
  await writeFile(join(root, 'clusters/staging-2.yaml'), text);
  assert.equal((await generate(root)).code, 0);
  const added = changedPaths(before, await snapshotTree(root));
  // CODEOWNERS gains the cluster's own lines (its file and apps/staging-2/ for staging's owners); the fleet root's glob needs no change.
  assert.deepEqual(added, [
    '.github/CODEOWNERS',
    'apps/staging-2/children/grafana.yaml',
    'apps/staging-2/children/project.yaml',
    'apps/staging-2/children/prometheus.yaml',
    'apps/staging-2/root.yaml',
    'clusters/staging-2.yaml',
    'overlays/staging/staging-2/grafana/dashboards.yaml',
    'overlays/staging/staging-2/grafana/kustomization.yaml',
    'overlays/staging/staging-2/grafana/values.yaml',
    'overlays/staging/staging-2/prometheus/kustomization.yaml',
    'overlays/staging/staging-2/prometheus/values.yaml',
  ]);
  await rm(join(root, 'clusters/staging-2.yaml'));
  const removal = await generate(root);
  assert.equal(removal.code, 0, removal.stderr);
  assert.match(removal.stdout, /generate: 1 written, 9 removed/);
  assert.deepEqual(changedPaths(before, await snapshotTree(root)), [], 'back to the original tree, empty folders included');
  assert.equal((await generate(root, '--check')).code, 0);
});

test('generate --check exits 1 and lists stale, missing and orphaned files without writing', async () => {
  const root = await defaultFleetCopy();
  await writeFile(join(root, 'overlays/prod/prometheus.values.yaml'), 'server:\n  retention: 30d\n');
  await rm(join(root, 'apps/dev-1/root.yaml'));
  await mkdir(join(root, 'apps/ghost'));
  await writeFile(join(root, 'apps/ghost/root.yaml'), await readFile(join(root, 'apps/dev-1/children/project.yaml'), 'utf8'));
  const before = await snapshotTree(root);
  const check = await generate(root, '--check');
  assert.equal(check.code, 1);
  assert.match(check.stderr, /^overlays\/prod\/prod-eu-1\/prometheus\/values\.yaml: stale: generate would rewrite it$/m);
  assert.match(check.stderr, /^overlays\/prod\/prod-us-1\/prometheus\/values\.yaml: stale: generate would rewrite it$/m);
  assert.match(check.stderr, /^apps\/dev-1\/root\.yaml: missing: generate would create it$/m);
  assert.match(check.stderr, /^apps\/ghost\/root\.yaml: stale: generate would delete it \(its source is gone\)$/m);
  assert.match(check.stderr, /fix: run `npm run generate` and commit the result/);
  assert.match(check.stderr, /error: 4 generated files are out of date$/m);
  assert.deepEqual(changedPaths(before, await snapshotTree(root)), []);
});

test('a hand edit of a generated file is reported and kept unless --force', async () => {
  const root = await defaultFleetCopy();
  const path = join(root, 'apps/dev-1/children/grafana.yaml');
  const edited = (await readFile(path, 'utf8')).replace('selfHeal: true', 'selfHeal: false');
  await writeFile(path, edited);
  await writeFile(join(root, 'overlays/dev/prometheus.values.yaml'), 'server:\n  retention: 1d\n');
  const before = await snapshotTree(root);
  const refused = await generate(root);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /^apps\/dev-1\/children\/grafana\.yaml: generated file was edited by hand \(its checksum no longer matches\); generate would overwrite it\n {4}fix: put the change in clusters\/, overlays\/ or base\/ instead, then run `npm run generate -- --force`/m,
  );
  assert.deepEqual(changedPaths(before, await snapshotTree(root)), [], 'nothing written, not even the unrelated values change');
  const forced = await generate(root, '--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /warning: discarded the hand edit of apps\/dev-1\/children\/grafana\.yaml/);
  assert.match(await readFile(path, 'utf8'), /selfHeal: true/);
});

test('a hand-written file in the way is never overwritten', async () => {
  const root = await tempRepo({ 'apps/alpha/root.yaml': 'mine: true\n' }, MINIMAL);
  const result = await generate(root, '--force');
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^apps\/alpha\/root\.yaml: a hand-written file \(no generated header\) is where the generator writes/m);
  assert.equal(await readFile(join(root, 'apps/alpha/root.yaml'), 'utf8'), 'mine: true\n');
});

const badInputs: [string, Record<string, string>, RegExp][] = [
  ['malformed YAML', { 'clusters/alpha.yaml': 'name: alpha\nenvironment: [dev\n' }, /^clusters\/alpha\.yaml:\d+:\d+: invalid YAML/m],
  [
    'a duplicate key',
    {
      'fleet.yaml': 'repoURL: https://git.example.com/fleet.git\nrepoURL: https://git.example.com/other.git\ntargetRevision: main\nenvironments: [dev, prod]\n',
    },
    /^fleet\.yaml:2:1: duplicate key/m,
  ],
  [
    'an unknown field',
    { 'overlays/dev/pins.yaml': 'prometheus:\n  repoURL: https://charts.example.com/prometheus\n  chart: prometheus\n  version: 2.1.0\n  verison: 2.2.0\n' },
    /^overlays\/dev\/pins\.yaml:5:3: unknown key 'verison' in prometheus\n {4}fix: did you mean 'version'\?/m,
  ],
  [
    'a version range',
    { 'overlays/prod/pins.yaml': 'prometheus:\n  repoURL: https://charts.example.com/prometheus\n  chart: prometheus\n  version: 2.x\n' },
    /^overlays\/prod\/pins\.yaml:4:12: prometheus\.version is not valid: "2\.x"/m,
  ],
];

for (const [what, files, expected] of badInputs) {
  test(`generate refuses ${what}: exit 1, message with file:line, nothing written`, async () => {
    const root = await tempRepo(files, MINIMAL);
    const before = await snapshotTree(root);
    const result = await generate(root);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, expected);
    assert.match(result.stderr, /problems? in the inventory; nothing was written/);
    assert.deepEqual(changedPaths(before, await snapshotTree(root)), []);
  });
}

test('usage errors exit 2 and --help explains the command', async () => {
  const bad = await runCli('generate', ['--chek']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /usage error: Unknown option '--chek'.*run with --help/);
  const help = await runCli('generate', ['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--check .*exit 1 and list/);
});
