import { parse } from 'yaml';

/** The parts of a GitHub Actions workflow the invariants read. */
interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  uses?: string;
  permissions?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on?: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs?: Record<string, Job>;
}

/** One step with where it is, for messages (`validate.yml job test step 'Tests'`). */
interface Located {
  file: string;
  workflow: Workflow;
  jobId: string;
  job: Job;
  step: Step;
  at: string;
}

const ROLLING = /github\.run_id/;
const MAIN_ONLY = "github.ref == 'refs/heads/main'";
const FORK_GUARD = 'github.event.pull_request.head.repo.full_name == github.repository';
/** The reusable workflow whose job restores or builds the pinned tools, and alone saves them. */
const TOOLS_WORKFLOW = 'tools.yml';
const TOOLS_KEY = 'needs.tools.outputs.key';

const action = (step: Step) => step.uses?.split('@')[0];
/** An `if:` without its optional `${{ }}`. */
const condition = (step: Step) => step.if?.replace(/^\s*\$\{\{(.*)\}\}\s*$/s, '$1').trim();
const needs = (job: Job) => [job.needs ?? []].flat();

function locate(files: Map<string, string>): Located[] {
  return [...files].flatMap(([file, text]) => {
    const workflow = parse(text) as Workflow;
    return Object.entries(workflow.jobs ?? {}).flatMap(([jobId, job]) =>
      (job.steps ?? []).map((step, i) => ({
        file,
        workflow,
        jobId,
        job,
        step,
        at: `${file} job ${jobId} step '${step.name ?? step.id ?? step.uses ?? i + 1}'`,
      })),
    );
  });
}

/** The key a save step writes: its own, or the primary key of the restore step it names. */
function savedKey({ job, step }: Located): string {
  const key = String(step.with?.key ?? '');
  const id = /steps\.([\w-]+)\.outputs\.cache-primary-key/.exec(key)?.[1];
  return id ? String(job.steps?.find((s) => s.id === id)?.with?.key ?? key) : key;
}

/**
 * What a careful platform team holds every workflow to, as messages (none: all hold). `files`: file name → text.
 * Status functions: `!cancelled()`, never `always()` (which runs on in a cancelled run). Checkouts keep no token.
 * Caches: restore and save are separate steps; a rolling cache (a key per run) is saved from main only; the pinned
 * tools are saved by the tools workflow alone and restored read-only by jobs that need it. `npm ci --ignore-scripts`.
 * App tokens: `client-id`, and exactly the write permissions the workflow grants GITHUB_TOKEN. The sticky comment
 * skips forks' pull requests.
 */
export function workflowProblems(files: Map<string, string>): string[] {
  const steps = locate(files);
  const problems: string[] = [];
  for (const [file, text] of files) {
    for (const [jobId, job] of Object.entries((parse(text) as Workflow).jobs ?? {}))
      if (job.if?.includes('always()')) problems.push(`${file} job ${jobId}: always() runs in a cancelled run too; use !cancelled()`);
  }
  for (const located of steps) {
    const { step, at, job, file } = located;
    if (step.if?.includes('always()')) problems.push(`${at}: always() runs in a cancelled run too; use !cancelled()`);
    if (action(step) === 'actions/checkout' && step.with?.['persist-credentials'] !== false)
      problems.push(`${at}: persist-credentials: false (a step that pushes authenticates git itself)`);
    if (action(step) === 'actions/cache') problems.push(`${at}: actions/cache saves in every run; use actions/cache/restore and actions/cache/save`);
    if (action(step) === 'actions/cache/save' && ROLLING.test(savedKey(located)) && condition(step) !== MAIN_ONLY)
      problems.push(`${at}: a rolling cache is saved from main only (if: ${MAIN_ONLY})`);
    if (action(step) === 'actions/cache/save' && savedKey(located).startsWith('tools-') && file !== TOOLS_WORKFLOW)
      problems.push(`${at}: the pinned tools are saved by ${TOOLS_WORKFLOW} alone`);
    if (String(step.with?.key ?? '').includes(TOOLS_KEY) && (action(step) !== 'actions/cache/restore' || !needs(job).includes('tools')))
      problems.push(`${at}: restore the tools job's key with actions/cache/restore in a job that needs: tools`);
    if (/\bnpm ci\b/.test(step.run ?? '') && !/\bnpm ci\b[^\n]*--ignore-scripts/.test(step.run ?? '')) problems.push(`${at}: npm ci --ignore-scripts`);
    if (/\s--comment\b/.test(step.run ?? '') && !step.if?.includes(FORK_GUARD))
      problems.push(`${at}: a fork's pull request gets a read-only token: guard the comment with ${FORK_GUARD}`);
    if (action(step) === 'actions/create-github-app-token') problems.push(...appTokenProblems(located));
  }
  problems.push(...toolsRestorePathProblems(files, steps));
  return problems;
}

/** `client-id`, not the deprecated `app-id`; `permission-*: write` exactly what the job grants GITHUB_TOKEN. */
function appTokenProblems({ step, at, job, workflow }: Located): string[] {
  const problems = step.with?.['app-id'] !== undefined || step.with?.['client-id'] === undefined ? [`${at}: client-id, not the deprecated app-id`] : [];
  const asked = Object.entries(step.with ?? {})
    .filter(([k, v]) => k.startsWith('permission-') && v === 'write')
    .map(([k]) => k.slice('permission-'.length))
    .sort();
  const granted = Object.entries(job.permissions ?? workflow.permissions ?? {})
    .filter(([, v]) => v === 'write')
    .map(([k]) => k)
    .sort();
  if (asked.join() !== granted.join())
    problems.push(`${at}: the App token asks for ${asked.join(', ') || 'every permission of the installation'}; the job grants ${granted.join(', ')}`);
  return problems;
}

/** A restore finds the tools job's entry only with the same path (the path is part of the cache version). */
function toolsRestorePathProblems(files: Map<string, string>, steps: Located[]): string[] {
  const saves = steps.filter((l) => l.file === TOOLS_WORKFLOW && action(l.step) === 'actions/cache/save');
  if (files.has(TOOLS_WORKFLOW) && saves.length !== 1) return [`${TOOLS_WORKFLOW}: one actions/cache/save step, found ${saves.length}`];
  const path = saves[0]?.step.with?.path;
  return steps
    .filter((l) => String(l.step.with?.key ?? '').includes(TOOLS_KEY) && l.step.with?.path !== path)
    .map((l) => `${l.at}: path ${String(l.step.with?.path)} differs from ${TOOLS_WORKFLOW}'s ${String(path)}`);
}
