import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePorts } from '../../scripts/cluster/ports.ts';
import { runDrift } from '../../scripts/drift/command.ts';
import { upsertDriftIssue } from '../../scripts/drift/issue.ts';
import { formatDriftMarkdown, hasDrift, previousKeys } from '../../scripts/drift/report.ts';
import { createGitHubClient } from '../../scripts/lib/github.ts';
import { readInventory } from '../../scripts/inventory/read.ts';
import { renderFleetState } from '../../scripts/render/fleet-state.ts';
import { readMirrorMap } from '../../scripts/inventory/mirrors.ts';
import { ALL_TOOLS, ensureTools } from '../../scripts/tools/install.ts';
import { runCli } from '../helpers/cli.ts';
import { sharedControlPlane } from '../helpers/control-plane.ts';
import { commitOnMain, fleetWithOrigin } from '../helpers/git-fleet.ts';
import { startGitHubStandIn } from '../helpers/github/server.ts';
import { tempRepo } from '../helpers/repo.ts';
import { useTestChartMirror } from '../helpers/validate.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const itemsOf = (report: Awaited<ReturnType<typeof runDrift>>, section: string) => report.sections.find((s) => s.section === section)!.items;

test('a hand-edited generated file is drift with the fields that differ', async () => {
  await useTestChartMirror();
  const { root } = await fleetWithOrigin();
  const file = join(root, 'overlays/prod/prod-eu-1/prometheus/values.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('retention: 15d', 'retention: 99d'));
  const report = await runDrift({ root, now: NOW });
  const items = itemsOf(report, 'generated');
  assert.equal(items.length, 1);
  assert.equal(items[0]!.kind, 'hand-edited');
  assert.equal(items[0]!.severity, 'critical');
  assert.deepEqual(items[0]!.details, ['server.retention: 15d → 99d  (generated → committed)']);
  assert.ok(hasDrift(report));
});

test('dev ahead of staging for 6 days is a pending promotion; a prod-only value is divergent', async () => {
  await useTestChartMirror();
  const { root } = await fleetWithOrigin();
  await commitOnMain(
    root,
    'overlays/dev/pins.yaml',
    (t) => t.replace('version: 29.27.0', 'version: 29.28.0'),
    'dev: 29.28.0',
    new Date('2026-11-20T08:00:00Z'),
  );
  await commitOnMain(root, 'overlays/prod/grafana.values.yaml', (t) => `${t}replicas: 2\n`, 'prod: two Grafanas', new Date('2026-11-21T08:00:00Z'));
  const all = itemsOf(await runDrift({ root, now: NOW }), 'environments');
  const items = [
    all.find((i) => i.kind === 'promotion-pending')!,
    all.find((i) => i.kind === 'divergent' && i.app === 'grafana' && i.summary.includes('replicas'))!,
  ];
  assert.deepEqual(
    all.filter((i) => i.kind === 'promotion-pending').map((i) => [i.environment, i.app]),
    [['staging', 'prometheus']],
  );
  assert.ok(items[1], all.map((i) => i.summary).join('\n'));
  assert.ok(
    !all.some((i) => i.kind === 'divergent' && /resources/.test(i.summary)),
    'every environment sizes its workloads, so sizes are not divergent (only values set in one environment are)',
  );
  assert.match(
    items[0]!.summary,
    /^prometheus: dev has 29\.28\.0 \(staging has 29\.27\.0\) for 6 days \(since [0-9a-f]{7}\); promotion to staging pending; gate not checked$/,
  );
  assert.equal(items[0]!.gate, 'not checked');
  assert.ok(
    items[0]!.details?.includes('gate: not checked (needs --argocd-url URL (and ARGOCD_TOKEN), --kubeconfig dev-1=FILE or --alertmanager dev-1=URL)'),
    JSON.stringify(items[0]!.details),
  );
  assert.equal(items[0]!.action, 'npm run promote -- --from dev --to staging --app prometheus');
  assert.equal(items[0]!.since, '2026-11-20T08:00:00.000Z');
  assert.match(items[1]!.summary, /^grafana: replicas is set in prod only \(2\)$/);
});

test('upstream: a newer version in the repository, a deprecated chart and a moved repository', async () => {
  const url = await useTestChartMirror();
  const index = await (await fetch(`${url}/index.yaml`)).text();
  // A second, real Helm repository index whose grafana 12.11.1 is marked deprecated.
  const deprecatedIndex = index.replace(/(- apiVersion: v2\n(?:.*\n)*?\s+name: grafana\n(?:.*\n)*?\s+version: 12\.11\.1)/, '$1\n    deprecated: true');
  assert.notEqual(deprecatedIndex, index);
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/index.yaml' ? 200 : 404, { 'content-type': 'application/x-yaml' });
    res.end(req.url === '/index.yaml' ? deprecatedIndex : '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const oldHome = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const { root } = await fleetWithOrigin();
    await commitOnMain(
      root,
      'overlays/prod/pins.yaml',
      (t) => t.replace('https://grafana-community.github.io/helm-charts', 'https://grafana.github.io/helm-charts'),
      'prod on the old grafana home',
    );
    process.env.MONITORING_GITOPS_HELM_MIRRORS += `,https://grafana.github.io/helm-charts=${oldHome}`;
    const items = itemsOf(await runDrift({ root, now: NOW }), 'upstream');
    const kinds = items.map((i) => `${i.kind}:${i.app}`);
    assert.ok(kinds.includes('moved:grafana'), kinds.join());
    assert.ok(kinds.includes('deprecated-chart:grafana'), kinds.join());
    const behind = items.find((i) => i.kind === 'behind-upstream' && i.app === 'prometheus')!;
    assert.match(
      behind.summary,
      /^prometheus: prometheus 29\.28\.0 is out, released \d+ days ago; pinned: dev 29\.27\.0 \(minor\), staging 29\.27\.0 \(minor\), prod 29\.27\.0 \(minor\)$/,
    );
  } finally {
    server.close();
    await useTestChartMirror();
  }
});

test('the drift issue: created once, unchanged on an identical re-run, updated, closed when clean, reopened', async () => {
  await useTestChartMirror();
  const { root, origin } = await fleetWithOrigin();
  const github = await startGitHubStandIn({ owner: 'acme', repo: 'fleet', gitDir: origin, token: 't' });
  try {
    const gh = createGitHubClient('t', { baseUrl: github.url, retryAfterBaseValue: 5, writeSpacing: 0 });
    const target = { owner: 'acme', repo: 'fleet' };
    const file = join(root, 'overlays/dev/dev-1/grafana/values.yaml');
    const clean = await readFile(file, 'utf8');
    await writeFile(file, clean.replace('size: 10Gi', 'size: 20Gi'));
    const first = await runDrift({ root, now: NOW });
    const created = await upsertDriftIssue(gh, target, formatDriftMarkdown(first), hasDrift(first));
    const writes = () => github.requests.filter((r) => r.method !== 'GET').length;
    const before = writes();
    const rerun = await runDrift({ root, now: new Date(NOW.getTime() + 3_600_000), previousKeys: previousKeys([...github.issues.values()][0]!.body!) });
    const same = await upsertDriftIssue(gh, target, formatDriftMarkdown(rerun), hasDrift(rerun));
    assert.equal(writes(), before, 'an identical re-run writes nothing');
    assert.match(formatDriftMarkdown(rerun), /### New since the last report\n\nNothing new\./);
    await writeFile(
      join(root, 'overlays/dev/dev-1/grafana/kustomization.yaml'),
      (await readFile(join(root, 'overlays/dev/dev-1/grafana/kustomization.yaml'), 'utf8')).replace('releaseName: grafana', 'releaseName: grafana2'),
    );
    const more = await runDrift({ root, now: NOW, previousKeys: previousKeys([...github.issues.values()][0]!.body!) });
    const updated = await upsertDriftIssue(gh, target, formatDriftMarkdown(more), hasDrift(more));
    assert.match(
      formatDriftMarkdown(more),
      /### New since the last report\n\n- 🔴 \*\*hand-edited\*\* overlays\/dev\/dev-1\/grafana\/kustomization\.yaml was edited by hand/,
    );
    await runCli('generate', ['--root', root, '--force']);
    const cleanReport = await runDrift({ root, now: NOW });
    const closed = await upsertDriftIssue(gh, target, formatDriftMarkdown(cleanReport), hasDrift(cleanReport));
    await writeFile(file, clean.replace('size: 10Gi', 'size: 30Gi'));
    const back = await runDrift({ root, now: NOW });
    const reopened = await upsertDriftIssue(gh, target, formatDriftMarkdown(back), hasDrift(back));
    assert.deepEqual([created.action, same.action, updated.action, closed.action, reopened.action], ['created', 'unchanged', 'updated', 'closed', 'reopened']);
    assert.equal(github.issues.size, 1, 'one issue, ever');
    assert.deepEqual(github.contractViolations, []);
  } finally {
    await github.stop();
  }
});

test('the CLI: exit 1 on drift with the report; exit 0 when clean (live skipped with its reason)', async () => {
  await useTestChartMirror();
  const { root } = await fleetWithOrigin();
  const clean = await runCli('drift', ['--root', root]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /### Git vs live _\(skipped: no --argocd-url and no --kubeconfig given\)_/);
  assert.match(clean.stdout, /\| prod \| prod-eu-1 \| 0 \| 0 \| 0 \| 0 \|/);
  const file = join(root, 'apps/prod-eu-1/children/grafana.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('selfHeal: true', 'selfHeal: false'));
  const drift = await runCli('drift', ['--root', root, '--format', 'json']);
  assert.equal(drift.code, 1, drift.stderr);
  const report = JSON.parse(drift.stdout);
  assert.equal(report.sections[0].items[0].kind, 'hand-edited');
});

test('the CLI: a section that could not run for an error (chart repositories unreachable) is exit 2 with the reason; the report is still written', async () => {
  const mirror = await useTestChartMirror();
  const { root } = await fleetWithOrigin();
  const out = await tempRepo();
  // A port nothing listens on: freePorts binds and releases it.
  const dead = `http://127.0.0.1:${(await freePorts(1))[0]}`;
  const run = await runCli('drift', ['--root', root, '--out', out], {
    MONITORING_GITOPS_HELM_MIRRORS: process.env.MONITORING_GITOPS_HELM_MIRRORS!.replaceAll(mirror, dead),
  });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stdout, /### Us vs upstream _\(skipped: unreachable: https:\/\/prometheus-community\.github\.io\/helm-charts \(/);
  assert.match(
    run.stderr,
    new RegExp(
      `^error: not everything could be checked \\(the report above says what was\\):\\n {2}upstream: cannot read https://prometheus-community\\.github\\.io/helm-charts: ${dead}/index\\.yaml: ECONNREFUSED\\n`,
      'm',
    ),
  );
  assert.doesNotMatch(run.stderr, /^ {2}live:/m, 'live was left out (no --argocd-url), not failed');
  const written = JSON.parse(await readFile(join(out, 'drift-report.json'), 'utf8'));
  const upstream = written.sections.find((s: { section: string }) => s.section === 'upstream');
  assert.equal(upstream.status, 'skipped');
  assert.equal(upstream.errors.length, 2, JSON.stringify(upstream));
  assert.match(await readFile(join(out, 'drift-report.md'), 'utf8'), /### Us vs upstream _\(skipped: unreachable/);
});

test('live: the rendered manifests applied to a real API server show no drift until someone edits one by hand', async () => {
  await useTestChartMirror();
  const { root } = await fleetWithOrigin();
  // A namespace of its own: the API server is shared with the other test files of the run.
  const namespace = `drift-e2e-${Date.now().toString(36)}`;
  await commitOnMain(root, 'clusters/dev-1.yaml', (t) => t.replace('  namespace: monitoring', `  namespace: ${namespace}`), 'dev-1 in its own namespace');
  const { kubeconfig, client } = await sharedControlPlane();
  const inventory = await readInventory(root);
  const tools = await ensureTools(ALL_TOOLS);
  const state = await renderFleetState(inventory, new Set(['dev-1']), tools, readMirrorMap(root));
  await client.ensureNamespace(namespace);
  const objects = Object.values(state.clusters.get('dev-1')!.apps).flatMap((a) => a!.objects);
  for (const o of objects) await client.apply(o as never, { force: true });
  const clean = itemsOf(await runDrift({ root, now: NOW, kubeconfigs: { 'dev-1': kubeconfig } }), 'live');
  assert.deepEqual(
    clean.map((i) => i.summary),
    [],
  );
  const cm = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'prometheus-server' });
  const data = (cm as unknown as { data: Record<string, string> }).data;
  await client.raw('PATCH', `/api/v1/namespaces/${namespace}/configmaps/prometheus-server`, {
    query: { fieldManager: 'kubectl-edit' },
    contentType: 'application/merge-patch+json',
    body: { data: { 'alerting_rules.yml': `${data['alerting_rules.yml']}# edited by hand\n` } },
  });
  const report = await runDrift({ root, now: NOW, kubeconfigs: { 'dev-1': kubeconfig } });
  const live = report.sections.find((s) => s.section === 'live')!;
  assert.equal(live.status, 'checked');
  assert.deepEqual(live.coverage, { reached: ['dev-1'], expected: ['dev-1'] });
  assert.equal(live.items.length, 1, live.items.map((i) => i.summary).join('\n'));
  assert.equal(live.items[0]!.kind, 'field-drift');
  assert.equal(live.items[0]!.resource, `ConfigMap ${namespace}/prometheus-server`);
  assert.ok(
    live.items[0]!.details!.some((d) => d.includes('kubectl-edit')),
    live.items[0]!.details!.join('\n'),
  );
});
