import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** An answer before it is written: status, JSON body (none for 204) and extra headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** GitHub's documentation links, as its error bodies carry them. */
export const DOCS = {
  rest: 'https://docs.github.com/rest',
  createPull: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
  updatePull: 'https://docs.github.com/rest/pulls/pulls#update-a-pull-request',
  requestReviewers: 'https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request',
  createIssue: 'https://docs.github.com/rest/issues/issues#create-an-issue',
  updateIssue: 'https://docs.github.com/rest/issues/issues#update-an-issue',
  createComment: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
  updateComment: 'https://docs.github.com/rest/issues/comments#update-an-issue-comment',
  createStatus: 'https://docs.github.com/rest/commits/statuses#create-a-commit-status',
  combinedStatus: 'https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference',
  listStatuses: 'https://docs.github.com/rest/commits/statuses#list-commit-statuses-for-a-reference',
  rateLimits: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api',
} as const;

/** GitHub's limit on issue, pull request and comment bodies, in characters. */
export const MAX_BODY_CHARS = 65_536;

export class BadJsonError extends Error {}

/** The request body parsed as JSON; undefined when empty. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadJsonError(`request body is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** An error body as GitHub writes it (`status` is a string). */
export function errorReply(status: number, message: string, documentationUrl: string = DOCS.rest, headers?: Record<string, string>): Reply {
  return { status, body: { message, documentation_url: documentationUrl, status: String(status) }, headers };
}

export const notFound = (): Reply => errorReply(404, 'Not Found');

/** One entry of a 422 "Validation Failed" answer. */
export interface ValidationErrorItem {
  resource: string;
  code: 'missing' | 'missing_field' | 'invalid' | 'already_exists' | 'unprocessable' | 'custom';
  field?: string;
  message?: string;
}

export function validationFailed(documentationUrl: string, ...errors: ValidationErrorItem[]): Reply {
  return { status: 422, body: { message: 'Validation Failed', errors, documentation_url: documentationUrl, status: '422' } };
}

/** A body over GitHub's limit, as the 422 item GitHub answers with; undefined when it fits. */
export function bodyTooLong(resource: string, body: unknown): ValidationErrorItem | undefined {
  if (typeof body !== 'string' || [...body].length <= MAX_BODY_CHARS) return undefined;
  return { resource, code: 'custom', field: 'body', message: `body is too long (maximum is ${MAX_BODY_CHARS} characters)` };
}

/** A request id shaped like GitHub's x-github-request-id (five hex groups). */
export function newRequestId(): string {
  const hex = randomBytes(14).toString('hex').toUpperCase();
  return [hex.slice(0, 4), hex.slice(4, 8), hex.slice(8, 15), hex.slice(15, 22), hex.slice(22, 28)].join(':');
}

/** The headers every GitHub REST answer carries (rate limit of the `core` resource included). */
export function standardHeaders(requestId: string, rate: { limit: number; remaining: number; reset: number }): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-github-request-id': requestId,
    'x-github-api-version-selected': '2022-11-28',
    'x-github-media-type': 'github.v3; format=json',
    'x-ratelimit-limit': String(rate.limit),
    'x-ratelimit-remaining': String(rate.remaining),
    'x-ratelimit-used': String(rate.limit - rate.remaining),
    'x-ratelimit-reset': String(rate.reset),
    'x-ratelimit-resource': 'core',
  };
}

/**
 * One page of `items` per `page`/`per_page` (default 30, at most 100) and the Link header GitHub sends
 * (first/prev/next/last), which octokit.paginate follows.
 */
export function paginate<T>(items: T[], requestUrl: URL): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(requestUrl.searchParams.get('per_page') ?? 30) || 30, 1), 100);
  const page = Math.max(Number(requestUrl.searchParams.get('page') ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n: number, rel: string) => {
    const url = new URL(requestUrl);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(n));
    return `<${url}>; rel="${rel}"`;
  };
  const links = [
    ...(page > 1 ? [link(Math.min(page - 1, last), 'prev')] : []),
    ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
    ...(page > 1 ? [link(1, 'first')] : []),
  ];
  return { page: items.slice((page - 1) * perPage, page * perPage), headers: links.length ? { link: links.join(', ') } : {} };
}
