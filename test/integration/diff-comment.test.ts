import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { upsertStickyComment } from '../../scripts/diff/comment.ts';
import { DIFF_MARKER } from '../../scripts/diff/format.ts';
import { createGitHubClient } from '../../scripts/lib/github.ts';
import { runCli } from '../helpers/cli.ts';
import { commitOnMain, fleetWithOrigin, gitIn } from '../helpers/git-fleet.ts';
import { seedGitRepository } from '../helpers/github/fixture.ts';
import { startGitHubStandIn } from '../helpers/github/server.ts';
import { tempRepo } from '../helpers/repo.ts';
import { useTestChartMirror } from '../helpers/validate.ts';

const target = { owner: 'acme', repo: 'fleet' };
/** GITHUB_TOKEN acts as github-actions[bot]; the other tokens are a person and a GitHub App on the same repository. */
const TOKENS = { actions: 'github-actions[bot]', mallory: 'mallory', app: 'promoter[bot]' };
const client = (url: string, token: keyof typeof TOKENS) => createGitHubClient(token, { baseUrl: url, retryAfterBaseValue: 5, writeSpacing: 0 });

async function standIn(gitDir: string) {
  return startGitHubStandIn({ ...target, gitDir, tokens: Object.fromEntries(Object.entries(TOKENS)) });
}

test('the sticky comment is the marker comment its author wrote: one pasted by anyone else is never edited', async () => {
  const dir = await tempRepo();
  await seedGitRepository(dir, { 'README.md': 'fleet\n' }, { feature: { 'fleet.yaml': 'changed\n' } });
  const github = await standIn(dir);
  try {
    const pr = (await client(github.url, 'mallory').rest.pulls.create({ ...target, head: 'feature', base: 'main', title: 'change' })).data.number;
    const pasted = `${DIFF_MARKER}\n## Monitoring fleet diff\nNo changes to any cluster.`;
    const decoy = (await client(github.url, 'mallory').rest.issues.createComment({ ...target, issue_number: pr, body: pasted })).data.id;

    const actions = client(github.url, 'actions');
    const first = await upsertStickyComment(actions, target, pr, `${DIFF_MARKER}\nv1`);
    assert.equal(first.action, 'created', 'the pasted marker comment is not ours');
    assert.equal(first.author, 'github-actions[bot]');
    const second = await upsertStickyComment(actions, target, pr, `${DIFF_MARKER}\nv2`);
    assert.deepEqual([second.action, second.id], ['updated', first.id]);
    assert.equal(github.comments.get(decoy)?.body, pasted, "mallory's comment is untouched");

    // An App token comments as <app-slug>[bot]: it keeps its own comment and leaves github-actions[bot]'s alone.
    const app = client(github.url, 'app');
    const byApp = await upsertStickyComment(app, target, pr, `${DIFF_MARKER}\napp v1`, 'Promoter[bot]');
    const again = await upsertStickyComment(app, target, pr, `${DIFF_MARKER}\napp v2`, 'promoter[bot]');
    assert.deepEqual([byApp.action, again.action, again.id, again.author], ['created', 'updated', byApp.id, 'promoter[bot]']);
    assert.equal(github.comments.get(first.id)?.body, `${DIFF_MARKER}\nv2`);
    assert.deepEqual(
      [...github.comments.values()].map((c) => c.author),
      ['mallory', 'github-actions[bot]', 'promoter[bot]'],
    );
    assert.deepEqual(github.contractViolations, []);
  } finally {
    await github.stop();
  }
});

test('the stand-in refuses a token it does not know, and a request without one, when tokens are configured', async () => {
  const dir = await tempRepo();
  await seedGitRepository(dir, { 'README.md': 'fleet\n' });
  const github = await standIn(dir);
  try {
    const unknown = await createGitHubClient('stolen', { baseUrl: github.url, writeSpacing: 0 })
      .rest.issues.listForRepo(target)
      .catch((err: { status: number }) => err);
    assert.equal((unknown as { status: number }).status, 401);
    assert.equal((await fetch(`${github.url}/repos/acme/fleet/issues`)).status, 401);
  } finally {
    await github.stop();
  }
});

test('diff --summary writes the job summary and asks GitHub nothing; --comment warns when the token is not --comment-author', async () => {
  await useTestChartMirror();
  const { root, origin } = await fleetWithOrigin();
  const base = gitIn(root, 'rev-parse', 'HEAD');
  await commitOnMain(root, 'base/prometheus/values.yaml', (t) => t.replace('retention: 15d', 'retention: 20d'), 'the change');
  const head = gitIn(root, 'rev-parse', 'HEAD');
  const shard = join(root, 'diff-shard-1.json');
  const rendered = await runCli('diff', ['--root', root, '--base', base, '--head', head, '--format', 'json', '--out', shard]);
  assert.equal(rendered.code, 0, rendered.stderr);
  gitIn(root, 'push', '--quiet', 'origin', `${head}:refs/heads/feature`);
  gitIn(root, 'push', '--quiet', '--force', 'origin', `${base}:refs/heads/main`);
  const github = await standIn(origin);
  try {
    const summary = join(root, 'summary.md');
    await writeFile(summary, '');
    // A fork's pull request: its token is read-only and not even offered, yet the summary has the diff.
    const fork = await runCli('diff', ['--merge', shard, '--summary'], { GITHUB_STEP_SUMMARY: summary, GITHUB_TOKEN: '', GITHUB_API_URL: github.url });
    assert.equal(fork.code, 0, fork.stderr);
    assert.match(await readFile(summary, 'utf8'), /^<!-- monitoring-gitops:diff -->\n## Monitoring fleet diff: .*\n[\s\S]*the same change on 4 clusters/);
    assert.deepEqual(github.requests, [], 'no GitHub call');

    const pr = (await client(github.url, 'actions').rest.pulls.create({ ...target, head: 'feature', base: 'main', title: 'retention' })).data.number;
    const env = { GITHUB_STEP_SUMMARY: '', GITHUB_TOKEN: 'actions', GITHUB_API_URL: github.url };
    const comment = ['--merge', shard, '--comment', '--pr', String(pr), '--repo', 'acme/fleet'];
    const wrongAuthor = await runCli('diff', [...comment, '--comment-author', 'promoter[bot]'], env);
    assert.equal(wrongAuthor.code, 0, wrongAuthor.stderr);
    assert.match(
      wrongAuthor.stderr,
      /diff: warning: the token comments as github-actions\[bot\], not promoter\[bot\]; pass --comment-author 'github-actions\[bot\]', or every run adds another comment/,
    );
    const right = await runCli('diff', comment, env);
    assert.match(right.stderr, /diff: comment \d+ unchanged on pull request #\d+\n/);
    assert.doesNotMatch(right.stderr, /warning/);
    const misplaced = await runCli('diff', ['--merge', shard, '--comment-author', 'x[bot]'], env);
    assert.equal(misplaced.code, 2);
    assert.match(misplaced.stderr, /--comment-author goes with --comment/);
    assert.deepEqual(github.contractViolations, []);
  } finally {
    await github.stop();
  }
});
