import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../inventory/types.ts';
import { readInventory } from '../inventory/read.ts';
import { runGenerate } from '../generate/command.ts';
import { readGeneratedTree } from '../generate/apply.ts';
import { planGenerate } from '../generate/plan.ts';
import { compareTree, isClean } from '../generate/tree.ts';
import { FindingsError } from '../lib/errors.ts';
import { readMirrorMap } from '../inventory/mirrors.ts';
import { ALL_TOOLS, ensureTools } from '../tools/install.ts';
import { runValidate } from '../validate/run.ts';
import { promotionBody, type ClusterEffect } from './body.ts';
import { computeEffects } from './effects.ts';
import { commitAndPush, fetchBase, remoteBranch, remoteTree, stagedTree, uncommitted, withWorktree } from '../lib/git.ts';
import { explained, openOrUpdatePullRequest, type GitHubClient, type GitHubTarget, type PullRequestOutcome } from '../lib/github.ts';
import { readArrivals } from '../inventory/arrivals.ts';
import type { GateAccess } from './gate/check.ts';
import { ensureGateStatus, refuseByGate, runGate } from './gate/run.ts';
import { gateStatus, PROMOTION_GATE_CONTEXT } from './gate/report.ts';
import { checkEnvironments, legacyPromotionBranch, planPromotion, type PromotionPlan, type PromotionRequest, type PromotionState } from './plan.ts';

export interface PromoteOptions extends PromotionRequest {
  root: string;
  remote: string;
  base: string;
  dryRun: boolean;
  labels: string[];
  reviewers: string[];
  draft: boolean;
  now: Date;
  /** Needed unless --dry-run. */
  github?: { client: GitHubClient; target: GitHubTarget };
  /** Where the source environment's gate reads Argo CD and the Alertmanagers; default: nowhere. */
  gateAccess?: GateAccess;
  progress: (line: string) => void;
}

interface PromoteOutcome {
  plan: PromotionPlan;
  title: string;
  body: string;
  effects: ClusterEffect[];
  pushed: boolean;
  pullRequest?: PullRequestOutcome;
}

/** Reads what planning needs from the base-branch worktree and the user's checkout. */
async function gatherState(options: PromoteOptions, worktree: string, baseCommit: string): Promise<PromotionState> {
  const inventory = await readInventory(worktree);
  checkEnvironments(inventory.fleet.environments, options);
  const targetClusters = inventory.clusters.filter((c) => c.environment === options.to).map((c) => c.name);
  const dirty = await uncommitted(options.root, [`overlays/${options.to}`, ...targetClusters.flatMap((c) => [`clusters/${c}.yaml`, `apps/${c}`])]);
  const stale = !isClean(compareTree(planGenerate(inventory), await readGeneratedTree(worktree)));
  const source = inventory.environments.find((e) => e.name === options.from);
  const arrivals = source ? await readArrivals(worktree, baseCommit, source) : {};
  return {
    inventory,
    targetPinsText: readFileSync(join(worktree, 'overlays', options.to, 'pins.yaml'), 'utf8'),
    sourceCommit: baseCommit,
    arrivals,
    now: options.now,
    targetProblems: [
      ...dirty.map((p) => `${p} has uncommitted changes in your checkout`),
      ...(stale ? [`the generated files on ${options.base} are stale`] : []),
    ],
  };
}

function refuse(plan: ReturnType<typeof planPromotion>, to: string): never {
  throw new FindingsError(
    plan.refusals.map((r) => ({ file: `overlays/${to}/pins.yaml`, message: `promotion refused: ${r.reason}`, hint: r.fix })),
    `promotion refused`,
  );
}

/** Applies the plan in the worktree: pins, generate, validate the target clusters; findings stop it here. */
async function applyAndValidate(
  options: PromoteOptions,
  worktree: string,
  before: Inventory,
  plan: PromotionPlan,
): Promise<{ effects: ClusterEffect[]; body: { title: string; body: string } }> {
  writeFileSync(join(worktree, 'overlays', plan.to, 'pins.yaml'), plan.pinsText);
  await runGenerate(worktree);
  const after = await readInventory(worktree);
  const clusters = after.clusters.filter((c) => c.environment === plan.to).map((c) => c.name);
  const report = await runValidate({ root: worktree, clusters, progress: options.progress });
  if (report.findings.length) throw new FindingsError(report.findings, `validation of the ${plan.to} clusters failed; nothing was pushed`);
  const tools = await ensureTools(ALL_TOOLS);
  const effects = await computeEffects(
    before,
    after,
    clusters,
    plan.moves.map((m) => m.app),
    tools,
    readMirrorMap(worktree),
  );
  const resources = report.rendered.reduce((n, r) => n + r.objects.length, 0);
  return { effects, body: promotionBody(plan, effects, { findings: 0, leaves: report.rendered.length, resources, seconds: report.seconds }) };
}

/** A branch of the old name (promote/dev-to-staging) makes git refuse promote/dev-to-staging/all: say how to migrate. */
async function refuseLegacyBranch(options: PromoteOptions, plan: PromotionPlan): Promise<void> {
  const legacy = legacyPromotionBranch(plan);
  if ((await remoteBranch(options.root, options.remote, legacy)) === undefined) return;
  throw new FindingsError(
    [
      {
        file: `overlays/${plan.to}/pins.yaml`,
        message: `promotion refused: the branch ${legacy} (named by an older version of this toolkit) blocks ${plan.branch}: git cannot hold a branch inside another one`,
        hint: `close its pull request if one is open, then delete it (git push ${options.remote} --delete ${legacy}) and promote again; the new pull request comes from ${plan.branch}`,
      },
    ],
    'promotion refused',
  );
}

/** promote: plan on the base branch, apply and validate in a throwaway worktree, push, open or update the PR. */
export async function runPromote(options: PromoteOptions): Promise<PromoteOutcome | { nothing: true; plan: PromotionPlan }> {
  const baseCommit = await fetchBase(options.root, options.remote, options.base);
  return withWorktree(options.root, baseCommit, async (worktree) => {
    const state = await gatherState(options, worktree, baseCommit);
    const planned = planPromotion(state, options);
    if (!planned.plan) refuse(planned, options.to);
    const plan = planned.plan;
    if (!plan.moves.length) return { nothing: true as const, plan };
    if (!options.dryRun) await refuseLegacyBranch(options, plan);
    plan.gate = await runGate(options, { dir: worktree, baseCommit, inventory: state.inventory, from: plan.from, apps: plan.moves.map((m) => m.app) });
    if (plan.gate.verdict?.refusals.length && !plan.gate.override) await refuseByGate(options, plan, plan.gate);
    const { effects, body } = await applyAndValidate(options, worktree, state.inventory, plan);
    if (options.dryRun) return { plan, ...body, effects, pushed: false };
    const remoteHead = await remoteBranch(options.root, options.remote, plan.branch);
    const tree = await stagedTree(worktree);
    // Same content already on the branch: re-running changes nothing (no commit, no push).
    const upToDate = remoteHead !== undefined && (await remoteTree(options.root, options.remote, remoteHead)) === tree;
    const head = upToDate
      ? remoteHead
      : await commitAndPush(
          worktree,
          options.remote,
          plan.branch,
          `${body.title}\n\nGenerated by npm run promote -- --from ${plan.from} --to ${plan.to}${plan.app ? ` --app ${plan.app}` : ''}.`,
          remoteHead,
        );
    const spec = {
      head: plan.branch,
      base: options.base,
      title: body.title,
      body: body.body,
      labels: options.labels,
      reviewers: options.reviewers,
      draft: options.draft,
    };
    // The branch is pushed by now: a re-run only has the pull request left to do.
    const pullRequest = await explained(openOrUpdatePullRequest(options.github!.client, options.github!.target, spec), {
      what: 'the pull request',
      rerun: 'the branch was pushed, run promote again to finish',
    });
    await explained(ensureGateStatus(options.github!, head, gateStatus(plan.gate)), {
      what: `the ${PROMOTION_GATE_CONTEXT} commit status`,
      rerun: 'the pull request is up to date, run promote again to set it',
    });
    return { plan, ...body, effects, pushed: !upToDate, pullRequest };
  });
}
