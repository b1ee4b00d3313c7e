import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, runCommand } from '../lib/errors.ts';
import { formatJson, formatJunit, formatText } from '../validate/report.ts';
import { runValidate } from '../validate/run.ts';
import { parseCommandArgs } from './args.ts';

const HELP = `usage: npm run validate -- [--cluster NAME]… [--changed-since REF] [--json] [--junit FILE] [--root DIR]

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
  --json               print the report as JSON on stdout
  --junit FILE         also write a JUnit XML report
  --root DIR           the repository (default: the current directory)

Charts come from the pinned repositories; helm-mirrors.yaml or MONITORING_GITOPS_HELM_MIRRORS
(canonical=mirror,…) point them elsewhere (offline, air-gapped, tests).

exit codes: 0 clean, 1 findings, 2 usage or environment error (missing Go, unreachable repository)`;

await runCommand(async () => {
  const { values } = parseCommandArgs(process.argv.slice(2), {
    cluster: { type: 'string', multiple: true },
    'changed-since': { type: 'string' },
    json: { type: 'boolean' },
    junit: { type: 'string' },
    'server-side': { type: 'boolean' },
    kubeconfig: { type: 'string' },
    'schemas-from-cluster': { type: 'string' },
    root: { type: 'string' },
  });
  if (values.help) return void console.log(HELP);
  const report = await runValidate({
    root: resolve(values.root ?? '.'),
    clusters: values.cluster?.flatMap((c) => c.split(',')).filter(Boolean),
    changedSince: values['changed-since'],
    serverSide: values.kubeconfig
      ? { kubeconfig: resolve(values.kubeconfig), installCrds: false, label: `the cluster of ${values.kubeconfig}` }
      : values['server-side']
        ? 'local'
        : undefined,
    schemasFromCluster: values['schemas-from-cluster'] && resolve(values['schemas-from-cluster']),
    progress: (line) => console.error(line),
  });
  if (values.junit) writeFileSync(values.junit, formatJunit(report));
  console.log(values.json ? formatJson(report) : formatText(report));
  return report.findings.length ? EXIT.findings : EXIT.ok;
});
