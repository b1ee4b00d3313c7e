import type { AppName } from '../inventory/app-catalog.ts';
import type { ChartPin } from '../inventory/types.ts';
import { breakingChanges } from '../diff/immutable.ts';
import { countsPhrase, resourceDiffLines, type ResourceDiff } from '../diff/resources.ts';
import { formatValueChange, type ValueChange } from '../diff/values.ts';
import type { PromotionPlan } from './plan.ts';
import { versionGap } from '../lib/versions.ts';
import { GITHUB_BODY_LIMIT } from '../lib/github.ts';
import { gateSection, gateStatus } from './gate/report.ts';

/** What the promotion does to one cluster's app. */
export interface ClusterEffect {
  cluster: string;
  app: AppName;
  values: ValueChange[];
  resources: ResourceDiff;
}

interface ValidationSummary {
  findings: number;
  leaves: number;
  resources: number;
  seconds: number;
}

/** Marks the machine-readable metadata in the body; the next hop and re-runs read it back. */
const METADATA_MARKER = 'monitoring-gitops:promotion';

/** Where to read what changed in a chart version, for the repositories we know. */
function releaseNotesUrl(pin: ChartPin): string {
  const github = /^https:\/\/([a-z0-9-]+)\.github\.io\/helm-charts$/.exec(pin.repoURL);
  if (github) return `https://github.com/${github[1]}/helm-charts/releases/tag/${pin.chart}-${pin.version}`;
  return `https://artifacthub.io/packages/search?ts_query_web=${encodeURIComponent(pin.chart)}`;
}

function promotionTitle(plan: PromotionPlan): string {
  const apps = plan.moves.map((m) => (m.versionChange ? `${m.app} ${m.source.version}` : `${m.app} release values`)).join(', ');
  return `Promote ${apps} from ${plan.from} to ${plan.to}`;
}

function versionTable(plan: PromotionPlan): string[] {
  const rows = plan.moves.map((m) => {
    const from = m.current ? `${m.current.version}` : '(none)';
    const gap = m.current ? versionGap(m.current.version, m.source.version) : 'new';
    return `| ${m.app} | \`${m.source.chart}\` | ${from} | **${m.source.version}** | ${gap} | [release notes](${releaseNotesUrl(m.source)}) | ${m.releaseValues.length} |`;
  });
  return [`| app | chart | ${plan.to} now | promoted | change | notes | release values changed |`, '| --- | --- | --- | --- | --- | --- | --- |', ...rows];
}

function effectDetails(effect: ClusterEffect): string[] {
  const r = effect.resources;
  const summary = `${effect.cluster} / ${effect.app}: ${effect.values.length} value${effect.values.length === 1 ? '' : 's'}, ${countsPhrase(r)}`;
  const lines = [...effect.values.map((v) => `  ${formatValueChange(v)}`), ...resourceDiffLines(r, 20)];
  return ['<details>', `<summary>${summary}</summary>`, '', '```diff', ...(lines.length ? lines : ['(no change)']), '```', '</details>', ''];
}

/** The pull request's title and body: versions, per-cluster effect, validation, path, metadata. Pure. */
export function promotionBody(plan: PromotionPlan, effects: ClusterEffect[], validation: ValidationSummary): { title: string; body: string } {
  const metadata = {
    from: plan.from,
    to: plan.to,
    sourceCommit: plan.sourceCommit,
    apps: Object.fromEntries(plan.moves.map((m) => [m.app, m.source.version])),
    ...(plan.gate ? { gate: gateStatus(plan.gate).state, ...(plan.gate.override ? { override: plan.gate.override } : {}) } : {}),
  };
  const breaking = effects.flatMap((e) =>
    e.resources.changed.flatMap((c) => breakingChanges(c.id, c.fields)).map((b) => `${e.cluster}: ${b.resource}: ${b.reason}`),
  );
  const head = [
    `## Promote ${plan.from} → ${plan.to}`,
    '',
    ...(breaking.length
      ? [
          '> [!CAUTION]',
          `> ${breaking.length} change${breaking.length === 1 ? '' : 's'} the API server will refuse on existing objects; after merge, Argo CD's sync fails there:`,
          ...breaking.map((b) => `> - ${b}`),
          '',
        ]
      : []),
    ...versionTable(plan),
    '',
    `Promotion path: \`overlays/${plan.from}/pins.yaml\` at ${plan.sourceCommit.slice(0, 12)} → \`overlays/${plan.to}/pins.yaml\`.` +
      plan.moves
        .filter((m) => m.arrival)
        .map((m) => ` ${m.app} ${m.source.version} reached ${plan.from} in ${m.arrival!.commit.slice(0, 12)} (${m.arrival!.time.toISOString()}).`)
        .join(''),
    ...(plan.force ? ['', `> **Forced**: ${plan.force}`] : []),
    '',
    ...(plan.gate ? gateSection(plan.gate) : []),
    `### Validation`,
    '',
    validation.findings === 0
      ? `✅ \`npm run validate\` on the ${plan.to} clusters: ${validation.leaves} leaves, ${validation.resources} rendered resources, no findings.`
      : `❌ ${validation.findings} findings`,
    '',
    `### Effect on each ${plan.to} cluster`,
    '',
  ];
  const tail = ['', `<!-- ${METADATA_MARKER} ${JSON.stringify(metadata)} -->`];
  const details = effects.flatMap(effectDetails);
  let body = [...head, ...details, ...tail].join('\n');
  if (body.length > GITHUB_BODY_LIMIT) {
    const counts = effects.map((e) => `- ${e.cluster} / ${e.app}: ${e.values.length} values, ${countsPhrase(e.resources)}`);
    body = [...head, 'The full diff is too long for a pull request body; run `npm run promote -- --dry-run` to see it.', '', ...counts, ...tail].join('\n');
  }
  return { title: promotionTitle(plan), body };
}

/** Reads the metadata a promotion body carries, if any. */
export function readPromotionMetadata(body: string): Record<string, unknown> | undefined {
  const m = new RegExp(`<!-- ${METADATA_MARKER} (\\{.*\\}) -->`).exec(body);
  return m ? (JSON.parse(m[1]!) as Record<string, unknown>) : undefined;
}
