import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogFromOpenApi, crdSchemaLocation, ensureCatalog, writeCrdSchemas } from '../../catalog/build.ts';
import { KubeClient } from '../../cluster/client.ts';
import { countValidated, runKubeconform, type KubeconformResult } from '../../catalog/kubeconform.ts';
import type { Finding } from '../../lib/findings.ts';
import type { Cluster } from '../../inventory/types.ts';
import type { Check, ValidateContext } from '../types.ts';

/** A manifest file handed to kubeconform, and what it holds. */
interface Manifest {
  path: string;
  cluster: Cluster;
  app?: string;
  /** The repository file a finding points at. */
  source: string;
}

/** Writes the rendered leaves and the cluster's Argo CD objects as files kubeconform reads. */
function writeManifests(ctx: ValidateContext, dir: string): Manifest[] {
  mkdirSync(dir, { recursive: true });
  const manifests: Manifest[] = [];
  for (const r of ctx.rendered.filter((x) => x.yaml)) {
    const path = join(dir, `${r.leaf.cluster.name}__${r.leaf.app}.yaml`);
    writeFileSync(path, r.yaml!);
    manifests.push({ path, cluster: r.leaf.cluster, app: r.leaf.app, source: `${r.leaf.dir}/kustomization.yaml` });
  }
  const clusters = new Map(ctx.rendered.map((r) => [r.leaf.cluster.name, r.leaf.cluster]));
  for (const file of ctx.plan.filter((f) => f.path.startsWith('apps/'))) {
    const cluster = clusters.get(file.path.split('/')[1]!) ?? fleetRootCluster(file.path, clusters);
    if (!cluster) continue;
    const path = join(dir, file.path.replaceAll('/', '__'));
    writeFileSync(path, file.content);
    manifests.push({ path, cluster, source: file.path });
  }
  return manifests;
}

/** A fleet root (apps/fleet-<namespace>.yaml) is checked once, with the first selected cluster of its Argo CD namespace. */
function fleetRootCluster(path: string, clusters: Map<string, Cluster>): Cluster | undefined {
  const namespace = /^apps\/fleet-(.+)\.yaml$/.exec(path)?.[1];
  return namespace === undefined ? undefined : [...clusters.values()].find((c) => c.argocd.namespace === namespace);
}

/** A catalog from what an API server serves (its /openapi/v2, CRDs included), rebuilt only when that changes. */
async function clusterCatalog(kubeconfig: string) {
  const client = await KubeClient.fromKubeconfig(kubeconfig);
  try {
    const document = await client.openApiV2();
    const version = (await client.version()).gitVersion;
    return catalogFromOpenApi(document, `cluster-${version}`);
  } finally {
    client.close();
  }
}

/** JSON Schema speaks of oneOf branches; a person wants to hear that the type is wrong. */
function plainMessage(message: string): string {
  return message === 'oneOf failed, none matched' ? 'wrong type (none of the allowed types matches)' : message;
}

function toFinding(result: KubeconformResult, manifest: Manifest): Finding | undefined {
  const base = { check: 'kubeconform', cluster: manifest.cluster.name, app: manifest.app, file: manifest.source, resource: `${result.kind}/${result.name}` };
  const version = manifest.cluster.kubernetesVersion;
  switch (result.status) {
    case 'invalid':
      return {
        ...base,
        message: `invalid ${result.apiVersion} ${result.kind}: ${result.errors.map((e) => `${e.path || '/'}: ${plainMessage(e.message)}`).join('; ') || result.message}`,
        hint: 'fix the values that produce this field (kubeconform -strict rejects unknown fields and wrong types)',
      };
    case 'missing-schema':
      return {
        ...base,
        message: `${result.apiVersion} ${result.kind} is not served by Kubernetes ${version} (removed, not yet available, or an unknown CRD)`,
        hint: `use an API version Kubernetes ${version} serves, or list the kind under validation.skipKinds in fleet.yaml if it is a CRD installed elsewhere`,
      };
    case 'error':
      return { ...base, message: `kubeconform could not check it: ${result.message}` };
    default:
      return undefined;
  }
}

/** kubeconform -strict over every rendered manifest and Argo CD object, per Kubernetes version, against the local catalog. */
export const kubeconformCheck: Check = {
  name: 'kubeconform',
  title: 'Manifests against Kubernetes and CRD schemas (kubeconform -strict)',
  scope: 'leaf',
  async run(ctx) {
    const manifests = writeManifests(ctx, join(ctx.workDir, 'manifests'));
    const crdDir = join(ctx.workDir, 'crd-schemas');
    await writeCrdSchemas(
      ctx.rendered.flatMap((r) => r.objects),
      crdDir,
    );
    const findings: Finding[] = [];
    // One API server serves one set of schemas, whatever version each cluster runs: read it once.
    const fromCluster = ctx.schemasFromCluster ? await clusterCatalog(ctx.schemasFromCluster) : undefined;
    for (const version of [...new Set(manifests.map((m) => m.cluster.kubernetesVersion))].sort()) {
      const mine = manifests.filter((m) => m.cluster.kubernetesVersion === version);
      const catalog = fromCluster ?? (await ensureCatalog(version));
      const results = await runKubeconform({
        files: mine.map((m) => m.path),
        kubernetesVersion: version,
        schemaLocations: [...catalog.schemaLocations, crdSchemaLocation(crdDir)],
        skipKinds: ctx.inventory.fleet.validation?.skipKinds,
      });
      const byPath = new Map(mine.map((m) => [m.path, m]));
      for (const result of results) {
        const manifest = byPath.get(result.file);
        const finding = manifest && toFinding(result, manifest);
        if (finding) findings.push(finding);
      }
      if (countValidated(results) === 0)
        findings.push({
          check: 'kubeconform',
          file: 'clusters/',
          message: `kubeconform validated zero resources for Kubernetes ${version}`,
          hint: 'something rendered nothing or every kind was skipped; check the render findings',
        });
    }
    return findings;
  },
};
