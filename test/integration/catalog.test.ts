import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { catalogFromOpenApi, crdSchemaLocation, ensureCatalog, ensureCrdSchemas, writeCrdSchemas } from '../../scripts/catalog/build.ts';
import { countValidated, runKubeconform, type KubeconformResult } from '../../scripts/catalog/kubeconform.ts';
import { EnvironmentError } from '../../scripts/lib/errors.ts';
import { readToolPins } from '../../scripts/tools/pins.ts';
import { FIXTURES, PROJECT_ROOT, tempRepo } from '../helpers/repo.ts';

// The real catalog of the default fleet's version and the real kubeconform; the first run downloads and converts.
const VERSION = '1.34.2';

const MANIFESTS: Record<string, string> = {
  'valid.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: 80, name: http}]
          resources: {limits: {cpu: 1, memory: 128Mi}, requests: {cpu: 100m}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`,
  'unknown-field.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: typo}
spec:
  selector: {matchLabels: {app: typo}}
  template:
    metadata: {labels: {app: typo}}
    spec:
      containers: [{name: c, image: busybox}]
      restartPolicyy: Always
`,
  'string-port.yaml': `apiVersion: v1
kind: Service
metadata: {name: named-port}
spec:
  ports: [{port: http}]
`,
  'application-unknown.yaml': `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: odd, namespace: argocd}
spec:
  project: default
  destination: {name: in-cluster, namespace: odd}
  source: {repoURL: "https://example.com/repo.git", path: ".", targetRevision: main}
  colour: blue
`,
  'removed-api.yaml': `apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: old}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
`,
};
const REPO_FILES = ['apps/dev-1/children/prometheus.yaml', 'apps/dev-1/root.yaml', 'apps/dev-1/children/project.yaml'];

test('the catalog of Kubernetes 1.34.2 and the pinned CRD schemas are built and cached', async () => {
  const catalog = await ensureCatalog(VERSION);
  assert.equal(catalog.source, `k8s.io/kubernetes@v${VERSION}`);
  assert.equal(basename(catalog.dir), `v${VERSION}-standalone-strict`);
  const pins = readToolPins();
  assert.deepEqual(
    catalog.schemaLocations.map((l) => l.replace(join(catalog.dir, '..'), '<catalog>')),
    [
      '<catalog>/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json',
      `<catalog>/crd-sources/argocd@${pins.argocd.version}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`,
      `<catalog>/crd-sources/externalSecrets@${pins.sources.externalSecrets.version}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`,
      `<catalog>/crd-sources/gatewayApi@${pins.sources.gatewayApi.version}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`,
    ],
  );
  const files = readdirSync(catalog.dir);
  for (const name of [
    'deployment-apps-v1.json',
    'service-v1.json',
    'ingress-networking-v1.json',
    'clusterrole-rbac-v1.json',
    'poddisruptionbudget-policy-v1.json',
  ]) {
    assert.ok(files.includes(name), `${name} missing from the catalog`);
  }
  assert.equal(files.includes('poddisruptionbudget-policy-v1beta1.json'), false, 'policy/v1beta1 was removed in 1.25');
  const marker = JSON.parse(readFileSync(join(catalog.dir, '.catalog.json'), 'utf8')) as { files: number };
  assert.equal(marker.files, files.length - 1);

  const [argocd, eso, gateway] = await ensureCrdSchemas();
  assert.equal(argocd?.source, `github.com/argoproj/argo-cd/v3@${pins.argocd.version}`);
  assert.deepEqual(readdirSync(join(argocd!.dir, 'argoproj.io')).sort(), [
    'application_v1alpha1.json',
    'applicationset_v1alpha1.json',
    'appproject_v1alpha1.json',
  ]);
  const esoSchemas = readdirSync(join(eso!.dir, 'external-secrets.io'));
  for (const name of ['externalsecret_v1.json', 'secretstore_v1.json', 'clustersecretstore_v1.json', 'clusterexternalsecret_v1.json'])
    assert.ok(esoSchemas.includes(name), `${name} missing from ${eso!.dir}`);
  assert.ok(readdirSync(join(eso!.dir, 'generators.external-secrets.io')).includes('password_v1alpha1.json'));
  const gatewaySchemas = readdirSync(join(gateway!.dir, 'gateway.networking.k8s.io'));
  for (const name of ['gatewayclass_v1.json', 'gateway_v1.json', 'httproute_v1.json', 'grpcroute_v1.json', 'referencegrant_v1.json'])
    assert.ok(gatewaySchemas.includes(name), `${name} missing from ${gateway!.dir}`);
  // Scopes for the AppProject check; kept apart from the built-in ones, which helm's --api-versions lists for every cluster.
  assert.equal(catalog.crdScopes['external-secrets.io/v1/ClusterSecretStore'], 'Cluster');
  assert.equal(catalog.crdScopes['external-secrets.io/v1/ExternalSecret'], 'Namespaced');
  assert.equal(catalog.crdScopes['gateway.networking.k8s.io/v1/GatewayClass'], 'Cluster');
  assert.equal(catalog.crdScopes['gateway.networking.k8s.io/v1/HTTPRoute'], 'Namespaced');
  assert.equal(catalog.crdScopes['argoproj.io/v1alpha1/AppProject'], 'Namespaced');
  assert.equal(catalog.scopes['external-secrets.io/v1/ExternalSecret'], undefined);
  const started = Date.now();
  await ensureCatalog(`v${VERSION}`);
  assert.ok(Date.now() - started < 1000, 'a built catalog is reused');
});

test('one kubeconform run over every file: valid, invalid with paths, and a missing schema for a removed API', async () => {
  const dir = await tempRepo(MANIFESTS);
  const catalog = await ensureCatalog(VERSION);
  const files = [...Object.keys(MANIFESTS).map((name) => join(dir, name)), ...REPO_FILES.map((path) => join(PROJECT_ROOT, path))];
  const results = await runKubeconform({ files, kubernetesVersion: VERSION, schemaLocations: catalog.schemaLocations });
  const label = (r: KubeconformResult) =>
    `${r.file.startsWith(dir) ? basename(r.file) : r.file.slice(PROJECT_ROOT.length)} ${r.apiVersion} ${r.kind} ${r.status}`;
  assert.deepEqual(results.map(label).sort(), [
    'application-unknown.yaml argoproj.io/v1alpha1 Application invalid',
    'apps/dev-1/children/project.yaml argoproj.io/v1alpha1 AppProject valid',
    'apps/dev-1/children/prometheus.yaml argoproj.io/v1alpha1 Application valid',
    'apps/dev-1/root.yaml argoproj.io/v1alpha1 AppProject valid',
    'apps/dev-1/root.yaml argoproj.io/v1alpha1 Application valid',
    'removed-api.yaml policy/v1beta1 PodDisruptionBudget missing-schema',
    'string-port.yaml v1 Service invalid',
    'unknown-field.yaml apps/v1 Deployment invalid',
    'valid.yaml apps/v1 Deployment valid',
    'valid.yaml v1 Service valid',
  ]);
  const errorsOf = (name: string) => results.find((r) => r.name === name)?.errors;
  assert.deepEqual(errorsOf('typo'), [{ path: '/spec/template/spec', message: "additional properties 'restartPolicyy' not allowed" }]);
  assert.deepEqual(errorsOf('named-port'), [{ path: '/spec/ports/0/port', message: 'got string, want integer' }]);
  assert.deepEqual(errorsOf('odd'), [{ path: '/spec', message: "additional properties 'colour' not allowed" }]);
  assert.equal(results.find((r) => r.name === 'old')?.message, 'could not find schema for PodDisruptionBudget');
  assert.equal(countValidated(results), 9);
});

test('files without any resource give no result at all', async () => {
  const dir = await tempRepo({ 'empty.yaml': '# nothing here\n', 'blank.yaml': '---\n' });
  const catalog = await ensureCatalog(VERSION);
  const results = await runKubeconform({
    files: [join(dir, 'empty.yaml'), join(dir, 'blank.yaml')],
    kubernetesVersion: VERSION,
    schemaLocations: catalog.schemaLocations,
  });
  assert.deepEqual(results, []);
  assert.deepEqual(await runKubeconform({ files: [], kubernetesVersion: VERSION, schemaLocations: catalog.schemaLocations }), []);
});

test('a Kubernetes version that does not exist is an environment error naming the module', async () => {
  await assert.rejects(ensureCatalog('1.34.999'), (err: unknown) => {
    assert.ok(err instanceof EnvironmentError);
    assert.match(err.message, /^cannot download k8s\.io\/kubernetes@v1\.34\.999 \(the OpenAPI document of Kubernetes 1\.34\.999\): \S/);
    assert.match(err.message, /fix: use an existing Kubernetes release as kubernetesVersion/);
    return true;
  });
  await assert.rejects(ensureCatalog('1.34'), /'1\.34' is not a Kubernetes version/);
  assert.equal(existsSync(join((await ensureCatalog(VERSION)).dir, '..', 'v1.34.999-standalone-strict')), false);
});

test('a catalog from an OpenAPI document of another source (a live cluster) is written and used as is', async (t) => {
  const document: unknown = JSON.parse(readFileSync(join(FIXTURES, 'catalog/openapi.json'), 'utf8'));
  const catalog = await catalogFromOpenApi(document, 'integration-test');
  t.after(() => rmSync(catalog.dir, { recursive: true, force: true }));
  assert.match(catalog.source, /^openapi:integration-test@sha256:[0-9a-f]{16}$/);
  assert.equal(catalog.schemaLocations[0], join(catalog.dir, '{{.ResourceKind}}{{.KindSuffix}}.json'));
  const dir = await tempRepo({
    'ok.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80, targetPort: web}]}\n',
    'bad.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {ports: [{targetPort: 8080}]}\n',
  });
  const results = await runKubeconform({
    files: [join(dir, 'ok.yaml'), join(dir, 'bad.yaml')],
    kubernetesVersion: VERSION,
    schemaLocations: catalog.schemaLocations,
  });
  assert.deepEqual(
    results.map((r) => [r.name, r.status, r.errors]),
    [
      ['b', 'invalid', [{ path: '/spec/ports/0', message: "missing property 'port'" }]],
      ['a', 'valid', []],
    ],
  );
  await assert.rejects(
    catalogFromOpenApi({ paths: {} }, 'integration-test-bad'),
    /the OpenAPI document 'integration-test-bad' cannot be converted: not an OpenAPI v2 document/,
  );
});

test('CRDs found in rendered charts: their schemas are written to a per-run folder and used by kubeconform', async () => {
  const crd: unknown = parse(readFileSync(join(FIXTURES, 'catalog/crd-widget.yaml'), 'utf8'));
  const schemas = await tempRepo();
  const written = await writeCrdSchemas([crd, { apiVersion: 'v1', kind: 'ConfigMap' }], schemas);
  assert.deepEqual(
    written.map((p) => p.slice(schemas.length + 1)),
    ['monitoring.example.io/widget_v1.json', 'monitoring.example.io/widget_v2.json'],
  );
  const widget = (name: string, spec: string) =>
    `apiVersion: monitoring.example.io/v1\nkind: Widget\nmetadata: {name: ${name}, labels: {a: b}}\nspec: ${spec}\n`;
  const dir = await tempRepo({
    'widgets.yaml': [
      widget(
        'ok',
        '{size: "10%", note: null, values: {any: {thing: 1}}, template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {replicas: 1}}, ports: [{port: 80}, {port: http}]}',
      ),
      widget('unknown', '{size: 3, note: x, colour: blue}'),
      widget('wrong-type', '{size: true, note: x}'),
    ].join('---\n'),
  });
  const catalog = await ensureCatalog(VERSION);
  const results = await runKubeconform({
    files: [join(dir, 'widgets.yaml')],
    kubernetesVersion: VERSION,
    schemaLocations: [...catalog.schemaLocations, crdSchemaLocation(schemas)],
  });
  assert.deepEqual(
    results.map((r) => [r.name, r.status, r.errors.map((e) => e.path)]),
    [
      ['ok', 'valid', []],
      ['unknown', 'invalid', ['/spec']],
      ['wrong-type', 'invalid', ['/spec/size']],
    ],
  );
});

const EXTERNAL_SECRET = `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: grafana-admin, namespace: monitoring}
spec:
  refreshInterval: 1h
  secretStoreRef: {kind: ClusterSecretStore, name: fleet-secrets}
  target: {name: grafana-admin, creationPolicy: Owner}
  dataFrom: [{extract: {key: monitoring/dev-1/grafana-admin}}]
`;
const HTTP_ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: grafana, namespace: monitoring}
spec:
  parentRefs: [{name: public, namespace: gateway, sectionName: https}]
  hostnames: [grafana.dev-1.example.com]
  rules:
    - matches: [{path: {type: PathPrefix, value: /}}]
      backendRefs: [{name: grafana, port: 80}]
`;

test('External Secrets and Gateway API objects are checked against the pinned CRDs: unknown fields and wrong types fail', async () => {
  const dir = await tempRepo({
    'valid.yaml': [
      EXTERNAL_SECRET,
      HTTP_ROUTE,
      `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: fleet-secrets}
spec:
  provider:
    fake:
      data: [{key: monitoring/dev-1/grafana-admin, value: '{"admin-user":"admin","admin-password":"x"}'}]
`,
      `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: gateway}
spec:
  gatewayClassName: cilium
  listeners: [{name: https, protocol: HTTPS, port: 443, hostname: "*.dev-1.example.com", tls: {certificateRefs: [{name: wildcard}]}}]
`,
    ].join('---\n'),
    'invalid.yaml': [
      EXTERNAL_SECRET.replace('grafana-admin, namespace', 'es-unknown, namespace').replace('creationPolicy: Owner}', 'creationPolicy: Owner, nmae: x}'),
      EXTERNAL_SECRET.replace('grafana-admin, namespace', 'es-wrong-type, namespace').replace(
        'dataFrom: [{extract: {key: monitoring/dev-1/grafana-admin}}]',
        'dataFrom: {extract: {key: monitoring/dev-1/grafana-admin}}',
      ),
      HTTP_ROUTE.replace('name: grafana, namespace', 'name: route-unknown, namespace').replace('port: 80}', 'port: 80, weigth: 2}'),
      HTTP_ROUTE.replace('name: grafana, namespace', 'name: route-wrong-type, namespace').replace('port: 80}', 'port: http}'),
    ].join('---\n'),
  });
  const catalog = await ensureCatalog(VERSION);
  const results = await runKubeconform({
    files: [join(dir, 'valid.yaml'), join(dir, 'invalid.yaml')],
    kubernetesVersion: VERSION,
    schemaLocations: catalog.schemaLocations,
  });
  assert.deepEqual(
    results.map((r) => [r.kind, r.name, r.status, r.errors]),
    [
      ['ExternalSecret', 'es-unknown', 'invalid', [{ path: '/spec/target', message: "additional properties 'nmae' not allowed" }]],
      ['ExternalSecret', 'es-wrong-type', 'invalid', [{ path: '/spec/dataFrom', message: 'got object, want null or array' }]],
      ['HTTPRoute', 'route-unknown', 'invalid', [{ path: '/spec/rules/0/backendRefs/0', message: "additional properties 'weigth' not allowed" }]],
      ['HTTPRoute', 'route-wrong-type', 'invalid', [{ path: '/spec/rules/0/backendRefs/0/port', message: 'got string, want null or integer' }]],
      ['ClusterSecretStore', 'fleet-secrets', 'valid', []],
      ['ExternalSecret', 'grafana-admin', 'valid', []],
      ['Gateway', 'public', 'valid', []],
      ['HTTPRoute', 'grafana', 'valid', []],
    ],
  );
});
