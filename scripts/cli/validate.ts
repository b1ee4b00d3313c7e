import { resolve } from 'node:path';
import { EXIT, runCommand, UsageError } from '../lib/errors.ts';
import { printErr, printOut, writeReport } from '../lib/output.ts';
import { outputFileOption, rootOption } from '../lib/paths.ts';
import { parseShard } from '../lib/shard.ts';
import { formatJson, formatJunit, formatText, mergeReports, reportData, type ReportData } from '../validate/report.ts';
import { readReportFiles } from '../validate/report-files.ts';
import { runValidate, selectedClusters } from '../validate/run.ts';
import { parseCommandArgs } from './args.ts';

const HELP = `usage: npm run validate -- [--cluster NAME]… [--changed-since REF] [--shard I/N] [--json] [--junit FILE] [--root DIR]
       npm run validate -- --merge REPORT.json… [--json] [--junit FILE]

Renders every cluster's leaves with the pinned kustomize and helm and checks everything for real:
inventory schemas, generated files up to date, rendering, kubeconform -strict, promtool (rules, rule
tests, config), amtool, values against the chart's values.schema.json, dashboards, AppProject fit,
plaintext secrets, actionlint. Every finding is collected before the exit.

  --cluster NAME       only this cluster (repeat or comma-separate for several)
  --changed-since REF  only clusters whose inputs changed since REF (git merge-base with HEAD)
  --server-side        also dry-run every object into a local kube-apiserver (built once, started and
                       stopped by this run; Argo CD and chart CRDs installed first)
  --kubeconfig FILE    also dry-run every object into the cluster FILE points at (nothing is persisted)
  --schemas-from-cluster FILE
                       validate with kubeconform against the OpenAPI document the cluster in FILE serves
                       (CRDs included) instead of the pinned Kubernetes module's
  --shard I/N          only the I-th of N stable slices of the selected clusters (by a hash of each name),
                       for a CI matrix; write each shard's --json and join them with --merge
  --merge              read the --json reports named after the options (one per shard) and print them
                       as one report (text, --json, --junit), exiting as one run over every shard would
  --no-cache           run every check afresh (the check results cache is neither read nor written)
  --list               print the clusters the other options select, one per line, and exit (no tools
                       needed: CI sizes its shard matrix from it); inventory problems are printed
                       instead, with exit 1 as validate's
  --json               print the report as JSON on stdout
  --junit FILE         also write a JUnit XML report
  --root DIR           the repository (default: the current directory)

Charts come from the pinned repositories; helm-mirrors.yaml or MONITORING_GITOPS_HELM_MIRRORS
(canonical=mirror,…) point them elsewhere (offline, air-gapped, tests).

Check results are cached with a signature by a key kept outside the cache: MONITORING_GITOPS_CACHE_KEY
(CI, from a secret), else $XDG_CONFIG_HOME/monitoring-gitops/cache.key (default ~/.config; created
0600 on first use). An entry that does not verify is recomputed, never trusted.

exit codes: 0 clean, 1 findings, 2 usage or environment error (missing Go, unreachable repository, a --merge
            file that is not a validate --json report or repeats a shard)`;

await runCommand(async () => {
  const { values, positionals } = parseCommandArgs(
    process.argv.slice(2),
    {
      cluster: { type: 'string', multiple: true },
      'changed-since': { type: 'string' },
      json: { type: 'boolean' },
      junit: { type: 'string' },
      'server-side': { type: 'boolean' },
      kubeconfig: { type: 'string' },
      'schemas-from-cluster': { type: 'string' },
      root: { type: 'string' },
      shard: { type: 'string' },
      merge: { type: 'boolean' },
      'no-cache': { type: 'boolean' },
      list: { type: 'boolean' },
    },
    { positionals: true },
  );
  if (values.help) return void console.log(HELP);
  const output = { json: values.json, junit: outputFileOption(values.junit, '--junit') };
  if (values.merge) return printReport(mergeReports(readReports(positionals)), output);
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}\nfix: report files go with --merge; run with --help to see the options`);
  const selection = {
    root: rootOption(values.root),
    clusters: values.cluster?.flatMap((c) => c.split(',')).filter(Boolean),
    changedSince: values['changed-since'],
    shard: parseShard(values.shard),
  };
  if (values.list) return void console.log((await selectedClusters(selection)).join('\n'));
  const report = await runValidate({
    ...selection,
    serverSide: values.kubeconfig
      ? { kubeconfig: resolve(values.kubeconfig), installCrds: false, label: `the cluster of ${values.kubeconfig}` }
      : values['server-side']
        ? 'local'
        : undefined,
    schemasFromCluster: values['schemas-from-cluster'] && resolve(values['schemas-from-cluster']),
    noCache: values['no-cache'],
    progress: printErr,
  });
  return printReport(reportData(report), output);
});

function printReport(report: ReportData, options: { json?: boolean; junit?: string }): number {
  if (options.junit) writeReport(options.junit, formatJunit(report));
  printOut(options.json ? formatJson(report) : formatText(report));
  return report.findings.length ? EXIT.findings : EXIT.ok;
}

/** The shards' --json reports, each checked before it is read; a file that is not one is a usage error naming it. */
function readReports(files: string[]): ReportData[] {
  if (!files.length) throw new UsageError('--merge needs the report files\nfix: npm run validate -- --merge reports/*.json');
  return readReportFiles(files);
}
