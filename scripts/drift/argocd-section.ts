import type { Inventory } from '../inventory/types.ts';
import { missingRootItem, removedClusterItems, removedClusterOf, restoreAction, rootSpecItem } from './argocd-roots.ts';
import { CLUSTER_LABEL, itemOf, targetsOf, type PlannedApplication, type Target } from './argocd-targets.ts';
import type { ArgoApplication, ArgoResourceStatus } from '../argocd/types.ts';
import type { DriftItem, DriftSection } from './types.ts';

export interface ArgoCdSectionInput {
  /** What Argo CD answered (readArgoCdApplications). */
  applications: ArgoApplication[];
  inventory: Inventory;
  /** The Applications `generate` plans (plannedApplications(planGenerate(inventory))): what should be on the hub. */
  planned: PlannedApplication[];
  /** Commit SHA of main: what every Application should be synced to. */
  mainRevision: string;
  now: Date;
  /** A reconcile older than this is stale; default 1 h (the controller re-reconciles every ~3 min). */
  staleAfterMs?: number;
  /** Argo CD's URL, for links to the UI in actions. */
  uiUrl?: string;
}

const HOUR = 3_600_000;
const DEGRADED = 'Degraded';

/** An Argo CD that could not be asked: nothing checked, and why. */
function skippedArgoCdSection(reason: string, coverage?: DriftSection['coverage']): DriftSection {
  return { section: 'live', status: 'skipped', reason, items: [], ...(coverage ? { coverage } : {}) };
}

/**
 * The live section from Argo CD's view: per planned Application missing, out-of-sync, unhealthy,
 * revision-behind, operation-failed and stale-reconcile items; per root (a cluster's, the fleet's) also
 * spec-drift; per cluster gone from Git whose Applications remain, cluster-removed.
 * A cluster none of whose Applications Argo CD answered is not reached: the section is partial, its root
 * is reported missing, and its apps are not reported missing one by one (the root brings them).
 */
export function argoCdSection(input: ArgoCdSectionInput): DriftSection {
  const { applications, inventory, planned } = input;
  const byName = new Map(applications.map((a) => [a.metadata.name, a]));
  const onHub = (name: string) => byName.has(name);
  const targets = targetsOf(planned, inventory);
  const byCluster = new Map<string, Target[]>();
  for (const t of targets) if (t.cluster) byCluster.set(t.cluster.name, [...(byCluster.get(t.cluster.name) ?? []), t]);
  const expected = inventory.clusters.flatMap((cluster) => (byCluster.has(cluster.name) ? [{ cluster, targets: byCluster.get(cluster.name)! }] : []));
  const reached = new Set(expected.filter((c) => c.targets.some((t) => onHub(t.name))));
  const coverage = { reached: [...reached].map((c) => c.cluster.name), expected: expected.map((c) => c.cluster.name) };
  if (applications.length === 0) {
    return skippedArgoCdSection(
      "Argo CD listed no Application of this repository: the token's account may lack 'applications, get' (Argo CD leaves out what RBAC hides instead of answering 403), or nothing is deployed yet",
      coverage,
    );
  }
  const looked = [...targets.filter((t) => !t.cluster), ...expected.flatMap((c) => (reached.has(c) ? c.targets : c.targets.filter((t) => t.planned.root)))];
  const items = looked.flatMap((target) => targetItems(target, byName, input));
  const known = new Set(planned.map((p) => p.name));
  const strays = applications.filter((a) => !known.has(a.metadata.name));
  items.push(
    ...strays.filter((a) => !removedClusterOf(a, inventory)).map((a) => unexpectedItem(a, inventory)),
    ...removedClusterItems(strays.filter((a) => removedClusterOf(a, inventory))),
  );
  const unreached = coverage.expected.filter((name) => !coverage.reached.includes(name));
  return {
    section: 'live',
    status: unreached.length ? 'partial' : 'checked',
    ...(unreached.length
      ? { reason: `Argo CD answered no Application of ${unreached.join(', ')} (not bootstrapped yet: their roots are reported missing)` }
      : {}),
    items,
    coverage,
  };
}

/** What is wrong with one planned Application: missing, or Argo CD's view of it (and, for a root, its spec against Git). */
function targetItems(target: Target, byName: Map<string, ArgoApplication>, input: ArgoCdSectionInput): DriftItem[] {
  const { planned } = input;
  const app = byName.get(target.name);
  const onHub = (name: string) => byName.has(name);
  if (!app) return [target.planned.root ? missingRootItem(target, planned, onHub) : missingItem(target, planned, onHub)];
  const spec = target.planned.root ? rootSpecItem(target, app, planned, onHub) : undefined;
  return [...applicationItems(app, target, input), ...(spec ? [spec] : [])];
}

function missingItem(target: Target, planned: PlannedApplication[], onHub: (name: string) => boolean): DriftItem {
  return itemOf(target, 'missing', {
    severity: 'critical',
    summary: `Application ${target.name} is missing from Argo CD`,
    action: restoreAction(target.planned, planned, onHub),
  });
}

function unexpectedItem(app: ArgoApplication, inventory: Inventory): DriftItem {
  const labels = app.metadata.labels ?? {};
  const cluster = inventory.clusters.find((c) => c.name === labels[CLUSTER_LABEL]);
  const where = cluster ? { environment: cluster.environment, cluster: cluster.name } : {};
  return {
    section: 'live',
    key: `live:argocd:${cluster?.name ?? '-'}/${app.metadata.name}:unexpected`,
    kind: 'unexpected',
    severity: 'warning',
    ...where,
    ...(labels['monitoring-gitops/app'] ? { app: labels['monitoring-gitops/app'] } : {}),
    summary: `Application ${app.metadata.name} carries this repository's label but the inventory does not generate it`,
    action: `if it is left over from a removed app, delete it: argocd app delete ${app.metadata.name}`,
  };
}

function applicationItems(app: ArgoApplication, target: Target, input: ArgoCdSectionInput): DriftItem[] {
  if (!app.status?.reconciledAt && !app.status?.sync?.status) {
    return [
      itemOf(target, 'stale-reconcile', {
        severity: 'warning',
        summary: `${target.name} has never been reconciled by the application controller`,
        action: 'check that argocd-application-controller runs and watches this namespace',
      }),
    ];
  }
  return [outOfSync, unhealthy, revisionBehind, operationFailed, staleReconcile].flatMap((check) => check(app, target, input) ?? []);
}

type Check = (app: ArgoApplication, target: Target, input: ArgoCdSectionInput) => DriftItem | undefined;

const outOfSync: Check = (app, target) => {
  const status = app.status?.sync?.status;
  if (status !== 'OutOfSync' && status !== 'Unknown') return undefined;
  const differing = (app.status?.resources ?? []).filter((r) => r.status === 'OutOfSync').map(resourceName);
  const conditions = (app.status?.conditions ?? []).map((c) => `${c.type ?? 'Condition'}: ${firstLine(c.message)}`);
  const summary =
    status === 'OutOfSync'
      ? `${target.name} is OutOfSync: ${differing.length} resource${differing.length === 1 ? '' : 's'} differ${differing.length === 1 ? 's' : ''} from git`
      : `${target.name}: sync status Unknown (Argo CD could not compare it with git)`;
  const details = [...differing.map((r) => `${r} (OutOfSync)`), ...conditions];
  return itemOf(target, 'out-of-sync', {
    severity: 'warning',
    summary,
    ...(details.length ? { details } : {}),
    action: `argocd app diff ${target.name}, then argocd app sync ${target.name}`,
  });
};

const unhealthy: Check = (app, target, input) => {
  const health = app.status?.health;
  if (!health?.status || health.status === 'Healthy') return undefined;
  const sick = (app.status?.resources ?? []).filter((r) => r.health?.status && r.health.status !== 'Healthy');
  // AppHealthStatus.message is deprecated in Argo CD 3 (mostly empty): the resources carry the reasons.
  const message = health.message || sick.find((r) => r.health?.message)?.health?.message;
  return itemOf(target, 'unhealthy', {
    severity: health.status === DEGRADED ? 'critical' : 'warning',
    summary: `${target.name} is ${health.status}${message ? `: ${firstLine(message)}` : ''}`,
    ...(sick.length
      ? { details: sick.map((r) => `${resourceName(r)}: ${r.health?.status}${r.health?.message ? `: ${firstLine(r.health.message)}` : ''}`) }
      : {}),
    ...(health.lastTransitionTime ? { since: health.lastTransitionTime } : {}),
    action: `look at ${target.name} in the Argo CD UI${input.uiUrl ? ` (${uiLink(input.uiUrl, app)})` : ''} or run argocd app get ${target.name}`,
  });
};

const revisionBehind: Check = (app, target, { mainRevision }) => {
  const revision = app.status?.sync?.revision ?? app.status?.sync?.revisions?.[0];
  if (!revision || revision.toLowerCase() === mainRevision.toLowerCase()) return undefined;
  return itemOf(target, 'revision-behind', {
    severity: 'warning',
    summary: `${target.name} is at revision ${short(revision)}, main is at ${short(mainRevision)}`,
    details: [`synced: ${revision}`, `main:   ${mainRevision}`],
    action: `argocd app get ${target.name} --hard-refresh; if it stays behind, check the app's targetRevision and the repo-server`,
  });
};

const operationFailed: Check = (app, target) => {
  const op = app.status?.operationState;
  if (op?.phase !== 'Failed' && op?.phase !== 'Error') return undefined;
  return itemOf(target, 'operation-failed', {
    severity: 'critical',
    summary: `last sync of ${target.name} ended ${op.phase}${op.message ? `: ${firstLine(op.message)}` : ''}`,
    ...(op.message?.includes('\n') ? { details: op.message.split('\n').slice(1, 10) } : {}),
    ...(op.finishedAt ? { since: op.finishedAt } : {}),
    action: `argocd app get ${target.name} --show-operation; fix the cause, then argocd app sync ${target.name}`,
  });
};

const staleReconcile: Check = (app, target, { now, staleAfterMs = HOUR }) => {
  const at = app.status?.reconciledAt;
  const age = at ? now.getTime() - Date.parse(at) : Number.POSITIVE_INFINITY;
  if (age <= staleAfterMs) return undefined;
  return itemOf(target, 'stale-reconcile', {
    severity: 'warning',
    summary: at ? `${target.name} was last reconciled ${ago(age)} ago` : `${target.name} has no reconcile time`,
    ...(at ? { since: at } : {}),
    action: 'check argocd-application-controller (pods, logs, sharding): it should reconcile every few minutes',
  });
};

function resourceName(r: ArgoResourceStatus): string {
  return `${r.kind ?? '?'} ${r.namespace ? `${r.namespace}/` : ''}${r.name ?? '?'}`;
}

const firstLine = (text: string | undefined) => (text ?? '').trim().split('\n')[0] ?? '';
const short = (sha: string) => (/^[0-9a-f]{40}$/i.test(sha) ? sha.slice(0, 7) : sha);
const uiLink = (base: string, app: ArgoApplication) => `${base.replace(/\/$/, '')}/applications/${app.metadata.namespace ?? 'argocd'}/${app.metadata.name}`;

function ago(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  if (hours < 1) return `${minutes} min`;
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `${Math.round(hours / 24)} days`;
}

/** The section from what was read of Argo CD: its Applications, or why it could not be asked (a skipped section). Pure. */
export function argoCdSectionFrom(
  state: { applications: ArgoApplication[] } | { unreachable: string },
  input: Omit<ArgoCdSectionInput, 'applications'>,
): DriftSection {
  if ('unreachable' in state) return { ...skippedArgoCdSection(state.unreachable), errors: [state.unreachable] };
  return argoCdSection({ ...input, applications: state.applications });
}
