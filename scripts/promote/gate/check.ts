import { appSpec, type AppName } from '../../inventory/app-catalog.ts';
import { readArrivals } from '../../inventory/arrivals.ts';
import { applicationName } from '../../inventory/names.ts';
import type { Cluster, Inventory } from '../../inventory/types.ts';
import { enabledApps } from '../../inventory/app-values.ts';
import { readArgoCdApplications, type ArgoCdConnection } from '../../argocd/api.ts';
import { git } from '../../lib/git.ts';
import { readBlockingAlerts, type AlertmanagerAccess } from './alertmanager.ts';
import { evaluateGate, type BlockingAlert, type GateEvidence, type GateSubject, type GateVerdict } from './evaluate.ts';
import type { PromotionGate } from '../../inventory/promotion-gate.ts';

/** Where the gate reads the running environment. */
export interface GateAccess {
  argocd?: ArgoCdConnection;
  /** Per cluster, a kubeconfig (its current context) whose API server proxies to the cluster's Alertmanager. */
  kubeconfigs: Record<string, string>;
  /** One kubeconfig with a context named after each cluster. */
  kubeconfigContexts?: string;
  /** Per cluster, Alertmanager's own URL (instead of the service proxy). */
  alertmanagers: Record<string, string>;
}

/** What one gate run needs to know of the repository. */
export interface GateScope {
  /** A checkout of the base branch at `baseCommit`. */
  dir: string;
  baseCommit: string;
  inventory: Inventory;
  from: string;
  apps: AppName[];
}

/** The Application of every moved app on every source cluster that runs it. */
export function gateSubjects(inventory: Inventory, from: string, apps: AppName[]): GateSubject[] {
  return sourceClusters(inventory, from).flatMap((cluster) =>
    enabledApps(cluster)
      .filter((app) => apps.includes(app))
      .map((app) => ({ cluster: cluster.name, app, namespace: cluster.argocd.namespace, name: applicationName(cluster, app) })),
  );
}

const sourceClusters = (inventory: Inventory, from: string) => inventory.clusters.filter((c) => c.environment === from);

/** The clusters' Alertmanagers (where an enabled app runs one), as the gate reaches them; absent: no way given. */
function alertmanagerAccess(cluster: Cluster, access: GateAccess): AlertmanagerAccess | undefined | 'none' {
  const spec = enabledApps(cluster)
    .map((app) => appSpec(app).alertmanager)
    .find(Boolean);
  if (!spec) return 'none';
  const url = access.alertmanagers[cluster.name];
  if (url) return { url };
  const proxy = { namespace: cluster.destination.namespace, service: spec.service, port: spec.port };
  if (access.kubeconfigs[cluster.name]) return { kubeconfig: access.kubeconfigs[cluster.name]!, ...proxy };
  if (access.kubeconfigContexts) return { kubeconfig: access.kubeconfigContexts, context: cluster.name, ...proxy };
  return undefined;
}

/** What the gate needs and was not given, as flags to pass; empty when it can run. */
export function missingAccess(gate: PromotionGate, scope: Pick<GateScope, 'inventory' | 'from'>, access: GateAccess): string[] {
  const missing: string[] = [];
  if (gate.requireHealthy && !access.argocd) missing.push('--argocd-url URL (and ARGOCD_TOKEN)');
  if (gate.blockingAlerts.length)
    for (const cluster of sourceClusters(scope.inventory, scope.from))
      if (alertmanagerAccess(cluster, access) === undefined) missing.push(`--kubeconfig ${cluster.name}=FILE or --alertmanager ${cluster.name}=URL`);
  return missing;
}

/** Reads what the gate needs of Argo CD, the Alertmanagers and git; unreachable systems throw (exit 2). */
export async function readGateEvidence(gate: PromotionGate, scope: GateScope, access: GateAccess): Promise<GateEvidence> {
  const evidence: GateEvidence = { pinnedRevisions: await pinnedRevisions(scope) };
  if (gate.requireHealthy) evidence.applications = await readArgoCdApplications(access.argocd!);
  if (gate.blockingAlerts.length) {
    evidence.alerts = new Map<string, BlockingAlert[]>();
    for (const cluster of sourceClusters(scope.inventory, scope.from)) {
      const reach = alertmanagerAccess(cluster, access);
      if (reach && reach !== 'none') evidence.alerts.set(cluster.name, await readBlockingAlerts(cluster.name, reach, gate.blockingAlerts));
    }
  }
  return evidence;
}

/** Reads Argo CD, the Alertmanagers and git for the gate, then evaluates it. Unreachable systems throw (exit 2). */
export async function checkGate(gate: PromotionGate, scope: GateScope, access: GateAccess, now: Date): Promise<GateVerdict> {
  const evidence = await readGateEvidence(gate, scope, access);
  return evaluateGate(gate, scope.from, gateSubjects(scope.inventory, scope.from, scope.apps), evidence, now);
}

/** Per app, the commit that brought its exact pin into the source environment and every base-branch commit after it. */
async function pinnedRevisions(scope: GateScope): Promise<GateEvidence['pinnedRevisions']> {
  const env = scope.inventory.environments.find((e) => e.name === scope.from);
  if (!env) return {};
  const arrivals = await readArrivals(scope.dir, scope.baseCommit, env, true);
  const result: GateEvidence['pinnedRevisions'] = {};
  for (const app of scope.apps) {
    const arrival = arrivals[app];
    if (!arrival) continue;
    const later = await git(scope.dir, ['rev-list', '--ancestry-path', `${arrival.commit}..${scope.baseCommit}`]);
    result[app] = { arrival, commits: new Set([arrival.commit, ...later.split('\n').filter(Boolean)]) };
  }
  return result;
}
