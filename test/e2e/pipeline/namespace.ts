import { spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import type { ConnectRequest, ConnectResponse, FetchRequest, FetchResponse, Forward, InsideSetup, StartRequest } from './protocol.ts';

/** The fire drill's network and mount namespace, driven from outside through its control socket. */
export interface DrillNamespace {
  start(request: StartRequest): Promise<void>;
  /** Stops a process it started (SIGTERM to its group); false when it was not running. */
  stop(name: string): Promise<boolean>;
  /** An HTTP request made from inside (where the pods' and nodes' addresses are). */
  fetch(request: FetchRequest | string): Promise<FetchResponse>;
  /** A TCP connection opened from inside and closed again (a tcpSocket probe). */
  connect(request: ConnectRequest): Promise<ConnectResponse>;
  processes(): Promise<{ name: string; pid: number; exit?: number | string }[]>;
  /** Ends everything in the namespace; the namespace goes with its last process. */
  close(): Promise<void>;
}

export interface NamespaceOptions {
  /** The run's folder: sockets, the hosts file, logs. */
  dir: string;
  /** Where the cluster's API server listens on this machine. */
  apiServer: { host: string; port: number };
  /** The `kubernetes` Service's ClusterIP and port, which pods use (KUBERNETES_SERVICE_HOST/PORT). */
  kubernetesService: { host: string; port: number };
  /** The namespace's other listeners (Services, a pod's own ports on localhost). */
  forwards: Forward[];
  hosts: string[][];
  serviceAccount: InsideSetup['serviceAccount'];
  /** The cluster's ControlPlane.egressSocket: served from inside (and removed as it closes), so the API server's service proxy reaches pod addresses. */
  egressSocket?: string;
}

const INSIDE = new URL('./inside.ts', import.meta.url).pathname;
const PROJECT = new URL('../../..', import.meta.url).pathname;

/**
 * Starts inside.ts under `unshare --net --mount` (a namespace of the run's own: the machine's network,
 * hosts file and mounts stay untouched) and serves the API server to it through a Unix socket, which
 * crosses network namespaces where no TCP connection can.
 */
export async function openNamespace(options: NamespaceOptions): Promise<DrillNamespace> {
  const apiSocket = join(options.dir, 'apiserver.sock');
  const relay = createServer((socket) => {
    const upstream = connect(options.apiServer.port, options.apiServer.host);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(apiSocket, resolve));
  const setup: InsideSetup = {
    controlSocket: join(options.dir, 'control.sock'),
    forwards: [{ ...options.kubernetesService, to: { socket: apiSocket } }, ...options.forwards],
    hosts: options.hosts,
    hostsFile: join(options.dir, 'hosts'),
    serviceAccount: options.serviceAccount,
    egressSocket: options.egressSocket,
  };
  const setupFile = join(options.dir, 'inside.json');
  writeFileSync(setupFile, JSON.stringify(setup));
  // Own process group: a terminal's Ctrl-C reaches this process, which closes the pipe; inside.ts then stops all.
  // Root makes the namespaces directly; anyone else through a user namespace of their own, root only in there.
  const user = process.getuid?.() === 0 ? [] : ['--user', '--map-root-user'];
  const child = spawn('unshare', [...user, '--net', '--mount', '--fork', '--kill-child=SIGTERM', process.execPath, '--import', 'tsx', INSIDE, setupFile], {
    cwd: PROJECT,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  // Everything inside.ts says, kept with the processes' logs (its own failures show there).
  const log = createWriteStream(join(options.dir, 'namespace.log'));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      output += chunk.toString();
      if (output.includes('ready')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`the drill's namespace ended (exit ${code}) before it was ready:\n${output.trim()}`)));
  });
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();

  const call = <T>(method: string, path: string, body?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const req = request({ socketPath: setup.controlSocket, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode === 200) resolve(JSON.parse(text) as T);
          else reject(new Error(`${method} ${path} in the drill's namespace: ${text}`));
        });
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  let closing: Promise<void> | undefined;
  return {
    start: async (r) => void (await call('POST', '/start', r)),
    stop: async (name) => (await call<{ stopped: boolean }>('POST', '/stop', { name })).stopped,
    fetch: (r) => call<FetchResponse>('POST', '/fetch', typeof r === 'string' ? { url: r } : r),
    connect: (r) => call<ConnectResponse>('POST', '/connect', r),
    processes: () => call('GET', '/processes'),
    close: () =>
      (closing ??= (async () => {
        child.stdin!.end();
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
        if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
        relay.close();
        log.end();
      })()),
  };
}
