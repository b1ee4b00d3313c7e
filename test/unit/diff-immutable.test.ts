import assert from 'node:assert/strict';
import { test } from 'node:test';
import { breakingChanges, volumesLeftBehind } from '../../scripts/diff/immutable.ts';

test('a shrinking or re-classed PersistentVolumeClaim breaks the sync; growing it does not', () => {
  const pvc = 'PersistentVolumeClaim monitoring/prometheus-server';
  assert.deepEqual(
    breakingChanges(pvc, [{ path: 'spec.resources.requests.storage', before: '16Gi', after: '8Gi' }]).map((b) => b.reason),
    ['a PersistentVolumeClaim cannot shrink (16Gi → 8Gi)'],
  );
  assert.deepEqual(breakingChanges(pvc, [{ path: 'spec.resources.requests.storage', before: '8Gi', after: '16Gi' }]), []);
  assert.match(
    breakingChanges(pvc, [{ path: 'spec.storageClassName', before: 'a', after: 'b' }])[0]!.reason,
    /spec\.storageClassName is immutable on an existing PersistentVolumeClaim/,
  );
});

test('selectors, StatefulSet claim templates and cluster IPs are immutable; other fields are not', () => {
  assert.match(
    breakingChanges('Deployment monitoring/x', [{ path: 'spec.selector.matchLabels.app', before: 'a', after: 'b' }])[0]!.reason,
    /spec\.selector is immutable on an existing Deployment/,
  );
  assert.match(
    breakingChanges('StatefulSet monitoring/am', [{ path: 'spec.volumeClaimTemplates[0].spec.resources.requests.storage', before: '2Gi', after: '4Gi' }])[0]!
      .reason,
    /spec\.volumeClaimTemplates is immutable/,
  );
  assert.equal(breakingChanges('Service monitoring/s', [{ path: 'spec.clusterIP', before: '10.0.0.1', after: 'None' }]).length, 1);
  assert.deepEqual(breakingChanges('Deployment monitoring/x', [{ path: 'spec.template.spec.containers[0].image', before: 'a', after: 'b' }]), []);
});

test('a claim dropped for a new StatefulSet is data left behind; a claim dropped alone, or a StatefulSet added alone, is not', () => {
  const resources = (added: string[], removed: string[]) => ({ added, removed, changed: [], labelOnly: [] });
  const switched = volumesLeftBehind(
    resources(
      ['StatefulSet monitoring/prometheus-server', 'Service monitoring/prometheus-server-headless'],
      ['Deployment monitoring/prometheus-server', 'PersistentVolumeClaim monitoring/prometheus-server'],
    ),
  );
  assert.deepEqual(
    switched.map((b) => b.resource),
    ['PersistentVolumeClaim monitoring/prometheus-server'],
  );
  assert.match(
    switched[0]!.reason,
    /keeps the claim and its data, but nothing mounts it; StatefulSet monitoring\/prometheus-server starts on a new, empty claim/,
  );
  assert.deepEqual(volumesLeftBehind(resources([], ['PersistentVolumeClaim monitoring/grafana'])), []);
  assert.deepEqual(volumesLeftBehind(resources(['StatefulSet monitoring/x'], [])), []);
});
