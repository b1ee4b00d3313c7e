import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { RenderedLeaf } from '../render/render.ts';
import type { ToolPin } from '../tools/pins.ts';
import { chartParts } from './chart-values.ts';

/** What a checker checks, and which chart in the tree runs that program (its appVersion). */
interface Checker {
  tool: 'promtool' | 'amtool';
  program: string;
  chart: (parts: ReturnType<typeof chartParts>) => string | undefined;
  /** The program's version a build of the tool's module version checks (`v0.314.0` → `3.14.0`). */
  programVersion: (pin: ToolPin) => string;
}

const CHECKERS: Checker[] = [
  {
    tool: 'promtool',
    program: 'Prometheus',
    chart: (parts) => parts[0]?.dir,
    programVersion: (pin) => pin.version.replace(/^v0\.(\d)(\d\d)\.(\d+).*$/, (_, a, b, c) => `${a}.${Number(b)}.${c}`),
  },
  {
    tool: 'amtool',
    program: 'Alertmanager',
    chart: (parts) => parts.find((p) => p.valuesPath[0] === 'alertmanager')?.dir,
    programVersion: (pin) => pin.version.replace(/^v/, ''),
  },
];

const minor = (version: string) => version.replace(/^v/, '').split('.').slice(0, 2).join('.');

/**
 * Notes where a checker is of another minor release than the program the chart runs (promtool 3.14
 * checking rules a Prometheus 3.15 loads): validate still runs, but says the pins should move together.
 */
export function checkerNotes(rendered: RenderedLeaf[], pins: Record<'promtool' | 'amtool', ToolPin>): string[] {
  const notes = new Map<string, string[]>();
  // A chart's files are the same for every leaf that pins it: read its Chart.yaml files once.
  const appVersions = new Map<string, string>();
  const appVersionOf = (dir: string | undefined) => {
    if (!dir) return '';
    if (!appVersions.has(dir))
      appVersions.set(
        dir,
        existsSync(join(dir, 'Chart.yaml')) ? String((parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as { appVersion?: string }).appVersion ?? '') : '',
      );
    return appVersions.get(dir)!;
  };
  const partsByChart = new Map<string, ReturnType<typeof chartParts>>();
  for (const r of rendered.filter((x) => x.leaf.app === 'prometheus' && x.chartHome)) {
    const chartDir = join(r.chartHome!, r.leaf.pin.chart);
    if (!partsByChart.has(chartDir)) partsByChart.set(chartDir, chartParts(chartDir, r.leaf.pin.chart));
    const parts = partsByChart.get(chartDir)!;
    for (const checker of CHECKERS) {
      const app = appVersionOf(checker.chart(parts));
      const checks = checker.programVersion(pins[checker.tool]);
      if (!app || minor(app) === minor(checks)) continue;
      const note = `${checker.tool} ${checks} checks the config of ${checker.program} ${app} (chart ${r.leaf.pin.chart} ${r.leaf.pin.version}): move tools.${checker.tool} in tools/pins.json to that release with the chart`;
      notes.set(note, [...(notes.get(note) ?? []), r.leaf.cluster.name]);
    }
  }
  return [...notes].map(([note, clusters]) => `${note} (${clusters.join(', ')})`);
}
