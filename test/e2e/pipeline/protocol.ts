import type { ServiceAccountFiles } from './sandbox.ts';

/** What namespace.ts tells inside.ts (a JSON file named by its argument). */
export interface InsideSetup {
  /** Unix socket of the control API inside.ts serves. */
  controlSocket: string;
  /** TCP listeners in the namespace and where each connection goes: kube-proxy's part, and the API server. */
  forwards: Forward[];
  /** Lines of the namespace's /etc/hosts: an address and its names. */
  hosts: string[][];
  /** Where inside.ts writes that file before binding it over /etc/hosts. */
  hostsFile: string;
  serviceAccount: ServiceAccountFiles;
  /** Where to serve the cluster API server's `cluster` egress (HTTP CONNECT, dialed from in here); none when absent. */
  egressSocket?: string;
}

/** A listener forwarding every connection to an address in the namespace, or to a Unix socket (which reaches out of it). */
export interface Forward {
  host: string;
  port: number;
  to: { host: string; port: number } | { socket: string };
}

/** POST /start: a process in the namespace, in a process group of its own. */
export interface StartRequest {
  name: string;
  file: string;
  args: string[];
  env?: Record<string, string>;
  logFile: string;
}

/** POST /fetch: an HTTP request made from inside the namespace. */
export interface FetchRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** POST /connect: a TCP connection opened from inside the namespace, then closed (a kubelet's tcpSocket probe). */
export interface ConnectRequest {
  host: string;
  port: number;
  timeoutMs?: number;
}

export interface ConnectResponse {
  connected: boolean;
  /** Why not (ECONNREFUSED…). */
  error?: string;
}

export interface FetchResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}
