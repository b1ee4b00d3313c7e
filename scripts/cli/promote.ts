import { isAppName } from '../inventory/apps.ts';
import { runCommand, UsageError } from '../lib/errors.ts';
import { printErr, printOut, writeReport } from '../lib/output.ts';
import { outputFileOption, rootOption } from '../lib/paths.ts';
import { git } from '../lib/git.ts';
import { checkGitHubApiUrl, connectGitHub } from '../lib/github.ts';
import { runPromote } from '../promote/command.ts';
import { parseCommandArgs } from './args.ts';

const HELP = `usage: npm run promote -- --from ENV --to ENV [--app prometheus|grafana] [--dry-run] [--plan-out FILE]
                          [--force REASON] [--soak-hours N] [--label L]… [--reviewer USER]… [--draft]
                          [--repo OWNER/NAME] [--remote origin] [--base main] [--root DIR]

Promotes chart pins (and their release values) from one environment to the next by pull request.
Works on the base branch in a throwaway worktree (your checkout is never touched): updates
overlays/<to>/pins.yaml, regenerates, validates the target clusters, commits on the branch
promote/<from>-to-<to>/<app or all>, pushes, and opens or updates the one pull request for it.
Re-running with nothing new changes nothing.

  --from, --to       environments, next hop only (see fleet.yaml)
  --app APP          promote one app only
  --dry-run          print the plan and the pull request; push nothing, call GitHub for nothing
  --plan-out FILE    also write the plan as JSON
  --force REASON     allow skipping environments; the reason goes into the pull request
  --soak-hours N     refuse unless the source had the version on the base branch for N hours
  --label L          pull request labels (default: promotion)
  --reviewer USER    request reviews on a new pull request
  --draft            open the pull request as a draft

GitHub: GITHUB_TOKEN (or a GitHub App installation token in it), GITHUB_API_URL for Enterprise,
GITHUB_REPOSITORY or --repo (default: from the remote's URL).

exit codes: 0 promoted or nothing to do, 1 refused or validation findings, 2 usage, git or GitHub error`;

await runCommand(async () => {
  const { values } = parseCommandArgs(process.argv.slice(2), {
    from: { type: 'string' },
    to: { type: 'string' },
    app: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'plan-out': { type: 'string' },
    force: { type: 'string' },
    'soak-hours': { type: 'string' },
    label: { type: 'string', multiple: true },
    reviewer: { type: 'string', multiple: true },
    draft: { type: 'boolean' },
    repo: { type: 'string' },
    remote: { type: 'string' },
    base: { type: 'string' },
    root: { type: 'string' },
  });
  if (values.help) return void console.log(HELP);
  if (!values.from || !values.to) throw new UsageError('--from and --to are required');
  if (values.app && !isAppName(values.app)) throw new UsageError(`--app ${values.app}: not an app of this repository (prometheus, grafana)`);
  const soakHours = values['soak-hours'] === undefined ? undefined : Number(values['soak-hours']);
  if (soakHours !== undefined && !(soakHours >= 0)) throw new UsageError(`--soak-hours ${values['soak-hours']}: give a number of hours`);
  const root = rootOption(values.root);
  const planOut = outputFileOption(values['plan-out'], '--plan-out');
  const remote = values.remote ?? 'origin';
  const dryRun = values['dry-run'] ?? false;
  let github: ReturnType<typeof connectGitHub> | undefined;
  if (!dryRun) {
    const baseUrl = await checkGitHubApiUrl();
    github = connectGitHub(
      process.env.GITHUB_TOKEN,
      'promote needs a token with contents: write and pull-requests: write (or use --dry-run)',
      values.repo,
      await git(root, ['remote', 'get-url', remote]),
      { baseUrl },
    );
  }
  const outcome = await runPromote({
    root,
    remote,
    base: values.base ?? 'main',
    from: values.from,
    to: values.to,
    app: values.app as never,
    force: values.force,
    soakHours,
    dryRun,
    labels: values.label ?? ['promotion'],
    reviewers: values.reviewer ?? [],
    draft: values.draft ?? false,
    now: new Date(),
    github,
    progress: printErr,
  });
  if (planOut) writeReport(planOut, `${JSON.stringify(outcome, null, 2)}\n`);
  if ('nothing' in outcome)
    return void console.log(`promote: nothing to promote from ${values.from} to ${values.to} (the pins and release values are the same)`);
  if (dryRun) return void printOut(`promote --dry-run: would push ${outcome.plan.branch} and open or update:\n\n# ${outcome.title}\n\n${outcome.body}`);
  const pr = outcome.pullRequest!;
  printOut(
    `promote: ${outcome.pushed ? `pushed ${outcome.plan.branch}` : `${outcome.plan.branch} already up to date`}; pull request #${pr.number} ${pr.action}: ${pr.url}`,
  );
});
