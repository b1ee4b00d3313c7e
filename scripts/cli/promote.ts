import { appNames, isAppName } from '../inventory/app-catalog.ts';
import { runCommand, UsageError } from '../lib/errors.ts';
import { printErr, printOut, writeReport } from '../lib/output.ts';
import { outputFileOption, rootOption } from '../lib/paths.ts';
import { git } from '../lib/git.ts';
import { checkGitHubApiUrl, connectGitHub } from '../lib/github.ts';
import { runPromote } from '../promote/command.ts';
import { parseCommandArgs } from './args.ts';
import { ACCESS_OPTIONS, gateAccessOptions } from './access-options.ts';
import { parseDuration } from '../inventory/promotion-gate.ts';

const HELP = `usage: npm run promote -- --from ENV --to ENV [--app APP] [--dry-run] [--plan-out FILE]
                          [--force REASON] [--override REASON] [--soak DURATION]
                          [--argocd-url URL] [--argocd-ca FILE] [--kubeconfig CLUSTER=FILE|FILE]…
                          [--alertmanager CLUSTER=URL]… [--label L]… [--reviewer USER]… [--draft]
                          [--repo OWNER/NAME] [--remote origin] [--base main] [--root DIR]

Promotes chart pins (and their release values) from one environment to the next by pull request.
Works on the base branch in a throwaway worktree (your checkout is never touched): updates
overlays/<to>/pins.yaml, regenerates, validates the target clusters, commits on the branch
promote/<from>-to-<to>/<app or all>, pushes, and opens or updates the one pull request for it.
Re-running with nothing new changes nothing.

  --from, --to       environments, next hop only (see fleet.yaml)
  --app APP          promote one app only (an app of app-catalog.yaml)
  --dry-run          print the plan and the pull request; push nothing, call GitHub for nothing
  --plan-out FILE    also write the plan as JSON
  --force REASON     allow skipping environments; the reason goes into the pull request

The source environment's gate (fleet.yaml promotion.<from>) must pass: every source cluster's
Application of each promoted app Synced and Healthy in Argo CD at a commit with the pin, for the soak
time, and no active alert matching blockingAlerts in the source clusters' Alertmanagers. The pull
request gets the evidence table and the commit status monitoring-gitops/promotion-gate.
  --argocd-url URL   argocd-server, with an API token in ARGOCD_TOKEN (applications, get)
  --argocd-ca FILE   PEM of the CA that signed argocd-server's certificate
  --kubeconfig CLUSTER=FILE   reach CLUSTER's Alertmanager through its API server's service proxy
  --kubeconfig FILE  the same, one kubeconfig with a context named after each source cluster
  --alertmanager CLUSTER=URL  reach CLUSTER's Alertmanager at its own URL instead
  --soak DURATION    replace the gate's soak time for this run (24h, 90m); recorded in the pull request
  --override REASON  promote although the gate refuses; the reason goes into the pull request
  --label L          pull request labels (default: promotion)
  --reviewer USER    request reviews on a new pull request
  --draft            open the pull request as a draft

GitHub: GITHUB_TOKEN (or a GitHub App installation token in it), GITHUB_API_URL for Enterprise,
GITHUB_REPOSITORY or --repo (default: from the remote's URL).

exit codes: 0 promoted or nothing to do, 1 refused (order, downgrade, gate) or validation findings,
            2 usage, git, GitHub, Argo CD or Alertmanager error (an unreachable one never passes the gate)`;

await runCommand(async () => {
  const { values } = parseCommandArgs(process.argv.slice(2), {
    from: { type: 'string' },
    to: { type: 'string' },
    app: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'plan-out': { type: 'string' },
    force: { type: 'string' },
    override: { type: 'string' },
    soak: { type: 'string' },
    ...ACCESS_OPTIONS,
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
  if (values.app && !isAppName(values.app)) throw new UsageError(`--app ${values.app}: not an app of app-catalog.yaml (${appNames().join(', ')})`);
  const soakSeconds = values.soak === undefined ? undefined : parseDuration(values.soak);
  if (values.soak !== undefined && soakSeconds === undefined) throw new UsageError(`--soak ${values.soak}: give a duration such as 24h, 90m or 30s`);
  if (values.override !== undefined && !values.override.trim()) throw new UsageError('--override needs a reason (it goes into the pull request)');
  const gateAccess = gateAccessOptions(values);
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
    app: values.app,
    force: values.force,
    override: values.override,
    soakSeconds,
    gateAccess,
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
