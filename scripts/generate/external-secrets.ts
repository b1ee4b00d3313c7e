import { appSpec, type AppName } from '../inventory/app-catalog.ts';
import type { SecretSpec } from '../inventory/app-catalog-types.ts';
import { enabledApps } from '../inventory/app-values.ts';
import type { Cluster, ExternalSecrets, Inventory } from '../inventory/types.ts';
import { toYamlDocuments } from '../lib/yaml.ts';

export const EXTERNAL_SECRETS_FILE = 'external-secrets.yaml';

/** The cluster's External Secrets setting: its own (false: by hand), else fleet.yaml's. */
export function externalSecretsOf(inventory: Inventory, cluster: Cluster): ExternalSecrets | undefined {
  if (cluster.externalSecrets === false) return undefined;
  return cluster.externalSecrets ?? inventory.fleet.externalSecrets;
}

/** The Secrets whose ExternalSecret goes into this app's leaf: each in the first enabled app that reads it, in sync-wave order. */
export function leafSecrets(cluster: Cluster, app: AppName): SecretSpec[] {
  const enabled = enabledApps(cluster);
  return appSpec(app).secrets.filter((secret) => enabled.find((a) => appSpec(a).secrets.some((s) => s.name === secret.name)) === app);
}

/**
 * The property a Secret key is read from: the key without its file extension, because the providers read a
 * property as a path (gjson), where `web-config.yml` would mean `yml` inside `web-config`.
 */
export const remoteProperty = (key: string) => key.replace(/\.[^.]*$/, '');

/** The remote key a Secret is read from: its own, else <prefix>/<name>. */
export function remoteKey(settings: ExternalSecrets, cluster: Cluster, secret: string): string {
  const prefix = (settings.remoteKeyPrefix ?? 'monitoring/{cluster}').replaceAll('{cluster}', cluster.name);
  return settings.remoteKeys?.[secret] ?? `${prefix}/${secret}`;
}

/**
 * One ExternalSecret per Secret, at sync wave -1 so that Argo CD waits for the Secret (the ExternalSecret's Ready
 * condition) before the pods that mount it. Each reads the Secret's keys as properties of one remote JSON object, by
 * name: a key missing in the store fails the ExternalSecret (Ready=False, the Application Degraded) instead of
 * leaving a pod without a file.
 */
export function externalSecretsYaml(settings: ExternalSecrets, cluster: Cluster, secrets: SecretSpec[]): string {
  return toYamlDocuments(
    secrets.map((secret) => ({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: secret.name, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } },
      spec: {
        refreshInterval: settings.refreshInterval ?? '1h',
        secretStoreRef: { kind: settings.storeRef.kind, name: settings.storeRef.name },
        // Owner: the Secret goes with its ExternalSecret; Retain: a key deleted in the store keeps the last Secret.
        target: { name: secret.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        data: secret.keys.map((key) => ({ secretKey: key, remoteRef: { key: remoteKey(settings, cluster, secret.name), property: remoteProperty(key) } })),
      },
    })),
  );
}
