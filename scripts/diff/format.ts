import { formatValueChange } from './values.ts';
import type { AppDiff, ChangeGroup, ClusterDiff, FleetDiff } from './engine.ts';
import { resourceDiffLines, type ResourceDiff } from './resources.ts';
import { GITHUB_BODY_LIMIT } from '../lib/github.ts';

/** Finds the sticky pull-request comment again. */
export const DIFF_MARKER = '<!-- monitoring-gitops:diff -->';

const counts = (r: ResourceDiff) => ({ added: r.added.length, removed: r.removed.length, changed: r.changed.length, labelOnly: r.labelOnly.length });
type Counts = ReturnType<typeof counts>;
const sum = (all: Counts[]) =>
  all.reduce((t, c) => ({ added: t.added + c.added, removed: t.removed + c.removed, changed: t.changed + c.changed, labelOnly: t.labelOnly + c.labelOnly }), {
    added: 0,
    removed: 0,
    changed: 0,
    labelOnly: 0,
  });

const totals = (d: ClusterDiff) => sum([...d.apps.map((a) => a.resources), d.argo].map(counts));

/** One line that says what a cluster's change is. */
export function groupSummary(g: ChangeGroup): string {
  const t = totals(g.example);
  const who = g.clusters.length > 1 ? `the same change on ${g.clusters.length} clusters (${g.clusters.join(', ')})` : g.clusters[0]!;
  const status = g.example.status === 'changed' ? '' : ` [cluster ${g.example.status}]`;
  const breaking = g.example.apps.reduce((n, a) => n + a.breaking.length, 0);
  const apps = g.example.apps
    .map(
      (a) =>
        `${a.app}${a.version ? ` ${a.version.from ?? '(none)'} → ${a.version.to ?? '(removed)'}` : ''}${a.values.length ? `, ${a.values.length} value${a.values.length === 1 ? '' : 's'}` : ''}`,
    )
    .join('; ');
  const labels = t.labelOnly ? ` (${t.labelOnly} more: chart label only)` : '';
  return `${breaking ? `⚠️ ${breaking} change${breaking === 1 ? '' : 's'} the API server will refuse — ` : ''}${who}${status}: ${apps || 'Argo CD objects'} — resources +${t.added} −${t.removed} ~${t.changed}${labels}`;
}

function appLines(a: AppDiff): string[] {
  const head = `${a.app}${a.status === 'changed' ? '' : ` (${a.status})`}${a.version ? `: chart ${a.version.from ?? '(none)'} → ${a.version.to ?? '(removed)'}` : ''}`;
  return [
    head,
    ...a.breaking.map((b) => `! BREAKS SYNC: ${b.resource}: ${b.reason}`),
    ...a.leftBehind.map((b) => `! DATA LEFT BEHIND: ${b.resource}: ${b.reason}`),
    ...a.values.map((v) => `  values ${formatValueChange(v)}`),
    ...resourceDiffLines(a.resources),
  ];
}

/** The lines of one change, as a diff block. */
function changeLines(d: ClusterDiff): string[] {
  const argo = resourceDiffLines(d.argo);
  return [...d.apps.flatMap(appLines), ...(argo.length ? ['Argo CD objects', ...argo] : [])];
}

/** Environments last-to-first: prod's changes are read first. */
function byEnvironment(diff: FleetDiff): [string, ChangeGroup[]][] {
  // A change that spans environments is listed once, under the latest of them.
  const home = (g: ChangeGroup) => diff.environments[Math.max(...g.environments.map((e) => diff.environments.indexOf(e)))];
  return [...diff.environments]
    .reverse()
    .map((env) => [env, diff.groups.filter((g) => home(g) === env)] as [string, ChangeGroup[]])
    .filter(([, g]) => g.length);
}

function summaryTable(diff: FleetDiff): string[] {
  const rows = [...diff.environments].reverse().map((env) => {
    const mine = diff.changed.filter((d) => d.environment === env);
    const t = sum(mine.map(totals));
    return `| ${env} | ${mine.length} | ${t.added} | ${t.removed} | ${t.changed} |`;
  });
  return ['| environment | clusters changed | resources added | removed | changed |', '| --- | --- | --- | --- | --- |', ...rows];
}

/** Markdown for a pull-request comment and the job summary, bounded to GitHub's comment size. */
export function formatMarkdown(diff: FleetDiff, title: string, artifactHint = 'diff.json, attached to this workflow run'): string {
  const head = [DIFF_MARKER, `## ${title}`, ''];
  if (!diff.changed.length) return [...head, 'No changes to any cluster: the rendered manifests, values and Argo CD objects are the same.', ''].join('\n');
  const breaking = diff.changed.flatMap((d) => d.apps.flatMap((a) => a.breaking.map((b) => `${d.cluster}: ${b.resource}: ${b.reason}`)));
  const warning = breaking.length
    ? [
        `> [!CAUTION]`,
        `> ${breaking.length} change${breaking.length === 1 ? '' : 's'} the API server will refuse on existing objects; after merge, Argo CD's sync fails there:`,
        ...breaking.slice(0, 20).map((b) => `> - ${b}`),
        '',
      ]
    : [];
  const leftBehind = diff.changed.flatMap((d) => d.apps.flatMap((a) => a.leftBehind.map((b) => `${d.cluster}: ${b.resource}: ${b.reason}`)));
  const dataWarning = leftBehind.length
    ? [
        '> [!WARNING]',
        `> ${leftBehind.length} volume${leftBehind.length === 1 ? '' : 's'} keep their data but are no longer mounted after merge:`,
        ...leftBehind.slice(0, 20).map((b) => `> - ${b}`),
        '',
      ]
    : [];
  const top = [
    ...head,
    ...warning,
    ...dataWarning,
    ...summaryTable(diff),
    '',
    ...(diff.unchanged.length ? [`Unchanged: ${diff.unchanged.join(', ')}.`, ''] : []),
  ];
  const details = byEnvironment(diff).flatMap(([env, groups]) => [
    `### ${env}`,
    '',
    ...groups.flatMap((g) => [
      '<details>',
      `<summary>${escapeHtml(groupSummary(g))}</summary>`,
      '',
      '```diff',
      ...changeLines(g.example),
      '```',
      '</details>',
      '',
    ]),
  ]);
  const full = [...top, ...details].join('\n');
  if (full.length <= GITHUB_BODY_LIMIT) return full;
  const short = byEnvironment(diff).flatMap(([env, groups]) => [`### ${env}`, '', ...groups.map((g) => `- ${groupSummary(g)}`), '']);
  const degraded = [
    ...top,
    `The full diff is too long for a comment (${full.length} characters); it is in ${artifactHint}. Counts per change:`,
    '',
    ...short,
  ].join('\n');
  return degraded.length <= GITHUB_BODY_LIMIT ? degraded : `${degraded.slice(0, GITHUB_BODY_LIMIT - 200)}\n\n… cut; see ${artifactHint}.\n`;
}

/** Plain text for terminals. */
export function formatText(diff: FleetDiff, title: string): string {
  if (!diff.changed.length) return `${title}\nno changes`;
  const lines = [title, ''];
  for (const [env, groups] of byEnvironment(diff)) {
    lines.push(`== ${env}`);
    for (const g of groups) lines.push(groupSummary(g), ...changeLines(g.example).map((l) => `  ${l}`), '');
  }
  if (diff.unchanged.length) lines.push(`unchanged: ${diff.unchanged.join(', ')}`);
  return lines.join('\n');
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
