import { planGenerate } from '../generate/plan.ts';
import type { Inventory } from '../inventory/types.ts';
import { readInventory } from '../inventory/read.ts';
import { readKubeconfig } from '../cluster/kubeconfig.ts';
import { EnvironmentError, UsageError } from '../lib/errors.ts';
import { git } from '../lib/git.ts';
import { readArrivals } from '../inventory/arrivals.ts';
import { readMirrorMap } from '../inventory/mirrors.ts';
import { renderFleetState } from '../render/fleet-state.ts';
import { ALL_TOOLS, ensureTools } from '../tools/install.ts';
import { readArgoCdState, type ArgoCdConnection } from '../argocd/api.ts';
import { argoCdSectionFrom } from './argocd-section.ts';
import { plannedApplications } from './argocd-targets.ts';
import { environmentsSection, type Arrivals } from './environments.ts';
import { generatedSection } from './generated.ts';
import { withGateVerdicts } from './gates.ts';
import { liveDriftSection } from './live.ts';
import { buildReport, type DriftReport } from './report.ts';
import type { DriftSection } from './types.ts';
import { lookupKey, readReleases, upstreamSection, type ReleaseLookup } from './upstream.ts';

interface DriftOptions {
  root: string;
  now: Date;
  argocd?: ArgoCdConnection;
  /** Per-cluster kubeconfigs for resource-level live drift (and the promotion gates' Alertmanagers). */
  kubeconfigs?: Record<string, string>;
  /** For the promotion gates: one kubeconfig with a context per cluster, and per-cluster Alertmanager URLs. */
  kubeconfigContexts?: string;
  alertmanagers?: Record<string, string>;
  /** Item keys of the previous report, when one was found. */
  previousKeys?: string[];
  progress?: (line: string) => void;
}

async function readFleetArrivals(root: string, inventory: Inventory): Promise<Arrivals> {
  const arrivals: Arrivals = {};
  // A shallow or history-less checkout has no arrivals: the section then shows pending promotions without their age.
  for (const env of inventory.environments) arrivals[env.name] = await readArrivals(root, 'HEAD', env).catch(() => ({}));
  return arrivals;
}

async function readUpstream(root: string, inventory: Inventory): Promise<ReleaseLookup> {
  const mirrors = readMirrorMap(root);
  const lookup: ReleaseLookup = new Map();
  for (const env of inventory.environments) {
    for (const pin of Object.values(env.pins)) {
      const key = lookupKey(pin!.repoURL, pin!.chart);
      if (!lookup.has(key)) lookup.set(key, await readReleases(pin!.repoURL, pin!.chart, mirrors).catch((err: Error) => err));
    }
  }
  return lookup;
}

/** Git vs live: Argo CD's view of each Application and, with kubeconfigs, each resource. */
async function liveSection(options: DriftOptions, inventory: Inventory, commit: string): Promise<DriftSection> {
  const parts: DriftSection[] = [];
  if (options.argocd) {
    const planned = plannedApplications(planGenerate(inventory));
    parts.push(
      argoCdSectionFrom(await readArgoCdState(options.argocd), { inventory, planned, mainRevision: commit, now: options.now, uiUrl: options.argocd.url }),
    );
  }
  const clusters = Object.keys(options.kubeconfigs ?? {}).filter((c) => inventory.clusters.some((x) => x.name === c));
  if (clusters.length) {
    const tools = await ensureTools(ALL_TOOLS, options.progress);
    const state = await renderFleetState(inventory, new Set(clusters), tools, readMirrorMap(options.root), options.progress);
    const targets = [...state.clusters.values()].map((c) => ({
      cluster: c.name,
      environment: c.environment,
      kubeconfig: options.kubeconfigs![c.name]!,
      desired: Object.entries(c.apps).map(([app, s]) => ({
        app,
        objects: s!.objects,
        namespace: inventory.clusters.find((x) => x.name === c.name)!.destination.namespace,
      })),
    }));
    parts.push(await liveDriftSection({ targets }));
  }
  if (!parts.length) return { section: 'live', status: 'skipped', reason: 'no --argocd-url and no --kubeconfig given', items: [] };
  return mergeSections(parts);
}

function mergeSections(parts: DriftSection[]): DriftSection {
  const status = parts.every((p) => p.status === 'skipped') ? 'skipped' : parts.every((p) => p.status === 'checked') ? 'checked' : 'partial';
  const reasons = parts.filter((p) => p.reason).map((p) => p.reason);
  const errors = parts.flatMap((p) => p.errors ?? []);
  const covered = parts.filter((p) => p.coverage);
  const suppressed = Object.assign({}, ...parts.map((p) => p.suppressed ?? {}));
  return {
    section: 'live',
    status,
    items: parts.flatMap((p) => p.items),
    ...(reasons.length ? { reason: reasons.join('; ') } : {}),
    ...(errors.length ? { errors } : {}),
    ...(covered.length
      ? {
          coverage: {
            reached: [...new Set(covered.flatMap((p) => p.coverage!.reached))].sort(),
            expected: [...new Set(covered.flatMap((p) => p.coverage!.expected))].sort(),
          },
        }
      : {}),
    ...(Object.keys(suppressed).length ? { suppressed } : {}),
  };
}

/** Each `--kubeconfig CLUSTER=FILE` names a cluster of the inventory and a file that reads as a kubeconfig, before anything runs. */
async function checkKubeconfigs(kubeconfigs: Record<string, string>, inventory: Inventory): Promise<void> {
  const names = inventory.clusters.map((c) => c.name);
  for (const [cluster, file] of Object.entries(kubeconfigs)) {
    if (!names.includes(cluster))
      throw new UsageError(`--kubeconfig ${cluster}=${file}: no cluster '${cluster}' in clusters/\nfix: name one of ${names.join(', ')}`);
    await readKubeconfig(file).catch((err: Error) => {
      throw new EnvironmentError(
        `--kubeconfig ${cluster}=${file}: ${err.message}\nfix: give the kubeconfig of ${cluster} (a current context with a server, a certificate authority and a bearer token)`,
        { cause: err },
      );
    });
  }
}

/** drift: the four sections, each usable alone, in one report. */
export async function runDrift(options: DriftOptions): Promise<DriftReport> {
  const inventory = await readInventory(options.root);
  await checkKubeconfigs(options.kubeconfigs ?? {}, inventory);
  const commit = await git(options.root, ['rev-parse', 'HEAD']).catch(() => 'unknown');
  const sections = [
    await generatedSection(options.root, inventory),
    await withGateVerdicts(
      environmentsSection(inventory, await readFleetArrivals(options.root, inventory), options.now),
      inventory,
      options.root,
      commit,
      {
        argocd: options.argocd,
        kubeconfigs: options.kubeconfigs ?? {},
        kubeconfigContexts: options.kubeconfigContexts,
        alertmanagers: options.alertmanagers ?? {},
      },
      options.now,
    ),
    upstreamSection(inventory, await readUpstream(options.root, inventory), options.now),
    await liveSection(options, inventory, commit),
  ];
  return buildReport(
    {
      generatedAt: options.now.toISOString(),
      commit,
      environments: inventory.fleet.environments,
      clusters: inventory.clusters.map((c) => ({ name: c.name, environment: c.environment })),
      sections,
    },
    options.previousKeys,
  );
}
