import { setTimeout as sleep } from 'node:timers/promises';
import { crdSource, crdSources, readCrdSource, sourceLabel } from '../tools/crd-sources.ts';
import { EnvironmentError } from '../lib/errors.ts';
import type { Progress } from '../tools/install.ts';
import type { KubeClient, KubeObject } from './client.ts';

interface Crd extends KubeObject {
  spec: { group: string; names: { kind: string; plural: string }; versions: { name: string; served: boolean }[] };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/**
 * Installs the CustomResourceDefinitions of a pinned CRD source (`argocd`, `externalSecrets`, `gatewayApi`:
 * tools/pins.json) with server-side apply (they are too big for client-side apply's annotation) and waits
 * until the server serves them; returns their names. Idempotent.
 */
export async function installCrdSource(client: KubeClient, name: string, progress: Progress = () => {}, timeoutMs = 60_000): Promise<string[]> {
  const source = crdSource(name);
  const crds = (await readCrdSource(source)) as unknown as Crd[];
  progress(`applying ${crds.length} CRDs of ${sourceLabel(source)} (${crds.map((c) => c.spec.names.kind).join(', ')})`);
  await Promise.all(crds.map((crd) => client.apply(crd, { force: true })));
  await waitForCrds(client, crds, timeoutMs);
  return crds.map((c) => c.metadata.name);
}

/** The CRDs of the pinned Argo CD (Application, AppProject, ApplicationSet); see {@link installCrdSource}. */
export function installArgoCdCrds(client: KubeClient, progress: Progress = () => {}, timeoutMs = 60_000): Promise<string[]> {
  return installCrdSource(client, 'argocd', progress, timeoutMs);
}

/**
 * Installs every pinned CRD source whose API groups `objects` use (Argo CD's for Applications, External
 * Secrets' for ExternalSecrets…), so that a dry-run of them meets the CRDs' schemas and validation rules;
 * returns the names of the sources installed.
 */
export async function installCrdSourcesFor(client: KubeClient, objects: { apiVersion?: unknown }[], progress: Progress = () => {}): Promise<string[]> {
  const groups = new Set(objects.map((o) => (typeof o.apiVersion === 'string' && o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '')));
  const installed: string[] = [];
  for (const source of crdSources()) {
    if (!(await readCrdSource(source)).some((crd) => groups.has(crd.spec.group))) continue;
    await installCrdSource(client, source.name, progress);
    installed.push(source.name);
  }
  return installed;
}

/** Waits until every CRD is Established and its kind appears in discovery (which lags a little behind). */
export async function waitForCrds(client: KubeClient, crds: Crd[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(crds);
  let why = '';
  while (pending.size) {
    for (const crd of [...pending]) {
      const reason = await notReady(client, crd);
      if (reason) why = `${crd.metadata.name}: ${reason}`;
      else pending.delete(crd);
    }
    if (!pending.size) return;
    if (Date.now() > deadline)
      throw new EnvironmentError(
        `CRDs not established within ${Math.round(timeoutMs / 1000)}s: ${[...pending].map((c) => c.metadata.name).join(', ')} (${why})`,
      );
    await sleep(100);
  }
}

async function notReady(client: KubeClient, crd: Crd): Promise<string | undefined> {
  const live = await client.get<Crd>({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: crd.metadata.name });
  const established = live.status?.conditions?.find((c) => c.type === 'Established');
  if (established?.status !== 'True') return `not Established${established?.message ? ` (${established.message})` : ''}`;
  for (const version of crd.spec.versions.filter((v) => v.served)) {
    if (!(await client.serves(`${crd.spec.group}/${version.name}`, crd.spec.names.kind))) return `${crd.spec.group}/${version.name} not in discovery yet`;
  }
  return undefined;
}
