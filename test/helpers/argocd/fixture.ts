import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { KubeClient, KubeObject } from '../../../scripts/cluster/client.ts';
import type { ArgoApplication } from '../../../scripts/argocd/types.ts';
import { PROJECT_ROOT } from '../repo.ts';

const APPLICATION = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' } as const;

/** The Application status as Argo CD's controller writes it (the parts tests set). */
export type ApplicationStatus = NonNullable<ArgoApplication['status']> & Record<string, unknown>;

/** The repository's generated Application `apps/<cluster>/children/<app>.yaml`, moved to `namespace`. */
export async function generatedApplication(cluster: string, app: string, namespace: string): Promise<KubeObject> {
  const object = parse(await readFile(join(PROJECT_ROOT, 'apps', cluster, 'children', `${app}.yaml`), 'utf8')) as KubeObject;
  if (object.kind !== 'Application') throw new Error(`apps/${cluster}/children/${app}.yaml is a ${object.kind}, not an Application`);
  return { ...object, metadata: { ...object.metadata, namespace } };
}

/** The repository's generated root Application of `cluster` (the Application of `apps/<cluster>/root.yaml`), moved to `namespace`. */
export async function generatedRoot(cluster: string, namespace: string): Promise<KubeObject> {
  const docs = parseAllDocuments(await readFile(join(PROJECT_ROOT, 'apps', cluster, 'root.yaml'), 'utf8')).map((d) => d.toJS() as KubeObject);
  const root = docs.find((o) => o.kind === 'Application');
  if (!root) throw new Error(`apps/${cluster}/root.yaml holds no Application`);
  return { ...root, metadata: { ...root.metadata, namespace } };
}

/**
 * Writes `status` the way the application controller does: read the object, replace its status, PUT
 * (the Application CRD has no status subresource, so KubeClient.updateStatus PUTs the whole object).
 */
export async function writeApplicationStatus(client: KubeClient, namespace: string, name: string, status: ApplicationStatus): Promise<KubeObject> {
  const current = await client.get({ ...APPLICATION, namespace, name });
  return client.updateStatus({ ...current, status });
}

/** The Application `name` as the API server stores it. */
export function readStoredApplication(client: KubeClient, namespace: string, name: string): Promise<KubeObject & { status?: ApplicationStatus }> {
  return client.get({ ...APPLICATION, namespace, name });
}
