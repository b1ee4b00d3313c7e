import type { DriftItem, DriftSection } from './types.ts';
import { GITHUB_BODY_LIMIT } from '../lib/github.ts';

/** The whole report, as JSON artifacts and the issue carry it. */
export interface DriftReport {
  generatedAt: string;
  commit: string;
  environments: string[];
  clusters: { name: string; environment: string }[];
  sections: DriftSection[];
  /** Keys of items the previous report did not have. */
  newKeys: string[];
  /** Whether a previous report was found to compare with. */
  comparedWithPrevious: boolean;
}

/** Hidden marker of the drift issue; the keys after it let the next run say what is new. */
export const DRIFT_MARKER = 'monitoring-gitops:drift';
const SECTION_TITLES: Record<DriftSection['section'], string> = {
  generated: 'Generated vs committed',
  environments: 'Environment vs environment',
  upstream: 'Us vs upstream',
  live: 'Git vs live',
};

const allItems = (r: DriftReport): DriftItem[] => r.sections.flatMap((s) => s.items);
/** Drift worth an exit 1 and an open issue: anything above info. */
export const hasDrift = (r: DriftReport) => allItems(r).some((i) => i.severity !== 'info');

/** What could not be checked because of an error, `section: what`: drift exits 2 when there is any, whatever it found. */
export const driftErrors = (r: DriftReport): string[] => r.sections.flatMap((s) => (s.errors ?? []).map((e) => `${s.section}: ${e}`));

export function buildReport(parts: Omit<DriftReport, 'newKeys' | 'comparedWithPrevious'>, previousKeys: string[] | undefined): DriftReport {
  const report = { ...parts, newKeys: [] as string[], comparedWithPrevious: previousKeys !== undefined };
  const before = new Set(previousKeys ?? []);
  report.newKeys = previousKeys
    ? allItems(report)
        .map((i) => i.key)
        .filter((k) => !before.has(k))
    : [];
  return report;
}

const icon = (i: DriftItem) => (i.severity === 'critical' ? '🔴' : i.severity === 'warning' ? '🟠' : '🔵');
const where = (i: DriftItem) => [i.environment, i.cluster, i.app, i.resource].filter(Boolean).join(' / ');

function itemLines(i: DriftItem, detailLimit: number): string[] {
  const head = `- ${icon(i)} **${i.kind}** ${where(i) ? `(${where(i)}) ` : ''}${i.summary}${i.action ? ` — _${i.action}_` : ''}`;
  const details = (i.details ?? []).slice(0, detailLimit).map((d) => `  - \`${d.replace(/`/g, "'")}\``);
  return [head, ...details];
}

function matrix(r: DriftReport): string[] {
  const count = (pred: (i: DriftItem) => boolean, section: string) => r.sections.find((s) => s.section === section)?.items.filter(pred).length ?? 0;
  const cell = (n: number) => (n ? `**${n}**` : '0');
  const rows = [...r.environments]
    .reverse()
    .flatMap((env) => [
      `| ${env} | (environment) | ${['generated', 'environments', 'upstream', 'live'].map((s) => cell(count((i) => i.environment === env && !i.cluster, s))).join(' | ')} |`,
      ...r.clusters
        .filter((c) => c.environment === env)
        .map(
          (c) =>
            `| ${env} | ${c.name} | ${['generated', 'environments', 'upstream', 'live'].map((s) => cell(count((i) => i.cluster === c.name, s))).join(' | ')} |`,
        ),
    ]);
  return ['| environment | cluster | generated | environments | upstream | live |', '| --- | --- | --- | --- | --- | --- |', ...rows];
}

function sectionLines(s: DriftSection, detailLimit: number): string[] {
  const status = s.status === 'checked' ? '' : ` _(${s.status}: ${s.reason ?? 'no reason given'})_`;
  const coverage = s.coverage
    ? ` — reached ${s.coverage.reached.length}/${s.coverage.expected.length} clusters${s.coverage.expected.length > s.coverage.reached.length ? ` (not reached: ${s.coverage.expected.filter((c) => !s.coverage!.reached.includes(c)).join(', ')})` : ''}`
    : '';
  const suppressed =
    s.suppressed && Object.keys(s.suppressed).length
      ? [
          `_Known noise suppressed: ${Object.entries(s.suppressed)
            .map(([rule, n]) => `${rule} ×${n}`)
            .join(', ')}._`,
        ]
      : [];
  return [
    `### ${SECTION_TITLES[s.section]}${status}${coverage}`,
    '',
    ...(s.items.length ? s.items.flatMap((i) => itemLines(i, detailLimit)) : ['No drift.']),
    ...suppressed,
    '',
  ];
}

/** The report as Markdown: header, matrix, what is new, then the four sections; bounded for an issue body. */
export function formatDriftMarkdown(r: DriftReport): string {
  const items = allItems(r);
  const fresh = items.filter((i) => r.newKeys.includes(i.key));
  const coverage = r.sections
    .filter((s) => s.coverage)
    .map((s) => `${s.coverage!.reached.length}/${s.coverage!.expected.length} clusters reached (${s.section})`);
  const build = (detailLimit: number) =>
    [
      `## Drift report`,
      '',
      `Generated ${r.generatedAt} at commit \`${r.commit.slice(0, 12)}\`. ${items.length} item${items.length === 1 ? '' : 's'}${coverage.length ? `; ${coverage.join('; ')}` : ''}.`,
      '',
      ...matrix(r),
      '',
      '### New since the last report',
      '',
      ...(!r.comparedWithPrevious ? ['_No previous report to compare with._'] : fresh.length ? fresh.flatMap((i) => itemLines(i, 0)) : ['Nothing new.']),
      '',
      ...r.sections.flatMap((s) => sectionLines(s, detailLimit)),
      `<!-- ${DRIFT_MARKER} ${JSON.stringify({ keys: items.map((i) => i.key) })} -->`,
    ].join('\n');
  for (const limit of [20, 3, 0]) {
    const body = build(limit);
    if (body.length <= GITHUB_BODY_LIMIT) return body;
  }
  const marker = `<!-- ${DRIFT_MARKER} ${JSON.stringify({ keys: items.map((i) => i.key) })} -->`;
  return `${build(0).slice(0, GITHUB_BODY_LIMIT - marker.length - 200)}\n\n… cut: the full report is in the drift-report.json artifact.\n${marker}`;
}

/** The item keys a previous report (issue body or JSON) carried. */
export function previousKeys(text: string): string[] | undefined {
  try {
    const json = JSON.parse(text) as DriftReport;
    if (Array.isArray(json.sections)) return allItems(json).map((i) => i.key);
  } catch {
    // not JSON: an issue body
  }
  const m = new RegExp(`<!-- ${DRIFT_MARKER} (\\{.*\\}) -->`).exec(text);
  return m ? ((JSON.parse(m[1]!) as { keys?: string[] }).keys ?? []) : undefined;
}
