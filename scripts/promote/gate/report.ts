import { formatDuration, type PromotionGate } from '../../inventory/promotion-gate.ts';
import type { GateVerdict } from './evaluate.ts';

/** What the source environment's gate said of one promotion, for its pull request and commit status. */
export interface GateOutcome {
  environment: string;
  /** The gate that applied (fleet.yaml's, its soak perhaps replaced by --soak); absent: fleet.yaml sets none. */
  gate?: PromotionGate;
  /** Where the soak time came from when --soak replaced fleet.yaml's. */
  soakFrom?: string;
  verdict?: GateVerdict;
  /** Why it was not evaluated (a dry run without the access it needs). */
  unchecked?: string;
  /** --override's reason, when the verdict refused and the promotion went ahead. */
  override?: string;
}

/** The commit status promote sets on the promotion pull request's head: branch protection can require it, so a refused promotion cannot be merged. */
export const PROMOTION_GATE_CONTEXT = 'monitoring-gitops/promotion-gate';

/** The commit status of the pull request's head: success when the gate passed (or was overridden, which the description says). */
export function gateStatus(outcome: GateOutcome): { state: 'success' | 'failure'; description: string } {
  if (!outcome.gate) return { state: 'success', description: `no promotion gate for ${outcome.environment} in fleet.yaml` };
  if (!outcome.verdict) return { state: 'failure', description: `gate not checked: ${outcome.unchecked ?? 'no evidence'}` };
  if (!outcome.verdict.refusals.length) return { state: 'success', description: outcome.verdict.summary };
  if (outcome.override) return { state: 'success', description: `overridden: ${outcome.override} (${outcome.verdict.summary})` };
  return { state: 'failure', description: outcome.verdict.summary };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function policyLine(outcome: GateOutcome, gate: PromotionGate): string {
  const parts = [
    gate.soakSeconds ? `soak ${formatDuration(gate.soakSeconds)}${outcome.soakFrom ? ` (${outcome.soakFrom})` : ''}` : 'no soak',
    gate.requireHealthy ? 'Synced and Healthy in Argo CD' : 'health not required',
    gate.blockingAlerts.length ? `blocking alerts ${gate.blockingAlerts.map((b) => `\`${b.text}\``).join(', ')}` : 'no blocking alerts',
  ];
  return `Policy (\`fleet.yaml\` promotion.${outcome.environment}): ${parts.join('; ')}.`;
}

/** The pull request's gate section: verdict, policy, the evidence table, an override and what it overrode. Pure. */
export function gateSection(outcome: GateOutcome): string[] {
  const head = [`### Promotion gate: ${outcome.environment}`, ''];
  if (!outcome.gate) return [...head, `No promotion gate for ${outcome.environment} in fleet.yaml (\`promotion.${outcome.environment}\`).`, ''];
  const policy = policyLine(outcome, outcome.gate);
  if (!outcome.verdict) return [...head, `⚠️ Not checked: ${outcome.unchecked}.`, '', policy, ''];
  const verdict = outcome.verdict;
  const mark = verdict.refusals.length ? (outcome.override ? '⚠️ Overridden' : '❌ Refused') : '✅ Passed';
  const lines = [...head, `${mark}: ${verdict.summary.replace(/^(passed|refused): /, '')}`, '', policy, ''];
  if (outcome.override && verdict.refusals.length)
    lines.push('> [!WARNING]', `> **Gate overridden**: ${outcome.override}`, '> It refused:', ...verdict.refusals.map((r) => `> - ${r.reason}`), '');
  lines.push(
    '| cluster | app | Application | revision | Synced / Healthy | since | firing alerts |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...verdict.rows.map(
      (r) =>
        `| ${r.cluster} | ${r.app} | ${r.application} | ${r.revision ? `\`${r.revision.slice(0, 12)}\`` : '—'} | ${r.state ?? '—'} | ${r.since ?? '—'} | ${r.alerts.length ? cell(r.alerts.join(', ')) : 'none'} |`,
    ),
    '',
  );
  return lines;
}
