import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeClient } from '../../../scripts/cluster/client.ts';
import { argoError, getApplication, GRPC, listApplications, type Reply } from './applications.ts';
import { readArgoCdContract, type ArgoCdContract } from './contract.ts';
import { matchTemplate, stopServer } from '../http-routes.ts';

export interface ArgoCdStandInOptions {
  /** The real API server the Applications are stored in. */
  client: KubeClient;
  /** The API token requests must carry (`Authorization: Bearer …` or the `argocd.token` cookie). */
  token: string;
  /** Argo CD's namespace, where it reads Applications; default argocd. */
  namespace?: string;
  /** Serve HTTPS with this certificate and key (PEM), as argocd-server does; plain HTTP without. */
  tls?: { cert: string; key: string };
}

/** One request the stand-in received; status 0 when the connection was dropped on purpose. */
export interface ArgoCdRequestLogEntry {
  method: string;
  /** Path and query as sent. */
  path: string;
  /** 'METHOD template' of the route it matched. */
  route?: string;
  status: number;
}

/** A failure the stand-in answers with instead of handling the next matching request(s). */
export interface ArgoCdFaultRule {
  /** 'METHOD template', e.g. 'GET /api/v1/applications'; any route when absent. */
  route?: string;
  /** Default 500. */
  status?: 401 | 403 | 404 | 500 | 503;
  /** Destroys the socket without answering. */
  drop?: boolean;
  /** Default 1. */
  times?: number;
}

/** Test-only: rewrites the next matching answer's body before the contract check, to prove the check bites. */
export interface ArgoCdTamperRule {
  route?: string;
  mutate(body: unknown): unknown;
}

export interface ArgoCdStandIn {
  /** http://127.0.0.1:PORT (https:// with `tls`): the Argo CD URL. */
  url: string;
  requests: ArgoCdRequestLogEntry[];
  /** Every request or answer that broke the pinned Argo CD's swagger.json (answered 500), and stand-in failures. */
  contractViolations: string[];
  /** Requests for routes the stand-in does not implement (answered 404 or 405). */
  unexpectedRoutes: string[];
  failNext(rule: ArgoCdFaultRule): void;
  tamperNext(rule: ArgoCdTamperRule): void;
  stop(): Promise<void>;
}

interface Route {
  template: string;
  handle(client: KubeClient, namespace: string, params: Record<string, string>, query: URLSearchParams): Promise<Reply>;
}

const ROUTES: Route[] = [
  { template: '/api/v1/applications', handle: (client, ns, _params, query) => listApplications(client, ns, query) },
  { template: '/api/v1/applications/{name}', handle: (client, ns, params, query) => getApplication(client, ns, params.name ?? '', query) },
];

/** A local argocd-server for the routes drift uses, backed by the Applications stored in the real API server. */
export async function startArgoCdStandIn(options: ArgoCdStandInOptions): Promise<ArgoCdStandIn> {
  const contract = await readArgoCdContract();
  const server: Server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }) : createServer();
  await new Promise<void>((done, fail) => server.once('error', fail).listen(0, '127.0.0.1', done));
  const faults: Array<ArgoCdFaultRule & { left: number }> = [];
  const tampering: ArgoCdTamperRule[] = [];
  const standIn: ArgoCdStandIn = {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    contractViolations: [],
    unexpectedRoutes: [],
    failNext: (rule) => faults.push({ ...knownRoute(rule), left: rule.times ?? 1 }),
    tamperNext: (rule) => tampering.push(knownRoute(rule)),
    stop: () => stopServer(server),
  };
  const takeFault = (routeKey: string) => {
    const index = faults.findIndex((r) => r.route === undefined || r.route === routeKey);
    const rule = faults[index];
    if (rule && --rule.left <= 0) faults.splice(index, 1);
    return rule;
  };
  const takeTamper = (routeKey: string) => {
    const index = tampering.findIndex((r) => r.route === undefined || r.route === routeKey);
    return index < 0 ? undefined : tampering.splice(index, 1)[0];
  };
  const handler = new Handler(standIn, options, contract, takeFault, takeTamper);
  server.on('request', (req, res) => {
    void handler.answer(req).then((outcome) => {
      if (outcome === 'dropped') return void req.socket.destroy();
      const text = outcome.body === undefined ? '' : JSON.stringify(outcome.body);
      res.writeHead(outcome.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
    });
  });
  return standIn;
}

function knownRoute<T extends { route?: string }>(rule: T): T {
  const known = ROUTES.map((r) => `GET ${r.template}`);
  if (rule.route !== undefined && !known.includes(rule.route)) throw new Error(`no such stand-in route '${rule.route}'; known: ${known.join(', ')}`);
  return rule;
}

function matchRoute(pathname: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    const params = matchTemplate(route.template, pathname.replace(/\/+$/, ''));
    if (params) return { route, params };
  }
  return undefined;
}

/** Routing, contract checks, authentication, faults and logging around the two handlers. */
class Handler {
  constructor(
    private readonly standIn: ArgoCdStandIn,
    private readonly options: ArgoCdStandInOptions,
    private readonly contract: ArgoCdContract,
    private readonly fault: (routeKey: string) => ArgoCdFaultRule | undefined,
    private readonly tamper: (routeKey: string) => ArgoCdTamperRule | undefined,
  ) {}

  async answer(req: IncomingMessage): Promise<Reply | 'dropped'> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', this.standIn.url);
    const entry: ArgoCdRequestLogEntry = { method, path: url.pathname + url.search, status: 0 };
    this.standIn.requests.push(entry);
    let reply: Reply | 'dropped';
    try {
      reply = await this.route(req, method, url, entry);
    } catch (err) {
      reply = this.violation(`stand-in failure on ${method} ${url.pathname}: ${(err as Error).stack ?? String(err)}`);
    }
    entry.status = reply === 'dropped' ? 0 : reply.status;
    return reply;
  }

  private async route(req: IncomingMessage, method: string, url: URL, entry: ArgoCdRequestLogEntry): Promise<Reply | 'dropped'> {
    const match = matchRoute(url.pathname);
    if (!match) return this.unexpected(`${method} ${url.pathname}${url.search}`, argoError(404, GRPC.notFound, 'Not Found'));
    if (method !== 'GET')
      return this.unexpected(`${method} ${url.pathname}: the stand-in implements only GET`, argoError(405, GRPC.unknown, 'Method Not Allowed'));
    entry.route = `GET ${match.route.template}`;
    const routeKey = entry.route;
    const problems = this.contract.checkRequest(method, match.route.template, match.params, url.searchParams);
    if (problems.length) return this.violation(...problems);
    const denied = this.authenticate(req);
    const fault = denied ? undefined : this.fault(routeKey);
    if (fault?.drop) return 'dropped';
    const handled =
      denied ?? (fault ? faultReply(fault) : await match.route.handle(this.options.client, this.options.namespace ?? 'argocd', match.params, url.searchParams));
    const tampered = this.tamper(routeKey);
    const body = tampered ? tampered.mutate(structuredClone(handled.body)) : handled.body;
    const violations = this.contract.checkResponse(method, match.route.template, handled.status, body);
    return violations.length ? this.violation(...violations) : { status: handled.status, body };
  }

  /** argocd-server reads the token from `Authorization: Bearer` or the `argocd.token` cookie. */
  private authenticate(req: IncomingMessage): Reply | undefined {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const cookie = /(?:^|;\s*)argocd\.token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const token = bearer ?? cookie;
    if (!token) return argoError(401, GRPC.unauthenticated, 'no session information');
    return token === this.options.token ? undefined : argoError(401, GRPC.unauthenticated, 'invalid session: token signature is invalid');
  }

  private violation(...problems: string[]): Reply {
    this.standIn.contractViolations.push(...problems);
    return argoError(500, GRPC.internal, `Argo CD stand-in: contract violation:\n${problems.join('\n')}`);
  }

  private unexpected(what: string, reply: Reply): Reply {
    this.standIn.unexpectedRoutes.push(what);
    return reply;
  }
}

function faultReply(rule: ArgoCdFaultRule): Reply {
  switch (rule.status ?? 500) {
    case 401:
      return argoError(401, GRPC.unauthenticated, 'invalid session: token has expired');
    case 403:
      return argoError(403, GRPC.permissionDenied, 'permission denied');
    case 404:
      return argoError(404, GRPC.notFound, 'Not Found');
    case 503:
      return argoError(503, GRPC.unavailable, 'connection error: desc = "transport: Error while dialing: dial tcp: connect: connection refused"');
    default:
      return argoError(500, GRPC.internal, 'injected failure');
  }
}
