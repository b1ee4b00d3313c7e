import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureControlPlaneBinaries } from '../../scripts/cluster/binaries.ts';
import { onProcessExit } from '../../scripts/lib/exit.ts';
import { ensureArgoCdBinaries } from '../../scripts/fleet/binaries.ts';
import { startArgoCd, type ArgoCd } from '../../scripts/fleet/argocd.ts';
import { configMapData } from '../../scripts/fleet/argocd-config.ts';
import { IN_CLUSTER, IN_CLUSTER_NAME } from '../../scripts/generate/argocd.ts';
import { startFleet, type SimulatedFleet } from '../../scripts/fleet/fleet.ts';
import { startGitServer, type GitServer } from '../../scripts/fleet/git-server.ts';
import { ensureTools } from '../../scripts/tools/install.ts';
import type { Progress } from '../../scripts/tools/install.ts';
import { sharedChartRepository } from '../helpers/chart-repo.ts';
import { PROJECT_ROOT } from '../helpers/repo.ts';
import { bootstrapFleet, e2eSecretStore, installArgoCd } from './bootstrap.ts';
import { E2E_SECRET_STORE, makeFleetRepo, onboardCluster, type E2eFleetRepo } from './fleet-repo.ts';

/** Everything the e2e runs: the fleet, Argo CD on the hub, the git server, the fleet repository. */
export interface E2e {
  fleet: SimulatedFleet;
  argocd: ArgoCd;
  git: GitServer;
  repo: E2eFleetRepo;
  /** argocd-cmd-params-cm as bootstrap/argocd-cm.yaml ships it: the controllers started with it. */
  cmdParams: Record<string, string>;
  /** API token of the drift account (ARGOCD_AUTH_TOKEN). */
  token: string;
  /** Names of the fleet roots bootstrap applied (the only Applications applied by hand). */
  roots: string[];
  /** The cluster onboarded by merging its file after bootstrap, and that commit. */
  onboarded: { cluster: string; commit: string };
  startedAt: number;
  stop(): Promise<void>;
}

/** The e2e fleet: one dev and one prod cluster of the default fleet (the last one onboarded by merge after bootstrap). */
export const E2E_CLUSTERS = ['dev-1', 'prod-eu-1'];
/** The cluster whose Secrets External Secrets makes (the drill then runs on what it made). */
export const E2E_EXTERNAL_SECRETS_CLUSTER = 'dev-1';
/** Every Application the hub should hold for these clusters: the fleet root, each cluster's root and apps. */
export const expectedApplications = (clusters: string[]) => ['monitoring-fleet', ...clusters.flatMap((c) => [`${c}-root`, `${c}-prometheus`, `${c}-grafana`])];
/** With the promotion scenario, staging's cluster too: a dev → staging promotion must reach a cluster. */
export const E2E_PROMOTION_CLUSTERS = ['dev-1', 'staging-1', 'prod-eu-1'];

/** Builds what is missing, starts hub + workload clusters, serves the fleet, bootstraps Argo CD as the README says. */
export async function startE2e(progress: Progress = () => {}, clusters = E2E_CLUSTERS): Promise<E2e> {
  const startedAt = Date.now();
  const tools = await ensureTools(['helm', 'kustomize'], progress);
  await ensureControlPlaneBinaries(progress);
  const argoBinaries = await ensureArgoCdBinaries(progress);
  const stops: (() => Promise<void>)[] = [];
  // The clusters' own folders go with their processes; these two are only the harness's to remove, also on Ctrl-C.
  const folders: string[] = [];
  const unhook = onProcessExit(() => {
    for (const f of folders) rmSync(f, { recursive: true, force: true });
  });
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => {});
    unhook();
  };
  try {
    // dev-1 (the fire drill's) reads its Secrets through External Secrets; the others get them by README step 4.
    const externalSecrets = clusters.filter((c) => c === E2E_EXTERNAL_SECRETS_CLUSTER);
    const fleet = await startFleet({ workloads: clusters, externalSecrets, progress });
    for (const name of externalSecrets) await fleet.workloads.get(name)!.client.apply(e2eSecretStore(name, E2E_SECRET_STORE));
    stops.push(fleet.stop);
    const pki = join(fleet.hub.plane.dataDir, 'pki');
    // The hub's serving certificate is valid for 127.0.0.1: good enough for a Git host Argo CD is told not to verify.
    const gitRoot = await mkdtemp(join(tmpdir(), 'monitoring-gitops-e2e-git-'));
    folders.push(gitRoot);
    stops.push(() => rm(gitRoot, { recursive: true, force: true }));
    const git = await startGitServer({
      root: gitRoot,
      cert: await readFile(join(pki, 'apiserver.crt'), 'utf8'),
      key: await readFile(join(pki, 'apiserver.key'), 'utf8'),
    });
    stops.push(git.stop);
    // The last cluster joins after bootstrap, by merge only: onboarding needs no kubectl.
    const late = clusters.at(-1)!;
    const repo = await makeFleetRepo(gitRoot, git.url, await sharedChartRepository(), clusters, { later: [late], externalSecrets });
    folders.push(repo.root);
    stops.push(() => rm(repo.root, { recursive: true, force: true }));
    const { token } = await installArgoCd(fleet.hub.client);
    // As a hub that ran README step 1 before its controllers started: what the repository ships is what runs.
    const cmdParams = configMapData(await readFile(join(PROJECT_ROOT, 'bootstrap', 'argocd-cm.yaml'), 'utf8'), 'argocd-cmd-params-cm');
    const argocd = await startArgoCd({ hub: fleet.hub, binaries: argoBinaries, helm: tools.helm, kustomize: tools.kustomize, cmdParams });
    stops.push(argocd.stop);
    progress(`Argo CD up at ${argocd.url} (logs ${argocd.logDir}); git served from ${gitRoot}, fleet checkout ${repo.root}`);
    const roots = await bootstrapFleet(fleet, repo.root, repo.repoURL, externalSecrets);
    const onboarded = { cluster: late, commit: await onboardCluster(repo, late) };
    progress(`onboarded ${late} by merging clusters/${late}.yaml (${onboarded.commit.slice(0, 7)}); no kubectl`);
    return { fleet, argocd, git, repo, cmdParams, token, roots, onboarded, startedAt, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Per workload cluster, when its live prometheus-server Deployment became Available (the e2e's wave check). */
export async function prometheusAvailableAt(e2e: E2e): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for (const [name, cluster] of e2e.fleet.workloads) {
    const deployment = await cluster.client.get<{
      apiVersion: string;
      kind: string;
      metadata: { name: string };
      status?: { conditions?: { type: string; status: string; lastTransitionTime: string }[] };
    }>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'monitoring', name: 'prometheus-server' });
    result.set(name, deployment.status?.conditions?.find((c) => c.type === 'Available' && c.status === 'True')?.lastTransitionTime ?? '');
  }
  return result;
}

/** Cluster names by server URL, as Argo CD knows them: the hub's own and each workload cluster's Secret. */
export const clusterNames = (e2e: E2e) =>
  new Map([[IN_CLUSTER, IN_CLUSTER_NAME], ...[...e2e.fleet.workloads].map(([name, c]): [string, string] => [c.plane.server, name])]);
