import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { RenderedLeaf } from '../render/render.ts';
import type { ToolPin } from '../tools/pins.ts';
import { chartParts } from './chart-values.ts';

/** A pin that follows the appVersion of a chart in the tree (or of one of its subcharts). */
type Follower = 'promtool' | 'amtool' | 'nodeExporter';

/** What a pinned program does with the program the chart runs, and which chart in the tree runs that (its appVersion). */
interface Checker {
  tool: Follower;
  /** Where tools/pins.json pins it. */
  pin: string;
  /** `promtool 3.14.0 checks the config of`: the note's subject. */
  role: (version: string) => string;
  program: string;
  chart: (parts: ReturnType<typeof chartParts>) => string | undefined;
  /** The program's version a build of the tool's module version checks (`v0.314.0` → `3.14.0`). */
  programVersion: (pin: ToolPin) => string;
}

const withoutV = (pin: ToolPin) => pin.version.replace(/^v/, '');
const subchart = (key: string) => (parts: ReturnType<typeof chartParts>) => parts.find((p) => p.valuesPath[0] === key)?.dir;

// The runtime prometheus server and alertmanager are the releases of promtool and amtool (sameReleaseAs):
// their notes cover them.
const CHECKERS: Checker[] = [
  {
    tool: 'promtool',
    pin: 'tools.promtool',
    role: (v) => `promtool ${v} checks the config of`,
    program: 'Prometheus',
    chart: (parts) => parts[0]?.dir,
    programVersion: (pin) => pin.version.replace(/^v0\.(\d)(\d\d)\.(\d+).*$/, (_, a, b, c) => `${a}.${Number(b)}.${c}`),
  },
  {
    tool: 'amtool',
    pin: 'tools.amtool',
    role: (v) => `amtool ${v} checks the config of`,
    program: 'Alertmanager',
    chart: subchart('alertmanager'),
    programVersion: withoutV,
  },
  {
    tool: 'nodeExporter',
    pin: 'runtime.nodeExporter',
    role: (v) => `the runtime fire drill's node_exporter ${v} stands in for`,
    program: 'node_exporter',
    chart: subchart('prometheus-node-exporter'),
    programVersion: withoutV,
  },
];

const minor = (version: string) => version.replace(/^v/, '').split('.').slice(0, 2).join('.');

/**
 * Notes where a checker (or runtime program) is of another minor release than the program the chart runs
 * (promtool 3.14 checking rules a Prometheus 3.15 loads): validate still runs, but says the pins should move together.
 */
export function checkerNotes(rendered: RenderedLeaf[], pins: Record<Follower, ToolPin>): string[] {
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
  // The leaves of the prometheus chart, whichever app pins it: CHECKERS read its layout (its subcharts by name).
  for (const r of rendered.filter((x) => x.leaf.pin.chart === 'prometheus' && x.chartHome)) {
    const chartDir = join(r.chartHome!, r.leaf.pin.chart);
    if (!partsByChart.has(chartDir)) partsByChart.set(chartDir, chartParts(chartDir, r.leaf.pin.chart));
    const parts = partsByChart.get(chartDir)!;
    for (const checker of CHECKERS) {
      const app = appVersionOf(checker.chart(parts));
      const checks = checker.programVersion(pins[checker.tool]);
      if (!app || minor(app) === minor(checks)) continue;
      const note = `${checker.role(checks)} ${checker.program} ${app} (chart ${r.leaf.pin.chart} ${r.leaf.pin.version}): move ${checker.pin} in tools/pins.json to that release with the chart`;
      notes.set(note, [...(notes.get(note) ?? []), r.leaf.cluster.name]);
    }
  }
  return [...notes].map(([note, clusters]) => `${note} (${clusters.join(', ')})`);
}
