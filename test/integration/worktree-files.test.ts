import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readWorktreeFiles } from '../../scripts/lib/worktree-files.ts';
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
