import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EnvironmentError } from '../../scripts/lib/errors.ts';
import { crdSource, crdSources } from '../../scripts/tools/crd-sources.ts';
import { readToolPins, type ToolPins } from '../../scripts/tools/pins.ts';

test('the CRD sources are the Argo CD release, then every sources entry with crds, as tools/pins.json orders them', () => {
  const sources = crdSources();
  assert.deepEqual(
    sources.map((s) => [s.name, s.where, s.module, s.crds]),
    [
      ['argocd', 'argocd', 'github.com/argoproj/argo-cd/v3', 'manifests/crds'],
      ['externalSecrets', 'sources.externalSecrets', 'github.com/external-secrets/external-secrets', 'config/crds/bases'],
      ['gatewayApi', 'sources.gatewayApi', 'sigs.k8s.io/gateway-api', 'config/crd'],
    ],
  );
  assert.deepEqual(crdSource('externalSecrets').crdKinds, ['ExternalSecret', 'SecretStore', 'ClusterSecretStore']);
  for (const kind of ['HTTPRoute', 'Gateway', 'GatewayClass', 'ReferenceGrant', 'GRPCRoute']) assert.ok(crdSource('gatewayApi').crdKinds.includes(kind), kind);
});

test('adding a CRD source is one sources entry; an unknown name is an environment error naming the fix', () => {
  const pins = structuredClone(readToolPins()) as ToolPins & { sources: Record<string, unknown> };
  pins.sources.certManager = { module: 'github.com/cert-manager/cert-manager', version: 'v1.20.2', crds: 'deploy/crds', crdKinds: ['ClusterIssuer'] };
  assert.deepEqual(
    crdSources(pins).map((s) => s.name),
    ['argocd', 'externalSecrets', 'gatewayApi', 'certManager'],
  );
  assert.throws(
    () => crdSource('prometheusOperator'),
    (err: unknown) => err instanceof EnvironmentError && /pins no CRD source 'prometheusOperator'\nfix: add sources\.prometheusOperator/.test(err.message),
  );
});
