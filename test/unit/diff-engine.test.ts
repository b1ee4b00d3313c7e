import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffFleet } from '../../scripts/diff/engine.ts';
import type { ClusterState, FleetState } from '../../scripts/render/fleet-state.ts';

const pin = { repoURL: 'https://charts.example.com', chart: 'prometheus', version: '1.0.0' };
const deployment = (cluster: string, image: string, checksum: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'prometheus-server', namespace: 'monitoring', labels: { cluster } },
  spec: { template: { metadata: { annotations: { 'checksum/config': checksum } }, spec: { containers: [{ name: 'p', image }] } } },
});
function state(images: Record<string, string>, checksum = 'a'): FleetState {
  const clusters = new Map<string, ClusterState>();
  for (const [name, image] of Object.entries(images)) {
    clusters.set(name, {
      name,
      environment: name.split('-')[0]!,
      argo: [],
      apps: { prometheus: { pin, values: { cluster: name }, objects: [deployment(name, image, checksum)] } },
    });
  }
  return { environments: ['dev', 'prod'], clusters };
}

test('the same change on several clusters is one group, cluster names aside', () => {
  const diff = diffFleet(state({ 'dev-1': 'p:1', 'prod-1': 'p:1', 'prod-2': 'p:1' }), state({ 'dev-1': 'p:2', 'prod-1': 'p:2', 'prod-2': 'p:3' }));
  assert.deepEqual(
    diff.groups.map((g) => g.clusters),
    [['dev-1', 'prod-1'], ['prod-2']],
  );
  assert.deepEqual(diff.groups[0]!.environments, ['dev', 'prod']);
});

test('checksum annotations alone are not a change; unchanged clusters are listed', () => {
  const diff = diffFleet(state({ 'dev-1': 'p:1' }, 'a'), state({ 'dev-1': 'p:1' }, 'b'));
  assert.deepEqual(diff.changed, []);
  assert.deepEqual(diff.unchanged, ['dev-1']);
});
