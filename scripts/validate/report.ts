import { formatFinding, sortFindings, type Finding } from '../lib/findings.ts';
import { xmlText } from '../lib/output.ts';
import { dedupeShared } from './results-cache.ts';
import type { ValidateReport } from './run.ts';

/** One row of the cluster × app table. */
export interface LeafRow {
  cluster: string;
  environment: string;
  app: string;
  resources: number;
  results: Record<string, number>;
}

/** What the formats print: a validate run, or several shards' runs merged (`--json` writes exactly this). */
export interface ReportData {
  ok: boolean;
  seconds: number;
  checks: ValidateReport['checks'];
  leaves: LeafRow[];
  skippedClusters: string[];
  notes: string[];
  findings: Finding[];
}

/** Rows of the cluster × app table, and the checks that report per leaf. */
function leafRows(report: Pick<ValidateReport, 'checks' | 'rendered' | 'findings'>): LeafRow[] {
  const leafChecks = report.checks.filter((c) => c.scope === 'leaf');
  return report.rendered.map((r) => {
    const mine = (check: string) => report.findings.filter((f) => f.check === check && f.cluster === r.leaf.cluster.name && f.app === r.leaf.app).length;
    return {
      cluster: r.leaf.cluster.name,
      environment: r.leaf.cluster.environment,
      app: r.leaf.app,
      resources: r.resourceCount ?? r.objects.length,
      results: Object.fromEntries(leafChecks.map((c) => [c.name, mine(c.name)])),
    };
  });
}

export function reportData(report: ValidateReport): ReportData {
  return {
    ok: report.findings.length === 0,
    seconds: report.seconds,
    checks: report.checks,
    leaves: leafRows(report),
    skippedClusters: report.skippedClusters,
    notes: report.notes,
    findings: sortFindings(report.findings),
  };
}

/**
 * The shards' reports as one: every shard's leaves, the findings said once (a shared layer's finding comes from
 * each shard), every check any shard ran (the repository checks run in shard 1), skipped = what no shard validated. Pure.
 */
export function mergeReports(shards: ReportData[]): ReportData {
  const leaves = shards.flatMap((s) => s.leaves).sort((a, b) => (a.cluster === b.cluster ? (a.app < b.app ? -1 : 1) : a.cluster < b.cluster ? -1 : 1));
  const validated = new Set(leaves.map((l) => l.cluster));
  const findings = sortFindings(dedupeShared(shards.flatMap((s) => s.findings)));
  return {
    ok: findings.length === 0,
    seconds: Math.max(0, ...shards.map((s) => s.seconds)),
    checks: [...new Map([...shards].sort((a, b) => b.checks.length - a.checks.length).flatMap((s) => s.checks.map((c) => [c.name, c]))).values()],
    leaves,
    skippedClusters: [...new Set(shards.flatMap((s) => s.skippedClusters))].filter((c) => !validated.has(c)).sort(),
    notes: [...new Set(shards.flatMap((s) => s.notes))],
    findings,
  };
}

/** The terminal report: a summary table per cluster × app, repository-wide checks, then every finding. */
export function formatText(report: ReportData): string {
  const leafChecks = report.checks.filter((c) => c.scope === 'leaf');
  const rows = report.leaves;
  const cell = (n: number) => (n ? `${n} ✗` : 'ok');
  const header = ['cluster', 'env', 'app', 'resources', ...leafChecks.map((c) => c.name)];
  const body = rows.map((r) => [r.cluster, r.environment, r.app, String(r.resources), ...leafChecks.map((c) => cell(r.results[c.name] ?? 0))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), ''];
  for (const c of report.checks.filter((c) => c.scope === 'repository')) {
    const n = report.findings.filter((f) => f.check === c.name).length;
    out.push(`${n ? `${n} ✗` : 'ok '.padEnd(3)}  ${c.title}`);
  }
  if (report.skippedClusters.length) out.push('', `not selected: ${report.skippedClusters.join(', ')}`);
  if (report.notes.length) out.push('', ...report.notes.map((n) => `note: ${n}`));
  if (report.findings.length) out.push('', ...sortFindings(report.findings).map((f) => `[${f.check}] ${formatFinding(f)}`));
  const resources = rows.reduce((n, r) => n + r.resources, 0);
  out.push(
    '',
    `validate: ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}, ${rows.length} leaves, ${resources} rendered resources, ${report.seconds.toFixed(1)}s`,
  );
  return out.join('\n');
}

export function formatJson(report: ReportData): string {
  return JSON.stringify(report, null, 2);
}

/** JUnit XML: one suite per check, one case per cluster/app (or per file for repository checks). */
export function formatJunit(report: ReportData): string {
  const rows = report.leaves;
  const suites = report.checks.map((check) => {
    const findings = report.findings.filter((f) => f.check === check.name);
    const cases =
      check.scope === 'leaf'
        ? rows.map((r) =>
            testCase(
              `${r.cluster}`,
              r.app,
              findings.filter((f) => f.cluster === r.cluster && f.app === r.app),
            ),
          )
        : [testCase('repository', check.name, findings)];
    const failures = cases.filter((c) => c.includes('<failure')).length;
    return `  <testsuite name="${xmlText(check.name)}" tests="${cases.length}" failures="${failures}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="validate">\n${suites.join('\n')}\n</testsuites>\n`;
}

function testCase(classname: string, name: string, findings: Finding[]): string {
  const open = `    <testcase classname="${xmlText(classname)}" name="${xmlText(name)}"`;
  if (!findings.length) return `${open}/>`;
  const text = findings.map(formatFinding).join('\n\n');
  return `${open}>\n      <failure message="${xmlText(findings[0]!.message.split('\n')[0]!)}">${xmlText(text)}</failure>\n    </testcase>`;
}
