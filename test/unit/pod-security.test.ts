import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admissionConfiguration, parsePodSecurityRefusal, podSpecOf } from '../../scripts/cluster/pod-security.ts';
import { toYaml } from '../../scripts/lib/yaml.ts';

test('the admission configuration sets enforce, audit and warn to one level, latest version, no exemptions', () => {
  const yaml = toYaml(admissionConfiguration('baseline'));
  assert.match(yaml, /^apiVersion: apiserver\.config\.k8s\.io\/v1\nkind: AdmissionConfiguration\n/);
  assert.match(yaml, /- name: PodSecurity\n/);
  assert.match(yaml, /apiVersion: pod-security\.admission\.config\.k8s\.io\/v1\n\s+kind: PodSecurityConfiguration\n/);
  for (const mode of ['enforce', 'audit', 'warn']) {
    assert.match(yaml, new RegExp(`\\n\\s+${mode}: baseline\\n`));
    assert.match(yaml, new RegExp(`\\n\\s+${mode}-version: latest\\n`));
  }
  assert.match(yaml, /namespaces: \[\]/);
});

test('a PodSecurity refusal is read into its policy and violations; commas inside details and quotes stay', () => {
  const message =
    'pods "x" is forbidden: violates PodSecurity "restricted:latest": host namespaces (hostNetwork=true, hostPID=true), unrestricted capabilities (container "a" must set securityContext.capabilities.drop=["ALL"]), hostPath volumes (volumes "proc", "sys")';
  assert.deepEqual(parsePodSecurityRefusal(message), {
    policy: 'restricted:latest',
    violations: [
      'host namespaces (hostNetwork=true, hostPID=true)',
      'unrestricted capabilities (container "a" must set securityContext.capabilities.drop=["ALL"])',
      'hostPath volumes (volumes "proc", "sys")',
    ],
    message,
  });
  assert.equal(parsePodSecurityRefusal('pods "x" is forbidden: User "u" cannot create resource "pods"'), undefined);
});

const spec = { containers: [{ name: 'c', image: 'i' }] };

test('podSpecOf: the pod spec each workload kind creates pods from; other kinds have none', () => {
  assert.equal(podSpecOf({ kind: 'Pod', spec }), spec);
  for (const kind of ['Deployment', 'ReplicaSet', 'DaemonSet', 'Job']) assert.equal(podSpecOf({ kind, spec: { template: { spec } } }), spec, kind);
  assert.equal(podSpecOf({ kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec } } } } }), spec);
  assert.equal(podSpecOf({ kind: 'Service', spec: { ports: [] } }), undefined);
  assert.equal(podSpecOf({ kind: 'ConfigMap' }), undefined);
});

test("podSpecOf: a StatefulSet's claim templates become the volumes its controller adds", () => {
  const sts = {
    kind: 'StatefulSet',
    metadata: { name: 'am' },
    spec: {
      template: { spec: { ...spec, volumes: [{ name: 'config', configMap: { name: 'am' } }] } },
      volumeClaimTemplates: [{ metadata: { name: 'storage' } }],
    },
  };
  assert.deepEqual(podSpecOf(sts)?.volumes, [
    { name: 'config', configMap: { name: 'am' } },
    { name: 'storage', persistentVolumeClaim: { claimName: 'storage-am-0' } },
  ]);
});
