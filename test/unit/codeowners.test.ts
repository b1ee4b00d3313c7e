import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planCodeOwners } from '../../scripts/generate/codeowners.ts';
import { planGenerate } from '../../scripts/generate/plan.ts';
import { compareTree } from '../../scripts/generate/tree.ts';
import { parseInventory } from '../../scripts/inventory/parse.ts';
import { formatFinding } from '../../scripts/lib/findings.ts';
import { minimalInventory, minimalSources } from '../helpers/inventory.ts';

const problems = async (edit: (text: string) => string) => parseInventory(await minimalSources({ 'fleet.yaml': edit })).findings.map(formatFinding);

test('CODEOWNERS asks the admins for everything that changes a cluster, and each environment’s owners for what reaches it', async () => {
  const inventory = await minimalInventory();
  const [file] = planCodeOwners(inventory.fleet, inventory.clusters);
  const lines = file!.content.split('\n').filter((l) => l && !l.startsWith('#'));
  const admins = '@acme/sre ops@acme.example';
  const prod = `${admins} @acme/prod-approvers`;
  assert.deepEqual(lines, [
    `/apps/ ${admins}`,
    `/clusters/ ${admins}`,
    `/fleet.yaml ${admins}`,
    `/bootstrap/ ${admins}`,
    `/base/ ${prod}`,
    `/app-catalog.yaml ${prod}`,
    `/overlays/dev/ ${admins}`,
    `/overlays/prod/ ${prod}`,
    `/clusters/alpha.yaml ${admins}`,
    `/apps/alpha/ ${admins}`,
    `/clusters/beta.yaml ${prod}`,
    `/apps/beta/ ${prod}`,
    ...['/.github/workflows/', '/renovate.json', '/scripts/', '/tools/', '/package.json', '/package-lock.json', '/.ci/', '/.github/CODEOWNERS'].map(
      (path) => `${path} ${admins}`,
    ),
  ]);
  // GitHub takes the last matching line: a prod leaf and a prod cluster's Applications need the prod approvers.
  const lastOwner = (path: string) => lines.filter((l) => path.startsWith(l.split(' ')[0]!)).at(-1);
  assert.equal(lastOwner('/overlays/prod/beta/prometheus/values.yaml'), `/overlays/prod/ ${prod}`);
  assert.equal(lastOwner('/apps/beta/children/prometheus.yaml'), `/apps/beta/ ${prod}`);
  assert.equal(lastOwner('/base/prometheus/rules/node.yaml'), `/base/ ${prod}`);
});

test('without codeOwners no CODEOWNERS is planned, and a generated one is removed; a hand-written one is never touched', async () => {
  const inventory = await minimalInventory();
  const written = planCodeOwners(inventory.fleet, inventory.clusters)[0]!;
  const without = planGenerate({ ...inventory, fleet: { ...inventory.fleet, codeOwners: undefined } });
  assert.ok(!without.some((f) => f.path === '.github/CODEOWNERS'));
  assert.deepEqual(compareTree(without, new Map([[written.path, written.content]])).remove, ['.github/CODEOWNERS']);
  const handWritten = new Map([['.github/CODEOWNERS', '* @someone\n']]);
  assert.deepEqual(compareTree(without, handWritten).remove, []);
  assert.deepEqual(compareTree(planGenerate(inventory), handWritten).blocked, ['.github/CODEOWNERS']);
});

test('codeOwners refuses unknown environments and owners GitHub cannot resolve, with line and fix', async () => {
  const unknown = await problems((t) => t.replace('    prod:\n      - "@acme/prod-approvers"', '    prdo:\n      - "@acme/prod-approvers"'));
  assert.equal(unknown.length, 1, unknown.join('\n'));
  assert.match(
    unknown[0]!,
    /^fleet\.yaml:20:7: codeOwners\.environments\.prdo: 'prdo' is not an environment listed in fleet\.yaml\n\s+fix: use one of dev, prod/,
  );
  const bad = await problems((t) => t.replace('- "@acme/sre"', '- acme-sre'));
  assert.equal(bad.length, 1, bad.join('\n'));
  assert.match(bad[0]!, /^fleet\.yaml:16:7: codeOwners\.admins\.0 is not valid: "acme-sre"\n\s+fix: write a GitHub user \(@alice\), a team/);
});
