import type { AppName } from '../../inventory/app-catalog.ts';
import type { Arrival } from '../../inventory/arrivals.ts';
import type { ArgoApplication } from '../../argocd/types.ts';
import { formatDuration, type PromotionGate } from '../../inventory/promotion-gate.ts';

/** One source cluster's Application of one promoted app. */
export interface GateSubject {
  cluster: string;
  app: AppName;
  /** The Application on the hub (namespace/name). */
  namespace: string;
  name: string;
}

/** An active alert that matched a blocking entry. */
export interface BlockingAlert {
  alertname: string;
  startsAt: string;
  labels: Record<string, string>;
  /** The blocking entry it matched, as fleet.yaml writes it. */
  matched: string;
}

/** What the adapters read for the gate; a part left undefined was not asked for (the gate does not need it). */
export interface GateEvidence {
  /** The Applications Argo CD's API listed. */
  applications?: ArgoApplication[];
  /** Per source cluster, its Alertmanager's active blocking alerts. */
  alerts?: Map<string, BlockingAlert[]>;
  /** Per promoted app: the commit that brought its exact pin, and every later commit of the base branch. */
  pinnedRevisions: Partial<Record<AppName, { arrival: Arrival; commits: Set<string> }>>;
}

/** The evidence table's row for one cluster and app. */
export interface GateRow {
  cluster: string;
  app: AppName;
  application: string;
  revision?: string;
  /** `Synced / Healthy`, as Argo CD says. */
  state?: string;
  /** Since when it has run the pin Synced and Healthy (ISO), when it does. */
  since?: string;
  alerts: string[];
  problems: string[];
}

export interface GateVerdict {
  rows: GateRow[];
  /** Why the promotion must wait, each with what to do; empty means the gate passed. */
  refusals: { reason: string; fix: string }[];
  /** One line for a commit status or a log. */
  summary: string;
}

const short = (commit?: string) => (commit ? commit.slice(0, 7) : 'nothing');
const iso = (time: string | Date) => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
const OVERRIDE = `or pass --override "<reason>" to promote anyway (the reason goes into the pull request)`;

/** Whether the source environment proves what its gate asks, per cluster and app. Pure. */
export function evaluateGate(gate: PromotionGate, from: string, subjects: GateSubject[], evidence: GateEvidence, now: Date): GateVerdict {
  const refusals: GateVerdict['refusals'] = [];
  const rows = subjects.map((subject) => {
    const pinned = evidence.pinnedRevisions[subject.app];
    const row: GateRow = { cluster: subject.cluster, app: subject.app, application: `${subject.namespace}/${subject.name}`, alerts: [], problems: [] };
    if (gate.requireHealthy) argoCdProof(row, gate, subject, evidence.applications ?? [], pinned, now);
    else if (gate.soakSeconds && pinned) branchSoak(row, gate, from, pinned.arrival, now);
    row.alerts = (evidence.alerts?.get(subject.cluster) ?? []).map((a) => `${a.alertname} since ${iso(a.startsAt)}`);
    for (const problem of row.problems) refusals.push({ reason: `${subject.cluster} / ${subject.app}: ${problem}`, fix: fixFor(problem, subject) });
    return row;
  });
  for (const [cluster, alerts] of evidence.alerts ?? []) {
    for (const alert of alerts) {
      const severity = alert.labels.severity ? `, severity ${alert.labels.severity}` : '';
      refusals.push({
        reason: `${cluster}: ${alert.alertname} firing since ${iso(alert.startsAt)}${severity} (blocking: ${alert.matched})`,
        fix: `resolve it in ${cluster}, or silence it in its Alertmanager if it is understood, then promote again; ${OVERRIDE}`,
      });
    }
  }
  const clusters = new Set(subjects.map((s) => s.cluster)).size;
  const summary = refusals.length
    ? `refused: ${refusals[0]!.reason}${refusals.length > 1 ? ` (+${refusals.length - 1} more)` : ''}`
    : `passed: ${subjects.length} Application${subjects.length === 1 ? '' : 's'} on ${clusters} ${from} cluster${clusters === 1 ? '' : 's'}` +
      (gate.requireHealthy ? ` Synced and Healthy at the pin${gate.soakSeconds ? ` for ${formatDuration(gate.soakSeconds)} or more` : ''}` : '') +
      (gate.blockingAlerts.length ? '; no blocking alert' : '');
  return { rows, refusals, summary };
}

/** Synced to a commit that has the pin, Healthy, and both for the soak time, from Argo CD's status and history. */
function argoCdProof(
  row: GateRow,
  gate: PromotionGate,
  subject: GateSubject,
  applications: ArgoApplication[],
  pinned: GateEvidence['pinnedRevisions'][AppName],
  now: Date,
): void {
  // Names are unique across the fleet: a hub that keeps Applications in another namespace still answers for them.
  const app =
    applications.find((a) => a.metadata.name === subject.name && a.metadata.namespace === subject.namespace) ??
    applications.find((a) => a.metadata.name === subject.name);
  if (!app) return void row.problems.push(`Argo CD has no Application ${row.application}`);
  row.application = `${app.metadata.namespace ?? subject.namespace}/${app.metadata.name}`;
  const status = app.status ?? {};
  const [sync, health] = [status.sync?.status ?? 'Unknown', status.health?.status ?? 'Unknown'];
  row.revision = status.sync?.revision;
  row.state = `${sync} / ${health}`;
  const op = status.operationState;
  const syncing = op?.syncResult?.revision ?? op?.operation?.sync?.revision;
  const opNote =
    op?.phase && op.phase !== 'Succeeded'
      ? `; its sync${syncing ? ` of ${short(syncing)}` : ''} is ${op.phase}${op.retryCount ? ` after ${op.retryCount} ${op.retryCount === 1 ? 'retry' : 'retries'}` : ''}${op.message ? `: ${op.message.slice(0, 200)}` : ''}`
      : '';
  if (!pinned || !row.revision || !pinned.commits.has(row.revision))
    row.problems.push(`not synced to the pin: Argo CD runs ${short(row.revision)}, the pin came in ${short(pinned?.arrival.commit)}${opNote}`);
  else if (sync !== 'Synced') row.problems.push(`${sync} at ${short(row.revision)}${opNote}`);
  if (health !== 'Healthy') {
    const since = status.health?.lastTransitionTime ? ` since ${iso(status.health.lastTransitionTime)}` : '';
    row.problems.push(`${health}${since}${status.health?.message ? `: ${status.health.message.slice(0, 200)}` : ''}`);
  }
  if (row.problems.length || !pinned) return;
  const deployed = (status.history ?? []).filter((h) => h.revision && pinned.commits.has(h.revision) && h.deployedAt).map((h) => Date.parse(h.deployedAt!));
  if (!deployed.length) return void row.problems.push(`Argo CD's history has no sync of a commit with the pin (since ${short(pinned.arrival.commit)})`);
  const healthySince = status.health?.lastTransitionTime ? Date.parse(status.health.lastTransitionTime) : 0;
  const since = Math.max(Math.min(...deployed), healthySince);
  row.since = iso(new Date(since));
  const soaked = (now.getTime() - since) / 1000;
  if (soaked < gate.soakSeconds)
    row.problems.push(`Synced and Healthy at the pin for ${formatDuration(soaked)} of ${formatDuration(gate.soakSeconds)} (since ${row.since})`);
}

/** Without Argo CD: how long the pin has been on the branch. */
function branchSoak(row: GateRow, gate: PromotionGate, from: string, arrival: Arrival, now: Date): void {
  row.since = iso(arrival.time);
  const soaked = (now.getTime() - arrival.time.getTime()) / 1000;
  if (soaked < gate.soakSeconds)
    row.problems.push(
      `the pin has been in ${from} for ${formatDuration(soaked)} of ${formatDuration(gate.soakSeconds)} (since ${short(arrival.commit)}, ${row.since})`,
    );
}

function fixFor(problem: string, subject: GateSubject): string {
  if (/ for .* of /.test(problem)) return `promote again once the soak time has passed; ${OVERRIDE}`;
  if (/^Argo CD has no Application/.test(problem))
    return `check that ${subject.cluster}'s root Application synced (npm run drift -- --argocd-url …); ${OVERRIDE}`;
  return `let Argo CD sync and heal ${subject.namespace}/${subject.name} (argocd app get ${subject.namespace}/${subject.name} says what stops it), then promote again; ${OVERRIDE}`;
}
