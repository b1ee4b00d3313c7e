import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { isNotFound, KubeApiError, type KubeClient } from '../../scripts/cluster/client.ts';
import { checkPodAdmission, ENFORCE_LABEL, podSpecOf } from '../../scripts/cluster/pod-security.ts';
import { readInventory } from '../../scripts/inventory/read.ts';
import { readMirrorMap } from '../../scripts/inventory/mirrors.ts';
import { renderFleetState } from '../../scripts/render/fleet-state.ts';
import { ALL_TOOLS, ensureTools } from '../../scripts/tools/install.ts';
import { sharedControlPlane } from '../helpers/control-plane.ts';
import { editedFleet, useTestChartMirror } from '../helpers/validate.ts';

/** What node-exporter's DaemonSet asks of a node: its network and PID namespaces, /proc and /sys from the host. */
const NODE_EXPORTER_LIKE = {
  hostNetwork: true,
  hostPID: true,
  containers: [
    {
      name: 'node-exporter',
      image: 'quay.io/prometheus/node-exporter:v1.12.1',
      args: ['--path.procfs=/host/proc', '--path.sysfs=/host/sys'],
      ports: [{ name: 'metrics', containerPort: 9100 }],
      volumeMounts: [
        { name: 'proc', mountPath: '/host/proc', readOnly: true },
        { name: 'sys', mountPath: '/host/sys', readOnly: true },
      ],
    },
  ],
  volumes: [
    { name: 'proc', hostPath: { path: '/proc' } },
    { name: 'sys', hostPath: { path: '/sys' } },
  ],
};

const PLAIN = { containers: [{ name: 'web', image: 'nginx:1.27' }] };

// The suite's control plane is shared by every test file: namespaces of this file's own.
const suffix = Date.now().toString(36);
const UNLABELLED = `psa-none-${suffix}`;
const PRIVILEGED = `psa-privileged-${suffix}`;

const pod = (namespace: string, name: string, spec: object) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec });

describe('Pod Security: the control plane enforces baseline by default', () => {
  let client: KubeClient;

  before(async () => {
    ({ client } = await sharedControlPlane());
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: UNLABELLED } });
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: PRIVILEGED, labels: { [ENFORCE_LABEL]: 'privileged' } } });
  });

  test('a namespace without labels refuses a node-exporter-like Pod with 403 naming the baseline violations', async () => {
    const err = await client.create(pod(UNLABELLED, 'node-exporter-like', NODE_EXPORTER_LIKE)).then(
      () => assert.fail('the API server admitted a hostNetwork/hostPID/hostPath pod in a namespace without Pod Security labels'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof KubeApiError, String(err));
    assert.equal(err.code, 403);
    assert.equal(err.reason, 'Forbidden');
    assert.match(err.apiMessage, /violates PodSecurity "baseline:latest": /);
    assert.match(err.apiMessage, /host namespaces \(hostNetwork=true, hostPID=true\)/);
    assert.match(err.apiMessage, /hostPath volumes \(volumes "proc", "sys"\)/);
    await assert.rejects(client.get({ apiVersion: 'v1', kind: 'Pod', namespace: UNLABELLED, name: 'node-exporter-like' }), isNotFound);
  });

  test('a namespace labelled enforce: privileged admits the same Pod', async () => {
    const created = await client.create(pod(PRIVILEGED, 'node-exporter-like', NODE_EXPORTER_LIKE));
    assert.equal(created.metadata.namespace, PRIVILEGED);
    assert.equal((created.spec as { hostPID?: boolean }).hostPID, true);
    await client.delete({ apiVersion: 'v1', kind: 'Pod', namespace: PRIVILEGED, name: 'node-exporter-like' });
  });

  test('a plain Pod is admitted without labels: baseline refuses what it names, not every pod', async () => {
    assert.deepEqual(await checkPodAdmission(client, UNLABELLED, PLAIN), { admitted: true });
  });

  test('checkPodAdmission: refused with the policy and each violation, admitted when labelled, nothing stored', async () => {
    const refused = await checkPodAdmission(client, UNLABELLED, NODE_EXPORTER_LIKE);
    assert.equal(refused.admitted, false);
    assert.ok(!refused.admitted);
    assert.equal(refused.policy, 'baseline:latest');
    // With hostNetwork the API server defaults each port's hostPort to its containerPort: baseline refuses that too.
    assert.deepEqual(refused.violations, [
      'host namespaces (hostNetwork=true, hostPID=true)',
      'hostPath volumes (volumes "proc", "sys")',
      'hostPort (container "node-exporter" uses hostPort 9100)',
    ]);
    assert.match(refused.message, /^pods "pod-security-check-[a-z0-9]+" is forbidden: violates PodSecurity "baseline:latest"/);
    assert.deepEqual(await checkPodAdmission(client, PRIVILEGED, NODE_EXPORTER_LIKE), { admitted: true });
    assert.deepEqual(await client.list({ apiVersion: 'v1', kind: 'Pod', namespace: PRIVILEGED }), []);
  });

  test('checkPodAdmission throws what is not a Pod Security answer: a missing namespace', async () => {
    await assert.rejects(checkPodAdmission(client, `psa-missing-${suffix}`, PLAIN), isNotFound);
  });

  test("the default fleet's pods (dev-1, rendered): baseline refuses node-exporter's only; privileged admits all", async () => {
    await useTestChartMirror();
    const root = await editedFleet();
    const state = await renderFleetState(await readInventory(root), new Set(['dev-1']), await ensureTools(ALL_TOOLS), readMirrorMap(root));
    const workloads = Object.values(state.clusters.get('dev-1')!.apps)
      .flatMap((app) => app!.objects)
      .flatMap((o) => {
        const spec = podSpecOf(o);
        return spec ? [{ name: `${o.kind}/${o.metadata?.name}`, spec }] : [];
      });
    assert.deepEqual(workloads.map((w) => w.name).sort(), [
      'DaemonSet/prometheus-prometheus-node-exporter',
      'Deployment/grafana',
      'Deployment/prometheus-kube-state-metrics',
      'Deployment/prometheus-server',
      'StatefulSet/prometheus-alertmanager',
    ]);
    const refused: string[] = [];
    for (const w of workloads) {
      const answer = await checkPodAdmission(client, UNLABELLED, w.spec);
      if (!answer.admitted) refused.push(`${w.name}: ${answer.violations.join('; ')}`);
      assert.deepEqual(await checkPodAdmission(client, PRIVILEGED, w.spec), { admitted: true }, w.name);
    }
    assert.equal(refused.length, 1, refused.join('\n'));
    assert.match(refused[0]!, /^DaemonSet\/prometheus-prometheus-node-exporter: host namespaces \(hostNetwork=true, hostPID=true\); hostPath volumes/);
  });
});
