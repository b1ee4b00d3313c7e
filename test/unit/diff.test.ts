import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countsPhrase, diffResources, resourceDiffLines } from '../../scripts/diff/resources.ts';
import { diffValues, formatValueChange } from '../../scripts/diff/values.ts';
import { promotionBody, readPromotionMetadata } from '../../scripts/promote/body.ts';
import type { PromotionPlan } from '../../scripts/promote/plan.ts';

test('value changes are leaf paths, lists by index', () => {
  const changes = diffValues(
    { server: { retention: '15d', extraFlags: ['a', 'b'] }, gone: 1 },
    { server: { retention: '30d', extraFlags: ['a'] }, added: { x: true } },
  );
  assert.deepEqual(
    changes.map((c) => formatValueChange(c)),
    ['added.x: (added) true', 'gone: 1 (removed)', 'server.extraFlags[1]: b (removed)', 'server.retention: 15d → 30d'],
  );
});

test('resources are matched by kind, namespace and name; Secret data is masked', () => {
  const cm = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'm' }, data });
  const secret = (password: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'm' }, data: { password } });
  const diff = diffResources(
    [cm({ a: '1' }), secret('b2xk'), { kind: 'ClusterRole', metadata: { name: 'old' } }],
    [cm({ a: '2' }), secret('bmV3'), { kind: 'ClusterRole', metadata: { name: 'new' } }],
  );
  assert.deepEqual(diff.added, ['ClusterRole new']);
  assert.deepEqual(diff.removed, ['ClusterRole old']);
  assert.deepEqual(
    diff.changed.map((c) => [c.id, c.fields.map((f) => f.path)]),
    [
      ['ConfigMap m/c', ['data.a']],
      ['Secret m/s', ['data.password']],
    ],
  );
  const secretChange = JSON.stringify(diff.changed[1]);
  assert.ok(!secretChange.includes('b2xk') && !secretChange.includes('bmV3'), secretChange);
});

test('the pull request body carries the table, the path, the effect and readable metadata; it stays under GitHub limits', () => {
  const plan: PromotionPlan = {
    from: 'dev',
    to: 'staging',
    branch: 'promote/dev-to-staging/all',
    sourceCommit: '0123456789abcdef',
    pinsText: '',
    moves: [
      {
        app: 'prometheus',
        source: { repoURL: 'https://prometheus-community.github.io/helm-charts', chart: 'prometheus', version: '29.28.0' },
        current: { repoURL: 'https://prometheus-community.github.io/helm-charts', chart: 'prometheus', version: '29.27.0' },
        versionChange: { from: '29.27.0', to: '29.28.0' },
        releaseValues: [],
      },
    ],
  };
  const huge = Array.from({ length: 3000 }, (_, i) => ({
    id: `ConfigMap m/c${i}`,
    fields: [{ path: 'data.x', before: 'a'.repeat(30), after: 'b'.repeat(30) }],
  }));
  const small = promotionBody(
    plan,
    [
      {
        cluster: 'staging-1',
        app: 'prometheus',
        values: [],
        resources: { added: ['PodDisruptionBudget monitoring/prometheus-server'], removed: [], changed: [], labelOnly: [] },
      },
    ],
    { findings: 0, leaves: 2, resources: 32, seconds: 1.5 },
  );
  assert.equal(small.title, 'Promote prometheus 29.28.0 from dev to staging');
  assert.match(
    small.body,
    /\| prometheus \| `prometheus` \| 29\.27\.0 \| \*\*29\.28\.0\*\* \| minor \| \[release notes\]\(https:\/\/github\.com\/prometheus-community\/helm-charts\/releases\/tag\/prometheus-29\.28\.0\) \| 0 \|/,
  );
  assert.match(small.body, /<summary>staging-1 \/ prometheus: 0 values, \+1 −0 ~0 resources<\/summary>/);
  assert.deepEqual(readPromotionMetadata(small.body), { from: 'dev', to: 'staging', sourceCommit: '0123456789abcdef', apps: { prometheus: '29.28.0' } });
  const big = promotionBody(
    plan,
    [{ cluster: 'staging-1', app: 'prometheus', values: [], resources: { added: [], removed: [], changed: huge, labelOnly: [] } }],
    { findings: 0, leaves: 2, resources: 3000, seconds: 1 },
  );
  assert.ok(big.body.length < 65_536, `${big.body.length}`);
  assert.match(big.body, /too long for a pull request body/);
  assert.ok(readPromotionMetadata(big.body));
});

test("a chart bump's version labels collapse into one line; real changes keep their fields", () => {
  const deploy = (chart: string, image: string) => ({
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'm', labels: { 'helm.sh/chart': chart, 'app.kubernetes.io/version': chart } },
    spec: { template: { metadata: { labels: { 'helm.sh/chart': chart } }, spec: { containers: [{ image }] } } },
  });
  const svc = (chart: string) => ({ kind: 'Service', metadata: { name: 's', namespace: 'm', labels: { 'helm.sh/chart': chart } } });
  const diff = diffResources([deploy('p-1', 'a:1'), svc('p-1')], [deploy('p-2', 'a:2'), svc('p-2')]);
  assert.deepEqual(diff.labelOnly, ['Service m/s']);
  assert.deepEqual(
    diff.changed.map((c) => [c.id, c.fields.map((f) => f.path)]),
    [['Deployment m/d', ['spec.template.spec.containers[0].image']]],
  );
  assert.deepEqual(resourceDiffLines(diff), [
    '~ Deployment m/d',
    '    spec.template.spec.containers[0].image: a:1 → a:2',
    '~ 1 resource: chart label only (helm.sh/chart, app.kubernetes.io/version)',
  ]);
  assert.equal(countsPhrase(diff), '+0 −0 ~1 resources (1 more: chart label only)');
});
