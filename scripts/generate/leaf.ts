import { appCatalog, appSpec, type AppName } from '../inventory/app-catalog.ts';
import { contributingFolders } from '../inventory/app-values.ts';
import type { ChartPin, Cluster, Dashboard, Environment, Inventory } from '../inventory/types.ts';
import { toYaml, toYamlDocuments } from '../lib/yaml.ts';
import type { EmitMemo } from '../lib/yaml-emit.ts';
import { resolveRepository } from '../inventory/mirrors.ts';
import { KEEP_ON_PRUNE } from './argocd.ts';
import { EXTERNAL_SECRETS_FILE, externalSecretsOf, externalSecretsYaml, leafSecrets } from './external-secrets.ts';
import { withHeader } from './header.ts';
import type { FileWrite } from './plan-types.ts';
import { mergedValues } from './values.ts';

/** Folder of the self-contained Kustomize leaf of one cluster's app. */
export function leafPath(cluster: Cluster, app: AppName): string {
  return `overlays/${cluster.environment}/${cluster.name}/${app}`;
}

/**
 * kustomize's HelmChart entry: the exact pin, rendered for the cluster's Kubernetes version, fetched by
 * Argo CD's repo-server from the fleet's chart mirror when it names one for the pin's repository.
 */
export function helmChart(pin: ChartPin, cluster: Cluster, app: AppName, chartMirrors: Record<string, string> = {}) {
  // Release values reach the chart through values.yaml; the entry itself names only the chart.
  return {
    name: pin.chart,
    repo: resolveRepository(pin.repoURL, new Map(Object.entries(chartMirrors).map(([from, to]) => [from.replace(/\/+$/, ''), to.replace(/\/+$/, '')]))),
    version: pin.version,
    releaseName: appSpec(app).releaseName,
    namespace: cluster.destination.namespace,
    kubeVersion: cluster.kubernetesVersion,
    valuesFile: 'values.yaml',
    includeCRDs: true,
    // `helm template --skip-tests`: a chart's test Pods (Grafana's testFramework) are hooks no one runs here.
    skipTests: true,
  };
}

/**
 * Volumes outlive the Application: every PersistentVolumeClaim the chart renders (Prometheus TSDB,
 * Grafana) carries KEEP_ON_PRUNE, so disabling an app or renaming a cluster never deletes its data.
 * Claims from StatefulSet volumeClaimTemplates are the controller's, not Argo CD's: never pruned.
 */
const pvcRetentionPatch = {
  target: { kind: 'PersistentVolumeClaim' },
  patch: toYaml({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'any', annotations: KEEP_ON_PRUNE } }),
};

/** What the leaves of one plan share: the dashboards file (the same on every cluster) and the YAML of shared values subtrees. */
export interface SharedOutput {
  dashboardsYaml: () => string;
  emitted: EmitMemo;
}

/** The files of one leaf: kustomization.yaml, values.yaml and, for the app that shows dashboards (Grafana), the dashboards. */
export function planLeaf(inventory: Inventory, env: Environment, cluster: Cluster, app: AppName, shared: SharedOutput): FileWrite[] {
  const dir = leafPath(cluster, app);
  const pin = env.pins[app]!;
  const spec = appSpec(app);
  const hasDashboards = spec.dashboards !== undefined && inventory.base.dashboards.length > 0;
  const externalSecrets = externalSecretsOf(inventory, cluster);
  const secrets = externalSecrets ? leafSecrets(cluster, app) : [];
  const resources = [...(secrets.length ? [EXTERNAL_SECRETS_FILE] : []), ...(hasDashboards ? ['dashboards.yaml'] : [])];
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: cluster.destination.namespace,
    helmCharts: [helmChart(pin, cluster, app, inventory.fleet.chartMirrors)],
    patches: [pvcRetentionPatch],
    ...(resources.length ? { resources } : {}),
  };
  // fleet.yaml feeds a leaf when it names a chart mirror, schedules the leaf's environment or sets External Secrets.
  const fromFleet =
    Object.keys(inventory.fleet.chartMirrors ?? {}).length > 0 ||
    inventory.fleet.scheduling?.[env.name] !== undefined ||
    (secrets.length > 0 && cluster.externalSecrets === undefined);
  const sources = [cluster.file, `overlays/${env.name}`, spec.folder, ...contributingFolders(spec, cluster), ...(fromFleet ? ['fleet.yaml'] : [])];
  const files: FileWrite[] = [
    { path: `${dir}/kustomization.yaml`, content: withHeader(toYaml(kustomization), sources) },
    { path: `${dir}/values.yaml`, content: withHeader(toYaml(mergedValues(inventory, env, cluster, app), shared.emitted), sources) },
  ];
  if (secrets.length)
    files.push({ path: `${dir}/${EXTERNAL_SECRETS_FILE}`, content: withHeader(externalSecretsYaml(externalSecrets!, cluster, secrets), sources) });
  if (hasDashboards) files.push({ path: `${dir}/dashboards.yaml`, content: shared.dashboardsYaml() });
  return files;
}

/** Dashboards as ConfigMaps labelled for the dashboard sidecar of the app that shows them (app-catalog.yaml dashboards:); identical on every cluster. */
export function dashboardsFile(dashboards: Dashboard[]): string {
  const shows = appCatalog().apps.find((a) => a.dashboards);
  if (!shows?.dashboards) return '';
  const { configMapPrefix, labels } = shows.dashboards;
  const configMaps = [...dashboards]
    .sort((a, b) => a.uid.localeCompare(b.uid))
    .map((d) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${configMapPrefix}${d.uid.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`, labels: { ...labels } },
      data: { [`${d.uid}.json`]: `${JSON.stringify(d.model, null, 2)}\n` },
    }));
  return withHeader(toYamlDocuments(configMaps), [`${shows.folder}/dashboards`]);
}
