import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkGenerated } from '../../scripts/generate/command.ts';
import { formatFinding } from '../../scripts/lib/findings.ts';
import { FindingsError } from '../../scripts/lib/errors.ts';
import { REGENERATE_AUTHOR } from '../../scripts/regenerate/branch.ts';
import { runValidate } from '../../scripts/validate/run.ts';
import { runCli } from '../helpers/cli.ts';
import { PROJECT_ROOT, tempRepo } from '../helpers/repo.ts';
import { editedFleet, useTestChartMirror } from '../helpers/validate.ts';

const RENOVATE = {
  GIT_AUTHOR_NAME: 'renovate[bot]',
  GIT_AUTHOR_EMAIL: '29139614+renovate[bot]@users.noreply.github.com',
  GIT_COMMITTER_NAME: 'renovate[bot]',
  GIT_COMMITTER_EMAIL: '29139614+renovate[bot]@users.noreply.github.com',
};
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...RENOVATE } }).trim();

/** The default fleet on `main` in a repository with a bare remote, then a Renovate-style bump commit on its branch. */
async function renovateBranch(from: string, to: string): Promise<{ root: string; remote: string; branch: string }> {
  const root = await editedFleet({}, { regenerate: false });
  const remote = await tempRepo();
  git(remote, 'init', '--quiet', '--bare', '--initial-branch=main');
  git(root, 'init', '--quiet', '--initial-branch=main');
  git(root, 'add', '-A');
  git(root, 'commit', '--quiet', '-m', 'the default fleet');
  git(root, 'remote', 'add', 'origin', remote);
  git(root, 'push', '--quiet', 'origin', 'main');
  const branch = 'renovate/prometheus-29.x';
  git(root, 'checkout', '--quiet', '-b', branch);
  // What Renovate's regex manager writes: the currentValue replaced in place, nothing else.
  const pins = join(root, 'overlays/dev/pins.yaml');
  const text = await readFile(pins, 'utf8');
  assert.ok(text.includes(`version: ${from}`));
  await writeFile(pins, text.replace(`version: ${from}`, `version: ${to}`));
  git(root, 'commit', '--quiet', '-am', `chore(deps): update helm release prometheus to v${to}`);
  git(root, 'push', '--quiet', 'origin', branch);
  return { root, remote, branch };
}

test('a Renovate bump of overlays/dev/pins.yaml: regenerate:branch commits the generated tree, and the branch passes generate --check and validate', async () => {
  await useTestChartMirror();
  const { root, remote, branch } = await renovateBranch('29.27.0', '29.28.0');

  // As Renovate leaves it: the leaf still pins the old chart.
  const stale = await checkGenerated(root).then(
    () => [],
    (err: unknown) => (err instanceof FindingsError ? err.findings.map(formatFinding) : Promise.reject(err)),
  );
  assert.ok(
    stale.some((f) => f.includes('overlays/dev/dev-1/prometheus/kustomization.yaml')),
    stale.join('\n'),
  );

  const first = await runCli('regenerate-branch', ['--root', root, '--push', 'origin']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /wrote\s+overlays\/dev\/dev-1\/prometheus\/kustomization\.yaml/);
  assert.match(first.stdout, new RegExp(`committed [0-9a-f]{12} on ${branch} and pushed it to origin`));

  // The pushed commit: on the branch, by the author Renovate ignores, touching only generated files.
  const head = git(root, 'rev-parse', 'HEAD');
  assert.equal(git(remote, 'rev-parse', `refs/heads/${branch}`), head);
  assert.equal(git(root, 'log', '-1', '--format=%ae'), REGENERATE_AUTHOR.email);
  const ignored = (JSON.parse(await readFile(join(PROJECT_ROOT, 'renovate.json'), 'utf8')) as { gitIgnoredAuthors: string[] }).gitIgnoredAuthors;
  assert.ok(ignored.includes(REGENERATE_AUTHOR.email), 'renovate.json ignores the regenerate author');
  const touched = git(root, 'show', '--name-only', '--format=', 'HEAD').split('\n');
  assert.ok(touched.length > 0 && touched.every((p) => /^apps\/|^overlays\/[^/]+\/[^/]+\//.test(p)), touched.join('\n'));
  assert.match(await readFile(join(root, 'overlays/dev/dev-1/prometheus/kustomization.yaml'), 'utf8'), /version: 29\.28\.0/);
  assert.match(
    await readFile(join(root, 'overlays/staging/staging-1/prometheus/kustomization.yaml'), 'utf8'),
    /version: 29\.27\.0/,
    'staging moves by promotion only',
  );

  // The branch now passes what CI runs on it.
  await checkGenerated(root);
  const report = await runValidate({ root, clusters: ['dev-1'] });
  assert.deepEqual(report.findings.map(formatFinding), []);
  assert.ok(report.rendered.some((r) => r.leaf.app === 'prometheus' && r.objects.length > 5));

  // A second run (the workflow runs again on its own push): nothing to commit.
  const second = await runCli('regenerate-branch', ['--root', root, '--push', 'origin']);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /is up to date; nothing to commit/);
  assert.equal(git(root, 'rev-parse', 'HEAD'), head);
});

test('regenerate:branch refuses a branch that is not a bot branch, and a checkout with uncommitted changes (exit 2)', async () => {
  const { root } = await renovateBranch('29.27.0', '29.28.0');
  git(root, 'checkout', '--quiet', 'main');
  const onMain = await runCli('regenerate-branch', ['--root', root]);
  assert.equal(onMain.code, 2);
  assert.match(onMain.stderr, /branch 'main' is not a renovate\/\* branch/);
  git(root, 'checkout', '--quiet', 'renovate/prometheus-29.x');
  await writeFile(join(root, 'clusters/dev-1.yaml'), `${await readFile(join(root, 'clusters/dev-1.yaml'), 'utf8')}\n`);
  const dirty = await runCli('regenerate-branch', ['--root', root]);
  assert.equal(dirty.code, 2);
  assert.match(dirty.stderr, /uncommitted changes:\n\s*M clusters\/dev-1\.yaml/);
  assert.equal(git(root, 'log', '-1', '--format=%ae'), RENOVATE.GIT_AUTHOR_EMAIL, 'nothing was committed');
});
