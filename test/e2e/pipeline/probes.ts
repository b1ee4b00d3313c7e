import { isMap } from '../../../scripts/lib/values.ts';

/** The kubelet's probes of a container, as requests the drill can make (pure). */
export type ProbeAction =
  | { kind: 'http'; url: string; headers: Record<string, string> }
  | { kind: 'tcp'; host: string; port: number }
  /** exec and grpc: the drill does not run them. */
  | { kind: 'unsupported'; what: string }
  /** What the kubelet itself would fail on (a port name the container does not declare). */
  | { kind: 'invalid'; problem: string };

type Json = Record<string, unknown>;

/** The probes the kubelet runs on a container, by the name the pod spec gives them. */
export const PROBES = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;

/**
 * What the kubelet does for `probe` of `container` in a pod at `podIP`: httpGet is a GET of
 * scheme://host:port/path (host defaulting to the pod's address, a named port resolved through the
 * container's ports) with `User-Agent: kube-probe/…` and `Accept: *\/*` unless its httpHeaders set them;
 * tcpSocket is a TCP connection to host:port.
 */
export function probeAction(probe: Json, container: Json, podIP: string): ProbeAction {
  const handler = isMap(probe.httpGet) ? probe.httpGet : isMap(probe.tcpSocket) ? probe.tcpSocket : undefined;
  if (!handler) return { kind: 'unsupported', what: Object.keys(probe).find((k) => ['exec', 'grpc'].includes(k)) ?? 'no handler' };
  const port = resolvePort(handler.port, container);
  if (typeof port === 'string') return { kind: 'invalid', problem: port };
  const host = typeof handler.host === 'string' && handler.host ? handler.host : podIP;
  if (isMap(probe.tcpSocket)) return { kind: 'tcp', host, port };
  const scheme = String(handler.scheme ?? 'HTTP').toLowerCase();
  const path = typeof handler.path === 'string' && handler.path ? handler.path : '/';
  // The kubelet's version follows kube-probe/; nothing here reads it.
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.35', accept: '*/*' };
  for (const h of Array.isArray(handler.httpHeaders) ? handler.httpHeaders.filter(isMap) : []) headers[String(h.name).toLowerCase()] = String(h.value ?? '');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { kind: 'http', url: `${scheme}://${hostPart}:${port}${path.startsWith('/') ? path : `/${path}`}`, headers };
}

/** A probe's port: a number, or the name of one of the container's ports (IntOrString). A string: why it resolves to none. */
function resolvePort(port: unknown, container: Json): number | string {
  if (typeof port === 'number') return port;
  const name = String(port ?? '');
  if (/^\d+$/.test(name)) return Number(name);
  const ports = Array.isArray(container.ports) ? container.ports.filter(isMap) : [];
  const found = ports.find((p) => p.name === name);
  return found && typeof found.containerPort === 'number'
    ? found.containerPort
    : `port ${name || '(none)'} is not among the container's ports (${ports.map((p) => `${p.name ?? ''}:${p.containerPort}`).join(', ') || 'none'})`;
}

/** The kubelet's verdict on an HTTP probe's answer: 200 to 399 succeed, anything else fails. */
export function httpProbeSucceeds(status: number): boolean {
  return status >= 200 && status < 400;
}

/** A probe's action in a finding: `httpGet http://10.244.0.7:9090/-/ready`, `tcpSocket 10.244.0.7:9090`. */
export function describeProbe(action: ProbeAction): string {
  if (action.kind === 'http') return `httpGet ${action.url}`;
  if (action.kind === 'tcp') return `tcpSocket ${action.host}:${action.port}`;
  return action.kind === 'unsupported' ? action.what : action.problem;
}
