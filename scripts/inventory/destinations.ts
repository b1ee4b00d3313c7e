import type { Finding } from '../lib/findings.ts';
import type { Cluster, Destination } from './types.ts';

/**
 * One spelling per Argo CD destination, so that two files cannot name one cluster differently:
 * Argo CD matches server URLs after the same clean-up (host case, default port, trailing slash).
 */
export function destinationKey(d: Destination): string {
  if (d.name !== undefined) return `name:${d.name}`;
  try {
    const url = new URL(d.server!);
    const path = url.pathname.replace(/\/+$/, '');
    return `server:${url.protocol}//${url.host.toLowerCase()}${path}`;
  } catch {
    return `server:${d.server!.toLowerCase().replace(/\/+$/, '')}`;
  }
}

/** Namespaces a monitoring AppProject must never be allowed into. */
const RESERVED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'default'];

/** destination.namespace must not widen the AppProject to the cluster's system or Argo CD namespaces. */
export function reservedNamespaceFinding(cluster: Cluster, at: () => { file: string; line?: number; column?: number }): Finding | undefined {
  const ns = cluster.destination.namespace;
  const why = RESERVED_NAMESPACES.includes(ns) ? 'a system namespace' : ns === cluster.argocd.namespace ? "Argo CD's own namespace" : undefined;
  if (!why) return undefined;
  return {
    ...at(),
    message: `destination.namespace '${ns}' is ${why}: the AppProject would let the monitoring Applications create and prune objects there`,
    hint: 'install the stack in a namespace of its own, such as monitoring',
  };
}
