import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { EnvironmentError } from '../lib/errors.ts';
import type { ArgoApplication } from './types.ts';

/** The label every Application this repository generates carries. */
const MANAGED_SELECTOR = 'app.kubernetes.io/managed-by=monitoring-gitops';

export interface ArgoCdConnection {
  /** Base URL of argocd-server, e.g. https://argocd.example.com (a path prefix such as /argo-cd is kept). */
  url: string;
  /** An Argo CD API token (`argocd account generate-token`); sent as a bearer token, never printed. */
  token: string;
  /** Label selector; default {@link MANAGED_SELECTOR}. */
  selector?: string;
  /** Only Applications of these projects. */
  projects?: string[];
  /** Accept a certificate no trusted CA signed (self-signed argocd-server). Off unless asked for. */
  insecure?: boolean;
  /** PEM of the CA that signed argocd-server's certificate (trusted instead of the system CAs). */
  ca?: string;
  /** Give up after this long, in ms; default 15 s. */
  timeoutMs?: number;
}

type ArgoCdFailure = 'unreachable' | 'unauthenticated' | 'forbidden' | 'http' | 'bad-response';

/** Argo CD could not be asked: which way it failed (`failure`) and, in the message, what to do. Exit 2. */
export class ArgoCdApiError extends EnvironmentError {
  override name = 'ArgoCdApiError';
  constructor(
    readonly failure: ArgoCdFailure,
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** `GET {url}/api/v1/applications?selector=…`: the Applications this repository manages, as Argo CD sees them. */
export async function readArgoCdApplications(connection: ArgoCdConnection): Promise<ArgoApplication[]> {
  const url = applicationsUrl(connection);
  const { status, body } = await getJson(url, connection);
  const redact = (text: string) => text.split(connection.token).join('<token>');
  const said = redact(argoMessage(body) ?? '').slice(0, 300);
  const where = `Argo CD at ${connection.url}`;
  if (status === 401) {
    throw new ArgoCdApiError(
      'unauthenticated',
      `${where} refused the token (401 Unauthenticated${said ? `: ${said}` : ''})\nfix: pass a valid, unexpired API token (argocd account generate-token --account <account>) in ARGOCD_TOKEN`,
      401,
    );
  }
  if (status === 403) {
    throw new ArgoCdApiError(
      'forbidden',
      `${where} denied listing Applications (403 PermissionDenied${said ? `: ${said}` : ''})\nfix: give the token's account 'applications, get' on the monitoring projects in argocd-rbac-cm (p, role:drift, applications, get, */*, allow)`,
      403,
    );
  }
  if (status < 200 || status > 299) {
    throw new ArgoCdApiError(
      'http',
      `${where} answered ${status} to GET ${url.pathname}${said ? `: ${said}` : ''}\nfix: check the argocd-server logs; retry later if it is restarting`,
      status,
    );
  }
  const items = (body as { items?: unknown } | undefined)?.items;
  // Go writes an empty slice as null; Argo CD allocates one, but a proxy may not.
  if (items !== null && !Array.isArray(items)) {
    throw new ArgoCdApiError(
      'bad-response',
      `${where}: GET ${url.pathname} did not answer an ApplicationList (no items array)\nfix: check that the URL points at argocd-server itself, not at its UI or a proxy login page`,
      status,
    );
  }
  return (items ?? []) as ArgoApplication[];
}

/** The Applications, or why Argo CD could not be asked (unreachable, token refused): drift reports a skipped section then. */
export async function readArgoCdState(connection: ArgoCdConnection): Promise<{ applications: ArgoApplication[] } | { unreachable: string }> {
  try {
    return { applications: await readArgoCdApplications(connection) };
  } catch (err) {
    if (err instanceof ArgoCdApiError) return { unreachable: err.message };
    throw err;
  }
}

function applicationsUrl({ url, selector, projects }: ArgoCdConnection): URL {
  const base = new URL(url.endsWith('/') ? url : `${url}/`);
  const target = new URL('api/v1/applications', base);
  target.searchParams.set('selector', selector ?? MANAGED_SELECTOR);
  for (const project of projects ?? []) target.searchParams.append('projects', project);
  return target;
}

/** `{"error","code","message"}` is how argocd-server (grpc-gateway) writes errors. */
function argoMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim().split('\n')[0];
  const b = body as { message?: unknown; error?: unknown } | undefined;
  return typeof b?.message === 'string' ? b.message : typeof b?.error === 'string' ? b.error : undefined;
}

function getJson(url: URL, connection: ArgoCdConnection): Promise<{ status: number; body: unknown }> {
  const headers = { Authorization: `Bearer ${connection.token}`, Accept: 'application/json' };
  const timeout = connection.timeoutMs ?? 15_000;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const tls = url.protocol === 'https:' ? { rejectUnauthorized: connection.insecure !== true, ...(connection.ca ? { ca: connection.ca } : {}) } : {};
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'GET', headers, timeout, ...tls }, (res) => readBody(res).then(resolve, reject));
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms`)));
    req.on('error', (err) => reject(unreachable(connection, err)));
    req.end();
  });
}

async function readBody(res: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const status = res.statusCode ?? 0;
  try {
    return { status, body: text ? JSON.parse(text) : undefined };
  } catch {
    return { status, body: text };
  }
}

function unreachable(connection: ArgoCdConnection, err: Error): ArgoCdApiError {
  const code = (err as NodeJS.ErrnoException).code;
  const tlsProblem = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code ?? '');
  const fix = tlsProblem
    ? "pass --argocd-ca FILE, the PEM of the CA that signed argocd-server's certificate"
    : "check the Argo CD URL (argocd-server's address, reachable from here: port-forward, ingress or VPN)";
  return new ArgoCdApiError('unreachable', `cannot reach Argo CD at ${connection.url}: ${code ? `${code}: ` : ''}${err.message}\nfix: ${fix}`, undefined, {
    cause: err,
  });
}
