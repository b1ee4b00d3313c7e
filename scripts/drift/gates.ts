import type { Inventory } from '../inventory/types.ts';
import { checkGate, missingAccess, type GateAccess } from '../promote/gate/check.ts';
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
      const verdict = await checkGate(gate, scope, access, now).catch((err: Error) => err);
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
