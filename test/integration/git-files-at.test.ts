import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withFilesAt } from '../../scripts/lib/git.ts';
import { gitIn } from '../helpers/git-fleet.ts';
import { tempRepo } from '../helpers/repo.ts';

test('withFilesAt extracts 4,000 files of an old commit, past what one command line may hold', async () => {
  const root = await tempRepo();
  mkdirSync(join(root, 'clusters'));
  mkdirSync(join(root, 'overlays'));
  // 4,000 names of 48 characters: about 190 KB of paths, past the 128 KiB one argument may hold (the shell's command line once).
  const name = (i: number) => `clusters/retail-store-europe-west-${String(i).padStart(5, '0')}.yaml`;
  for (let i = 0; i < 4_000; i++) writeFileSync(join(root, name(i)), `name: ${i}\n`);
  writeFileSync(join(root, 'overlays', 'skipped.yaml'), 'not selected\n');
  gitIn(root, 'init', '--quiet');
  gitIn(root, 'add', '-A');
  gitIn(root, 'commit', '--quiet', '-m', 'fleet');
  const commit = gitIn(root, 'rev-parse', 'HEAD');
  writeFileSync(join(root, name(7)), 'name: changed after the commit\n');

  const seen = await withFilesAt(
    root,
    commit,
    (p) => p.startsWith('clusters/'),
    async (dir) => ({
      first: readFileSync(join(dir, name(0)), 'utf8'),
      seventh: readFileSync(join(dir, name(7)), 'utf8'),
      last: readFileSync(join(dir, name(3_999)), 'utf8'),
      skipped: existsSync(join(dir, 'overlays', 'skipped.yaml')),
    }),
  );
  assert.deepEqual(seen, { first: 'name: 0\n', seventh: 'name: 7\n', last: 'name: 3999\n', skipped: false });
  assert.equal(gitIn(root, 'status', '--porcelain', '--', name(7)), `M ${name(7)}`, "the user's index and working tree are untouched");
});
