import { appNames, type AppName } from '../inventory/app-catalog.ts';
import type { ChartPin, Inventory } from '../inventory/types.ts';
import { diffValues, type ValueChange } from '../diff/values.ts';
import { UsageError } from '../lib/errors.ts';
import { setPin } from './pins-edit.ts';
import { compareVersions } from '../lib/versions.ts';
import type { AppArrivals, Arrival } from '../inventory/arrivals.ts';
import type { GateOutcome } from './gate/report.ts';

export interface PromotionRequest {
  from: string;
  to: string;
  /** Promote one app only; default every app. */
  app?: AppName;
  /** Skipping environments needs a reason, which goes into the pull request. */
  force?: string;
  /** Promote although the source environment's gate refuses; the reason goes into the pull request. */
  override?: string;
  /** Replaces the soak time of the source environment's gate (fleet.yaml), in seconds. */
  soakSeconds?: number;
}

/** Everything planning reads, gathered by the adapters beforehand. */
export interface PromotionState {
  /** The inventory on the base branch. */
  inventory: Inventory;
  /** overlays/<to>/pins.yaml as text (edited in place to keep its comments). */
  targetPinsText: string;
  /** The base-branch commit the source pins were read at. */
  sourceCommit: string;
  arrivals: AppArrivals;
  now: Date;
  /** Reasons the target cannot be promoted into right now (uncommitted or stale generated files). */
  targetProblems: string[];
}

interface AppMove {
  app: AppName;
  source: ChartPin;
  /** The target's pin before the promotion, if it had one. */
  current?: ChartPin;
  versionChange?: { from?: string; to: string };
  releaseValues: ValueChange[];
  arrival?: Arrival;
}

export interface PromotionPlan {
  from: string;
  to: string;
  app?: AppName;
  force?: string;
  /** What the source environment's gate said (set once it ran). */
  gate?: GateOutcome;
  branch: string;
  sourceCommit: string;
  /** Apps whose pin changes; empty means there is nothing to promote. */
  moves: AppMove[];
  /** The new overlays/<to>/pins.yaml. */
  pinsText: string;
}

/** A reason not to promote, with what to do about it; exit 1. */
export interface Refusal {
  reason: string;
  fix: string;
}

/** One level deeper than the hop for every branch (`…/all`, `…/prometheus`): git refuses a branch nested under another one. */
export const promotionBranch = (r: Pick<PromotionRequest, 'from' | 'to' | 'app'>) => `promote/${r.from}-to-${r.to}/${r.app ?? 'all'}`;
/** The branch name of toolkit versions before the …/all suffix; it blocks the new names until deleted. */
export const legacyPromotionBranch = (r: Pick<PromotionRequest, 'from' | 'to'>) => `promote/${r.from}-to-${r.to}`;

/** --from and --to must be environments of fleet.yaml, and two different ones; usage error otherwise. */
export function checkEnvironments(order: string[], request: Pick<PromotionRequest, 'from' | 'to'>): void {
  for (const env of [request.from, request.to])
    if (!order.includes(env)) throw new UsageError(`unknown environment '${env}'; fleet.yaml lists ${order.join(' → ')}`);
  if (request.from === request.to)
    throw new UsageError(`--from and --to are both '${request.from}'; promotion moves pins from one environment to the next (${order.join(' → ')})`);
}

/** What moves from one environment to the next, or why it must not. Pure. */
export function planPromotion(state: PromotionState, request: PromotionRequest): { plan?: PromotionPlan; refusals: Refusal[] } {
  const order = state.inventory.fleet.environments;
  checkEnvironments(order, request);
  const [source, target] = [request.from, request.to].map((name) => state.inventory.environments.find((e) => e.name === name)!);
  const refusals: Refusal[] = state.targetProblems.map((p) => ({ reason: p, fix: `commit or regenerate first (npm run generate), then promote again` }));
  refusals.push(...orderRefusals(order, request));
  const moves: AppMove[] = [];
  let pinsText = state.targetPinsText;
  for (const app of appNames().filter((a) => !request.app || a === request.app)) {
    const pin = source!.pins[app];
    if (!pin) continue;
    const current = target!.pins[app];
    const move = appMove(app, pin, current, state.arrivals[app]);
    if (!move) continue;
    refusals.push(...moveRefusals(move, request));
    moves.push(move);
    pinsText = setPin(pinsText, app, pin);
  }
  if (refusals.length) return { refusals };
  return {
    refusals,
    plan: {
      from: request.from,
      to: request.to,
      app: request.app,
      force: request.force,
      branch: promotionBranch(request),
      sourceCommit: state.sourceCommit,
      moves,
      pinsText,
    },
  };
}

function orderRefusals(order: string[], request: PromotionRequest): Refusal[] {
  const [i, j] = [order.indexOf(request.from), order.indexOf(request.to)];
  if (j <= i) {
    const forward =
      j === 0
        ? `${request.to} is the first environment: nothing is promoted into it (Renovate or a reviewed pull request changes its pins)`
        : `promote forward into ${request.to}: --from ${order[j - 1]} --to ${request.to}`;
    return [
      {
        reason: `${request.from} → ${request.to} goes against the promotion order ${order.join(' → ')}`,
        fix: `${forward}; to roll ${request.to} back, change its pins by a reviewed pull request`,
      },
    ];
  }
  if (j === i + 1 || request.force) return [];
  return [
    {
      reason: `${request.from} → ${request.to} skips ${order.slice(i + 1, j).join(', ')}`,
      fix: `promote one hop at a time (--to ${order[i + 1]}), or pass --force "<reason>" to skip (the reason goes into the pull request)`,
    },
  ];
}

function appMove(app: AppName, source: ChartPin, current: ChartPin | undefined, arrival: Arrival | undefined): AppMove | undefined {
  const releaseValues = diffValues(current?.values ?? {}, source.values ?? {});
  const sameChart = current && current.repoURL === source.repoURL && current.chart === source.chart && current.version === source.version;
  if (sameChart && !releaseValues.length) return undefined;
  return { app, source, current, releaseValues, arrival, ...(sameChart ? {} : { versionChange: { from: current?.version, to: source.version } }) };
}

function moveRefusals(move: AppMove, request: PromotionRequest): Refusal[] {
  const refusals: Refusal[] = [];
  const { current, source } = move;
  if (current && current.chart === source.chart && compareVersions(source.version, current.version) < 0) {
    refusals.push({
      reason: `${move.app}: ${request.from} has ${source.version}, older than ${request.to}'s ${current.version}`,
      fix: `promotion never downgrades; bring ${request.from} up to ${current.version} or newer first, or roll ${request.to} back by a reviewed pull request`,
    });
  }
  return refusals;
}
