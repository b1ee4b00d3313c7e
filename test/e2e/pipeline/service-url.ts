import type { K8sObject } from '../../../scripts/lib/k8s.ts';

type Port = { name?: string; port?: number; protocol?: string };
type Service = K8sObject & { spec?: { ports?: Port[] } };
type Slice = K8sObject & { ports?: Port[]; endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] };

/**
 * A URL a pod of `namespace` opens, resolved as cluster DNS and kube-proxy would: the host names a
 * Service (`name`, `name.ns`, `name.ns.svc[.cluster.local]`), the port one of its ports, and the
 * Service's EndpointSlices give the ready pod addresses behind it. Pure.
 */
export function resolveServiceUrl(
  url: string,
  namespace: string,
  services: K8sObject[],
  slices: K8sObject[],
): { url: string; addresses: string[] } | { problem: string } {
  const parsed = new URL(url);
  const [name, ns = namespace, svc] = parsed.hostname.split('.');
  if (svc !== undefined && svc !== 'svc') return { problem: `${parsed.hostname} is not a Service name of the cluster` };
  const service = (services as Service[]).find((s) => s.metadata?.name === name && (s.metadata?.namespace ?? namespace) === ns);
  if (!service) return { problem: `no Service ${ns}/${name}` };
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const servicePort = service.spec?.ports?.find((p) => p.port === port);
  if (!servicePort) return { problem: `Service ${ns}/${name} has no port ${port} (it has ${service.spec?.ports?.map((p) => p.port).join(', ')})` };
  const addresses = (slices as Slice[])
    .filter((s) => (s.metadata?.labels as Record<string, string> | undefined)?.['kubernetes.io/service-name'] === name)
    .flatMap((s) => {
      const target = s.ports?.find((p) => (p.name ?? '') === (servicePort.name ?? ''))?.port;
      if (target === undefined) return [];
      return (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses.map((a) => `${a}:${target}`));
    });
  if (!addresses.length) return { problem: `Service ${ns}/${name} port ${port} has no ready endpoint in its EndpointSlices` };
  return { url: `${parsed.protocol}//${addresses[0]}${parsed.pathname.replace(/\/$/, '')}`, addresses };
}
