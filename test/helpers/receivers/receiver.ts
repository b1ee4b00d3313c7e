import type { Server } from 'node:net';

/** A notification receiver the fire drill points Alertmanager at: where it listens and what reached it. */
export interface Receiver<D> {
  host: string;
  /** The port it listens on (the one asked for, or the one the system chose for port 0). */
  port: number;
  /** Everything recorded so far, oldest first (a copy). */
  deliveries(): D[];
  stop(): Promise<void>;
}

/** Where a receiver listens and the TLS certificate it presents (PEM text). */
export interface ListenOptions {
  host: string;
  port: number;
  tls: { cert: string; key: string };
}

/** Listens on host:port and resolves with the bound port; a busy or unreachable address rejects. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
