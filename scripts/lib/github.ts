import { Octokit, type RestEndpointMethodTypes } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import { lookup } from 'node:dns/promises';
import { EnvironmentError, UsageError } from './errors.ts';
import { hasUrlCredentials, redactUrls } from './redact.ts';

/** octokit's log line for every failed request (`GET /repos/… - 500 with id UNKNOWN in 3ms`). */
const REQUEST_LOG_LINE = /^[A-Z]+ \S+ - \d+ with id \S+ in \d+ms$/;

/**
 * A request that no retry can help (connection refused, no such host or route, a port or URL fetch
 * refuses) stops at once: plugin-retry would retry it four times as a "500", which GitHub never sent.
 * Registered before the retry plugin so that its error hook sees this error, which has no
 * `request.request` and is passed through. A dropped or timed-out connection is still retried.
 */
function unreachableOnce(octokit: Pick<Octokit, 'hook'>): void {
  octokit.hook.error('request', (err: unknown) => {
    const unanswered = unansweredRequest(err);
    if (!unanswered?.final) throw err;
    throw Object.assign(new GitHubUnreachable(unanswered.url, unanswered.reason, { cause: err }), { request: {} });
  });
}

/** A GitHub API request that got no answer at all, with the URL (credentials redacted) and why. */
class GitHubUnreachable extends Error {
  override name = 'GitHubUnreachable';
  constructor(
    readonly url: string,
    readonly reason: string,
    options: { cause: unknown },
  ) {
    super(`no answer from ${url} (${reason})`, options);
  }
}

/** Bodies of pull requests, comments and issues are public text: URL credentials in them are redacted like output. */
function redactedBodies(octokit: Pick<Octokit, 'hook'>): void {
  octokit.hook.before('request', (options) => {
    if (typeof options.body === 'string') options.body = redactUrls(options.body);
  });
}

const GitHub = Octokit.plugin(unreachableOnce, redactedBodies, retry, throttling);
export type GitHubClient = InstanceType<typeof GitHub>;

export interface GitHubTarget {
  owner: string;
  repo: string;
}

interface GitHubClientOptions {
  baseUrl?: string;
  /** Milliseconds one unit of GitHub's retry-after stands for; tests shrink it (default 1000). */
  retryAfterBaseValue?: number;
  /** Minimum milliseconds between writes; GitHub asks for 1000 to stay clear of secondary limits. */
  writeSpacing?: number;
}

/**
 * An Octokit for GITHUB_API_URL (Enterprise) or api.github.com: 5xx and rate limits are retried,
 * other 4xx are not (they will not get better by asking again).
 */
export function createGitHubClient(token: string, options: GitHubClientOptions = {}): GitHubClient {
  const { baseUrl = process.env.GITHUB_API_URL || 'https://api.github.com', retryAfterBaseValue = 1000, writeSpacing = 1000 } = options;
  return new GitHub({
    auth: token,
    baseUrl,
    userAgent: 'monitoring-gitops',
    // Every failure is explained once by explainGitHubError; octokit's own line per failed request is left out.
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => console.warn(redactUrls(message)),
      error: (message: string) => REQUEST_LOG_LINE.test(message) || console.error(redactUrls(message)),
    },
    // Three retries for the statuses not listed; no global request.retries, which would retry every status.
    retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 451], retries: 3, retryAfterBaseValue },
    throttle: {
      retryAfterBaseValue,
      write: new Bottleneck.Group({ id: 'monitoring-gitops-write', maxConcurrent: 1, minTime: writeSpacing }),
      onRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) => retryCount < 2,
      onSecondaryRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) => retryCount < 2,
    },
  });
}

/**
 * GITHUB_API_URL (or api.github.com) checked before anything is pushed: no credentials in it, and a
 * host that resolves — a DNS failure is not worth four retries, nor a "500" that GitHub never sent.
 */
export async function checkGitHubApiUrl(baseUrl = process.env.GITHUB_API_URL || 'https://api.github.com'): Promise<string> {
  if (hasUrlCredentials(baseUrl))
    throw new UsageError(`GITHUB_API_URL ${redactUrls(baseUrl)} carries credentials; remove them and put the token in GITHUB_TOKEN`);
  let host: string;
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    throw new UsageError(`GITHUB_API_URL ${baseUrl} is not a URL; use for example https://github.example.com/api/v3`);
  }
  await lookup(host).catch((err: NodeJS.ErrnoException) => {
    throw new EnvironmentError(
      `cannot resolve ${host} (${err.code ?? err.message}), the host of ${baseUrl}; check GITHUB_API_URL and the network, then run promote again`,
      { cause: err },
    );
  });
  return baseUrl;
}

/** Plain words for the usual socket errors (the code stays, for searching); true: asking again will not help. */
const NETWORK_CODES: Record<string, [string, boolean]> = {
  ECONNREFUSED: ['connection refused', true],
  ENOTFOUND: ['host not found', true],
  EHOSTUNREACH: ['host unreachable', true],
  ENETUNREACH: ['network unreachable', true],
  ECONNRESET: ['connection reset', false],
  ETIMEDOUT: ['connection timed out', false],
  EAI_AGAIN: ['name lookup failed', false],
  UND_ERR_SOCKET: ['the connection closed without an answer', false],
  UND_ERR_CONNECT_TIMEOUT: ['connecting timed out', false],
};

/**
 * A request that never got an answer: octokit reports it as status 500, which GitHub never sent, and fetch
 * says only "fetch failed"; the reason is in its cause. Without a code, fetch refused the request itself
 * (a bad port, credentials in the URL): final too.
 */
function unansweredRequest(err: unknown): { url: string; reason: string; final: boolean } | undefined {
  const e = err as {
    status?: number;
    response?: unknown;
    request?: { url?: string };
    cause?: { cause?: { code?: string; message?: string }; code?: string; message?: string };
  };
  if (e.status !== 500 || e.response !== undefined || !e.cause) return undefined;
  const url = redactUrls(String(e.request?.url ?? 'the GitHub API'));
  const inner = e.cause.cause ?? e.cause;
  const code = inner.code ?? e.cause.code;
  if (code) {
    const [words, final] = NETWORK_CODES[code] ?? [undefined, false];
    return { url, reason: words ? `${words}, ${code}` : code, final };
  }
  const message = redactUrls(inner.message ?? e.cause.message ?? 'no answer');
  return { url, reason: message === 'bad port' ? 'a port fetch never connects to: bad port' : message, final: true };
}

/** owner/repo from --repo, GITHUB_REPOSITORY, or a GitHub remote URL. */
export function resolveTarget(explicit: string | undefined, remoteUrl: string): GitHubTarget {
  const named = explicit ?? process.env.GITHUB_REPOSITORY;
  const m = named ? /^([\w.-]+)\/([\w.-]+)$/.exec(named) : /[/:]([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(remoteUrl);
  if (!m) throw new UsageError(`cannot tell the GitHub repository from ${named ?? remoteUrl}; pass --repo owner/name`);
  return { owner: m[1]!, repo: m[2]! };
}

interface PullRequestSpec {
  head: string;
  base: string;
  title: string;
  body: string;
  labels: string[];
  reviewers: string[];
  draft: boolean;
}

export interface PullRequestOutcome {
  number: number;
  url: string;
  action: 'created' | 'updated' | 'unchanged';
}

/** An open pull request as GitHub lists it (`pull-request-simple`): number, html_url, head.sha, labels… */
export type OpenPullRequest = RestEndpointMethodTypes['pulls']['list']['response']['data'][number];

/** The open pull request from branch `head` of the repository itself (not a fork) into `base`, if there is one. */
export async function findOpenPullRequest(gh: GitHubClient, target: GitHubTarget, head: string, base: string): Promise<OpenPullRequest | undefined> {
  const open = await gh.rest.pulls.list({ ...target, state: 'open', head: `${target.owner}:${head}`, base, per_page: 10 });
  return open.data[0];
}

/** Opens the pull request for `head`, or brings the open one up to date; never a second one. */
export async function openOrUpdatePullRequest(gh: GitHubClient, target: GitHubTarget, spec: PullRequestSpec): Promise<PullRequestOutcome> {
  const existing = await findOpenPullRequest(gh, target, spec.head, spec.base);
  let pr: { number: number; html_url: string; labels: { name?: string }[] };
  let action: PullRequestOutcome['action'] = 'unchanged';
  if (!existing) {
    pr = (
      await gh.rest.pulls.create({
        ...target,
        head: spec.head,
        base: spec.base,
        title: spec.title,
        body: spec.body,
        draft: spec.draft,
        maintainer_can_modify: true,
      })
    ).data;
    action = 'created';
  } else {
    pr = existing;
    if (existing.title !== spec.title || (existing.body ?? '') !== spec.body) {
      await gh.rest.pulls.update({ ...target, pull_number: existing.number, title: spec.title, body: spec.body });
      action = 'updated';
    }
  }
  const missing = spec.labels.filter((l) => !pr.labels.some((have) => have.name === l));
  if (missing.length) await gh.rest.issues.addLabels({ ...target, issue_number: pr.number, labels: missing });
  if (action === 'created' && spec.reviewers.length) await gh.rest.pulls.requestReviewers({ ...target, pull_number: pr.number, reviewers: spec.reviewers });
  return { number: pr.number, url: pr.html_url, action };
}

/** GitHub's comment, issue and pull request bodies hold 65,536 characters; every body stays clear of it. */
export const GITHUB_BODY_LIMIT = 60_000;

/** GitHub refuses (422) a commit status whose description is over 140 characters. */
const STATUS_DESCRIPTION_LIMIT = 140;

/** `text` if it fits `limit` characters, else cut to fit with an ellipsis at the end. */
export function shortenDescription(text: string, limit = STATUS_DESCRIPTION_LIMIT): string {
  const chars = [...text]; // code points, as GitHub counts: a cut never splits a surrogate pair
  if (chars.length <= limit) return text;
  const kept = chars
    .slice(0, limit - 1)
    .join('')
    .trimEnd();
  return `${kept}…`;
}

export interface CommitStatusSpec {
  state: 'success' | 'failure' | 'error' | 'pending';
  /** The check's name on the pull request, which branch protection can require (e.g. PROMOTION_GATE_CONTEXT). */
  context: string;
  /** One line beside the check; public text, so URL credentials are redacted, and cut to GitHub's 140 characters. */
  description: string;
  /** Where the check's Details link leads, e.g. the workflow run. */
  targetUrl?: string;
}

/** Sets `spec.context` on commit `sha` (a full SHA); the newest status of a context is the one GitHub shows and requires. */
/** The newest status of each context on a commit (GitHub's combined status). */
export async function readCommitStatuses(
  gh: GitHubClient,
  target: GitHubTarget,
  sha: string,
): Promise<{ context: string; state: string; description: string | null }[]> {
  return (await gh.rest.repos.getCombinedStatusForRef({ ...target, ref: sha, per_page: 100 })).data.statuses;
}

export async function setCommitStatus(gh: GitHubClient, target: GitHubTarget, sha: string, spec: CommitStatusSpec): Promise<void> {
  await gh.rest.repos.createCommitStatus({
    ...target,
    sha,
    state: spec.state,
    context: spec.context,
    description: shortenDescription(redactUrls(spec.description)),
    ...(spec.targetUrl === undefined ? {} : { target_url: spec.targetUrl }),
  });
}

/** What a GitHub call was for, so its failure can say what to do next. */
interface GitHubCall {
  /** `the pull request`, `the comment`. */
  what: string;
  /** What finishes the work: `run drift --issue again`; for promote, the branch is already pushed. */
  rerun: string;
}

/** Turns GitHub's answers into messages that say what to do; the token never appears. */
export function explainGitHubError(err: unknown, { what, rerun }: GitHubCall): Error {
  const status = (err as { status?: number }).status;
  const message = (err as { response?: { data?: { message?: string } } }).response?.data?.message ?? (err as Error).message;
  const unreachable = err instanceof GitHubUnreachable ? err : unansweredRequest(err);
  if (unreachable)
    return new EnvironmentError(`cannot reach GitHub at ${unreachable.url} (${unreachable.reason}); check GITHUB_API_URL and the network; ${rerun}`, {
      cause: err,
    });
  if (status === 401) return new EnvironmentError(`GitHub rejected the token (401 ${message}); set GITHUB_TOKEN to a valid token; ${rerun}`, { cause: err });
  if (status === 403)
    return new EnvironmentError(`GitHub refused the request (403 ${message}); check the token's permissions, or wait for the rate limit to reset; ${rerun}`, {
      cause: err,
    });
  if (status === 422) return new EnvironmentError(`GitHub could not process ${what} (422 ${message}); ${rerun}`, { cause: err });
  if (status && status >= 500) return new EnvironmentError(`GitHub is failing (${status} ${message}) even after retries; ${rerun} later`, { cause: err });
  return new EnvironmentError(`cannot reach GitHub: ${message}; ${rerun}`, { cause: err });
}

/** Awaits a GitHub call, turning its failure into the explained error. */
export function explained<T>(request: Promise<T>, call: GitHubCall): Promise<T> {
  return request.catch((err: unknown) => {
    throw explainGitHubError(err, call);
  });
}

/** The client and repository for a command: GITHUB_TOKEN (exit 2 without it) and --repo, GITHUB_REPOSITORY or the remote's URL. */
export function connectGitHub(
  token: string | undefined,
  needs: string,
  repo: string | undefined,
  remoteUrl: string,
  options: GitHubClientOptions = {},
): { client: GitHubClient; target: GitHubTarget } {
  if (!token) throw new EnvironmentError(`GITHUB_TOKEN is not set; ${needs}`);
  return { client: createGitHubClient(token, options), target: resolveTarget(repo, remoteUrl) };
}
