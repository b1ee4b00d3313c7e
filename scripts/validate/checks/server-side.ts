import { installCrdSourcesFor, waitForCrds } from '../../cluster/crds.ts';
import { KubeApiError, KubeClient, type KubeObject } from '../../cluster/client.ts';
import { EnvironmentError } from '../../lib/errors.ts';
import type { Finding } from '../../lib/findings.ts';
import { parseObjects } from '../../render/render.ts';
import { resourceName, type K8sObject } from '../../lib/k8s.ts';
import type { Check, ValidateContext } from '../types.ts';

/** Where server-side validation runs: the local control plane (CRDs installed first) or the user's cluster. */
export interface ServerSideTarget {
  kubeconfig: string;
  /** Install the pinned CRDs the objects use (Argo CD's, External Secrets', Gateway API's) and the charts' CRDs first (the local control plane; never a real cluster). */
  installCrds: boolean;
  /** What findings call it: "the local control plane (Kubernetes v1.34.2)" or "cluster <context>". */
  label: string;
}

interface Candidate {
  object: K8sObject;
  cluster: string;
  app?: string;
  file: string;
}

/** Every object to dry-run: the rendered manifests and the clusters' Argo CD objects, CRDs first. */
function candidates(ctx: ValidateContext): Candidate[] {
  const rendered = ctx.rendered.flatMap((r) =>
    r.objects.map((object) => ({ object, cluster: r.leaf.cluster.name, app: r.leaf.app, file: `${r.leaf.dir}/kustomization.yaml` })),
  );
  const clusters = new Set(ctx.rendered.map((r) => r.leaf.cluster.name));
  const argo = ctx.plan
    .filter((f) => f.path.startsWith('apps/') && clusters.has(f.path.split('/')[1]!))
    .flatMap((f) => parseObjects(f.content).map((object) => ({ object, cluster: f.path.split('/')[1]!, file: f.path })));
  return [...rendered, ...argo].sort((a, b) => Number(b.object.kind === 'CustomResourceDefinition') - Number(a.object.kind === 'CustomResourceDefinition'));
}

/** The API server's answer as a finding, or nothing when it accepted the object. */
async function dryRun(client: KubeClient, c: Candidate, where: string): Promise<Finding | undefined> {
  try {
    await client.apply(c.object as KubeObject, { dryRun: true, force: true });
    return undefined;
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    // On a real cluster the namespace may not exist yet: Argo CD creates it (CreateNamespace=true).
    if (err.code === 404 && /namespaces? "[^"]+" not found/.test(err.apiMessage)) return undefined;
    // A wrong field type makes server-side apply fail with 500 "failed to create typed patch object": content, not the server.
    if (err.code >= 500 && !/typed patch object/.test(err.apiMessage)) throw new EnvironmentError(`${where} failed: ${err.message}`, { cause: err });
    return {
      check: 'server-side',
      cluster: c.cluster,
      app: c.app,
      file: c.file,
      resource: resourceName(c.object),
      message: `${where} rejects ${c.object.apiVersion} ${c.object.kind}: ${err.reason ?? err.code}: ${err.describeCauses().join('; ')}`,
      hint: 'fix the values (or the inventory) that produce this object; the API server checks defaults, CRD schemas and admission that kubeconform cannot',
    };
  }
}

/** Server-side apply dry-run (dryRun=All) of every object into a real API server. */
export function serverSideCheck(target: ServerSideTarget): Check {
  return {
    name: 'server-side',
    title: `Server-side apply dry-run on ${target.label}`,
    scope: 'leaf',
    live: true,
    async run(ctx) {
      const client = await KubeClient.fromKubeconfig(target.kubeconfig);
      try {
        const all = candidates(ctx);
        if (target.installCrds) {
          const objects = all.map((c) => c.object);
          await installCrdSourcesFor(client, objects);
          const crds = all.filter((c) => c.object.kind === 'CustomResourceDefinition').map((c) => c.object as KubeObject);
          for (const crd of crds) await client.apply(crd, { force: true });
          if (crds.length) await waitForCrds(client, crds as never);
          // Namespaces must exist for namespaced dry-runs; on the local control plane creating them is harmless.
          for (const ns of new Set(all.map((c) => c.object.metadata?.namespace).filter((n): n is string => !!n))) await client.ensureNamespace(ns);
        }
        const findings: Finding[] = [];
        for (const c of all) {
          const finding = await dryRun(client, c, target.label);
          if (finding) findings.push(finding);
        }
        return findings;
      } finally {
        client.close();
      }
    },
  };
}
