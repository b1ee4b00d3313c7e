import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EnvironmentError } from '../../scripts/lib/errors.ts';
import type { RenderedLeaf } from '../../scripts/render/render.ts';
import { binaryName, readToolPins, resolveRuntimePin, withVersion, type ToolPins } from '../../scripts/tools/pins.ts';
import { placeholderPage } from '../../scripts/tools/runtime.ts';
import { checkerNotes } from '../../scripts/validate/checker-versions.ts';

const charts = new URL('../charts/', import.meta.url).pathname;

/** tools/pins.json with some entries replaced, as a copy. */
const editedPins = (edit: (pins: ToolPins) => void): ToolPins => {
  const pins = structuredClone(readToolPins());
  edit(pins);
  return pins;
};

test('the prometheus server and alertmanager are the releases of promtool and amtool, node_exporter has its own pin', () => {
  const { tools } = readToolPins();
  const prometheus = resolveRuntimePin('prometheus');
  assert.equal(prometheus.package, 'github.com/prometheus/prometheus/cmd/prometheus');
  for (const key of ['module', 'version', 'wrapper', 'tags', 'ldflags'] as const) assert.equal(prometheus[key], tools.promtool[key], key);
  const alertmanager = resolveRuntimePin('alertmanager');
  assert.equal(alertmanager.package, 'github.com/prometheus/alertmanager/cmd/alertmanager');
  assert.deepEqual([alertmanager.module, alertmanager.version, alertmanager.ldflags], [tools.amtool.module, tools.amtool.version, tools.amtool.ldflags]);
  assert.equal(alertmanager.embedPlaceholder, 'ui/app/dist/index.html.gz');
  const nodeExporter = resolveRuntimePin('nodeExporter');
  assert.deepEqual([nodeExporter.module, nodeExporter.version], ['github.com/prometheus/node_exporter', 'v1.12.1']);
  assert.match(nodeExporter.ldflags ?? '', /version\.Version=1\.12\.1 /);
  assert.deepEqual(
    ['prometheus', 'alertmanager', 'nodeExporter'].map((n) => binaryName(resolveRuntimePin(n as 'prometheus').package)),
    ['prometheus', 'alertmanager', 'node_exporter'],
  );
});

test('moving the promtool pin moves the runtime prometheus with it; its own fields win', () => {
  const pins = editedPins((p) => {
    p.tools.promtool = { ...p.tools.promtool, version: 'v0.315.0', ldflags: '-X v=3.15.0' };
    p.runtime.prometheus = { ...p.runtime.prometheus, tags: 'remove_all_sd' };
  });
  const pin = resolveRuntimePin('prometheus', pins);
  assert.deepEqual([pin.version, pin.ldflags, pin.tags, pin.wrapper], ['v0.315.0', '-X v=3.15.0', 'remove_all_sd', 'tools/promtool']);
  assert.equal(withVersion({ package: 'p', module: 'm', ldflags: '-X v={version}' }, 'v1.2.3').ldflags, '-X v=v1.2.3');
});

test('a runtime pin without a version, or following a tool that is not pinned, is an environment error naming it', () => {
  const bundled = editedPins((p) => {
    p.runtime.prometheus = { package: 'helm.sh/helm/v4/cmd/helm', sameReleaseAs: 'helm' };
  });
  assert.throws(
    () => resolveRuntimePin('prometheus', bundled),
    (err: Error) => err instanceof EnvironmentError && /runtime\.prometheus has no version/.test(err.message),
  );
  const unknown = editedPins((p) => {
    p.runtime.alertmanager = { package: 'x/y', sameReleaseAs: 'pluto' as 'amtool' };
  });
  assert.throws(() => resolveRuntimePin('alertmanager', unknown), /runtime\.alertmanager\.sameReleaseAs names pluto, which tools does not pin/);
});

test("alertmanager's placeholder page names the program and says the API works", () => {
  assert.match(placeholderPage('alertmanager', 'v0.34.0'), /^<!doctype html>\n<title>alertmanager v0\.34\.0<\/title>\n.*The HTTP API works\.<\/p>\n$/s);
});

/** One rendered prometheus leaf whose chart is a copy of a test chart, with the node-exporter subchart's appVersion set. */
function leafWithChart(chart: string, nodeExporterAppVersion?: string): { leaf: RenderedLeaf; home: string } {
  const home = mkdtempSync(join(tmpdir(), 'chart-home-'));
  cpSync(join(charts, chart), join(home, 'prometheus'), { recursive: true });
  const subchart = join(home, 'prometheus', 'charts', 'prometheus-node-exporter', 'Chart.yaml');
  if (nodeExporterAppVersion) writeFileSync(subchart, readFileSync(subchart, 'utf8').replace(/^appVersion: .*$/m, `appVersion: ${nodeExporterAppVersion}`));
  const version = chart.replace(/^prometheus-/, '');
  const leaf = { leaf: { app: 'prometheus', pin: { chart: 'prometheus', version }, cluster: { name: 'dev-1' } }, chartHome: home, objects: [], cached: false };
  return { leaf: leaf as unknown as RenderedLeaf, home };
}

const followerPins = () => ({
  promtool: withVersion(readToolPins().tools.promtool, readToolPins().tools.promtool.version!),
  amtool: withVersion(readToolPins().tools.amtool, readToolPins().tools.amtool.version!),
  nodeExporter: resolveRuntimePin('nodeExporter'),
});

test("the pinned chart's appVersions are the checkers' and the runtime programs' releases: no note", () => {
  const { leaf, home } = leafWithChart('prometheus-29.27.0');
  try {
    assert.deepEqual(checkerNotes([leaf], followerPins()), []);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test("a chart whose node-exporter subchart runs another minor release notes the runtime node_exporter's pin", () => {
  const { leaf, home } = leafWithChart('prometheus-29.27.0', '1.13.0');
  try {
    assert.deepEqual(checkerNotes([leaf], followerPins()), [
      "the runtime fire drill's node_exporter 1.12.1 stands in for node_exporter 1.13.0 (chart prometheus 29.27.0): move runtime.nodeExporter in tools/pins.json to that release with the chart (dev-1)",
    ]);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
