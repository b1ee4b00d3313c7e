import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, parseAllDocuments } from 'yaml';
import { downloadArgoCdModule } from '../tools/argocd-release.ts';
import { EnvironmentError } from '../lib/errors.ts';
import type { Progress } from '../tools/install.ts';
import { readToolPins } from '../tools/pins.ts';
import type { KubeClient, KubeObject } from './client.ts';

interface Crd extends KubeObject {
  spec: { group: string; names: { kind: string; plural: string }; versions: { name: string; served: boolean }[] };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/**
 * The CustomResourceDefinitions of the pinned Argo CD (`argocd` in tools/pins.json): the files
 * its `manifests/crds/kustomization.yaml` lists (Application, AppProject, ApplicationSet).
 */
async function readArgoCdCrds(): Promise<Crd[]> {
  const { module, version } = readToolPins().argocd;
  const dir = await downloadArgoCdModule(readToolPins().argocd, 'the Argo CD CRDs');
  const crdDir = join(dir, 'manifests/crds');
  const kustomization = parse(await readFile(join(crdDir, 'kustomization.yaml'), 'utf8')) as { resources?: string[] };
  const files = kustomization.resources ?? [];
  const docs = await Promise.all(
    files.map(async (f) => parseAllDocuments(await readFile(join(crdDir, f), 'utf8')).map((d) => d.toJS({ maxAliasCount: -1 }) as Crd)),
  );
  const crds = docs.flat().filter((d) => d?.kind === 'CustomResourceDefinition');
  if (crds.length < 3)
    throw new EnvironmentError(`${module}@${version}: manifests/crds holds ${crds.length} CRDs, expected Application, AppProject and ApplicationSet`);
  return crds;
}

/**
 * Installs the Argo CD CRDs with server-side apply (they are too big for client-side apply's annotation)
 * and waits until the server serves them; returns their names. Idempotent.
 */
export async function installArgoCdCrds(client: KubeClient, progress: Progress = () => {}, timeoutMs = 60_000): Promise<string[]> {
  const crds = await readArgoCdCrds();
  progress(`applying ${crds.length} Argo CD CRDs (${crds.map((c) => c.spec.names.kind).join(', ')})`);
  await Promise.all(crds.map((crd) => client.apply(crd, { force: true })));
  await waitForCrds(client, crds, timeoutMs);
  return crds.map((c) => c.metadata.name);
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
