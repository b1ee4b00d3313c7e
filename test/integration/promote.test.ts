import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runPromote, type PromoteOptions } from '../../scripts/promote/command.ts';
import { promoteOptions } from '../helpers/promote-options.ts';
import { startGitHubStandIn, type GitHubStandIn } from '../helpers/github/server.ts';
import { commitOnMain, fleetWithOrigin, gitIn } from '../helpers/git-fleet.ts';
import { runCli } from '../helpers/cli.ts';
import { snapshotTree } from '../helpers/repo.ts';
import { useTestChartMirror } from '../helpers/validate.ts';

const TOKEN = 'test-token';
const BRANCH = 'promote/dev-to-staging/all';

/** A fleet with origin (without promotion gates: promote-gate.test.ts has those), the dev prometheus bumped on main, and a GitHub stand-in serving the origin. */
async function setup() {
  await useTestChartMirror();
  const { root, origin } = await fleetWithOrigin({ gates: false });
  await commitOnMain(
    root,
    'overlays/dev/pins.yaml',
    (t) => t.replace('version: 29.27.0', 'version: 29.28.0'),
    'dev: prometheus 29.28.0',
    new Date('2026-11-20T10:00:00Z'),
  );
  const github = await startGitHubStandIn({ owner: 'acme', repo: 'fleet', gitDir: origin, token: TOKEN });
  return { root, origin, github };
}

function options(root: string, github: GitHubStandIn, extra: Partial<PromoteOptions> = {}, token = TOKEN): PromoteOptions {
  return promoteOptions(root, { url: github.url, token }, { labels: ['promotion'], reviewers: ['alice'], now: new Date('2026-11-26T10:00:00Z'), ...extra });
}

const branchHead = (origin: string) => gitIn(origin, 'for-each-ref', '--format=%(objectname)', `refs/heads/${BRANCH}`);
const writes = (github: GitHubStandIn) => github.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.route ?? r.path} ${r.status}`);

test('the first promotion opens one pull request; a re-run changes nothing; a new source version updates the same one', async () => {
  const { root, origin, github } = await setup();
  try {
    const first = await runPromote(options(root, github));
    assert.ok('pullRequest' in first);
    assert.equal(first.pullRequest!.action, 'created');
    assert.equal(github.pulls.size, 1);
    const pr = [...github.pulls.values()][0]!;
    assert.equal(pr.head, BRANCH);
    assert.equal(pr.title, 'Promote prometheus 29.28.0 from dev to staging');
    assert.match(pr.body!, /\| prometheus \| `prometheus` \| 29\.27\.0 \| \*\*29\.28\.0\*\* \| minor \|/);
    assert.match(pr.body!, /\+ PodDisruptionBudget monitoring\/prometheus-server/);
    assert.match(pr.body!, /✅ `npm run validate` on the staging clusters: 2 leaves/);
    assert.deepEqual(pr.labels, ['promotion']);
    assert.deepEqual(pr.requestedReviewers, ['alice']);
    const pins = gitIn(origin, 'show', `${BRANCH}:overlays/staging/pins.yaml`);
    assert.match(pins, /chart: prometheus\n {2}version: 29\.28\.0/);
    assert.match(gitIn(origin, 'show', `${BRANCH}:overlays/staging/staging-1/prometheus/kustomization.yaml`), /version: 29\.28\.0/);
    const head = branchHead(origin);

    const writesBefore = writes(github).length;
    const again = await runPromote(options(root, github));
    assert.ok('pullRequest' in again);
    assert.equal(again.pushed, false);
    assert.equal(again.pullRequest!.action, 'unchanged');
    assert.equal(branchHead(origin), head, 'no new commit');
    assert.equal(writes(github).length, writesBefore, 'no pull request edit');

    await commitOnMain(root, 'overlays/dev/pins.yaml', (t) => t.replace('version: 12.11.1', 'version: 12.12.0'), 'dev: grafana 12.12.0');
    const third = await runPromote(options(root, github));
    assert.ok('pullRequest' in third);
    assert.equal(third.pullRequest!.action, 'updated');
    assert.equal(github.pulls.size, 1, 'never a second pull request');
    assert.equal([...github.pulls.values()][0]!.title, 'Promote prometheus 29.28.0, grafana 12.12.0 from dev to staging');
    assert.notEqual(branchHead(origin), head);
    assert.deepEqual(github.contractViolations, []);
  } finally {
    await github.stop();
  }
});

test('--dry-run prints the plan and touches nothing', async () => {
  const { root, origin, github } = await setup();
  try {
    const refs = gitIn(origin, 'for-each-ref');
    const localRefs = gitIn(root, 'for-each-ref', 'refs/heads');
    const tree = await snapshotTree(join(root, 'overlays'));
    const outcome = await runPromote(options(root, github, { dryRun: true }));
    assert.ok('body' in outcome);
    assert.match(outcome.title, /Promote prometheus 29\.28\.0 from dev to staging/);
    assert.equal(gitIn(origin, 'for-each-ref'), refs);
    assert.equal(gitIn(root, 'for-each-ref', 'refs/heads'), localRefs);
    assert.deepEqual(await snapshotTree(join(root, 'overlays')), tree);
    assert.equal(gitIn(root, 'worktree', 'list').split('\n').length, 1, 'no worktree left behind');
    assert.deepEqual(github.requests, []);
  } finally {
    await github.stop();
  }
});

test('wrong direction, skipping an environment, a downgrade and soak time are refused before anything happens', async () => {
  const { root, origin, github } = await setup();
  try {
    const refused = async (extra: Partial<PromoteOptions>) => {
      try {
        await runPromote(options(root, github, extra));
      } catch (err) {
        return ((err as { findings?: { message: string }[] }).findings ?? []).map((f) => f.message).join('\n');
      }
      return 'not refused';
    };
    assert.match(await refused({ from: 'staging', to: 'dev' }), /promotion refused: staging → dev goes against the promotion order/);
    assert.match(await refused({ from: 'dev', to: 'prod' }), /promotion refused: dev → prod skips staging/);
    assert.match(
      await refused({ soakSeconds: 7 * 86_400 }),
      /refused by the dev gate: dev-1 \/ prometheus: the pin has been in dev for 6 d of 7 d \(since [0-9a-f]{7}, 2026-11-20T10:00:00Z\)/,
    );
    await commitOnMain(root, 'overlays/staging/pins.yaml', (t) => t.replace('version: 12.11.1', 'version: 12.12.0'), 'staging ahead on grafana');
    assert.match(await refused({}), /grafana: dev has 12\.11\.1, older than staging's 12\.12\.0/);
    assert.equal(branchHead(origin), '');
    // A gate refusal looks for an open pull request to mark red (there is none); nothing is written.
    assert.deepEqual(writes(github), []);
  } finally {
    await github.stop();
  }
});

test('GitHub failures: 5xx, rate limits and dropped connections are retried; 401 and 422 stop clearly and a re-run repairs', async () => {
  const { root, origin, github } = await setup();
  try {
    github.failNext({ route: 'POST /repos/{owner}/{repo}/pulls', status: 401 });
    await assert.rejects(runPromote(options(root, github)), /GitHub rejected the token \(401 Bad credentials\); set GITHUB_TOKEN/);
    assert.notEqual(branchHead(origin), '', 'the branch was pushed before GitHub refused');
    assert.equal(github.pulls.size, 0);

    github.failNext({ route: 'POST /repos/{owner}/{repo}/pulls', status: 422 });
    await assert.rejects(
      runPromote(options(root, github)),
      /GitHub could not process the pull request \(422 .*\); the branch was pushed, run promote again to finish/,
    );

    github.failNext({ route: 'GET /repos/{owner}/{repo}/pulls', status: 500, times: 2 });
    github.failNext({ route: 'POST /repos/{owner}/{repo}/pulls', rateLimit: true });
    github.failNext({ route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels', drop: true });
    const repaired = await runPromote(options(root, github));
    assert.ok('pullRequest' in repaired);
    assert.equal(repaired.pushed, false, 'the re-run found the branch right and only opened the pull request');
    assert.equal(repaired.pullRequest!.action, 'created');
    assert.equal(github.pulls.size, 1);
    assert.deepEqual([...github.pulls.values()][0]!.labels, ['promotion']);

    const bad = await runPromote(options(root, github, {}, 'wrong-token')).catch((err: Error) => err);
    assert.ok(bad instanceof Error);
    assert.ok(!bad.message.includes('wrong-token'), 'the token is never printed');
    assert.deepEqual(github.contractViolations, []);
  } finally {
    await github.stop();
  }
});

test('a validation failure stops before anything is pushed', async () => {
  const { root, origin, github } = await setup();
  try {
    await commitOnMain(
      root,
      'overlays/dev/pins.yaml',
      (t) => t.replace('version: 29.28.0', 'version: 29.28.0\n  values:\n    server:\n      retention: 5'),
      'dev: a release value the chart schema rejects',
    );
    await assert.rejects(runPromote(options(root, github)), (err: Error & { findings?: { message: string }[] }) => {
      assert.match(err.message, /validation of the staging clusters failed; nothing was pushed/);
      assert.ok(err.findings!.some((f) => /server\.retention must be string/.test(f.message)));
      return true;
    });
    assert.equal(branchHead(origin), '');
    assert.deepEqual(github.requests, []);
    assert.match(await readFile(join(root, 'overlays/staging/pins.yaml'), 'utf8'), /version: 29\.27\.0/, 'the checkout is untouched');
  } finally {
    await github.stop();
  }
});

test('the CLI: exit 2 without a token, 1 when refused, 0 with the pull request URL', async () => {
  const { root, github } = await setup();
  try {
    const env = { MONITORING_GITOPS_HELM_MIRRORS: process.env.MONITORING_GITOPS_HELM_MIRRORS!, GITHUB_API_URL: github.url, GITHUB_TOKEN: '' };
    const noToken = await runCli('promote', ['--root', root, '--from', 'dev', '--to', 'staging'], env);
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /GITHUB_TOKEN is not set/);
    const skip = await runCli('promote', ['--root', root, '--from', 'dev', '--to', 'prod'], { ...env, GITHUB_TOKEN: TOKEN });
    assert.equal(skip.code, 1);
    assert.match(skip.stderr, /promotion refused: dev → prod skips staging\n {4}fix: promote one hop at a time/);
    const done = await runCli('promote', ['--root', root, '--from', 'dev', '--to', 'staging', '--repo', 'acme/fleet'], { ...env, GITHUB_TOKEN: TOKEN });
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /promote: pushed promote\/dev-to-staging\/all; pull request #1 created: http:\/\/127\.0\.0\.1:\d+\/acme\/fleet\/pull\/1/);
    assert.ok(!done.stdout.includes(TOKEN) && !done.stderr.includes(TOKEN));
  } finally {
    await github.stop();
  }
});
