import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { KubeClient, KubeObject } from '../../scripts/cluster/client.ts';
import { argocdConfigMaps, argocdSecret, clusterSecret, driftToken, repositorySecret } from '../../scripts/fleet/argocd-config.ts';
import type { SimulatedFleet } from '../../scripts/fleet/fleet.ts';

const NAMESPACE = 'argocd';

/** What an Argo CD install has before the README's steps: its namespace, ConfigMaps and Secret, plus the drift account. */
export async function installArgoCdSettings(hub: KubeClient, fleetRoot: string): Promise<{ token: string }> {
  await hub.ensureNamespace(NAMESPACE);
  // README, Bootstrap step 2: the settings in bootstrap/argocd-cm.patch.yaml, merged into argocd-cm.
  const patch = parse(await readFile(join(fleetRoot, 'bootstrap', 'argocd-cm.patch.yaml'), 'utf8')) as { data: Record<string, string> };
  for (const object of argocdConfigMaps(NAMESPACE, patch.data)) await hub.apply(object, { force: true });
  const minted = driftToken();
  await hub.apply(argocdSecret(NAMESPACE, minted.secretKey, minted.tokenId, minted.issuedAt), { force: true });
  return { token: minted.token };
}

/**
 * README, Bootstrap steps 1 and 3: a cluster Secret per inventory destination (what `argocd cluster add`
 * writes), the repository, the Grafana admin Secret each cluster needs, then every root applied.
 */
export async function bootstrapFleet(fleet: SimulatedFleet, fleetRoot: string, repoURL: string): Promise<string[]> {
  const hub = fleet.hub.client;
  for (const [name, cluster] of fleet.workloads) {
    await hub.apply(clusterSecret(NAMESPACE, name, cluster.plane.server, cluster.plane.token, cluster.client.connection.ca), { force: true });
    await cluster.client.ensureNamespace('monitoring');
    await cluster.client.apply(grafanaAdminSecret(), { force: true });
  }
  await hub.apply(repositorySecret(NAMESPACE, 'monitoring-gitops', repoURL), { force: true });
  const roots: string[] = [];
  for (const name of fleet.workloads.keys()) {
    const text = await readFile(join(fleetRoot, 'apps', name, 'root.yaml'), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS() as KubeObject;
      await hub.apply(object, { force: true });
      if (object.kind === 'Application') roots.push(object.metadata.name);
    }
  }
  return roots;
}

/** The Secret base/grafana/values.yaml names (admin.existingSecret): created by hand on each cluster, never committed. */
function grafanaAdminSecret(): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'grafana-admin', namespace: 'monitoring' }, stringData: { 'admin-user': 'admin', 'admin-password': 'e2e-only' } };
}
