import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { freePorts } from '../../scripts/cluster/ports.ts';
import { ensureRuntimeBinaries, type RuntimeBinaries } from '../../scripts/tools/runtime.ts';

// test/run.ts builds them before the suite (about 7 minutes cold); here they come from the cache.
let bins: RuntimeBinaries;
let work: string;
const children: ChildProcess[] = [];
before(async () => {
  bins = await ensureRuntimeBinaries();
  work = mkdtempSync(join(tmpdir(), 'runtime-binaries-'));
});
after(async () => {
  // A killed child may still be finishing a write into work/: wait for each exit before removing it.
  const exits = children.filter((child) => child.exitCode === null && child.signalCode === null).map((child) => once(child, 'exit'));
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(exits);
  rmSync(work, { recursive: true, force: true });
});

const chart = new URL('../charts/prometheus-29.27.0/', import.meta.url).pathname;
const appVersion = (dir: string) =>
  String((parse(readFileSync(join(chart, dir, 'Chart.yaml'), 'utf8')) as { appVersion: string }).appVersion).replace(/^v/, '');

test("each runtime binary prints the version the pinned chart's appVersion names", () => {
  const expected = {
    prometheus: appVersion('.'),
    alertmanager: appVersion('charts/alertmanager'),
    nodeExporter: appVersion('charts/prometheus-node-exporter'),
  };
  assert.deepEqual(expected, { prometheus: '3.14.0', alertmanager: '0.34.0', nodeExporter: '1.12.1' });
  for (const [name, version] of Object.entries(expected)) {
    const out = execFileSync(bins[name as keyof RuntimeBinaries], ['--version'], { encoding: 'utf8' });
    const program = name === 'nodeExporter' ? 'node_exporter' : name;
    assert.match(out, new RegExp(`^${program}, version ${version.replaceAll('.', '\\.')} \\(branch: HEAD, revision: go-\\w+\\)$`, 'm'), out);
  }
  assert.match(execFileSync(bins.prometheus, ['--version'], { encoding: 'utf8' }), /tags: +remove_all_sd,enable_kubernetes_sd$/m);
});

/** Starts a binary and waits until `url` answers 200; returns the body. */
async function startAndGet(bin: string, args: string[], url: string): Promise<string> {
  const child = spawn(bin, args, { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    const res = await fetch(url).catch(() => undefined);
    if (res?.ok) return res.text();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${bin} did not answer ${url}:\n${stderr}`);
}

test('the prometheus server answers /-/ready and its API without the web UI assets', async () => {
  const [port] = (await freePorts(1)) as [number];
  writeFileSync(join(work, 'prometheus.yml'), 'global: {scrape_interval: 15s}\n');
  const args = ['--config.file=prometheus.yml', '--storage.tsdb.path=prometheus-data', `--web.listen-address=127.0.0.1:${port}`];
  assert.match(await startAndGet(bins.prometheus, args, `http://127.0.0.1:${port}/-/ready`), /Ready/);
  const info = (await (await fetch(`http://127.0.0.1:${port}/api/v1/status/buildinfo`)).json()) as { data: { version: string } };
  assert.equal(info.data.version, '3.14.0');
});

test("alertmanager's API v2 takes an alert and lists it; / serves the placeholder page", async () => {
  const [port] = (await freePorts(1)) as [number];
  writeFileSync(join(work, 'alertmanager.yml'), 'route: {receiver: blackhole}\nreceivers: [{name: blackhole}]\n');
  const base = `http://127.0.0.1:${port}`;
  const args = ['--config.file=alertmanager.yml', '--storage.path=alertmanager-data', `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='];
  const status = JSON.parse(await startAndGet(bins.alertmanager, args, `${base}/api/v2/status`)) as { versionInfo: { version: string } };
  assert.equal(status.versionInfo.version, '0.34.0');
  const posted = await fetch(`${base}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ labels: { alertname: 'FireDrill', severity: 'critical' } }]),
  });
  assert.equal(posted.status, 200);
  const alerts = (await (await fetch(`${base}/api/v2/alerts`)).json()) as { labels: Record<string, string>; receivers: { name: string }[] }[];
  assert.deepEqual(
    alerts.map((a) => [a.labels.alertname, a.receivers.map((r) => r.name)]),
    [['FireDrill', ['blackhole']]],
  );
  assert.match(await (await fetch(`${base}/`)).text(), /alertmanager v0\.34\.0 built from its Go module/);
});

test('node_exporter serves its metrics with its build version', async () => {
  const [port] = (await freePorts(1)) as [number];
  const metrics = await startAndGet(bins.nodeExporter, [`--web.listen-address=127.0.0.1:${port}`], `http://127.0.0.1:${port}/metrics`);
  assert.match(metrics, /^node_exporter_build_info\{.*version="1\.12\.1".*\} 1$/m);
});
