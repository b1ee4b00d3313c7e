import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { runPromote, type PromoteOptions } from '../../scripts/promote/command.ts';
import { promoteOptions } from '../helpers/promote-options.ts';
import { PROMOTION_GATE_CONTEXT } from '../../scripts/promote/gate/report.ts';
import type { Progress } from '../../scripts/tools/install.ts';
import { gitIn } from '../helpers/git-fleet.ts';
import { startGitHubStandIn, type GitHubStandIn } from '../helpers/github/server.ts';
import { commitChange } from './fleet-repo.ts';
import { freezeDeployment, waitRefusedSync } from './freeze.ts';
import type { E2e } from './harness.ts';
import { pipeline } from './pipeline/scenario.ts';
import { waitConverged } from './status.ts';

/** The soak time the test gives promote (--soak), in place of fleet.yaml's 24 h for dev. */
const SOAK_SECONDS = 20;
const OVERRIDE = 'NodeExporterDown on dev-1 is the fire drill stopping it on purpose';

/**
 * The promotion path through dev's gate, on the real Argo CD: a Grafana bump that dev-1 cannot sync is refused
 * naming dev-1 and grafana; synced, Healthy and soaked it opens the pull request with the evidence table and a
 * success status; with NodeExporterDown firing in dev-1's real Alertmanager (the fire drill, asked through the
 * API server's service proxy) it is refused naming the alert and the pull request turns red; --override opens it
 * again with the reason. Merged, staging-1 converges to the new chart while prod-eu-1 keeps the old one.
 */
export async function promote(e2e: E2e, log: Progress): Promise<string> {
  const [from, to] = ['grafana-12.11.1', 'grafana-12.12.0'];
  const dev = e2e.fleet.workloads.get('dev-1')!;
  const origin = join(e2e.repo.gitRoot, 'fleet.git');
  const github = await startGitHubStandIn({ owner: 'acme', repo: 'fleet', gitDir: origin, token: 'e2e' });
  const run = (extra: Partial<PromoteOptions> = {}) => runPromote(gateOptions(e2e, github, dev.plane.kubeconfig, extra));
  try {
    let stuck = '';
    let alert = '';
    let head = '';
    // dev-1's Alertmanager answers only while the fire drill runs it: every gate check happens inside the drill.
    await pipeline(e2e, log, {
      until: 'firing',
      whileQuiet: async () => {
        const unfreeze = await freezeDeployment(dev.client, 'grafana');
        const bump = await commitChange(
          e2e.repo,
          'overlays/dev/pins.yaml',
          (t) => t.replace(/(chart: grafana\n {2}version: )12\.11\.1/, '$112.12.0'),
          'dev: grafana 12.12.0',
        );
        await waitRefusedSync(e2e.fleet.hub.client, 'dev-1-grafana');
        stuck = await refusal(run());
        expect(
          stuck,
          /dev-1 \/ grafana: OutOfSync at [0-9a-f]{7}; its sync of [0-9a-f]{7} is \w+ after \d+ retr(?:y|ies): .*e2e-freeze-grafana/,
          'a dev-1 that cannot sync the pin',
        );
        await unfreeze();
        await waitConverged(e2e.argocd.url, e2e.token, ['dev-1-grafana', 'dev-1-root'], { revision: bump, timeoutMs: 240_000 });
        await expectGrafanaChart(e2e, 'dev-1', to);
        expect(
          await refusal(run({ soakSeconds: 3600 })),
          /dev-1 \/ grafana: Synced and Healthy at the pin for .* of 60 min/,
          'a pin healthy for less than the soak',
        );
        await sleep(SOAK_SECONDS * 1000);
        const opened = await run();
        if (!('pullRequest' in opened) || !opened.pullRequest) throw new Error(`promote opened no pull request: ${JSON.stringify(opened).slice(0, 400)}`);
        const pr = [...github.pulls.values()][0]!;
        expect(
          pr.body ?? '',
          /✅ Passed: 1 Application on 1 dev cluster Synced and Healthy at the pin for 20 s or more; no blocking alert/,
          'the pull request body',
        );
        expect(
          pr.body ?? '',
          /\| dev-1 \| grafana \| argocd\/dev-1-grafana \| `[0-9a-f]{12}` \| Synced \/ Healthy \| \d{4}-\d\d-\d\dT[\d:]+Z \| none \|/,
          'the evidence table',
        );
        head = gitIn(origin, 'rev-parse', `refs/heads/${pr.head}`);
        expect(latestStatus(github, head), /^success passed:/, 'the commit status of the pull request head');
      },
      // The drill stopped a node-exporter: NodeExporterDown (critical) fires in dev-1's running Alertmanager.
      whileFiring: async () => {
        alert = await refusal(run());
        expect(alert, /dev-1: NodeExporterDown firing since .*severity critical \(blocking: severity="critical"\)/, 'a critical alert in dev-1');
        expect(latestStatus(github, head), /^failure refused: dev-1: NodeExporterDown firing/, 'the open pull request after a refusal');
        await run({ override: OVERRIDE });
      },
    });
    const overridden = [...github.pulls.values()][0]!;
    expect(
      overridden.body ?? '',
      new RegExp(`\\*\\*Gate overridden\\*\\*: ${OVERRIDE}\\n> It refused:\\n> - dev-1: NodeExporterDown firing`),
      'the overridden body',
    );
    expect(latestStatus(github, head), /^success overridden: NodeExporterDown on dev-1 is the fire drill/, 'the status after --override');
    if (github.contractViolations.length) throw new Error(`GitHub stand-in contract violations: ${github.contractViolations.join('; ')}`);

    // Merged as GitHub fast-forwards a rebased branch: main takes the pull request's head.
    gitIn(origin, 'update-ref', 'refs/heads/main', head);
    await waitConverged(e2e.argocd.url, e2e.token, ['staging-1-grafana', 'staging-1-root'], { revision: head, timeoutMs: 180_000 });
    await expectGrafanaChart(e2e, 'staging-1', to);
    await expectGrafanaChart(e2e, 'prod-eu-1', from);
    gitIn(e2e.repo.root, 'pull', '--quiet', '--ff-only', 'origin', 'main');
    const first = (text: string) => text.split('\n')[0]!.replace(/^promotion refused by the dev gate: /, '');
    const line = `promote: refused while dev-1 could not sync (${first(stuck)}); opened once synced, Healthy and soaked ${SOAK_SECONDS} s (status success); refused while ${first(alert)}; opened with --override; merged: staging-1 runs ${to}, prod-eu-1 still ${from}`;
    log(line);
    return line;
  } finally {
    await github.stop();
  }
}

function gateOptions(e2e: E2e, github: GitHubStandIn, devKubeconfig: string, extra: Partial<PromoteOptions>): PromoteOptions {
  return promoteOptions(
    e2e.repo.root,
    { url: github.url, token: 'e2e' },
    {
      soakSeconds: SOAK_SECONDS,
      // As the promote workflow passes them: Argo CD's API, and dev-1's API server, whose service proxy reaches its Alertmanager.
      gateAccess: { argocd: { url: e2e.argocd.url, token: e2e.token }, kubeconfigs: { 'dev-1': devKubeconfig }, alertmanagers: {} },
      ...extra,
    },
  );
}

/** The gate's refusals (exit 1's findings) of a promote run that must be refused. */
async function refusal(run: Promise<unknown>): Promise<string> {
  const outcome = await run.then(
    (done) => new Error(`promote was not refused: ${JSON.stringify(done).slice(0, 300)}`),
    (err: Error & { findings?: { message: string }[] }) => (err.findings ? err.findings.map((f) => f.message).join('\n') : err),
  );
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

function expect(text: string, pattern: RegExp, what: string): void {
  if (!pattern.test(text)) throw new Error(`${what}: expected ${pattern}, got:\n${text.slice(0, 1500)}`);
}

function latestStatus(github: GitHubStandIn, sha: string): string {
  const status = (github.statuses.get(sha) ?? []).filter((s) => s.context === PROMOTION_GATE_CONTEXT).at(-1);
  return status ? `${status.state} ${status.description}` : '(no status)';
}

async function expectGrafanaChart(e2e: E2e, cluster: string, chart: string): Promise<void> {
  const client = e2e.fleet.workloads.get(cluster)?.client;
  if (!client) throw new Error(`the promotion scenario needs cluster ${cluster} in the e2e fleet`);
  const live = await client.get<{ apiVersion: string; kind: string; metadata: { name: string; labels: Record<string, string> } }>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespace: 'monitoring',
    name: 'grafana',
  });
  if (live.metadata.labels['helm.sh/chart'] !== chart) throw new Error(`${cluster}'s Grafana runs ${live.metadata.labels['helm.sh/chart']}, expected ${chart}`);
}
