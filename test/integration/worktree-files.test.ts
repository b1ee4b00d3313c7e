import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexDigest, readWorktreeFiles } from '../../scripts/lib/worktree-files.ts';
import { fleetWithOrigin, gitIn } from '../helpers/git-fleet.ts';

test('readWorktreeFiles reads a file git does not track, in a tracked folder', async () => {
  const { root } = await fleetWithOrigin();
  await readWorktreeFiles(root, ['apps', 'overlays']);
  writeFileSync(join(root, 'apps/dev-1/children/foreign.yaml'), 'kind: Secret\n');
  const files = await readWorktreeFiles(root, ['apps', 'overlays']);
  assert.ok(files?.oids.has('apps/dev-1/children/foreign.yaml'));
});

test('a .gitattributes among the files, tracked or not, means the index cannot stand for their bytes', async () => {
  const { root } = await fleetWithOrigin();
  assert.ok(await readWorktreeFiles(root, ['apps', 'overlays']));
  writeFileSync(join(root, 'overlays/dev/dev-1/.gitattributes'), '* text eol=crlf\n');
  assert.equal(await readWorktreeFiles(root, ['apps', 'overlays']), undefined, 'untracked');
  gitIn(root, 'add', 'overlays/dev/dev-1/.gitattributes');
  assert.equal(await readWorktreeFiles(root, ['apps', 'overlays']), undefined, 'tracked');
});

test("the index's digest changes with what git writes into it, and an index without a trailing hash is hashed whole", async () => {
  const { root } = await fleetWithOrigin();
  const gitDir = join(root, '.git');
  const before = indexDigest(gitDir);
  assert.ok(before);
  assert.equal(indexDigest(gitDir), before, 'nothing written');
  writeFileSync(join(root, 'apps/dev-1/children/foreign.yaml'), 'kind: Secret\n');
  gitIn(root, 'add', 'apps/dev-1/children/foreign.yaml');
  const added = indexDigest(gitDir);
  assert.notEqual(added, before, 'a file added');
  gitIn(root, 'rm', '--cached', '--quiet', 'apps/dev-1/children/foreign.yaml');
  assert.notEqual(indexDigest(gitDir), added, 'the file taken out again');
  // As index.skipHash writes it (git 2.40 and later): the trailer is zeros, so it names nothing.
  const bytes = readFileSync(join(gitDir, 'index'));
  bytes.fill(0, bytes.length - 20);
  writeFileSync(join(gitDir, 'index'), bytes);
  assert.equal(indexDigest(gitDir), createHash('sha256').update(bytes).digest('hex'));
  assert.equal(indexDigest(join(root, 'no-such-git-dir')), undefined);
});
