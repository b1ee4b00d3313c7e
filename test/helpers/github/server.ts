import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkRequest, checkResponse, warmUpContract } from './contract.ts';
import { FaultQueue, type FaultRule } from './faults.ts';
import { openGitRepository } from './git.ts';
import { BadJsonError, errorReply, newRequestId, notFound, readJsonBody, standardHeaders, type Reply } from './http.ts';
import { ACTIONS_BOT, idOf } from './objects.ts';
import { RepositoryState, type CommentRecord, type IssueRecord, type PullRecord, type StatusRecord } from './records.ts';
import type { RenderContext } from './render.ts';
import { COMMENT_ROUTES } from './routes/comments.ts';
import { ISSUE_ROUTES } from './routes/issues.ts';
import { PULL_ROUTES } from './routes/pulls.ts';
import { STATUS_ROUTES } from './routes/statuses.ts';
import type { Route } from './routes/route.ts';
import { TamperQueue, type TamperRule } from './tamper.ts';
import { unimplementedInputs } from './unimplemented.ts';
import { matchTemplate, stopServer } from '../http-routes.ts';

export type { FaultRule } from './faults.ts';
export type { TamperRule } from './tamper.ts';

export interface GitHubStandInOptions {
  owner: string;
  repo: string;
  /** A real git repository (bare or with a work tree): branches and SHAs are read there. */
  gitDir: string;
  /** When set, requests must send `Authorization: token <token>` or `Bearer <token>`. */
  token?: string;
  /** Login of the authenticated user (author of created pull requests, issues, comments); default github-actions[bot]. */
  actor?: string;
  /** More tokens, each acting as its login: other people, or an App's `<slug>[bot]`, on the same repository. */
  tokens?: Record<string, string>;
  /** Base of html_url links; default the stand-in's own URL. */
  htmlUrl?: string;
  /** Clock for created_at/updated_at; default the real one. */
  now?: () => Date;
}

/** One request the stand-in received; status 0 when the connection was dropped on purpose. */
export interface RequestLogEntry {
  method: string;
  /** Path and query as sent. */
  path: string;
  /** 'METHOD template' of the route it matched. */
  route?: string;
  status: number;
  requestId: string;
}

export interface GitHubStandIn {
  /** http://127.0.0.1:PORT: octokit's baseUrl, or GITHUB_API_URL. */
  url: string;
  owner: string;
  repo: string;
  /** Pull requests by number (each is also in `issues`). */
  pulls: ReadonlyMap<number, PullRecord>;
  /** Issues and pull requests by number. */
  issues: ReadonlyMap<number, IssueRecord>;
  comments: ReadonlyMap<number, CommentRecord>;
  /** Commit statuses by full SHA, oldest first (the combined status takes each context's last). */
  statuses: ReadonlyMap<string, readonly StatusRecord[]>;
  requests: RequestLogEntry[];
  /** Every request or response that broke GitHub's OpenAPI description (answered 500), and stand-in failures. */
  contractViolations: string[];
  /** Requests for routes, repositories, parameters or fields the stand-in does not implement (answered 404 or 500). */
  unexpectedRoutes: string[];
  /** Answers the next matching request(s) with a failure instead of handling them. */
  failNext(rule: FaultRule): void;
  /** Test-only: rewrites the next matching answer's body before the contract check (to prove the check bites). */
  tamperNext(rule: TamperRule): void;
  stop(): Promise<void>;
}

const ROUTES: Route[] = [...PULL_ROUTES, ...ISSUE_ROUTES, ...COMMENT_ROUTES, ...STATUS_ROUTES];

/** A local server answering the GitHub REST routes the toolkit uses, backed by the git repository at `gitDir`. */
export async function startGitHubStandIn(options: GitHubStandInOptions): Promise<GitHubStandIn> {
  warmUpContract();
  const git = await openGitRepository(options.gitDir);
  const state = new RepositoryState();
  const server = createServer();
  await new Promise<void>((done, fail) => server.once('error', fail).listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ctx: RenderContext = {
    apiUrl: url,
    htmlUrl: options.htmlUrl ?? url,
    owner: options.owner,
    repo: options.repo,
    repoId: idOf(`${options.owner}/${options.repo}`),
    defaultBranch: await git.defaultBranch(),
    state,
    git,
    now: options.now ?? (() => new Date()),
  };
  const standIn: GitHubStandIn = {
    url,
    owner: options.owner,
    repo: options.repo,
    pulls: state.pulls,
    issues: state.issues,
    comments: state.comments,
    statuses: state.statuses,
    requests: [],
    contractViolations: [],
    unexpectedRoutes: [],
    failNext: (rule) => faults.add(knownRoute(rule)),
    tamperNext: (rule) => tampering.add(knownRoute(rule)),
    stop: () => stopServer(server),
  };
  const faults = new FaultQueue();
  const tampering = new TamperQueue();
  const dispatcher = new Dispatcher(standIn, ctx, options, faults, tampering);
  server.on('request', (req, res) => void dispatcher.handle(req, res));
  return standIn;
}

/** A rule naming a route the stand-in does not serve would never fire: refuse it at once. */
function knownRoute<T extends { route?: string }>(rule: T): T {
  const known = ROUTES.map((r) => `${r.method} ${r.template}`);
  if (rule.route !== undefined && !known.includes(rule.route)) throw new Error(`no such stand-in route '${rule.route}'; known:\n${known.join('\n')}`);
  return rule;
}

function matchRoute(method: string, pathname: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    const params = route.method === method ? matchTemplate(route.template, pathname) : undefined;
    if (params) return { route, params };
  }
  return undefined;
}

/** Routing, contract checks, authentication, faults and logging around the route handlers. */
class Dispatcher {
  private remaining = 5000;
  private readonly reset = Math.floor(Date.now() / 1000) + 3600;

  constructor(
    private readonly standIn: GitHubStandIn,
    private readonly ctx: RenderContext,
    private readonly options: GitHubStandInOptions,
    private readonly faults: FaultQueue,
    private readonly tampering: TamperQueue,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', this.standIn.url);
    const log = (status: number, route?: string) => this.standIn.requests.push({ method, path: url.pathname + url.search, route, status, requestId });
    let reply: Reply;
    let routeKey: string | undefined;
    try {
      const outcome = await this.answer(req, method, url, requestId);
      if ('dropped' in outcome) {
        log(0, outcome.dropped);
        req.socket.destroy();
        return;
      }
      ({ reply, routeKey } = outcome);
    } catch (err) {
      reply = this.violation(`stand-in failure on ${method} ${url.pathname}: ${(err as Error).stack ?? String(err)}`);
    }
    log(reply.status, routeKey);
    this.remaining = Math.max(this.remaining - 1, 0);
    const headers = { ...standardHeaders(requestId, { limit: 5000, remaining: this.remaining, reset: this.reset }), ...reply.headers };
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, { ...headers, 'content-length': Buffer.byteLength(text) }).end(text);
  }

  private async answer(req: IncomingMessage, method: string, url: URL, requestId: string): Promise<{ reply: Reply; routeKey?: string } | { dropped: string }> {
    let body: unknown;
    try {
      body = await readJsonBody(req);
    } catch (err) {
      if (err instanceof BadJsonError) return { reply: this.violation(`${method} ${url.pathname}: ${err.message}`) };
      throw err;
    }
    const match = matchRoute(method, url.pathname);
    if (!match) return { reply: this.unexpected(`${method} ${url.pathname}${url.search}`, notFound()) };
    const { route, params } = match;
    const routeKey = `${method} ${route.template}`;
    if (params.owner?.toLowerCase() !== this.ctx.owner.toLowerCase() || params.repo?.toLowerCase() !== this.ctx.repo.toLowerCase()) {
      return { reply: this.unexpected(`${method} ${url.pathname}: the stand-in serves only ${this.ctx.owner}/${this.ctx.repo}`, notFound()), routeKey };
    }
    const requestProblems = checkRequest(method, route.template, { params, query: url.searchParams, body });
    if (requestProblems.length) return { reply: this.violation(...requestProblems), routeKey };
    const unimplemented = unimplementedInputs(route, url, body);
    if (unimplemented.length)
      return { reply: this.unexpected(`${method} ${url.pathname}: the stand-in does not implement ${unimplemented.join(', ')}`), routeKey };
    const actor = this.authenticate(req);
    if (typeof actor !== 'string') return { reply: this.checked(method, route, actor), routeKey };
    const fault = this.faults.take(routeKey, requestId, Math.floor(Date.now() / 1000));
    if (fault?.drop) return { dropped: routeKey };
    const handled = fault ? fault.reply : await route.handle({ params, url, body, ctx: this.ctx, actor });
    return { reply: this.checked(method, route, this.tampering.apply(routeKey, handled)), routeKey };
  }

  /** Who the request acts as: `Authorization: token X` or `Bearer X` must carry a configured token; the 401 otherwise. */
  private authenticate(req: IncomingMessage): string | Reply {
    const { token: own, actor = ACTIONS_BOT.login, tokens = {} } = this.options;
    const logins: Record<string, string> = own === undefined ? tokens : { ...tokens, [own]: actor };
    if (!Object.keys(logins).length) return actor;
    const header = req.headers.authorization;
    if (!header) return errorReply(401, 'Requires authentication');
    const [, token] = /^(?:token|bearer)\s+(\S+)$/i.exec(header) ?? [];
    return (token !== undefined && Object.hasOwn(logins, token) && logins[token]) || errorReply(401, 'Bad credentials');
  }

  /** The reply, or a loud 500 when it breaks the description. */
  private checked(method: string, route: Route, reply: Reply): Reply {
    const problems = checkResponse(method, route.template, reply.status, reply.body);
    return problems.length ? this.violation(...problems) : reply;
  }

  private violation(...problems: string[]): Reply {
    this.standIn.contractViolations.push(...problems);
    return {
      status: 500,
      body: { message: `GitHub stand-in: contract violation:\n${problems.join('\n')}`, documentation_url: 'https://docs.github.com/rest' },
    };
  }

  private unexpected(what: string, reply?: Reply): Reply {
    this.standIn.unexpectedRoutes.push(what);
    return reply ?? { status: 500, body: { message: `GitHub stand-in: ${what}`, documentation_url: 'https://docs.github.com/rest' } };
  }
}
