import { readGate } from '../../inventory/promotion-gate.ts';
import { UsageError, FindingsError } from '../../lib/errors.ts';
import {
  explained,
  findOpenPullRequest,
  readCommitStatuses,
  setCommitStatus,
  shortenDescription,
  type GitHubClient,
  type GitHubTarget,
} from '../../lib/github.ts';
import { checkGate, missingAccess, type GateAccess, type GateScope } from './check.ts';
import { gateStatus, PROMOTION_GATE_CONTEXT, type GateOutcome } from './report.ts';

/** What of promote's options the gate reads. */
interface GateRunOptions {
  base: string;
  dryRun: boolean;
  now: Date;
  soakSeconds?: number;
  override?: string;
  gateAccess?: GateAccess;
  github?: { client: GitHubClient; target: GitHubTarget };
  progress: (line: string) => void;
}

/** The source environment's gate, with --soak and --override applied: evaluated, or (a dry run without access) why not. */
export async function runGate(options: GateRunOptions, scope: GateScope): Promise<GateOutcome> {
  const { inventory, from } = scope;
  const spec = inventory.fleet.promotion?.[from];
  const environment = from;
  if (!spec && options.soakSeconds === undefined) return { environment };
  const gate = readGate(spec ?? {});
  const soakFrom = options.soakSeconds === undefined ? undefined : `--soak; fleet.yaml says ${spec?.soak ?? 'none'}`;
  if (options.soakSeconds !== undefined) gate.soakSeconds = options.soakSeconds;
  const access = options.gateAccess ?? { kubeconfigs: {}, alertmanagers: {} };
  const missing = missingAccess(gate, scope, access);
  if (missing.length) {
    const needs = `the ${from} gate (fleet.yaml promotion.${from}) needs ${missing.join(', ')}`;
    if (options.dryRun) return { environment, gate, soakFrom, unchecked: needs };
    throw new UsageError(`${needs}\nfix: pass them (see npm run promote -- --help), or --dry-run to see the plan without the gate`);
  }
  options.progress(`promote: checking the ${from} gate (${gate.requireHealthy ? 'Argo CD' : 'git'}${gate.blockingAlerts.length ? ', Alertmanagers' : ''})`);
  const verdict = await checkGate(gate, scope, access, options.now);
  return { environment, gate, soakFrom, verdict, ...(verdict.refusals.length && options.override ? { override: options.override } : {}) };
}

/** The gate refused: an open pull request of this promotion gets a failing status (its merge waits), then exit 1. */
export async function refuseByGate(options: GateRunOptions, plan: { from: string; branch: string }, outcome: GateOutcome): Promise<never> {
  if (!options.dryRun) {
    const open = await explained(findOpenPullRequest(options.github!.client, options.github!.target, plan.branch, options.base), {
      what: 'the open pull request',
      rerun: 'nothing was pushed; run promote again',
    });
    if (open)
      await explained(ensureGateStatus(options.github!, open.head.sha, gateStatus(outcome)), {
        what: `the ${PROMOTION_GATE_CONTEXT} commit status`,
        rerun: 'nothing was pushed; run promote again',
      });
  }
  throw new FindingsError(
    outcome.verdict!.refusals.map((r) => ({ file: 'fleet.yaml', message: `promotion refused by the ${plan.from} gate: ${r.reason}`, hint: r.fix })),
    `promotion refused by the ${plan.from} gate`,
  );
}

/** Sets the gate's status on a commit unless it already says exactly that (a re-run writes nothing). */
export async function ensureGateStatus(github: NonNullable<GateRunOptions['github']>, sha: string, status: ReturnType<typeof gateStatus>): Promise<void> {
  const spec = { state: status.state, context: PROMOTION_GATE_CONTEXT, description: status.description };
  const current = (await readCommitStatuses(github.client, github.target, sha)).find((s) => s.context === PROMOTION_GATE_CONTEXT);
  if (current && current.state === spec.state && current.description === shortenDescription(spec.description)) return;
  await setCommitStatus(github.client, github.target, sha, spec);
}
