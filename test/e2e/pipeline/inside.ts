import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { serveConnectProxy } from './connect-proxy.ts';
import { SERVICE_ACCOUNT_DIR } from './sandbox.ts';
import type { ConnectRequest, ConnectResponse, InsideSetup, StartRequest, FetchRequest } from './protocol.ts';

/**
 * The fire drill's network namespace, from the inside (started by namespace.ts under
 * `unshare --net --mount`; root there, nothing here reaches the machine's own network, hosts file or mounts):
 * - every 10.0.0.0/8 address is local, so each process listens on its pod's or node's synced address;
 * - /etc/hosts names the receivers (smtp.example.com, hooks.slack.com), /run holds the pod's service account;
 * - Services' addresses forward to their endpoints (kube-proxy's part), the `kubernetes` Service's through a
 *   Unix socket to the cluster's API server;
 * - the cluster's API server dials pods and Services from in here, through its egress socket (HTTP CONNECT);
 * - an HTTP API on a Unix socket lets the drill start and stop processes and fetch URLs from in here.
 * It ends, with every process it started, when its stdin closes (the drill ended, however it ended).
 */
const setup = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as InsideSetup;
const children = new Map<string, ChildProcess>();

execFileSync('ip', ['link', 'set', 'lo', 'up']);
execFileSync('ip', ['route', 'add', 'local', '10.0.0.0/8', 'dev', 'lo']);
// A private /run (unshare made mounts private): the kubelet's projected token lives at a fixed path client-go reads.
execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', '/run']);
mkdirSync(SERVICE_ACCOUNT_DIR, { recursive: true });
for (const [key, text] of Object.entries(setup.serviceAccount)) writeFileSync(join(SERVICE_ACCOUNT_DIR, key), text);
writeFileSync(setup.hostsFile, ['127.0.0.1 localhost', ...setup.hosts.map((line) => line.join(' ')), ''].join('\n'));
execFileSync('mount', ['--bind', setup.hostsFile, '/etc/hosts']);

// kube-proxy's part: each Service's address forwards to an endpoint; the API server's, out through a Unix socket.
for (const forward of setup.forwards) {
  const relay = createServer((socket) => {
    const upstream = 'socket' in forward.to ? connect(forward.to.socket) : connect(forward.to.port, forward.to.host);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  relay.listen(forward.port, forward.host);
}

if (setup.egressSocket) serveConnectProxy(setup.egressSocket);

const control = createHttpServer(async (req, res) => {
  try {
    const body = await readBody(req);
    const result = await handle(req.method ?? 'GET', req.url ?? '/', body);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? {}));
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(err instanceof Error ? err.message : String(err));
  }
});
rmSync(setup.controlSocket, { force: true });
control.listen(setup.controlSocket, () => console.log('ready'));

async function handle(method: string, url: string, body: unknown): Promise<unknown> {
  if (method === 'POST' && url === '/start') return start(body as StartRequest);
  if (method === 'POST' && url === '/stop') return stop((body as { name: string }).name);
  if (method === 'POST' && url === '/fetch') return fetchInside(body as FetchRequest);
  if (method === 'POST' && url === '/connect') return connectInside(body as ConnectRequest);
  if (method === 'GET' && url === '/processes') return [...children].map(([name, c]) => ({ name, pid: c.pid, exit: c.exitCode ?? c.signalCode ?? undefined }));
  throw new Error(`no such call: ${method} ${url}`);
}

function start(request: StartRequest): { pid: number } {
  const running = children.get(request.name);
  if (running && running.exitCode === null && running.signalCode === null) throw new Error(`${request.name} is already running`);
  const log = openSync(request.logFile, 'a');
  const child = spawn(request.file, request.args, { detached: true, stdio: ['ignore', log, log], env: { ...process.env, ...request.env } });
  children.set(request.name, child);
  return { pid: child.pid ?? 0 };
}

async function stop(name: string): Promise<{ stopped: boolean }> {
  const child = children.get(name);
  if (!child || child.exitCode !== null || child.signalCode !== null) return { stopped: false };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
  return { stopped: true };
}

async function fetchInside(request: FetchRequest): Promise<{ status: number; body: string; headers: Record<string, string> }> {
  const response = await fetch(request.url, {
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(15_000),
  }).catch((err: Error) => {
    // fetch says only "fetch failed"; why (ECONNREFUSED, a timeout) is its cause.
    const cause = (err.cause as Error | undefined)?.message;
    throw new Error(`${request.method ?? 'GET'} ${request.url}: ${err.message}${cause ? ` (${cause})` : ''}`);
  });
  return { status: response.status, body: await response.text(), headers: Object.fromEntries(response.headers) };
}

/** Opens a TCP connection and closes it at once, as the kubelet's tcpSocket probe does. */
function connectInside(request: ConnectRequest): Promise<ConnectResponse> {
  return new Promise((resolve) => {
    const socket = connect({ host: request.host, port: request.port, timeout: request.timeoutMs ?? 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ connected: true });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ connected: false, error: `no connection within ${request.timeoutMs ?? 1000} ms` });
    });
    socket.once('error', (err) => resolve({ connected: false, error: err.message }));
  });
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

function killAll(): void {
  for (const child of children.values()) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

const end = (why: string) => {
  console.error(`namespace: ${why}; stopping ${children.size} processes`);
  killAll();
  // Gone, not merely unanswered: the API server's next proxied request fails with "no such file" at once.
  if (setup.egressSocket) rmSync(setup.egressSocket, { force: true });
  process.exit(0);
};
process.stdin.resume();
process.stdin.on('end', () => end('the drill closed its end'));
process.on('SIGTERM', () => end('SIGTERM'));
process.on('uncaughtException', (err) => end(`uncaught: ${err.stack ?? err}`));
