import assert from 'node:assert/strict';
import { test } from 'node:test';
import { affectedClusters, generatedScope } from '../../scripts/validate/changed.ts';
import { dashboardQueries, datasourceUids, substituteVariables } from '../../scripts/validate/dashboards.ts';
import { minimalInventory } from '../helpers/inventory.ts';

test('Grafana variables are replaced by values PromQL parses', () => {
  assert.equal(substituteVariables('rate(x{instance=~"$instance"}[$__rate_interval])'), 'rate(x{instance=~"x"}[5m])');
  assert.equal(substituteVariables('sum(rate(y{job="${job:regex}"}[$interval]))'), 'sum(rate(y{job="x"}[5m]))');
  assert.equal(substituteVariables('z{a="[[var]]"} offset $__range'), 'z{a="x"} offset 5m');
});

test('dashboard queries and datasource references are found in panels and rows', () => {
  const dashboard = {
    file: 'd.json',
    uid: 'd',
    title: 'D',
    model: {
      panels: [
        { title: 'row', type: 'row', panels: [{ title: 'inner', datasource: { uid: 'prom' }, targets: [{ refId: 'A', expr: 'up' }] }] },
        { title: 'var', datasource: { uid: '${ds}' }, targets: [{ refId: 'B', expr: '' }] },
      ],
    },
  };
  assert.deepEqual(
    dashboardQueries(dashboard).map((q) => [q.where, q.expr]),
    [["panel 'inner' query A", 'up']],
  );
  assert.deepEqual(datasourceUids(dashboard), [{ uid: 'prom', where: "panel 'inner'" }]);
});

test('changed paths map to the clusters they can affect', async () => {
  const inventory = await minimalInventory();
  const affected = (...paths: string[]) => [...affectedClusters(paths, inventory)].sort();
  assert.deepEqual(affected('clusters/alpha.yaml'), ['alpha']);
  assert.deepEqual(affected('overlays/prod/pins.yaml'), ['beta']);
  assert.deepEqual(affected('overlays/dev/alpha/prometheus/values.yaml'), ['alpha']);
  assert.deepEqual(affected('apps/beta/root.yaml'), ['beta']);
  assert.deepEqual(affected('base/prometheus/rules/cpu.yaml'), ['alpha', 'beta']);
  assert.deepEqual(affected('README.md', 'docs/x.md'), []);
});

test("after a change, the generated check looks at the affected clusters' folders and the changed generated paths; a fleet-wide change at everything", async () => {
  const inventory = await minimalInventory();
  // An environment folder on disk that the inventory no longer names may still hold the cluster's old leaves.
  const scope = generatedScope(['clusters/alpha.yaml', 'apps/alpha/root.yaml', 'apps/stray.yaml', 'README.md'], inventory, ['retired']);
  assert.deepEqual([...(scope?.clusters ?? [])], ['alpha']);
  assert.deepEqual(scope?.folders, ['apps/alpha', ...[...inventory.environments.map((e) => e.name), 'retired'].sort().map((env) => `overlays/${env}/alpha`)]);
  assert.deepEqual(scope?.files, ['apps/alpha/root.yaml', 'apps/stray.yaml']);
  assert.equal(generatedScope(['base/prometheus/values.yaml'], inventory), undefined, 'every cluster: the whole tree');
  assert.deepEqual([...(generatedScope(['clusters/gone.yaml'], inventory)?.clusters ?? [])], ['gone'], "a removed cluster's folders are looked at");
});
