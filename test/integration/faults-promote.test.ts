import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { commitOnMain, fleetWithOrigin, gitIn } from '../helpers/git-fleet.ts';
import { tempRepo } from '../helpers/repo.ts';

/** Promotion under bad input and faults (issue #11): refused before anything is pushed, with the right exit code. */
async function bumpedFleet() {
  const { root, origin } = await fleetWithOrigin();
  await commitOnMain(root, 'overlays/dev/pins.yaml', (t) => t.replace('version: 29.27.0', 'version: 29.28.0'), 'dev: prometheus 29.28.0');
  return { root, origin };
}
const branches = (origin: string) => gitIn(origin, 'for-each-ref', '--format=%(refname)', 'refs/heads/').split('\n').filter(Boolean).sort();
const promote = (root: string, args: string[], env: Record<string, string> = {}) =>
  runCli('promote', ['--root', root, '--repo', 'acme/fleet', ...args], { GITHUB_TOKEN: 'test-token', GITHUB_API_URL: 'http://127.0.0.1:9', ...env });

test('case 6: promotion branches of all apps and of one app live side by side in git', async () => {
  const bare = await tempRepo();
  gitIn(bare, 'init', '--quiet', '--bare');
  const { root } = await bumpedFleet();
  for (const branch of ['promote/dev-to-staging/all', 'promote/dev-to-staging/prometheus']) gitIn(root, 'push', '--quiet', bare, `HEAD:refs/heads/${branch}`);
  assert.deepEqual(branches(bare), ['refs/heads/promote/dev-to-staging/all', 'refs/heads/promote/dev-to-staging/prometheus']);
});

test('case 6: a branch of the old name is refused with the migration steps, before anything is pushed', async () => {
  const { root, origin } = await bumpedFleet();
  gitIn(root, 'push', '--quiet', 'origin', 'HEAD:refs/heads/promote/dev-to-staging');
  const before = branches(origin);
  const result = await promote(root, ['--from', 'dev', '--to', 'staging']);
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /promotion refused: the branch promote\/dev-to-staging \(named by an older version of this toolkit\) blocks promote\/dev-to-staging\/all: git cannot hold a branch inside another one\n {4}fix: close its pull request if one is open, then delete it \(git push origin --delete promote\/dev-to-staging\)/,
  );
  assert.deepEqual(branches(origin), before);
});

test('case 6: an unknown environment with --dry-run is a usage error (exit 2), not a crash', async () => {
  const { root } = await bumpedFleet();
  const result = await runCli('promote', ['--root', root, '--from', 'dev', '--to', 'qa', '--dry-run']);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^usage error: unknown environment 'qa'; fleet\.yaml lists dev → staging → prod$/m);
});

test('case 6: promoting into the first environment says what to do instead, never --from dev --to dev', async () => {
  const { root } = await bumpedFleet();
  const result = await runCli('promote', ['--root', root, '--from', 'prod', '--to', 'dev', '--dry-run']);
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /promotion refused: prod → dev goes against the promotion order dev → staging → prod\n {4}fix: dev is the first environment: nothing is promoted into it/,
  );
  assert.doesNotMatch(result.stderr, /--from dev --to dev/);
});

test('case 6: a GitHub host that does not resolve stops before any push, without retries or a made-up 500', async () => {
  const { root, origin } = await bumpedFleet();
  const before = branches(origin);
  const started = Date.now();
  const result = await promote(root, ['--from', 'dev', '--to', 'staging'], { GITHUB_API_URL: 'https://github.no-such-host.invalid/api/v3' });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^error: cannot resolve github\.no-such-host\.invalid \(ENOTFOUND\)/m);
  assert.doesNotMatch(result.stderr, /500/);
  assert.ok(Date.now() - started < 15_000);
  assert.deepEqual(branches(origin), before);
});

test('case 5: credentials inside GITHUB_API_URL are refused and never printed', async () => {
  const { root } = await bumpedFleet();
  const result = await promote(root, ['--from', 'dev', '--to', 'staging'], { GITHUB_API_URL: 'https://ci-bot:hunter2pass@github.example.com/api/v3' });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /GITHUB_API_URL https:\/\/\*\*\*@github\.example\.com\/api\/v3 carries credentials/);
  assert.ok(!`${result.stdout}${result.stderr}`.includes('hunter2pass'));
});
