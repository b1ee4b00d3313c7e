import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { KubeClient, KubeObject } from '../../scripts/cluster/client.ts';
import { argocdConfigMaps, argocdSecret, driftToken } from '../../scripts/fleet/argocd-config.ts';
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
 * The README's Bootstrap steps with the files it names: bootstrap/cluster-secret.yaml per inventory
 * destination, bootstrap/cluster-secrets.yaml on each cluster, bootstrap/repository.yaml (the e2e's Git
 * server has a self-signed certificate), then every root applied.
 */
export async function bootstrapFleet(fleet: SimulatedFleet, fleetRoot: string, repoURL: string): Promise<string[]> {
  const hub = fleet.hub.client;
  const template = (name: string, vars: Record<string, string>) => readTemplate(join(fleetRoot, 'bootstrap', name), vars);
  for (const [name, cluster] of fleet.workloads) {
    const CA_DATA = Buffer.from(cluster.client.connection.ca).toString('base64');
    for (const object of await template('cluster-secret.yaml', { NAME: name, SERVER: cluster.plane.server, TOKEN: cluster.plane.token, CA_DATA }))
      await hub.apply(object, { force: true });
    await cluster.client.ensureNamespace('monitoring');
    const secrets = await template('cluster-secrets.yaml', {
      GRAFANA_ADMIN_PASSWORD: 'e2e-only',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.example.com/e2e',
      SMTP_PASSWORD: 'e2e-only',
    });
    for (const object of secrets) await cluster.client.apply({ ...object, metadata: { ...object.metadata, namespace: 'monitoring' } }, { force: true });
  }
  for (const object of await template('repository.yaml', { URL: repoURL, USERNAME: '', PASSWORD: '', INSECURE: 'true' }))
    await hub.apply(object, { force: true });
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

/** A bootstrap/ file with its ${VAR}s filled as `envsubst` does (the README's commands), as objects. */
async function readTemplate(path: string, vars: Record<string, string>): Promise<KubeObject[]> {
  const text = (await readFile(path, 'utf8')).replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => vars[name] ?? '');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject)
    .filter(Boolean);
}
