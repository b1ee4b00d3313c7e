import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { checkRequest, checkResponse } from '../helpers/github/contract.ts';
import { bareClone, seedGitRepository } from '../helpers/github/fixture.ts';
import { startGitHubStandIn } from '../helpers/github/server.ts';
import { tempRepo } from '../helpers/repo.ts';

const owner = 'acme';
const repo = 'fleet';
const token = 'test-token';
const HEAD = 'promote/staging';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** What an Octokit request error carries (RequestError is not a direct dependency). */
interface Failure {
  status: number;
  message: string;
  response?: { data?: unknown; headers: Record<string, string | undefined> };
}

async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (err) {
    return err as Failure;
  }
  throw new assert.AssertionError({ message: 'expected the request to fail' });
}

const ResilientOctokit = Octokit.plugin(retry, throttling);
const rateLimits: Array<{ kind: 'primary' | 'secondary'; retryAfter: number }> = [];

/** Octokit as the toolkit configures it; retry-after values scaled to milliseconds so the suite stays fast. */
function resilientOctokit(baseUrl: string) {
  return new ResilientOctokit({
    baseUrl,
    auth: token,
    log: quiet,
    retry: { retryAfterBaseValue: 10 },
    throttle: {
      retryAfterBaseValue: 10,
      onRateLimit: (retryAfter, _options, _octokit, retryCount) => {
        rateLimits.push({ kind: 'primary', retryAfter });
        return retryCount < 1;
      },
      onSecondaryRateLimit: (retryAfter, _options, _octokit, retryCount) => {
        rateLimits.push({ kind: 'secondary', retryAfter });
        return retryCount < 1;
      },
    },
  });
}

const GET_PULL = 'GET /repos/{owner}/{repo}/pulls/{pull_number}';
const sourceDir = await tempRepo();
const shas = await seedGitRepository(
  sourceDir,
  { 'fleet.yaml': 'clusters: []\n' },
  {
    [HEAD]: { 'fleet.yaml': 'clusters: [staging]\n', 'clusters/staging.yaml': 'name: staging\n' },
    'promote/prod': { 'fleet.yaml': 'clusters: [prod]\n' },
  },
);
const server = await startGitHubStandIn({ owner, repo, gitDir: sourceDir, token });
const octokit = new Octokit({ baseUrl: server.url, auth: token, log: quiet });
after(() => server.stop());

const routeStatuses = (route: string) => server.requests.filter((r) => r.route === route).map((r) => r.status);

test('a promotion pull request: find, open, refuse a duplicate, update, label, request review', async () => {
  const find = (head: string) => octokit.rest.pulls.list({ owner, repo, head, base: 'main', state: 'open' });
  assert.deepEqual((await find(`${owner}:${HEAD}`)).data, []);

  const created = await octokit.rest.pulls.create({ owner, repo, head: HEAD, base: 'main', title: 'Promote to staging', body: 'plan' });
  assert.equal(created.status, 201);
  assert.equal(created.headers.location, created.data.url);
  assert.match(String(created.headers['x-github-request-id']), /^[0-9A-F]{4}:/);
  assert.equal(created.headers['x-ratelimit-limit'], '5000');
  assert.deepEqual([created.data.head.sha, created.data.base.sha], [shas[HEAD], shas.main]);
  assert.deepEqual([created.data.head.label, created.data.head.repo.full_name], [`${owner}:${HEAD}`, `${owner}/${repo}`]);
  assert.deepEqual([created.data.commits, created.data.changed_files, created.data.additions, created.data.deletions], [1, 2, 2, 1]);
  assert.deepEqual([created.data.state, created.data.draft, created.data.mergeable, created.data.user.login], ['open', false, true, 'github-actions[bot]']);
  const number = created.data.number;

  const other = await octokit.rest.pulls.create({ owner, repo, head: `${owner}:promote/prod`, base: 'main', title: 'Promote to prod' });
  assert.deepEqual(
    (await find(`${owner}:${HEAD}`)).data.map((p) => p.number),
    [number],
  );
  // GitHub ignores a head filter without the owner: every open pull request comes back.
  assert.deepEqual(
    (await find(HEAD)).data.map((p) => p.number),
    [other.data.number, number],
  );

  const duplicate = await failure(octokit.rest.pulls.create({ owner, repo, head: HEAD, base: 'main', title: 'again' }));
  assert.equal(duplicate.status, 422);
  assert.deepEqual(duplicate.response?.data, {
    message: 'Validation Failed',
    status: '422',
    documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
    errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${HEAD}.` }],
  });
  const missing = await failure(octokit.rest.pulls.create({ owner, repo, head: 'no-such-branch', base: 'main', title: 't' }));
  assert.deepEqual((missing.response!.data as { errors: unknown[] }).errors, [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
  const empty = await failure(octokit.rest.pulls.create({ owner, repo, head: 'main', base: 'main', title: 't' }));
  assert.match(JSON.stringify(empty.response?.data), /No commits between main and main/);

  const updated = await octokit.rest.pulls.update({ owner, repo, pull_number: number, title: 'Promote 1.2.3 to staging', body: 'new plan' });
  assert.deepEqual([updated.data.title, updated.data.body], ['Promote 1.2.3 to staging', 'new plan']);
  assert.equal((await octokit.rest.pulls.get({ owner, repo, pull_number: number })).data.title, 'Promote 1.2.3 to staging');

  const labels = await octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels: ['promotion', 'env:staging'] });
  assert.deepEqual(
    labels.data.map((l) => l.name),
    ['promotion', 'env:staging'],
  );
  const again = await octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels: ['Promotion'] });
  assert.deepEqual(
    again.data.map((l) => l.name),
    ['promotion', 'env:staging'],
  );

  const review = await octokit.rest.pulls.requestReviewers({ owner, repo, pull_number: number, reviewers: ['alice'], team_reviewers: ['sre'] });
  assert.equal(review.status, 201);
  assert.deepEqual([review.data.requested_reviewers?.map((u) => u.login), review.data.requested_teams?.map((t) => t.slug)], [['alice'], ['sre']]);
  assert.deepEqual(server.pulls.get(number)?.labels, ['promotion', 'env:staging']);
});

test('sticky comments: create, list, update; bodies over 65,536 characters are refused', async () => {
  const number = [...server.pulls.keys()][0]!;
  const created = await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: '<!-- sticky -->\nv1' });
  assert.equal(created.status, 201);
  await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: 'unrelated' });
  const listed = await octokit.rest.issues.listComments({ owner, repo, issue_number: number });
  assert.deepEqual(
    listed.data.map((c) => c.body),
    ['<!-- sticky -->\nv1', 'unrelated'],
  );
  const edited = await octokit.rest.issues.updateComment({ owner, repo, comment_id: created.data.id, body: '<!-- sticky -->\nv2' });
  assert.equal(edited.data.id, created.data.id);
  assert.deepEqual(
    (await octokit.rest.issues.listComments({ owner, repo, issue_number: number })).data.map((c) => c.body),
    ['<!-- sticky -->\nv2', 'unrelated'],
  );
  assert.equal((await octokit.rest.pulls.get({ owner, repo, pull_number: number })).data.comments, 2);

  const tooLong = await failure(octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: 'x'.repeat(65_537) }));
  assert.equal(tooLong.status, 422);
  assert.match(JSON.stringify(tooLong.response?.data), /body is too long \(maximum is 65536 characters\)/);
});

test('drift-report issues: create, find by label, update, close; pull requests are issues too', async () => {
  const created = await octokit.rest.issues.create({ owner, repo, title: 'Drift report', body: 'prod-1 differs', labels: ['drift'] });
  assert.equal(created.status, 201);
  const number = created.data.number;
  assert.ok(number > 2, 'issues and pull requests share one number sequence');
  const drift = await octokit.rest.issues.listForRepo({ owner, repo, labels: 'drift', state: 'open' });
  assert.deepEqual(
    drift.data.map((i) => [i.number, i.pull_request]),
    [[number, undefined]],
  );
  const all = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, state: 'all', per_page: 1 });
  assert.equal(all.length, 3);
  assert.equal(all.filter((i) => i.pull_request).length, 2);

  await octokit.rest.issues.update({ owner, repo, issue_number: number, body: 'prod-1 and prod-2 differ' });
  const closed = await octokit.rest.issues.update({ owner, repo, issue_number: number, state: 'closed', state_reason: 'completed' });
  assert.deepEqual([closed.data.state, closed.data.state_reason, closed.data.body], ['closed', 'completed', 'prod-1 and prod-2 differ']);
  assert.ok(closed.data.closed_at);
  assert.deepEqual((await octokit.rest.issues.listForRepo({ owner, repo, labels: 'drift' })).data, []);
  const reopened = await octokit.rest.issues.update({ owner, repo, issue_number: number, state: 'open' });
  assert.deepEqual([reopened.data.state, reopened.data.state_reason, reopened.data.closed_at], ['open', 'reopened', null]);
  await octokit.rest.issues.update({ owner, repo, issue_number: number, state: 'closed', state_reason: 'not_planned' });
  assert.equal(server.issues.get(number)?.stateReason, 'not_planned');
});

test('a wrong token is answered 401 Bad credentials', async () => {
  const wrong = new Octokit({ baseUrl: server.url, auth: 'nope', log: quiet });
  const denied = await failure(wrong.rest.pulls.list({ owner, repo }));
  assert.equal(denied.status, 401);
  assert.match(denied.message, /Bad credentials/);
  const anonymous = await failure(new Octokit({ baseUrl: server.url, log: quiet }).rest.pulls.list({ owner, repo }));
  assert.equal(anonymous.status, 401);
});

test('plugin-retry retries server errors but not 422; a dropped connection is a request error', async () => {
  const resilient = resilientOctokit(server.url);
  const before = server.requests.length;
  server.failNext({ route: GET_PULL, status: 500, times: 2 });
  const got = await resilient.rest.pulls.get({ owner, repo, pull_number: 1 });
  assert.equal(got.status, 200);
  assert.deepEqual(
    server.requests.slice(before).map((r) => r.status),
    [500, 500, 200],
  );

  const PATCH_PULL = 'PATCH /repos/{owner}/{repo}/pulls/{pull_number}';
  const patches = routeStatuses(PATCH_PULL).length;
  server.failNext({ route: PATCH_PULL, status: 422 });
  const refused = await failure(resilient.rest.pulls.update({ owner, repo, pull_number: 1, title: 'x' }));
  assert.equal(refused.status, 422);
  assert.deepEqual(routeStatuses(PATCH_PULL).slice(patches), [422], 'a 422 is sent once, not retried');
  assert.equal(server.pulls.get(1)?.title, 'Promote 1.2.3 to staging');

  server.failNext({ route: GET_PULL, drop: true });
  const dropped = await failure(octokit.rest.pulls.get({ owner, repo, pull_number: 1 }));
  assert.equal(dropped.status, 500);
  assert.equal(dropped.response, undefined, 'no answer came back');
  assert.match(dropped.message, /other side closed|socket|fetch failed/i);
  assert.equal(server.requests.at(-1)?.status, 0);
  server.failNext({ route: GET_PULL, drop: true });
  assert.equal((await resilient.rest.pulls.get({ owner, repo, pull_number: 1 })).status, 200, 'plugin-retry also retries a dropped connection');
});

test('rate limits go through plugin-throttling (primary and secondary)', async () => {
  const resilient = resilientOctokit(server.url);
  rateLimits.length = 0;
  server.failNext({ route: 'GET /repos/{owner}/{repo}/pulls', rateLimit: true });
  const listed = await resilient.rest.pulls.list({ owner, repo });
  assert.equal(listed.status, 200);
  server.failNext({ route: 'GET /repos/{owner}/{repo}/issues', secondaryRateLimit: true, retryAfter: 2 });
  await resilient.rest.issues.listForRepo({ owner, repo });
  assert.deepEqual(
    rateLimits.map((r) => r.kind),
    ['primary', 'secondary'],
  );
  assert.equal(rateLimits[1]?.retryAfter, 2);

  server.failNext({ route: 'GET /repos/{owner}/{repo}/pulls', rateLimit: true, times: 2 });
  const exhausted = await failure(resilient.rest.pulls.list({ owner, repo }));
  assert.equal(exhausted.status, 403);
  assert.match(exhausted.message, /API rate limit exceeded for /);
  assert.equal(exhausted.response?.headers['x-ratelimit-remaining'], '0');
});

test('commit statuses: the latest per context (case-insensitive) combines to one state; unknown SHAs and long descriptions are refused', async () => {
  const sha = shas[HEAD]!;
  const GATE = 'monitoring-gitops/promotion-gate';
  const setStatus = (state: 'error' | 'failure' | 'pending' | 'success', context?: string, description?: string) =>
    octokit.rest.repos.createCommitStatus({ owner, repo, sha, state, context, description });
  const combined = async (ref = sha) => {
    const { data } = await octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref });
    return { state: data.state, sha: data.sha, contexts: data.statuses.map((s) => [s.context, s.state, s.description]) };
  };
  assert.deepEqual(await combined(), { state: 'pending', sha, contexts: [] }, 'no status at all is pending');

  const created = await octokit.rest.repos.createCommitStatus({
    owner,
    repo,
    sha,
    state: 'pending',
    context: GATE,
    target_url: 'https://ci.example.com/runs/1',
  });
  assert.equal(created.status, 201);
  assert.equal(created.headers.location, created.data.url);
  assert.equal(created.data.url, `${server.url}/repos/${owner}/${repo}/statuses/${sha}`);
  assert.deepEqual(
    [created.data.state, created.data.context, created.data.description, created.data.target_url, created.data.creator?.login],
    ['pending', GATE, null, 'https://ci.example.com/runs/1', 'github-actions[bot]'],
  );
  await setStatus('success', undefined, 'built');
  assert.equal((await combined()).state, 'pending', 'one context still pending');
  await setStatus('success', GATE, 'promotion checked');
  assert.deepEqual(await combined(), {
    state: 'success',
    sha,
    contexts: [
      [GATE, 'success', 'promotion checked'],
      ['default', 'success', 'built'],
    ],
  });
  await setStatus('failure', GATE.toUpperCase(), 'promotion refused');
  assert.deepEqual((await combined()).contexts, [
    [GATE.toUpperCase(), 'failure', 'promotion refused'],
    ['default', 'success', 'built'],
  ]);
  assert.equal((await combined()).state, 'failure');
  assert.deepEqual(await combined(HEAD), await combined(), 'a branch names its tip');
  assert.deepEqual(await combined(`heads/${HEAD}`), await combined());
  assert.deepEqual(await combined('main'), { state: 'pending', sha: shas.main, contexts: [] });

  const history = await octokit.rest.repos.listCommitStatusesForRef({ owner, repo, ref: sha });
  assert.deepEqual(
    history.data.map((s) => [s.context, s.state]),
    [
      [GATE.toUpperCase(), 'failure'],
      [GATE, 'success'],
      ['default', 'success'],
      [GATE, 'pending'],
    ],
  );
  assert.deepEqual(
    server.statuses.get(sha)?.map((s) => s.state),
    ['pending', 'success', 'success', 'failure'],
  );

  const unknown = await failure(octokit.rest.repos.createCommitStatus({ owner, repo, sha: 'f'.repeat(40), state: 'success' }));
  assert.equal(unknown.status, 422);
  assert.deepEqual(unknown.response?.data, {
    message: `No commit found for SHA: ${'f'.repeat(40)}`,
    documentation_url: 'https://docs.github.com/rest/commits/statuses#create-a-commit-status',
    status: '422',
  });
  for (const notASha of [sha.slice(0, 12), HEAD]) {
    assert.equal((await failure(octokit.rest.repos.createCommitStatus({ owner, repo, sha: notASha, state: 'success' }))).status, 422, notASha);
  }
  const tooLong = await failure(setStatus('success', GATE, 'x'.repeat(141)));
  assert.equal(tooLong.status, 422);
  assert.deepEqual((tooLong.response!.data as { errors: unknown[] }).errors, [
    { resource: 'Status', code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' },
  ]);
  assert.equal(server.statuses.get(sha)?.length, 4, 'a refused status changes nothing');
  assert.equal((await setStatus('error', 'deploy', 'é'.repeat(140))).status, 201, '140 characters fit');
  assert.equal((await combined()).state, 'failure', 'error counts as failure');
  assert.equal((await failure(combined('no-such-branch'))).status, 404);
});

test("every request and answer above followed GitHub's OpenAPI description", () => {
  assert.deepEqual(server.contractViolations, []);
  assert.deepEqual(server.unexpectedRoutes, []);
});

test('the contract check catches a wrong answer, a wrong request, an undocumented status; unimplemented routes are recorded', async () => {
  // A bare clone, as a remote would be; no token, so any (or no) credentials are accepted.
  const strict = await startGitHubStandIn({ owner, repo, gitDir: await bareClone(sourceDir, join(await tempRepo(), 'fleet.git')) });
  try {
    const client = new Octokit({ baseUrl: strict.url, log: quiet });
    const created = await client.rest.pulls.create({ owner, repo, head: HEAD, base: 'main', title: 't' });
    assert.equal(created.data.head.sha, shas[HEAD]);

    strict.tamperNext({ route: GET_PULL, mutate: (body) => ({ ...(body as object), user: undefined, state: 'merged', created_at: 'yesterday' }) });
    const wrongAnswer = await failure(client.rest.pulls.get({ owner, repo, pull_number: created.data.number }));
    assert.equal(wrongAnswer.status, 500);
    assert.match(wrongAnswer.message, /contract violation/);
    assert.deepEqual(strict.contractViolations.splice(0), [
      `${GET_PULL} → 200 response body: (root) must have required property 'user'`,
      `${GET_PULL} → 200 response body: /state must be equal to one of the allowed values (["open","closed"])`,
      `${GET_PULL} → 200 response body: /created_at must match format "date-time"`,
    ]);

    const draft = 'yes' as unknown as boolean;
    const wrongRequest = await failure(
      client.request('POST /repos/{owner}/{repo}/pulls', { owner, repo, head: 'promote/prod', base: 'main', title: 't', draft }),
    );
    assert.equal(wrongRequest.status, 500);
    assert.deepEqual(strict.contractViolations.splice(0), ['POST /repos/{owner}/{repo}/pulls request body: /draft must be boolean']);
    assert.equal(strict.pulls.size, 1, 'a rejected request changes nothing');

    await failure(client.request('GET /repos/{owner}/{repo}/pulls', { owner, repo, status: 'open' }));
    assert.deepEqual(strict.contractViolations.splice(0), ["GET /repos/{owner}/{repo}/pulls: query parameter 'status' is not documented"]);

    assert.throws(() => strict.failNext({ route: 'GET /repos/{owner}/{repo}/pull/{pull_number}' }), /no such stand-in route/);
    strict.failNext({ route: 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', status: 422 });
    await failure(client.rest.issues.listComments({ owner, repo, issue_number: 1 }));
    assert.match(strict.contractViolations.splice(0).join('\n'), /status 422 is not documented for issues\/list-comments/);

    assert.equal((await failure(client.rest.repos.listBranches({ owner, repo }))).status, 404);
    assert.equal((await failure(client.rest.pulls.list({ owner: 'someone-else', repo }))).status, 404);
    assert.equal((await failure(client.rest.issues.create({ owner, repo, title: 't', milestone: 1 }))).status, 500);
    assert.deepEqual(strict.unexpectedRoutes, [
      'GET /repos/acme/fleet/branches',
      'GET /repos/someone-else/fleet/pulls: the stand-in serves only acme/fleet',
      "POST /repos/acme/fleet/issues: the stand-in does not implement body field 'milestone'",
    ]);
    assert.deepEqual(strict.contractViolations, []);
  } finally {
    await strict.stop();
  }
});

test('contract check: OpenAPI 3.0 nullable, enums and undocumented operations', () => {
  const ISSUE = '/repos/{owner}/{repo}/issues/{issue_number}';
  const params = { owner, repo, issue_number: '7' };
  // `state_reason` is a nullable enum, `milestone` a nullable oneOf without a type: both accept null.
  assert.deepEqual(checkRequest('PATCH', ISSUE, { params, body: { state: 'closed', state_reason: null, milestone: null } }), []);
  assert.match(
    checkRequest('PATCH', ISSUE, { params, body: { state_reason: 'wontfix' } }).join('\n'),
    /state_reason must be equal to one of the allowed values/,
  );
  assert.match(checkRequest('PATCH', ISSUE, { params: { ...params, issue_number: 'seven' } }).join('\n'), /issue_number must be integer/);
  assert.deepEqual(checkRequest('GET', '/repos/{owner}/{repo}/branches/{branch}/nope', {}), [
    "GET /repos/{owner}/{repo}/branches/{branch}/nope is not an operation of GitHub's REST API description",
  ]);
  assert.match(
    checkResponse('POST', '/repos/{owner}/{repo}/pulls', 200, {}).join('\n'),
    /status 200 is not documented for pulls\/create \(documented: 201, 403, 422\)/,
  );
  assert.deepEqual(checkResponse('POST', '/repos/{owner}/{repo}/pulls', 502, { message: 'Server Error' }), [], '5xx may come from any operation');
});
