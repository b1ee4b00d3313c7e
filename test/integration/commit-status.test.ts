import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createGitHubClient, findOpenPullRequest, openOrUpdatePullRequest, setCommitStatus } from '../../scripts/lib/github.ts';
import { PROMOTION_GATE_CONTEXT } from '../../scripts/promote/gate/report.ts';
import { seedGitRepository } from '../helpers/github/fixture.ts';
import { startGitHubStandIn } from '../helpers/github/server.ts';
import { tempRepo } from '../helpers/repo.ts';

const target = { owner: 'acme', repo: 'fleet' };
const HEAD = 'promote/dev-to-staging/all';
const gitDir = await tempRepo();
const shas = await seedGitRepository(gitDir, { 'fleet.yaml': 'clusters: []\n' }, { [HEAD]: { 'fleet.yaml': 'clusters: [staging]\n' } });
const github = await startGitHubStandIn({ ...target, gitDir, token: 't' });
after(() => github.stop());
const gh = createGitHubClient('t', { baseUrl: github.url, retryAfterBaseValue: 5, writeSpacing: 0 });

test('findOpenPullRequest finds the pull request openOrUpdatePullRequest opened, only for its head and base', async () => {
  assert.equal(await findOpenPullRequest(gh, target, HEAD, 'main'), undefined);
  const spec = { head: HEAD, base: 'main', title: 'Promote dev to staging', body: 'plan', labels: [], reviewers: [], draft: false };
  const opened = await openOrUpdatePullRequest(gh, target, spec);
  const found = await findOpenPullRequest(gh, target, HEAD, 'main');
  assert.deepEqual([found?.number, found?.head.sha, found?.html_url], [opened.number, shas[HEAD], opened.url]);
  assert.equal(await findOpenPullRequest(gh, target, HEAD, 'release'), undefined);
  assert.equal(await findOpenPullRequest(gh, target, 'promote/dev-to-prod/all', 'main'), undefined);
  assert.equal((await openOrUpdatePullRequest(gh, target, spec)).action, 'unchanged', 'the open one is found again, not opened twice');
});

test('setCommitStatus sets the promotion gate on a commit: the description redacted and cut to 140 characters', async () => {
  const sha = shas[HEAD]!;
  await setCommitStatus(gh, target, sha, { state: 'pending', context: PROMOTION_GATE_CONTEXT, description: 'validating the staging clusters' });
  const refusal = `promotion refused: https://user:hunter2@git.example.com/fleet.git ${'is behind '.repeat(20)}`;
  const targetUrl = 'https://ci.example.com/runs/7';
  await setCommitStatus(gh, target, sha, { state: 'failure', context: PROMOTION_GATE_CONTEXT, description: refusal, targetUrl });
  const [pending, failure] = github.statuses.get(sha) ?? [];
  assert.deepEqual([pending?.state, pending?.description, pending?.targetUrl], ['pending', 'validating the staging clusters', null]);
  assert.deepEqual([failure?.state, failure?.context, failure?.targetUrl], ['failure', PROMOTION_GATE_CONTEXT, targetUrl]);
  assert.equal([...(failure?.description ?? '')].length, 140);
  assert.match(failure?.description ?? '', /^promotion refused: https:\/\/\*\*\*@git\.example\.com\/fleet\.git (is behind )+is…$/);
  const combined = await gh.rest.repos.getCombinedStatusForRef({ ...target, ref: sha });
  assert.deepEqual([combined.data.state, combined.data.total_count], ['failure', 1]);
  assert.deepEqual(github.contractViolations, []);
  assert.deepEqual(github.unexpectedRoutes, []);
});
