import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArgoApplication } from '../../scripts/argocd/types.ts';
import { evaluateGate, type GateEvidence, type GateSubject } from '../../scripts/promote/gate/evaluate.ts';
import { matcherFilter, parseDuration, parseMatchers, readGate } from '../../scripts/inventory/promotion-gate.ts';
import { gateSection, gateStatus } from '../../scripts/promote/gate/report.ts';
import { parseInventory } from '../../scripts/inventory/parse.ts';
import { formatFinding } from '../../scripts/lib/findings.ts';
import { minimalSources } from '../helpers/inventory.ts';
import { gateAccessOptions } from '../../scripts/cli/access-options.ts';

const ARRIVAL = 'a'.repeat(40);
const LATER = 'b'.repeat(40);
const OLD = 'c'.repeat(40);
const NOW = new Date('2026-12-04T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

const SUBJECT: GateSubject = { cluster: 'dev-1', app: 'grafana', namespace: 'argocd', name: 'dev-1-grafana' };
const GATE = readGate({ soak: '24h', requireHealthy: true, blockingAlerts: ['severity="critical"'] });

function application(status: NonNullable<ArgoApplication['status']>): ArgoApplication {
  return { metadata: { name: 'dev-1-grafana', namespace: 'argocd' }, status };
}

/** A dev-1-grafana that runs LATER (which has the pin) Synced and Healthy, deployed `deployedHoursAgo`. */
function healthy(deployedHoursAgo: number, healthyHoursAgo = deployedHoursAgo + 100): ArgoApplication {
  return application({
    sync: { status: 'Synced', revision: LATER },
    health: { status: 'Healthy', lastTransitionTime: hoursAgo(healthyHoursAgo) },
    operationState: { phase: 'Succeeded', syncResult: { revision: LATER } },
    history: [
      { id: 1, revision: OLD, deployedAt: hoursAgo(200) },
      { id: 2, revision: ARRIVAL, deployedAt: hoursAgo(deployedHoursAgo) },
      { id: 3, revision: LATER, deployedAt: hoursAgo(deployedHoursAgo - 1) },
    ],
  });
}

function evidence(app: ArgoApplication | undefined, alerts: GateEvidence['alerts'] = new Map([['dev-1', []]])): GateEvidence {
  return {
    applications: app ? [app] : [],
    alerts,
    pinnedRevisions: { grafana: { arrival: { commit: ARRIVAL, time: new Date(hoursAgo(30)) }, commits: new Set([ARRIVAL, LATER]) } },
  };
}

const problem = (parsed: ReturnType<typeof parseMatchers>) => ('problem' in parsed ? parsed.problem : 'parsed');
const reasons = (e: GateEvidence, gate = GATE) => evaluateGate(gate, 'dev', [SUBJECT], e, NOW).refusals.map((r) => r.reason);

test('durations and Alertmanager matchers parse as fleet.yaml writes them; bad ones say why', () => {
  assert.equal(parseDuration('24h'), 86_400);
  assert.equal(parseDuration('1d12h'), 129_600);
  assert.equal(parseDuration('90m'), 5400);
  assert.equal(parseDuration('24 hours'), undefined);
  assert.deepEqual(parseMatchers('severity="critical"'), { matchers: [{ name: 'severity', op: '=', value: 'critical' }] });
  const many = parseMatchers('{severity=~"critical|warning", team!="db", env=prod}');
  assert.ok('matchers' in many);
  assert.deepEqual(many.matchers.map(matcherFilter), ['severity=~"critical|warning"', 'team!="db"', 'env="prod"']);
  assert.match(problem(parseMatchers('severity')), /expected name="value"/);
  assert.match(problem(parseMatchers('{severity="critical"')), /opens a brace/);
  assert.match(problem(parseMatchers('severity=~"(critical"')), /not a valid regular expression/);
  assert.match(problem(parseMatchers('severity="a" team="b"')), /expected ','/);
  assert.match(problem(parseMatchers('1abc="x"')), /not a label name/);
});

test('Synced and Healthy at a commit with the pin for the soak time passes; the table says since when', () => {
  const verdict = evaluateGate(GATE, 'dev', [SUBJECT], evidence(healthy(30)), NOW);
  assert.deepEqual(verdict.refusals, []);
  assert.equal(verdict.rows[0]!.since, hoursAgo(30).replace(/\.\d{3}Z$/, 'Z'));
  assert.equal(verdict.rows[0]!.state, 'Synced / Healthy');
  assert.match(verdict.summary, /^passed: 1 Application on 1 dev cluster Synced and Healthy at the pin for 24 h or more; no blocking alert$/);
  const outcome = { environment: 'dev', gate: GATE, verdict };
  assert.equal(gateStatus(outcome).state, 'success');
  const section = gateSection(outcome).join('\n');
  assert.match(section, /✅ Passed/);
  assert.match(section, /\| dev-1 \| grafana \| argocd\/dev-1-grafana \| `bbbbbbbbbbbb` \| Synced \/ Healthy \| 2026-12-03T06:00:00Z \| none \|/);
});

test('not synced to the pin, a failed sync, Degraded and a short soak are each refused with the cluster and app', () => {
  const stuck = application({
    sync: { status: 'OutOfSync', revision: OLD },
    health: { status: 'Healthy' },
    operationState: { phase: 'Failed', retryCount: 3, message: 'admission webhook denied: grafana is frozen', syncResult: { revision: LATER } },
    history: [{ revision: OLD, deployedAt: hoursAgo(200) }],
  });
  assert.deepEqual(reasons(evidence(stuck)), [
    'dev-1 / grafana: not synced to the pin: Argo CD runs ccccccc, the pin came in aaaaaaa; its sync of bbbbbbb is Failed after 3 retries: admission webhook denied: grafana is frozen',
  ]);
  // What the real Argo CD shows while a refused sync waits for its next retry: compared (OutOfSync) at the new commit.
  const retrying = application({
    sync: { status: 'OutOfSync', revision: LATER },
    health: { status: 'Healthy' },
    operationState: { operation: { sync: { revision: LATER } }, phase: 'Running', retryCount: 1, message: 'deployments.apps "grafana" is forbidden' },
  });
  assert.deepEqual(reasons(evidence(retrying)), [
    'dev-1 / grafana: OutOfSync at bbbbbbb; its sync of bbbbbbb is Running after 1 retry: deployments.apps "grafana" is forbidden',
  ]);
  const degraded = healthy(30);
  degraded.status!.health = { status: 'Degraded', message: 'Deployment grafana exceeded its progress deadline', lastTransitionTime: hoursAgo(2) };
  assert.deepEqual(reasons(evidence(degraded)), ['dev-1 / grafana: Degraded since 2026-12-04T10:00:00Z: Deployment grafana exceeded its progress deadline']);
  assert.deepEqual(reasons(evidence(healthy(3))), ['dev-1 / grafana: Synced and Healthy at the pin for 3 h of 24 h (since 2026-12-04T09:00:00Z)']);
  // Healthy again only an hour ago: the soak counts from then, not from the deployment.
  assert.match(reasons(evidence(healthy(30, 1)))[0]!, /for 60 min of 24 h/);
  assert.deepEqual(reasons(evidence(undefined)), ['dev-1 / grafana: Argo CD has no Application argocd/dev-1-grafana']);
});

test('a blocking alert refuses naming it; an override passes with the reason in the status and the body', () => {
  const alerts = new Map([
    [
      'dev-1',
      [
        {
          alertname: 'NodeExporterDown',
          startsAt: hoursAgo(1),
          labels: { alertname: 'NodeExporterDown', severity: 'critical' },
          matched: 'severity="critical"',
        },
      ],
    ],
  ]);
  const verdict = evaluateGate(GATE, 'dev', [SUBJECT], evidence(healthy(30), alerts), NOW);
  assert.deepEqual(
    verdict.refusals.map((r) => r.reason),
    ['dev-1: NodeExporterDown firing since 2026-12-04T11:00:00Z, severity critical (blocking: severity="critical")'],
  );
  assert.match(verdict.refusals[0]!.fix, /--override/);
  assert.equal(gateStatus({ environment: 'dev', gate: GATE, verdict }).state, 'failure');
  const overridden = { environment: 'dev', gate: GATE, verdict, override: 'known flaky exporter on dev-1' };
  assert.deepEqual(gateStatus(overridden), {
    state: 'success',
    description: `overridden: known flaky exporter on dev-1 (${verdict.summary})`,
  });
  const body = gateSection(overridden).join('\n');
  assert.match(body, /\*\*Gate overridden\*\*: known flaky exporter on dev-1/);
  assert.match(body, /> - dev-1: NodeExporterDown firing/);
  assert.match(body, /\| NodeExporterDown since 2026-12-04T11:00:00Z \|/);
});

test('without requireHealthy the soak counts from the pin reaching the branch; no gate at all is said so', () => {
  const gate = readGate({ soak: '7d' });
  assert.deepEqual(reasons({ pinnedRevisions: evidence(undefined).pinnedRevisions }, gate), [
    'dev-1 / grafana: the pin has been in dev for 30 h of 7 d (since aaaaaaa, 2026-12-03T06:00:00Z)',
  ]);
  assert.deepEqual(gateStatus({ environment: 'dev' }), { state: 'success', description: 'no promotion gate for dev in fleet.yaml' });
  assert.match(gateSection({ environment: 'dev', gate: GATE, unchecked: 'needs --argocd-url' }).join('\n'), /Not checked: needs --argocd-url/);
});

test('fleet.yaml promotion gates: unknown or last environments, bad durations and matchers are found at their line with the fix', async () => {
  const gate = (block: string) => async () =>
    parseInventory(await minimalSources({ 'fleet.yaml': (t) => t.replace('scheduling:\n', `promotion:\n${block}scheduling:\n`) })).findings.map(formatFinding);
  assert.deepEqual(await gate('  dev:\n    soak: 24h\n    requireHealthy: true\n    blockingAlerts: [\'severity="critical"\']\n')(), []);
  const found = await gate(
    '  qa:\n    soak: 1h\n  prod:\n    requireHealthy: true\n  dev:\n    soak: 0h\n    blockingAlerts:\n      - severity="critical"\n      - \'{severity=~"(critical"}\'\n',
  )();
  assert.deepEqual(
    found.map((f) => f.split('\n')[0]),
    [
      "fleet.yaml:8:5: promotion.qa: 'qa' is not an environment listed in fleet.yaml",
      'fleet.yaml:10:5: promotion.prod: prod is the last environment; nothing is promoted out of it',
      "fleet.yaml:12:11: promotion.dev.soak: '0h' is zero",
      `fleet.yaml:15:9: promotion.dev.blockingAlerts: '{severity=~"(critical"}': severity=~"(critical" is not a valid regular expression`,
    ],
  );
  assert.match(found[1]!, /fix: put the gate on the environment promoted from: dev guards what reaches prod/);
  const schema = await gate('  dev:\n    soak: 24 hours\n    requireHealthy: yes please\n')();
  assert.match(schema.join('\n'), /fleet\.yaml:8:11: promotion\.dev\.soak .*\n\s+fix: write a duration such as 24h, 90m or 2d/);
  assert.match(schema.join('\n'), /fleet\.yaml:9:21: promotion\.dev\.requireHealthy/);
});

test('--kubeconfig CLUSTER=FILE or one FILE of contexts, --alertmanager CLUSTER=URL: parsed, or a usage error saying how to write them', () => {
  const access = gateAccessOptions({ kubeconfig: ['dev-1=/k/dev-1', '/k/fleet'], alertmanager: ['staging-1=https://am.staging-1.example.com'] });
  assert.deepEqual(access, {
    argocd: undefined,
    kubeconfigs: { 'dev-1': '/k/dev-1' },
    kubeconfigContexts: '/k/fleet',
    alertmanagers: { 'staging-1': 'https://am.staging-1.example.com' },
  });
  assert.throws(
    () => gateAccessOptions({ kubeconfig: ['/k/a', '/k/b'] }),
    /--kubeconfig \/k\/b: give one kubeconfig with a context per cluster, or CLUSTER=FILE pairs/,
  );
  assert.throws(() => gateAccessOptions({ alertmanager: ['am.example.com'] }), /--alertmanager am\.example\.com: write CLUSTER=URL/);
  assert.throws(() => gateAccessOptions({ alertmanager: ['dev-1=ftp://x'] }), /give Alertmanager's http\(s\) URL/);
  assert.throws(() => gateAccessOptions({ 'argocd-ca': '/ca.pem' }), /--argocd-ca needs --argocd-url/);
});
