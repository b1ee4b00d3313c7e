import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../../scripts/cluster/client.ts';
import type { Progress } from '../../scripts/tools/install.ts';
import { runCli } from '../helpers/cli.ts';
import { commitChange } from './fleet-repo.ts';
import type { E2e } from './harness.ts';
import { listApplications, waitConverged } from './status.ts';
import { pipeline } from './pipeline/scenario.ts';
import { roots } from './roots.ts';
import { promote } from './promotion.ts';
import { freezeDeployment, waitRefusedSync } from './freeze.ts';
import type { ArgoApplication } from '../../scripts/argocd/types.ts';
import type { ScenarioName } from './scenario-list.ts';

export { SCENARIOS, type ScenarioName } from './scenario-list.ts';

type Deployment = {
  metadata: { name: string; generation?: number };
  spec: { replicas?: number; template: { spec: { containers: { name: string; args?: string[] }[] } } };
};
const PROMETHEUS = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'monitoring', name: 'prometheus-server' };

/** Runs the named scenarios in order; each throws with what it saw when the fleet does not behave. Returns their summary lines. */
export async function runScenarios(e2e: E2e, names: ScenarioName[], log: Progress): Promise<string[]> {
  const all: Record<ScenarioName, (e2e: E2e, log: Progress) => Promise<unknown>> = { steady, pipeline, drift, change, selfheal, retry, prune, promote, roots };
  const summaries: string[] = [];
  for (const name of names) {
    const started = Date.now();
    const summary = await all[name](e2e, log);
    if (typeof summary === 'string') summaries.push(summary);
    log(`scenario ${name}: passed in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  return summaries;
}

/** Nothing goes OutOfSync over a further minute of reconciliation (no diff noise from SSA, defaults, hooks). */
async function steady(e2e: E2e, log: Progress, seconds = Number(process.env.E2E_STEADY_SECONDS ?? 60)): Promise<void> {
  const until = Date.now() + seconds * 1000;
  const outOfSync = new Map<string, number>();
  while (Date.now() < until) {
    for (const app of await listApplications(e2e.argocd.url, e2e.token)) {
      if (app.sync !== 'Synced' || app.health !== 'Healthy') outOfSync.set(app.name, (outOfSync.get(app.name) ?? 0) + 1);
    }
    await sleep(2000);
  }
  if (outOfSync.size) throw new Error(`not steady over ${seconds}s: ${[...outOfSync].map(([n, c]) => `${n} (${c} samples)`).join(', ')}`);
  log(`steady: every Application stayed Synced and Healthy for ${seconds}s`);
}

/** A value changed for prod-eu-1 only reaches exactly prod-eu-1 (revision and live object), as diff predicted. */
async function change(e2e: E2e, log: Progress): Promise<void> {
  const before = e2e.repo.head();
  const dev = e2e.fleet.workloads.get('dev-1')!.client;
  const prod = e2e.fleet.workloads.get('prod-eu-1')!.client;
  const devBefore = await prometheusArgs(dev);
  const head = await commitChange(
    e2e.repo,
    'clusters/prod-eu-1.yaml',
    (t) => t.replace(/\n {2}prometheus:\n {4}enabled: true\n/, '\n  prometheus:\n    enabled: true\n    values:\n      server:\n        retention: 21d\n'),
    'prod-eu-1: keep 21 days',
  );
  const predicted = await runCli('diff', ['--base', before, '--head', head, '--root', e2e.repo.root, '--format', 'text']);
  if (
    predicted.code !== 0 ||
    !/prod-eu-1/.test(predicted.stdout) ||
    /dev-1/.test(predicted.stdout.replace(/^.*prod-eu-1.*$/gm, '')) ||
    !/retention\.time=21d/.test(predicted.stdout)
  ) {
    throw new Error(`diff did not predict exactly prod-eu-1's retention change (exit ${predicted.code}):\n${predicted.stdout}${predicted.stderr}`);
  }
  await waitConverged(e2e.argocd.url, e2e.token, ['prod-eu-1-prometheus', 'prod-eu-1-root'], { revision: head, timeoutMs: 180_000 });
  const prodArgs = await prometheusArgs(prod);
  if (!prodArgs.includes('--storage.tsdb.retention.time=21d')) throw new Error(`prod-eu-1's live prometheus-server has ${prodArgs.join(' ')}`);
  const devAfter = await prometheusArgs(dev);
  if (devAfter.join(' ') !== devBefore.join(' ')) throw new Error(`dev-1's live prometheus-server changed: ${devBefore.join(' ')} → ${devAfter.join(' ')}`);
  log(`change: ${head.slice(0, 7)} reached prod-eu-1 only (retention 21d live; dev-1 untouched)`);
}

/** A hand edit of a live object is reverted by self-heal. */
async function selfheal(e2e: E2e, log: Progress): Promise<void> {
  const dev = e2e.fleet.workloads.get('dev-1')!.client;
  const live = await dev.get<Deployment & { apiVersion: string; kind: string }>(PROMETHEUS);
  const wanted = live.spec.replicas ?? 1;
  await dev.apply(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: PROMETHEUS.name, namespace: PROMETHEUS.namespace }, spec: { replicas: wanted + 2 } },
    { force: true },
  );
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    await sleep(1000);
    const now = await dev.get<Deployment & { apiVersion: string; kind: string }>(PROMETHEUS);
    if ((now.spec.replicas ?? 1) === wanted) return log(`selfheal: dev-1 prometheus-server replicas ${wanted + 2} → ${wanted} again`);
  }
  throw new Error(`self-heal did not revert dev-1's prometheus-server replicas to ${wanted} within 120s`);
}

/**
 * A sync the API server refuses (an admission policy freezes prometheus-server) is retried with backoff; the fix
 * pushed meanwhile (the change backed out) is synced by that same retrying operation at its next retry
 * (`retry.refresh`), not after the broken commit's last retry.
 */
async function retry(e2e: E2e, log: Progress): Promise<void> {
  const dev = e2e.fleet.workloads.get('dev-1')!.client;
  const [plain, twelveDays] = [
    '\n  prometheus:\n    enabled: true\n',
    '\n  prometheus:\n    enabled: true\n    values:\n      server:\n        retention: 12d\n',
  ];
  const unfreeze = await freezeDeployment(dev, 'prometheus-server');
  try {
    const broken = await commitChange(e2e.repo, 'clusters/dev-1.yaml', (t) => t.replace(plain, twelveDays), 'dev-1: keep 12 days');
    const refused = await waitRefusedSync(e2e.fleet.hub.client, 'dev-1-prometheus');
    const fix = await commitChange(e2e.repo, 'clusters/dev-1.yaml', (t) => t.replace(twelveDays, plain), 'dev-1: back out 12 days, the cluster refuses it');
    const pushed = Date.now();
    await waitConverged(e2e.argocd.url, e2e.token, ['dev-1-prometheus', 'dev-1-root'], { revision: fix, timeoutMs: 240_000 });
    const landed = await operationState(e2e, 'dev-1-prometheus');
    // The same operation (its retry count kept) synced the fix: without refresh it would still be retrying the broken commit.
    if (landed.phase !== 'Succeeded' || landed.syncResult?.revision !== fix || !((landed.retryCount ?? 0) >= 1))
      throw new Error(`the fix ${fix.slice(0, 7)} was not synced by the retrying operation: ${JSON.stringify(landed)}`);
    if ((await prometheusArgs(dev)).includes('--storage.tsdb.retention.time=12d')) throw new Error("dev-1's prometheus-server kept the refused change");
    log(
      `retry: ${broken.slice(0, 7)} refused and retried ("${refused.message?.slice(0, 60)}…"); the fix ${fix.slice(0, 7)} pushed meanwhile landed ${Math.round((Date.now() - pushed) / 1000)} s later at retry ${landed.retryCount} of 5 (retry.refresh)`,
    );
  } finally {
    await unfreeze();
  }
}

async function operationState(e2e: E2e, name: string) {
  type App = {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
    status?: { operationState?: NonNullable<ArgoApplication['status']>['operationState'] };
  };
  const app = await e2e.fleet.hub.client.get<App>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd', name });
  return app.status?.operationState ?? {};
}

/** Disabling Grafana on dev-1 prunes its Application and workloads but keeps its volume claim, still bound. */
async function prune(e2e: E2e, log: Progress): Promise<void> {
  const dev = e2e.fleet.workloads.get('dev-1')!.client;
  const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'monitoring', name: 'grafana' };
  const before = await dev.get<{ apiVersion: string; kind: string; metadata: { name: string; uid: string }; spec: { volumeName: string } }>(claim);
  const head = await commitChange(
    e2e.repo,
    'clusters/dev-1.yaml',
    (t) => t.replace(/\n {2}grafana:\n {4}enabled: true/, '\n  grafana:\n    enabled: false'),
    'dev-1: no Grafana',
  );
  await waitConverged(e2e.argocd.url, e2e.token, ['dev-1-root'], { revision: head, timeoutMs: 180_000 });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const apps = (await listApplications(e2e.argocd.url, e2e.token)).map((a) => a.name);
    const deployment = await dev.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'monitoring', name: 'grafana' }).then(
      () => true,
      () => false,
    );
    if (!apps.includes('dev-1-grafana') && !deployment) break;
    if (Date.now() > deadline)
      throw new Error(`dev-1-grafana not pruned within 120s (Application listed: ${apps.includes('dev-1-grafana')}, Deployment there: ${deployment})`);
    await sleep(1000);
  }
  const after = await dev.get<typeof before & { status: { phase: string } }>(claim).catch(() => undefined);
  if (!after || after.metadata.uid !== before.metadata.uid || after.status.phase !== 'Bound' || after.spec.volumeName !== before.spec.volumeName) {
    throw new Error(`dev-1's Grafana volume claim did not survive the prune: ${after ? `${after.status.phase} ${after.spec.volumeName}` : 'deleted'}`);
  }
  log(`prune: dev-1-grafana and its Deployment gone; claim grafana still Bound to ${after.spec.volumeName}`);
}

/**
 * `npm run drift -- --argocd-url` against the real argocd-server: no live drift on the converged fleet; with
 * self-heal off for dev-1-prometheus (and its root), a hand edit shows as that Application out of sync.
 */
async function drift(e2e: E2e, log: Progress): Promise<void> {
  const clean = await liveDrift(e2e);
  if (clean.items.length || clean.status !== 'checked')
    throw new Error(`drift on the converged fleet: ${clean.status} ${JSON.stringify(clean.items.map((i) => i.summary))}`);
  const hub = e2e.fleet.hub.client;
  // Top down: the fleet root would put the cluster root's self-heal back, the cluster root the app's.
  await setSelfHeal(hub, ['monitoring-fleet', 'dev-1-root', 'dev-1-prometheus'], false);
  const dev = e2e.fleet.workloads.get('dev-1')!.client;
  await dev.apply(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: PROMETHEUS.name, namespace: PROMETHEUS.namespace }, spec: { replicas: 4 } },
    { force: true },
  );
  const deadline = Date.now() + 90_000;
  let report = clean;
  while (!report.items.some((i) => i.app === 'prometheus' && i.cluster === 'dev-1' && i.kind === 'out-of-sync')) {
    if (Date.now() > deadline) throw new Error(`drift did not report dev-1 prometheus out of sync within 90s: ${JSON.stringify(report.items)}`);
    await sleep(3000);
    report = await liveDrift(e2e);
  }
  await setSelfHeal(hub, ['dev-1-prometheus', 'dev-1-root', 'monitoring-fleet'], true);
  await waitConverged(e2e.argocd.url, e2e.token, ['dev-1-prometheus', 'dev-1-root', 'monitoring-fleet'], { timeoutMs: 120_000 });
  log(`drift: zero live drift when converged; the hand edit reported (${report.items.map((i) => i.summary).join('; ')}), then healed`);
}

type LiveSection = { status: string; items: { kind: string; cluster?: string; app?: string; summary: string }[] };

async function liveDrift(e2e: E2e): Promise<LiveSection> {
  const result = await runCli('drift', ['--format', 'json', '--argocd-url', e2e.argocd.url, '--root', e2e.repo.root], { ARGOCD_TOKEN: e2e.token });
  if (result.code === 2 || result.code === null) throw new Error(`drift failed (exit ${result.code}): ${result.stderr}`);
  const report = JSON.parse(result.stdout) as { sections: (LiveSection & { section: string })[] };
  return report.sections.find((s) => s.section === 'live')!;
}

const REFRESH = 'argocd.argoproj.io/refresh';
type ApplicationRef = { apiVersion: string; kind: string; namespace: string; name: string };

/**
 * Self-heal on or off, as someone would with `kubectl patch` on the hub (the root first when turning it off),
 * each with Argo CD's refresh annotation, then waits for that refresh. The controller decides on self-heal
 * with the copy of the Application it read when a reconcile began: one already running when self-heal goes
 * off still reverts a hand edit it sees.
 */
async function setSelfHeal(hub: KubeClient, apps: string[], selfHeal: boolean): Promise<void> {
  for (const name of apps) {
    const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd', name };
    // Server-side apply, like `kubectl patch`: no resourceVersion, so no conflict with the controller's status writes.
    await hub.apply(
      {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name, namespace: ref.namespace, annotations: { [REFRESH]: 'normal' } },
        spec: { syncPolicy: { automated: { selfHeal } } },
      },
      { force: true },
    );
    await waitRefreshed(hub, ref, `self-heal turned ${selfHeal ? 'on' : 'off'}`);
  }
}

/**
 * Until the controller has taken the refresh annotation off. It reconciles one Application one reconcile at a
 * time, and the reconcile that takes the annotation off read it with the change made alongside: from then on
 * no reconcile acts on the object as it was before.
 */
async function waitRefreshed(hub: KubeClient, ref: ApplicationRef, after: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const app = await hub.get<{ apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string> } }>(ref);
    if (!app.metadata.annotations?.[REFRESH]) return;
    if (Date.now() > deadline) throw new Error(`Argo CD did not refresh ${ref.name} within 60s of ${after}`);
    await sleep(500);
  }
}

async function prometheusArgs(client: KubeClient): Promise<string[]> {
  const deployment = await client.get<Deployment & { apiVersion: string; kind: string }>(PROMETHEUS);
  return deployment.spec.template.spec.containers.find((c) => c.name === 'prometheus-server')?.args ?? [];
}
