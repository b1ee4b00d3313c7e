import type { Inventory } from '../inventory/types.ts';
import { gateSubjects, missingAccess, readGateEvidence, type GateAccess } from '../promote/gate/check.ts';
import { evaluateGate, type GateEvidence } from '../promote/gate/evaluate.ts';
import { readGate } from '../inventory/promotion-gate.ts';
import type { DriftItem, DriftSection } from './types.ts';

/**
 * Each pending promotion, with whether its source environment's gate (fleet.yaml promotion.<env>) would
 * pass now: read from Argo CD and the Alertmanagers as promote reads them, when drift was given the access.
 */
export async function withGateVerdicts(
  section: DriftSection,
  inventory: Inventory,
  root: string,
  commit: string,
  access: GateAccess,
  now: Date,
): Promise<DriftSection> {
  const order = inventory.fleet.environments;
  const items: DriftItem[] = [];
  const errors: string[] = [...(section.errors ?? [])];
  // Argo CD and the Alertmanagers are read once per source environment, for all of its pending apps.
  const evidence = new Map<string, Promise<GateEvidence | Error>>();
  const pendingApps = (from: string) =>
    section.items.filter((i) => i.kind === 'promotion-pending' && i.app && order[order.indexOf(i.environment ?? '') - 1] === from).map((i) => i.app!);
  for (const item of section.items) {
    const from = item.environment && order[order.indexOf(item.environment) - 1];
    const spec = from && inventory.fleet.promotion?.[from];
    if (item.kind !== 'promotion-pending' || !from || !spec || !item.app) {
      items.push(item);
      continue;
    }
    const gate = readGate(spec);
    const scope = { dir: root, baseCommit: commit, inventory, from, apps: [item.app] };
    const missing = missingAccess(gate, scope, access);
    let line: string;
    let gateState: DriftItem['gate'];
    if (missing.length) [gateState, line] = ['not checked', `gate: not checked (needs ${missing.join(', ')})`];
    else {
      if (!evidence.has(from))
        evidence.set(
          from,
          readGateEvidence(gate, { ...scope, apps: pendingApps(from) }, access).catch((err: Error) => err),
        );
      const read = await evidence.get(from)!;
      const verdict = read instanceof Error ? read : evaluateGate(gate, from, gateSubjects(inventory, from, [item.app]), read, now);
      if (verdict instanceof Error) {
        [gateState, line] = ['not checked', `gate: could not be checked: ${verdict.message.split('\n')[0]}`];
        errors.push(`the gate of ${from} for ${item.app}: ${verdict.message}`);
      } else if (verdict.refusals.length) [gateState, line] = ['would refuse', `gate: would refuse now: ${verdict.refusals.map((r) => r.reason).join('; ')}`];
      else [gateState, line] = ['would pass', `gate: would pass now (${verdict.summary.replace(/^passed: /, '')})`];
    }
    items.push({ ...item, summary: `${item.summary}; gate ${gateState}`, gate: gateState, details: [...(item.details ?? []), line] });
  }
  return { ...section, items, ...(errors.length ? { errors } : {}) };
}
