import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeClient } from '../../scripts/cluster/client.ts';
import { freePorts } from '../../scripts/cluster/ports.ts';
import { runDrift } from '../../scripts/drift/command.ts';
import { runPromote, type PromoteOptions } from '../../scripts/promote/command.ts';
import { promoteOptions } from '../helpers/promote-options.ts';
import { PROMOTION_GATE_CONTEXT } from '../../scripts/promote/gate/report.ts';
import { ensureRuntimeBinaries } from '../../scripts/tools/runtime.ts';
import { generatedApplication, writeApplicationStatus, type ApplicationStatus } from '../helpers/argocd/fixture.ts';
import { startArgoCdStandIn, type ArgoCdStandIn } from '../helpers/argocd/server.ts';
import { runCli } from '../helpers/cli.ts';
import { sharedArgoCdCrds, sharedControlPlane } from '../helpers/control-plane.ts';
import { commitOnMain, fleetWithOrigin, gitIn } from '../helpers/git-fleet.ts';
import { startGitHubStandIn, type GitHubStandIn } from '../helpers/github/server.ts';
import { useTestChartMirror } from '../helpers/validate.ts';

const ARGOCD_TOKEN = 'argocd-gate-token-7c1d';
const GITHUB_TOKEN = 'gate-test-token';
const BRANCH = 'promote/dev-to-staging/all';
const NOW = new Date('2026-12-04T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');

// At the file's top level: the folders go when the file ends, not with the first test.
await useTestChartMirror();
const { root, origin } = await fleetWithOrigin();
await commitOnMain(root, 'overlays/dev/pins.yaml', (t) => t.replace('version: 29.27.0', 'version: 29.28.0'), 'dev: prometheus 29.28.0');
const pinCommit = gitIn(root, 'rev-parse', 'HEAD');

/**
 * The promotion gate against the Argo CD stand-in (Applications stored in the real API server, answers checked
 * against Argo CD's Swagger) and a real Alertmanager whose API v2 holds the alerts: the fleet.yaml gate of dev
 * (24 h soak, Synced and Healthy, no critical alert) decides whether dev's prometheus bump reaches staging.
 */
describe('promotion gate: Argo CD health and firing alerts decide, the pull request carries the evidence', () => {
  let client: KubeClient;
  let argocd: ArgoCdStandIn;
  let github: GitHubStandIn;
  let alertmanager: ChildProcess;
  let alertmanagerUrl: string;
  let work: string;
  let namespace: string;

  /** dev-1-prometheus as Argo CD's controller would write it after syncing the pin `deployedHoursAgo`. */
  const synced = (deployedHoursAgo: number, health: ApplicationStatus['health'] = { status: 'Healthy', lastTransitionTime: hoursAgo(500) }) =>
    ({
      sync: { status: 'Synced', revision: pinCommit },
      health,
      operationState: {
        operation: { sync: { revision: pinCommit } },
        phase: 'Succeeded',
        startedAt: hoursAgo(deployedHoursAgo),
        finishedAt: hoursAgo(deployedHoursAgo),
        syncResult: { revision: pinCommit },
      },
      history: [{ id: 7, revision: pinCommit, deployedAt: hoursAgo(deployedHoursAgo), deployStartedAt: hoursAgo(deployedHoursAgo) }],
    }) as ApplicationStatus;

  const options = (extra: Partial<PromoteOptions> = {}): PromoteOptions =>
    promoteOptions(
      root,
      { url: github.url, token: GITHUB_TOKEN },
      {
        labels: ['promotion'],
        now: NOW,
        gateAccess: { argocd: { url: argocd.url, token: ARGOCD_TOKEN }, kubeconfigs: {}, alertmanagers: { 'dev-1': alertmanagerUrl } },
        ...extra,
      },
    );

  /** The gate's refusals, or 'not refused'. */
  const refusals = async (extra: Partial<PromoteOptions> = {}) => {
    try {
      await runPromote(options(extra));
    } catch (err) {
      const findings = (err as { findings?: { message: string; hint?: string }[] }).findings;
      if (!findings) throw err;
      return findings.map((f) => `${f.message} | ${f.hint}`).join('\n');
    }
    return 'not refused';
  };

  const postAlert = (labels: Record<string, string>, endsAt = new Date(Date.now() + 3_600_000)) =>
    fetch(`${alertmanagerUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels, startsAt: hoursAgo(1), endsAt: endsAt.toISOString() }]),
    }).then((r) => assert.equal(r.status, 200));

  /** What drift's environments section says of the pending dev → staging promotion's gate. */
  const driftGate = async () => {
    const report = await runDrift({ root, now: NOW, argocd: { url: argocd.url, token: ARGOCD_TOKEN }, alertmanagers: { 'dev-1': alertmanagerUrl } });
    const item = report.sections.find((s) => s.section === 'environments')!.items.find((i) => i.kind === 'promotion-pending' && i.app === 'prometheus')!;
    return [item.gate, item.details?.find((d) => d.startsWith('gate:'))];
  };

  const gateStatuses = () => [...github.statuses.values()].flat().filter((s) => s.context === PROMOTION_GATE_CONTEXT);

  before(async () => {
    ({ client } = await sharedControlPlane());
    await sharedArgoCdCrds();
    namespace = `argocd-gate-${randomBytes(3).toString('hex')}`;
    await client.ensureNamespace(namespace);
    await client.apply(await generatedApplication('dev-1', 'prometheus', namespace));
    argocd = await startArgoCdStandIn({ client, token: ARGOCD_TOKEN, namespace });
    github = await startGitHubStandIn({ owner: 'acme', repo: 'fleet', gitDir: origin, token: GITHUB_TOKEN });
    work = await mkdtemp(join(tmpdir(), 'monitoring-gitops-gate-'));
    await writeFile(join(work, 'alertmanager.yml'), 'route: {receiver: blackhole}\nreceivers: [{name: blackhole}]\n');
    const [port] = (await freePorts(1)) as [number];
    alertmanagerUrl = `http://127.0.0.1:${port}`;
    const args = ['--config.file=alertmanager.yml', '--storage.path=data', `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='];
    alertmanager = spawn((await ensureRuntimeBinaries()).alertmanager, args, { cwd: work, stdio: 'ignore' });
    for (
      let i = 0;
      i < 100 &&
      !(await fetch(`${alertmanagerUrl}/-/ready`).then(
        (r) => r.ok,
        () => false,
      ));
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
  });

  after(async () => {
    // Alertmanager writes its snapshot into data/ on SIGTERM: wait for it before removing the folder.
    const exited = alertmanager && alertmanager.exitCode === null && alertmanager.signalCode === null ? once(alertmanager, 'exit') : undefined;
    alertmanager?.kill();
    await Promise.all([exited, argocd?.stop(), github?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('Degraded, not yet synced, and healthy for too short are each refused naming dev-1 and prometheus; nothing is pushed', async () => {
    await writeApplicationStatus(
      client,
      namespace,
      'dev-1-prometheus',
      synced(30, { status: 'Degraded', message: 'Deployment "prometheus-server" exceeded its progress deadline', lastTransitionTime: hoursAgo(2) }),
    );
    assert.match(
      await refusals(),
      /^promotion refused by the dev gate: dev-1 \/ prometheus: Degraded since 2026-12-04T10:00:00Z: Deployment "prometheus-server" exceeded its progress deadline \| let Argo CD sync and heal/,
    );
    const behind = gitIn(root, 'rev-parse', 'HEAD~1');
    await writeApplicationStatus(client, namespace, 'dev-1-prometheus', {
      ...synced(30),
      sync: { status: 'OutOfSync', revision: behind },
      operationState: {
        operation: { sync: { revision: pinCommit } },
        phase: 'Failed',
        startedAt: hoursAgo(1),
        retryCount: 2,
        message: 'admission webhook denied the request',
        syncResult: { revision: pinCommit },
      },
    } as ApplicationStatus);
    assert.match(
      await refusals(),
      new RegExp(
        `dev-1 / prometheus: not synced to the pin: Argo CD runs ${behind.slice(0, 7)}, the pin came in ${pinCommit.slice(0, 7)}; its sync of ${pinCommit.slice(0, 7)} is Failed after 2 retries: admission webhook denied the request`,
      ),
    );
    await writeApplicationStatus(client, namespace, 'dev-1-prometheus', synced(3));
    assert.match(
      await refusals(),
      /dev-1 \/ prometheus: Synced and Healthy at the pin for 3 h of 24 h \(since 2026-12-04T09:00:00Z\) \| promote again once the soak time has passed/,
    );
    assert.equal(gitIn(origin, 'for-each-ref', `refs/heads/${BRANCH}`), '');
    assert.deepEqual(
      github.requests.filter((r) => r.method !== 'GET'),
      [],
    );
  });

  test('soaked and quiet: the pull request carries the evidence table and a success status', async () => {
    await writeApplicationStatus(client, namespace, 'dev-1-prometheus', synced(30));
    const outcome = await runPromote(options());
    assert.ok('pullRequest' in outcome && outcome.pullRequest);
    const pr = [...github.pulls.values()][0]!;
    assert.match(
      pr.body!,
      /### Promotion gate: dev\n\n✅ Passed: 1 Application on 1 dev cluster Synced and Healthy at the pin for 24 h or more; no blocking alert/,
    );
    assert.match(pr.body!, /Policy \(`fleet\.yaml` promotion\.dev\): soak 24 h; Synced and Healthy in Argo CD; blocking alerts `severity="critical"`\./);
    assert.match(
      pr.body!,
      new RegExp(
        `\\| dev-1 \\| prometheus \\| ${namespace}/dev-1-prometheus \\| \`${pinCommit.slice(0, 12)}\` \\| Synced / Healthy \\| 2026-12-03T06:00:00Z \\| none \\|`,
      ),
    );
    const head = gitIn(origin, 'rev-parse', `refs/heads/${BRANCH}`);
    assert.deepEqual(
      (github.statuses.get(head) ?? []).map((s) => [s.context, s.state, s.description]),
      [[PROMOTION_GATE_CONTEXT, 'success', 'passed: 1 Application on 1 dev cluster Synced and Healthy at the pin for 24 h or more; no blocking alert']],
    );
    assert.deepEqual(await driftGate(), [
      'would pass',
      'gate: would pass now (1 Application on 1 dev cluster Synced and Healthy at the pin for 24 h or more; no blocking alert)',
    ]);
    const writes = github.requests.filter((r) => r.method !== 'GET').length;
    await runPromote(options());
    assert.equal(github.requests.filter((r) => r.method !== 'GET').length, writes, 'a re-run with the same evidence writes nothing');
    assert.deepEqual(github.contractViolations, []);
  });

  test('a critical alert refuses naming it and turns the open pull request red; --override opens it with the reason', async () => {
    await postAlert({ alertname: 'HighCpuUsage', severity: 'critical', instance: 'node-1' });
    await postAlert({ alertname: 'DiskFilling', severity: 'warning' });
    const reasons = await refusals();
    assert.match(
      reasons,
      /^promotion refused by the dev gate: dev-1: HighCpuUsage firing since 2026-12-04T11:00:00Z, severity critical \(blocking: severity="critical"\) \| resolve it in dev-1/,
    );
    assert.doesNotMatch(reasons, /DiskFilling/, 'a warning does not block dev');
    const [state, line] = await driftGate();
    assert.equal(state, 'would refuse');
    assert.match(line!, /^gate: would refuse now: dev-1: HighCpuUsage firing since 2026-12-04T11:00:00Z/);
    const head = gitIn(origin, 'rev-parse', `refs/heads/${BRANCH}`);
    assert.deepEqual(
      gateStatuses().map((s) => s.state),
      ['success', 'failure'],
    );
    assert.match(github.statuses.get(head)!.at(-1)!.description ?? '', /^refused: dev-1: HighCpuUsage firing/);

    await runPromote(options({ override: 'HighCpuUsage on dev-1 is the load test, see INC-42' }));
    const pr = [...github.pulls.values()][0]!;
    assert.match(pr.body!, /⚠️ Overridden/);
    assert.match(pr.body!, /> \*\*Gate overridden\*\*: HighCpuUsage on dev-1 is the load test, see INC-42\n> It refused:\n> - dev-1: HighCpuUsage firing/);
    assert.match(pr.body!, /\| HighCpuUsage since 2026-12-04T11:00:00Z \|/);
    assert.match(github.statuses.get(head)!.at(-1)!.description ?? '', /^overridden: HighCpuUsage on dev-1 is the load test/);
    assert.equal(github.statuses.get(head)!.at(-1)!.state, 'success');
    assert.deepEqual(github.contractViolations, []);
  });

  test('the CLI: exit 1 refused, exit 2 when Argo CD or Alertmanager cannot be asked or access is missing, never a pass', async () => {
    const env = { GITHUB_API_URL: github.url, GITHUB_TOKEN, ARGOCD_TOKEN, MONITORING_GITOPS_HELM_MIRRORS: process.env.MONITORING_GITOPS_HELM_MIRRORS! };
    const base = ['--root', root, '--from', 'dev', '--to', 'staging', '--repo', 'acme/fleet'];
    const refused = await runCli('promote', [...base, '--argocd-url', argocd.url, '--alertmanager', `dev-1=${alertmanagerUrl}`], env);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /dev-1: HighCpuUsage firing/);
    const [dead] = (await freePorts(1)) as [number];
    const noAlertmanager = await runCli('promote', [...base, '--argocd-url', argocd.url, '--alertmanager', `dev-1=http://127.0.0.1:${dead}`], env);
    assert.equal(noAlertmanager.code, 2, noAlertmanager.stderr);
    assert.match(noAlertmanager.stderr, /dev-1's Alertmanager at http:\/\/127\.0\.0\.1:\d+ did not answer/);
    const noArgoCd = await runCli('promote', [...base, '--argocd-url', `http://127.0.0.1:${dead}`, '--alertmanager', `dev-1=${alertmanagerUrl}`], env);
    assert.equal(noArgoCd.code, 2, noArgoCd.stderr);
    assert.match(noArgoCd.stderr, /Argo CD/);
    // The shared control plane runs no Alertmanager: its service proxy answers 404, which is no pass either.
    const { kubeconfig } = await sharedControlPlane();
    const proxied = await runCli('promote', [...base, '--argocd-url', argocd.url, '--kubeconfig', `dev-1=${kubeconfig}`], env);
    assert.equal(proxied.code, 2, proxied.stderr);
    assert.match(proxied.stderr, /dev-1's Alertmanager \(Service monitoring\/prometheus-alertmanager, through the API server's service proxy\) answered 404/);
    const missing = await runCli('promote', base, env);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(
      missing.stderr,
      /the dev gate \(fleet\.yaml promotion\.dev\) needs --argocd-url URL \(and ARGOCD_TOKEN\), --kubeconfig dev-1=FILE or --alertmanager dev-1=URL/,
    );
    const dry = await runCli('promote', [...base, '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /⚠️ Not checked: the dev gate/);
    assert.ok(![refused, noAlertmanager, noArgoCd, missing].some((r) => `${r.stdout}${r.stderr}`.includes(ARGOCD_TOKEN)), 'the Argo CD token is never printed');
  });
});
