import { DOCS, errorReply, type Reply } from './http.ts';

/** A failure the stand-in answers with instead of handling the request (see GitHubStandIn.failNext). */
export interface FaultRule {
  /** 'METHOD template', e.g. 'POST /repos/{owner}/{repo}/pulls'; any implemented route when absent. */
  route?: string;
  /** Default 403 for rate limits, else 500. */
  status?: 401 | 403 | 422 | 429 | 500 | 502 | 503;
  /** How many matching requests fail; default 1. */
  times?: number;
  /** Primary rate limit: x-ratelimit-remaining: 0, x-ratelimit-reset = now + retryAfter, "API rate limit exceeded for …". */
  rateLimit?: boolean;
  /** Secondary rate limit: retry-after header and the "secondary rate limit" message. */
  secondaryRateLimit?: boolean;
  /** Seconds until the limit lifts: the retry-after header (default 1) or the reset time (default 0: now). */
  retryAfter?: number;
  /** Destroys the socket without answering. */
  drop?: boolean;
}

/** What to do with a request a rule matched: answer `reply`, or drop the connection. */
export type Fault = { drop: true } | { drop: false; reply: Reply; rateLimited: boolean };

/** Rules in the order they were added; each matching request uses up one `times` of the first matching rule. */
export class FaultQueue {
  private readonly rules: Array<FaultRule & { left: number }> = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  /** The fault for a request to `routeKey` ('METHOD template'), consuming it; undefined when none applies. */
  take(routeKey: string, requestId: string, nowSeconds: number): Fault | undefined {
    const index = this.rules.findIndex((r) => r.route === undefined || r.route === routeKey);
    const rule = this.rules[index];
    if (!rule) return undefined;
    if (--rule.left <= 0) this.rules.splice(index, 1);
    return rule.drop ? { drop: true } : { drop: false, reply: faultReply(rule, requestId, nowSeconds), rateLimited: rule.rateLimit === true };
  }

  get pending(): number {
    return this.rules.length;
  }
}

function faultReply(rule: FaultRule, requestId: string, nowSeconds: number): Reply {
  if (rule.rateLimit) {
    const reset = nowSeconds + (rule.retryAfter ?? 0);
    return errorReply(rule.status ?? 403, 'API rate limit exceeded for installation ID 1.', DOCS.rateLimits, {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(reset),
    });
  }
  if (rule.secondaryRateLimit) {
    return errorReply(
      rule.status ?? 403,
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
        `If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
      `${DOCS.rateLimits}#about-secondary-rate-limits`,
      { 'retry-after': String(rule.retryAfter ?? 1) },
    );
  }
  const status = rule.status ?? 500;
  switch (status) {
    case 401:
      return errorReply(401, 'Bad credentials');
    case 403:
      return errorReply(403, 'Resource not accessible by integration');
    case 422:
      return {
        status,
        body: {
          message: 'Validation Failed',
          errors: [{ resource: 'Stand-in', code: 'custom', message: 'injected failure' }],
          documentation_url: DOCS.rest,
          status: '422',
        },
      };
    case 429:
      return errorReply(429, 'Too Many Requests');
    default:
      return { status, body: { message: status === 503 ? 'Service Unavailable' : 'Server Error' } };
  }
}
