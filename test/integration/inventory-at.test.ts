import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readInventorySources, readInventorySourcesAt } from '../../scripts/inventory/read.ts';
import { gitIn } from '../helpers/git-fleet.ts';
import { defaultFleetCopy, tempRepo } from '../helpers/repo.ts';

const commitAll = (root: string) => {
  gitIn(root, 'add', '-A');
  gitIn(root, 'commit', '--quiet', '-m', 'commit');
  return gitIn(root, 'rev-parse', 'HEAD');
};

test("a commit's inventory read from git's objects is what the folder holds when that commit is checked out", async () => {
  const root = await defaultFleetCopy();
  gitIn(root, 'init', '--quiet');
  const commit = commitAll(root);
  const fromFolder = await readInventorySources(root);
  const fromCommit = await readInventorySourcesAt(root, commit);
  assert.ok(fromFolder.size > 10, 'the default fleet has its inventory files');
  assert.deepEqual([...fromCommit], [...fromFolder]);
  assert.deepEqual(fromCommit.problems, []);
});

test("4,000 cluster files of an old commit are read as committed, past what one command line may hold; the user's tree is untouched", async () => {
  const root = await tempRepo();
  mkdirSync(join(root, 'clusters'));
  mkdirSync(join(root, 'overlays', 'dev', 'dev-1'), { recursive: true });
  // 4,000 names of 48 characters: about 190 KB of paths, past the 128 KiB one argument may hold.
  const name = (i: number) => `clusters/retail-store-europe-west-${String(i).padStart(5, '0')}.yaml`;
  for (let i = 0; i < 4_000; i++) writeFileSync(join(root, name(i)), `name: ${i}\n`);
  writeFileSync(join(root, 'overlays', 'dev', 'dev-1', 'values.yaml'), 'generated, not inventory\n');
  gitIn(root, 'init', '--quiet');
  const commit = commitAll(root);
  writeFileSync(join(root, name(7)), 'name: changed after the commit\n');

  const sources = await readInventorySourcesAt(root, commit);
  assert.deepEqual([sources.get(name(0)), sources.get(name(7)), sources.get(name(3_999))], ['name: 0\n', 'name: 7\n', 'name: 3999\n']);
  assert.equal(sources.size, 4_000, 'only inventory files: the generated leaf is not read');
  assert.equal(gitIn(root, 'status', '--porcelain', '--', name(7)), `M ${name(7)}`, "the user's index and working tree are untouched");
});

test('a link or a file that is not UTF-8 in a commit is refused as it would be on disk, naming the file and the fix', async () => {
  const root = await tempRepo({ 'clusters/dev-1.yaml': 'name: dev-1\n' });
  writeFileSync(join(root, 'clusters', 'dev-2.yaml'), Buffer.from('name: dev-2\ncaf\xe9: 1\n', 'latin1'));
  symlinkSync('/etc/passwd', join(root, 'clusters', 'dev-3.yaml'));
  gitIn(root, 'init', '--quiet');
  const commit = commitAll(root);

  const sources = await readInventorySourcesAt(root, commit);
  assert.deepEqual([...sources.keys()], ['clusters/dev-1.yaml']);
  const problems = (sources.problems ?? []).map((p) => `${p.file}:${p.line ?? ''}:${p.column ?? ''} ${p.message} | ${p.hint}`);
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems.join('\n'), /clusters\/dev-2\.yaml:2:4 byte 0xe9 at offset 15 is not UTF-8 \| save the file as UTF-8/);
  assert.match(problems.join('\n'), /clusters\/dev-3\.yaml:: is a symbolic link; the inventory is read from regular files only \| replace the link/);
  // The same refusals a checkout of that commit gets from the folder reader.
  const onDisk = (await readInventorySources(root)).problems!.map((p) => `${p.file}:${p.line ?? ''}:${p.column ?? ''} ${p.message}`);
  assert.deepEqual(
    (sources.problems ?? []).map((p) => `${p.file}:${p.line ?? ''}:${p.column ?? ''} ${p.message}`),
    onDisk,
  );
});
