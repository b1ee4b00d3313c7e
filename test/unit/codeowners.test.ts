import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planCodeOwners } from '../../scripts/generate/codeowners.ts';
import { planGenerate } from '../../scripts/generate/plan.ts';
import { compareTree } from '../../scripts/generate/tree.ts';
import { parseInventory } from '../../scripts/inventory/parse.ts';
import { formatFinding } from '../../scripts/lib/findings.ts';
import { minimalInventory, minimalSources } from '../helpers/inventory.ts';

const problems = async (edit: (text: string) => string) => parseInventory(await minimalSources({ 'fleet.yaml': edit })).findings.map(formatFinding);

test('CODEOWNERS asks the admins for every admin-level path and adds an environment’s owners to its pins', async () => {
  const [file] = planCodeOwners((await minimalInventory()).fleet);
  const lines = file!.content.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(lines, [
    '/apps/ @acme/sre ops@acme.example',
    '/clusters/ @acme/sre ops@acme.example',
    '/fleet.yaml @acme/sre ops@acme.example',
    '/bootstrap/ @acme/sre ops@acme.example',
    '/.github/CODEOWNERS @acme/sre ops@acme.example',
    '/overlays/dev/pins.yaml @acme/sre ops@acme.example',
    '/overlays/prod/pins.yaml @acme/sre ops@acme.example @acme/prod-approvers',
  ]);
});

test('without codeOwners no CODEOWNERS is planned, and a generated one is removed; a hand-written one is never touched', async () => {
  const inventory = await minimalInventory();
  const written = planCodeOwners(inventory.fleet)[0]!;
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
