import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** Bare repositories under one folder, served read-only over smart HTTP on https://127.0.0.1:PORT. */
export interface GitServer {
  /** https://127.0.0.1:PORT: a repository `<root>/<name>.git` is `${url}/<name>.git`. */
  url: string;
  stop(): Promise<void>;
}

export interface GitServerOptions {
  /** The folder holding the bare repositories (GIT_PROJECT_ROOT). */
  root: string;
  /** PEM certificate and key valid for 127.0.0.1 (clients such as Argo CD are told to skip verification). */
  cert: string;
  key: string;
}

/** Starts `git http-backend` behind a small HTTPS server: what a Git host offers Argo CD, fetches only. */
export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const server = createServer({ cert: options.cert, key: options.key }, (req, res) => serveGit(options.root, req, res));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serveGit(root: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  // Pushes go through the local bare repository directly: the server never accepts one.
  if (url.pathname.endsWith('/git-receive-pack') || url.searchParams.get('service') === 'git-receive-pack') {
    res.writeHead(403).end('read-only\n');
    return;
  }
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
    GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
  };
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  req.pipe(child.stdin);
  child.stdin.on('error', () => {});
  let head = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = headerEnd(head);
    if (end < 0) return;
    headersSent = true;
    writeCgiHead(res, head.subarray(0, end.valueOf()).toString('latin1'));
    res.write(head.subarray(end + (head[end] === 13 ? 4 : 2)));
  });
  child.on('close', (code) => {
    if (!headersSent) res.writeHead(500).end(`git http-backend exited ${code}\n`);
    else res.end();
  });
}

/** Index of the blank line ending the CGI headers (CRLF or LF), -1 while not seen. */
function headerEnd(buffer: Buffer): number {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf;
  return lf;
}

function writeCgiHead(res: ServerResponse, text: string): void {
  let status = 200;
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
    else res.setHeader(name, value);
  }
  res.statusCode = status;
}
