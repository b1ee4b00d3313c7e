import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * An HTTP CONNECT proxy on a Unix socket: kube-apiserver's `cluster` egress (scripts/cluster/egress.ts) asks
 * it for each dial of a pod or Service (`CONNECT 10.244.0.5:9093 HTTP/1.1`), and it dials from the network
 * namespace it runs in. 200 then both ways piped; 502 when the dial fails, which kube-apiserver reports in the
 * proxied request's error. A stale socket file at `path` is replaced.
 */
export function serveConnectProxy(path: string): Server {
  const server = createServer((_req, res) => res.writeHead(405, { allow: 'CONNECT' }).end('CONNECT only\n'));
  server.on('connect', tunnel);
  rmSync(path, { force: true });
  server.listen(path);
  return server;
}

function tunnel(req: IncomingMessage, client: Duplex, head: Buffer): void {
  const target = /^\[?([^[\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
  const upstream = target ? connect(Number(target[2]), target[1]) : undefined;
  client.on('error', () => upstream?.destroy());
  if (!upstream) return void client.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
  let connected = false;
  upstream.once('connect', () => {
    connected = true;
    // Nothing else until the target speaks: kube-apiserver refuses bytes buffered after this answer.
    client.write('HTTP/1.1 200 Connection established\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(client).pipe(upstream);
  });
  upstream.on('error', (err) => {
    // The reason phrase says why: kube-apiserver quotes the status line in its 503.
    if (!connected) client.end(`HTTP/1.1 502 Bad Gateway (${err.message.replace(/[\r\n]/g, ' ')})\r\ncontent-length: 0\r\n\r\n`);
    else client.destroy();
  });
}
