import type { K8sObject } from '../../../scripts/lib/k8s.ts';
import type { Forward } from './protocol.ts';

type Port = { name?: string; port?: number; protocol?: string };
type Service = K8sObject & { spec?: { clusterIP?: string; ports?: Port[] } };
type Slice = K8sObject & { ports?: Port[]; endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] };

/** What cluster DNS and kube-proxy give the pods of a namespace, for the drill's network namespace. */
export interface ClusterNetwork {
  /** /etc/hosts lines: a Service's ClusterIP (a headless Service's first endpoint) and its DNS names. */
  hosts: string[][];
  /** ClusterIP:port → the first ready endpoint behind it (kube-proxy picks one; the drill runs one of each). */
  forwards: Forward[];
}

/**
 * Pure. Every Service of the given ones, by its DNS names (`name`, as the namespace's search path resolves
 * it, then `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local`), reaches the ready endpoints of its
 * EndpointSlices; a Service without one gets its name but no forward (connection refused, as kube-proxy).
 */
export function clusterNetwork(namespace: string, services: K8sObject[], slices: K8sObject[]): ClusterNetwork {
  const hosts: string[][] = [];
  const forwards: Forward[] = [];
  for (const service of services as Service[]) {
    const name = service.metadata?.name ?? '';
    const ns = service.metadata?.namespace ?? namespace;
    const names = [...(ns === namespace ? [name] : []), `${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];
    const mine = (slices as Slice[]).filter(
      (s) => (s.metadata?.labels as Record<string, string> | undefined)?.['kubernetes.io/service-name'] === name && (s.metadata?.namespace ?? namespace) === ns,
    );
    const endpoint = (portName: string) =>
      mine.flatMap((s) => {
        const port = s.ports?.find((p) => (p.name ?? '') === portName)?.port;
        const ready = (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses);
        return port === undefined ? [] : ready.map((host) => ({ host, port }));
      })[0];
    const clusterIP = service.spec?.clusterIP;
    if (!clusterIP || clusterIP === 'None') {
      const first = mine.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses))[0];
      if (first) hosts.push([first, ...names]);
      continue;
    }
    hosts.push([clusterIP, ...names]);
    for (const port of service.spec?.ports ?? []) {
      if ((port.protocol ?? 'TCP') !== 'TCP' || port.port === undefined) continue;
      const to = endpoint(port.name ?? '');
      if (to) forwards.push({ host: clusterIP, port: port.port, to });
    }
  }
  return { hosts, forwards };
}
