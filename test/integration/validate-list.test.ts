import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { MINIMAL } from '../helpers/inventory.ts';
import { tempRepo } from '../helpers/repo.ts';

async function edit(root: string, path: string, from: string, to: string): Promise<void> {
  const text = await readFile(join(root, path), 'utf8');
  assert.ok(text.includes(from), `${path} has ${from}`);
  await writeFile(join(root, path), text.replace(from, to));
}

test('validate --list prints the selected clusters one per line, reading the inventory only', async () => {
  const root = await tempRepo({}, MINIMAL);
  const all = await runCli('validate', ['--list', '--root', root]);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.stdout, 'alpha\nbeta\n');
  const one = await runCli('validate', ['--list', '--root', root, '--cluster', 'beta']);
  assert.equal(one.stdout, 'beta\n');
});

test('validate --list with inventory problems prints each (file:line:column, fix) and exits 1 as validate does, listing nothing', async () => {
  const root = await tempRepo({}, MINIMAL);
  await edit(root, 'clusters/alpha.yaml', 'kubernetesVersion: 1.34.2', 'kubernetesVersion: v1.34');
  await edit(root, 'clusters/beta.yaml', 'environment: prod', 'environment: qa');
  const list = await runCli('validate', ['--list', '--root', root]);
  assert.equal(list.stdout, '', 'CI counts the lines of stdout: no cluster is listed');
  assert.equal(
    list.stderr,
    [
      'clusters/alpha.yaml:3:20: kubernetesVersion is not valid: "v1.34"',
      '    fix: write the exact server version as x.y.z, for example 1.34.2 (kubectl version shows it)',
      "clusters/beta.yaml:2:14: unknown environment 'qa'",
      '    fix: use one of: dev, prod (fleet.yaml lists the environments)',
      'error: 2 problems in the inventory',
      '',
    ].join('\n'),
  );
  const validate = await runCli('validate', ['--root', root]);
  assert.equal(list.code, validate.code);
  assert.equal(list.code, 1);
  assert.match(validate.stdout, /\[inventory\] clusters\/alpha\.yaml:3:20: kubernetesVersion is not valid/);
  assert.match(validate.stdout, /\[inventory\] clusters\/beta\.yaml:2:14: unknown environment 'qa'/);
});
