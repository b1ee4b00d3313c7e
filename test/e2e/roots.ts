import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../../scripts/cluster/client.ts';
import type { Progress } from '../../scripts/tools/install.ts';
import { runRemoveClusterBlock } from './bootstrap.ts';
import { commitChange, removeClusterFile } from './fleet-repo.ts';
import type { E2e } from './harness.ts';
import { waitFor } from './pipeline/api.ts';
import { listApplications, waitConverged } from './status.ts';

type Live = { apiVersion: string; kind: string; metadata: { name: string }; spec?: { source?: { targetRevision?: string } } };
const FLEET_ROOT = 'monitoring-fleet';

/**
 * The roots are GitOps too: a change to every root.yaml (fleet.yaml's targetRevision written as a full ref, which
 * changes no workload) reaches the hub with no kubectl; then a removed cluster file leaves that cluster's workloads
 * and volumes in place until the README's "Remove a cluster" block runs, which deletes the workloads and keeps the volumes.
 */
export async function roots(e2e: E2e, log: Progress): Promise<string> {
  const clusters = [...e2e.fleet.workloads.keys()];
  const gone = e2e.onboarded.cluster;
  const hub = e2e.fleet.hub.client;
  const ref = 'refs/heads/main';
  const changed = await commitChange(
    e2e.repo,
    'fleet.yaml',
    (t) => t.replace(/^targetRevision: main$/m, `targetRevision: ${ref}`),
    'roots: track main by its full ref',
  );
  // Every Application on the hub follows (earlier scenarios may have disabled an app: prune).
  const onHub = (await listApplications(e2e.argocd.url, e2e.token)).map((a) => a.name);
  await waitConverged(e2e.argocd.url, e2e.token, onHub, { revision: changed, timeoutMs: 240_000 });
  const stale: string[] = [];
  for (const name of [FLEET_ROOT, ...clusters.map((c) => `${c}-root`)]) {
    const live = await hub.get<Live>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd', name });
    if (live.spec?.source?.targetRevision !== ref) stale.push(`${name}: ${live.spec?.source?.targetRevision}`);
  }
  if (stale.length) throw new Error(`roots not updated from Git: ${stale.join(', ')}`);

  const cluster = e2e.fleet.workloads.get(gone)!.client;
  const before = await workloadsAndClaims(cluster);
  if (!before.workloads.length || !before.claims.length) throw new Error(`${gone} runs nothing to keep: ${JSON.stringify(before)}`);
  const removed = await removeClusterFile(e2e.repo, gone);
  // The fleet root reads the removal, shows the root as one to prune, and prunes nothing: twice its reconcile period.
  const seen = await waitFor(`${FLEET_ROOT} at ${removed.slice(0, 7)}`, 120_000, async () => {
    const fleet = (await listApplications(e2e.argocd.url, e2e.token)).find((a) => a.name === FLEET_ROOT);
    return fleet?.revision === removed ? fleet : undefined;
  });
  await sleep(25_000);
  const apps = (await listApplications(e2e.argocd.url, e2e.token)).map((a) => a.name);
  const kept = await workloadsAndClaims(cluster);
  const lost = [...missing(before.workloads, kept.workloads), ...missing(before.claims, kept.claims)];
  if (lost.length || !apps.includes(`${gone}-root`))
    throw new Error(`removing clusters/${gone}.yaml deleted ${[...lost, ...(apps.includes(`${gone}-root`) ? [] : [`${gone}-root`])].join(', ')}`);
  log(
    `roots: a root change reached ${clusters.length + 1} roots with no kubectl; ${gone}'s file removed: fleet root ${seen.sync}, ${kept.workloads.length} workloads and ${kept.claims.length} volumes kept`,
  );

  await runRemoveClusterBlock(e2e.fleet, e2e.repo.root, { NAME: gone, PROJECT: `monitoring-${gone}` });
  const after = await waitFor(`${gone}'s workloads deleted by the documented step`, 180_000, async () => {
    const now = await workloadsAndClaims(cluster);
    return now.workloads.length === 0 ? now : undefined;
  });
  const dropped = missing(before.claims, after.claims);
  if (dropped.length) throw new Error(`the documented step deleted volumes: ${dropped.join(', ')}`);
  return `roots: onboarding, a root change and ${gone}'s removal needed no kubectl; its ${before.workloads.length} workloads stayed until the documented step, its ${after.claims.length} volumes after it`;
}

async function workloadsAndClaims(client: KubeClient): Promise<{ workloads: string[]; claims: string[] }> {
  type Named = { apiVersion: string; kind: string; metadata: { name: string } };
  const names = async (apiVersion: string, kind: string) =>
    (await client.list<Named>({ apiVersion, kind, namespace: 'monitoring' })).map((o) => `${kind}/${o.metadata.name}`);
  const workloads = [...(await names('apps/v1', 'Deployment')), ...(await names('apps/v1', 'StatefulSet')), ...(await names('apps/v1', 'DaemonSet'))];
  return { workloads: workloads.sort(), claims: (await names('v1', 'PersistentVolumeClaim')).sort() };
}

const missing = (before: string[], after: string[]) => before.filter((n) => !after.includes(n));
