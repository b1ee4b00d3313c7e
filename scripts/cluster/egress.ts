import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { toYaml } from '../lib/yaml.ts';

/** Where a control plane with `clusterEgress` sends its cluster traffic, and the file that says so. */
export interface ClusterEgress {
  /** kube-apiserver's `--egress-selector-config-file`. */
  configFile: string;
  /** The Unix socket kube-apiserver sends `CONNECT <ip>:<port> HTTP/1.1` to, once per dial; nothing listens until someone does. */
  socket: string;
}

/**
 * kube-apiserver's EgressSelectorConfiguration (k8s.io/apiserver/pkg/apis/apiserver/v1beta1, decoded strictly):
 * the `cluster` egress, and only it, goes through an HTTP CONNECT proxy on a Unix socket
 * (k8s.io/apiserver/pkg/server/egressselector). `controlplane` and `etcd` are absent, so they stay direct.
 *
 * What uses `cluster` in v1.34: the proxy subresources (services/proxy, pods/proxy, nodes/proxy), the kubelet
 * client (logs, exec, attach, port-forward), admission and CRD conversion webhooks addressed by `service`
 * (a `url` is `controlplane`), APIServices backed by a Service, and OIDC issuers that ask for it. Safe for the
 * simulated clusters: their kubelets are KWOK's (no kubelet server, node addresses nothing answers on), and
 * nothing there registers a Service-backed webhook or APIService (the External Secrets controller runs
 * without its webhook), so proxy requests are the only cluster traffic, and they could not reach a pod address
 * from this machine's network anyway.
 */
export function clusterEgressConfiguration(socket: string) {
  return {
    apiVersion: 'apiserver.k8s.io/v1beta1',
    kind: 'EgressSelectorConfiguration',
    egressSelections: [{ name: 'cluster', connection: { proxyProtocol: 'HTTPConnect', transport: { uds: { udsName: socket } } } }],
  };
}

/** Writes the configuration into the instance folder; the socket is `<dir>/cluster-egress.sock` (absolute: kube-apiserver dials it as given). */
export async function writeClusterEgress(dir: string): Promise<ClusterEgress> {
  const egress = { configFile: join(dir, 'egress-selector.yaml'), socket: join(resolve(dir), 'cluster-egress.sock') };
  await writeFile(egress.configFile, toYaml(clusterEgressConfiguration(egress.socket)));
  return egress;
}
