import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runValidate } from '../../scripts/validate/run.ts';
import { runCli } from '../helpers/cli.ts';
import { sharedControlPlane } from '../helpers/control-plane.ts';
import { editedFleet, findingsOf, replaceOnce, useTestChartMirror } from '../helpers/validate.ts';

/** validate --server-side against the run's shared control plane (CRDs installed by the check itself). */
async function validateServerSide(root: string, clusters = ['dev-1']) {
  await useTestChartMirror();
  const { kubeconfig } = await sharedControlPlane();
  return runValidate({ root, clusters, serverSide: { kubeconfig, installCrds: true, label: 'the local control plane' } });
}

test('the default fleet passes a server-side apply dry-run: rendered manifests and Argo CD objects', async () => {
  const report = await validateServerSide(await editedFleet(), ['dev-1', 'prod-us-1']);
  assert.deepEqual(report.findings, []);
  assert.ok(report.checks.some((c) => c.name === 'server-side'));
});

test('what only the API server knows is a finding with its message: a port out of range', async () => {
  const service = [
    'extraManifests:',
    '  - apiVersion: v1',
    '    kind: Service',
    '    metadata:',
    '      name: too-far',
    '    spec:',
    '      ports:',
    '        - port: 70000',
    '          targetPort: 9090',
    '      selector:',
    '        app: prometheus',
  ]
    .map((l) => `      ${l}\n`)
    .join('');
  const root = await editedFleet({
    'clusters/dev-1.yaml': replaceOnce('  prometheus:\n    enabled: true\n', `  prometheus:\n    enabled: true\n    values:\n${service}`),
  });
  const report = await validateServerSide(root);
  assert.deepEqual(findingsOf(report, 'kubeconform'), [], 'the OpenAPI schema has no range for ports: kubeconform cannot see it');
  const out = findingsOf(report, 'server-side');
  assert.equal(out.length, 1, out.join('\n'));
  assert.match(
    out[0]!,
    /^overlays\/dev\/dev-1\/prometheus\/kustomization\.yaml \[dev-1\/prometheus Service\/too-far\]: the local control plane rejects v1 Service: Invalid: spec\.ports\[0\]\.port: Invalid value: 70000: must be between 1 and 65535/,
  );
});

test('kubeconform can validate against what the API server serves (its /openapi/v2, CRDs included)', async () => {
  await useTestChartMirror();
  const { kubeconfig } = await sharedControlPlane();
  await validateServerSide(await editedFleet());
  const report = await runValidate({ root: await editedFleet(), clusters: ['dev-1'], schemasFromCluster: kubeconfig });
  assert.deepEqual(report.findings, []);
});

test('validate --server-side starts and stops its own control plane', async () => {
  await useTestChartMirror();
  const root = await editedFleet();
  const cli = await runCli('validate', ['--root', root, '--cluster', 'staging-1', '--server-side']);
  assert.equal(cli.code, 0, cli.stdout + cli.stderr);
  // Every column ok, server-side included (twelve checks per leaf).
  assert.match(cli.stdout, /^staging-1\s+staging\s+prometheus\s+\d+(\s+ok){12}$/m);
  assert.match(cli.stderr, /checked \(\d+\/\d+, [\d.]+ s\): Server-side apply dry-run on the local control plane \(Kubernetes v1\.34\.2\)/);
});

test('External Secrets and Gateway API objects meet their pinned CRDs on the API server, validation rules included', async () => {
  const manifests = [
    'extraManifests:',
    '  - apiVersion: external-secrets.io/v1',
    '    kind: ExternalSecret',
    '    metadata:',
    '      name: grafana-admin',
    '    spec:',
    '      secretStoreRef: {kind: ClusterSecretStore, name: fleet-secrets}',
    '      target: {name: grafana-admin, creationPolicy: Owner}',
    '      dataFrom: [{extract: {key: monitoring/dev-1/grafana-admin}}]',
    '  - apiVersion: gateway.networking.k8s.io/v1',
    '    kind: HTTPRoute',
    '    metadata:',
    '      name: relative-path',
    '    spec:',
    '      parentRefs: [{name: public, namespace: gateway}]',
    '      rules: [{matches: [{path: {type: PathPrefix, value: grafana}}], backendRefs: [{name: grafana, port: 80}]}]',
  ]
    .map((l) => `      ${l}\n`)
    .join('');
  const root = await editedFleet({
    'clusters/dev-1.yaml': replaceOnce('  prometheus:\n    enabled: true\n', `  prometheus:\n    enabled: true\n    values:\n${manifests}`),
  });
  const report = await validateServerSide(root);
  assert.deepEqual(findingsOf(report, 'kubeconform'), [], 'both fit the CRD schemas: kubeconform does not run their validation rules');
  const out = findingsOf(report, 'server-side');
  assert.equal(out.length, 1, out.join('\n'));
  assert.match(
    out[0]!,
    /^overlays\/dev\/dev-1\/prometheus\/kustomization\.yaml \[dev-1\/prometheus HTTPRoute\/relative-path\]: the local control plane rejects gateway\.networking\.k8s\.io\/v1 HTTPRoute: Invalid: spec\.rules\[0\]\.matches\[0\]\.path: Invalid value: "object": value must be an absolute path/,
  );
});
