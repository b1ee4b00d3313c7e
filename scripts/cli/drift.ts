import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError, EXIT, runCommand, UsageError } from '../lib/errors.ts';
import { printErr, printOut, writeReport } from '../lib/output.ts';
import { outputFolderOption, rootOption } from '../lib/paths.ts';
import { runDrift } from '../drift/command.ts';
import { findDriftIssue, upsertDriftIssue } from '../drift/issue.ts';
import { driftErrors, formatDriftMarkdown, hasDrift, previousKeys } from '../drift/report.ts';
import { git } from '../lib/git.ts';
import { connectGitHub, explained } from '../lib/github.ts';
import { parseCommandArgs } from './args.ts';
import { ACCESS_OPTIONS, argoCdOption, gateAccessOptions } from './access-options.ts';

const HELP = `usage: npm run drift -- [--format md|json] [--issue] [--argocd-url URL] [--argocd-ca FILE]
                        [--kubeconfig CLUSTER=FILE|FILE]… [--alertmanager CLUSTER=URL]… [--out DIR] [--root DIR]

One report of four kinds of drift, each skipped with its reason when its input is missing:
  generated     generated files that differ from what generate produces (hand edits, forgotten runs)
  environments  chart versions and values one hop apart: promotion pending (with age, and whether
                its gate in fleet.yaml would pass now: Argo CD and each source cluster's Alertmanager
                through --kubeconfig, a --kubeconfig FILE with a context per cluster, or
                --alertmanager CLUSTER=URL) or divergent
  upstream      newest stable chart versions in the pinned repositories, deprecated or moved charts
  live          Argo CD's sync, health, revision and operations (--argocd-url, ARGOCD_TOKEN), and
                resource-level drift by server-side dry-run (--kubeconfig CLUSTER=FILE, repeatable)

  --argocd-ca FILE  PEM of the CA that signed argocd-server's certificate
  --format md|json  what to print (default md)
  --issue           keep one "Drift report" issue: opened on drift, edited only when it changes,
                    closed when clean, reopened when drift returns (GITHUB_TOKEN, GITHUB_REPOSITORY)
  --out DIR         write drift-report.md and drift-report.json; the previous JSON there is what
                    "new since the last report" compares with

A section left out for want of its input (no --argocd-url) is skipped with its reason; one that was asked
for and could not run (a repository, Argo CD, a cluster or an Alertmanager unreachable, a token or
certificate refused) is an error: printed after the report, which is still written.

exit codes: 0 clean, 1 drift found, 2 error (something asked for could not be checked, even where drift was
            found) or nothing could be checked`;

await runCommand(async () => {
  const { values } = parseCommandArgs(process.argv.slice(2), {
    format: { type: 'string' },
    issue: { type: 'boolean' },
    ...ACCESS_OPTIONS,
    out: { type: 'string' },
    root: { type: 'string' },
    repo: { type: 'string' },
  });
  if (values.help) return void console.log(HELP);
  const format = values.format ?? 'md';
  if (!['md', 'json'].includes(format)) throw new UsageError(`--format ${format}: use md or json`);
  const { kubeconfigs, kubeconfigContexts, alertmanagers } = gateAccessOptions({ kubeconfig: values.kubeconfig, alertmanager: values.alertmanager });
  const root = rootOption(values.root);
  const outDir = outputFolderOption(values.out, '--out');
  const argocd = argoCdOption(values);
  const github = values.issue
    ? connectGitHub(
        process.env.GITHUB_TOKEN,
        '--issue needs a token with issues: write',
        values.repo,
        await git(root, ['remote', 'get-url', 'origin']).catch(() => ''),
      )
    : undefined;
  const issue = github && (await explained(findDriftIssue(github.client, github.target), { what: 'the drift issue', rerun: 'run drift --issue again' }));
  const previousFile = outDir && join(outDir, 'drift-report.json');
  const previous = issue?.body ?? (previousFile && existsSync(previousFile) ? readFileSync(previousFile, 'utf8') : undefined);
  const report = await runDrift({
    root,
    now: new Date(),
    kubeconfigs,
    kubeconfigContexts,
    alertmanagers,
    previousKeys: previous ? previousKeys(previous) : undefined,
    progress: printErr,
    ...(argocd ? { argocd } : {}),
  });
  const markdown = formatDriftMarkdown(report);
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    writeReport(join(outDir, 'drift-report.md'), `${markdown}\n`);
    writeReport(join(outDir, 'drift-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  }
  printOut(format === 'json' ? JSON.stringify(report, null, 2) : markdown);
  if (github) {
    const outcome = await explained(upsertDriftIssue(github.client, github.target, markdown, hasDrift(report)), {
      what: 'the drift issue',
      rerun: 'run drift --issue again',
    });
    console.error(`drift: issue ${outcome.number ?? '-'} ${outcome.action}`);
  }
  if (report.sections.every((s) => s.status === 'skipped'))
    throw new EnvironmentError('nothing could be checked: every section was skipped (see the report for why)');
  const errors = driftErrors(report);
  if (errors.length)
    throw new EnvironmentError(
      `not everything could be checked (the report above says what was):\n${errors.map((e) => `  ${e.replaceAll('\n', '\n    ')}`).join('\n')}\nfix: make each reachable (network, token, --argocd-ca) and run again, or leave its input out to skip that section`,
    );
  return hasDrift(report) ? EXIT.findings : EXIT.ok;
});
