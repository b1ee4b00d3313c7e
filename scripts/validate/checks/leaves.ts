import type { Finding } from '../../lib/findings.ts';
import { positionOf, parseYamlSource } from '../../lib/yaml.ts';
import { clusterResources } from '../../generate/cluster-apps.ts';
import { pathMatch } from '../../lib/path-match.ts';
import { ensureCatalog } from '../../catalog/build.ts';
import { crdScopes } from '../../catalog/scopes.ts';
import { groupOf, resourceName } from '../../lib/k8s.ts';
import type { Check } from '../types.ts';

/** Every leaf renders; a pin to a version its repository lacks is reported at the pin. */
export const renderCheck: Check = {
  name: 'render',
  title: 'Leaves render (kustomize build --enable-helm with the pinned helm)',
  scope: 'leaf',
  async run(ctx) {
    return ctx.rendered.flatMap((r): Finding[] => {
      const scope = { check: 'render', cluster: r.leaf.cluster.name, app: r.leaf.app };
      if (r.chartMissing) {
        const file = `overlays/${r.leaf.cluster.environment}/pins.yaml`;
        const text = ctx.sources.get(file);
        const pos = text ? positionOf(parseYamlSource(file, text).source, [r.leaf.app, 'version']) : {};
        return [
          {
            ...scope,
            file,
            ...pos,
            message: r.error!,
            hint: `pin a version the repository has (helm search repo ${r.leaf.pin.chart} --versions), or check the repository URL and the mirror map`,
          },
        ];
      }
      if (r.error)
        return [
          {
            ...scope,
            file: `${r.leaf.dir}/kustomization.yaml`,
            message: `kustomize build failed:\n${r.error}`,
            hint: 'the chart rejected the merged values (see the message); fix the values layer that sets them',
          },
        ];
      if (!r.objects.length)
        return [
          {
            ...scope,
            file: `${r.leaf.dir}/kustomization.yaml`,
            message: 'rendered zero resources',
            hint: 'check that the chart and its enabled flags produce something',
          },
        ];
      return [];
    });
  },
};

/** What a leaf renders must fit its AppProject, or Argo CD refuses to sync it. */
export const projectCheck: Check = {
  name: 'project',
  title: "Rendered resources fit the cluster's AppProject",
  scope: 'leaf',
  async run(ctx) {
    const crds = crdScopes(ctx.rendered.flatMap((r) => r.objects));
    const findings: Finding[] = [];
    for (const r of ctx.rendered) {
      const catalog = await ensureCatalog(r.leaf.cluster.kubernetesVersion);
      const ns = r.leaf.cluster.destination.namespace;
      const allowed = clusterResources(r.leaf.cluster);
      const scope = { check: 'project', cluster: r.leaf.cluster.name, app: r.leaf.app, file: `${r.leaf.dir}/kustomization.yaml` };
      for (const o of r.objects) {
        const key = `${o.apiVersion}/${o.kind}`;
        // A CRD the chart renders describes what gets installed; the pinned ones (External Secrets, Gateway API…) what clusters have.
        const kindScope = catalog.scopes[key] ?? crds[key] ?? catalog.crdScopes[key];
        const name = o.metadata?.name ?? '';
        const fits = (e: (typeof allowed)[number]) =>
          pathMatch(e.group, groupOf(o)) && pathMatch(e.kind, o.kind ?? '') && (e.name === undefined || pathMatch(e.name, name));
        if (kindScope === 'Cluster' && !allowed.some(fits)) {
          const sameKind = allowed.filter((e) => e.kind === o.kind && e.group === groupOf(o)).map((e) => e.name ?? '*');
          findings.push({
            ...scope,
            resource: resourceName(o),
            message: sameKind.length
              ? `cluster-scoped ${o.kind} '${name}' is outside the names the AppProject allows for that kind (${sameKind.join(', ')}); Argo CD would refuse to sync it`
              : `cluster-scoped ${o.kind} is not in the AppProject's clusterResourceWhitelist; Argo CD would refuse to sync it`,
            hint: sameKind.length
              ? "keep the chart's release-derived names (no fullnameOverride or nameOverride that leaves them), or extend the app's clusterResources in app-catalog.yaml after review"
              : "disable what creates it in the values, or extend the app's clusterResources in app-catalog.yaml after review",
          });
        } else if (kindScope !== 'Cluster' && o.metadata?.namespace && o.metadata.namespace !== ns) {
          findings.push({
            ...scope,
            resource: resourceName(o),
            message: `namespace '${o.metadata.namespace}' is outside the destination namespace '${ns}' the AppProject allows`,
            hint: 'keep every namespaced resource in the release namespace',
          });
        }
      }
    }
    return findings;
  },
};
