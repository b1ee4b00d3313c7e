import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { STAGING_DIR } from '../../scripts/generate/lock.ts';
import { runTransaction, stagedTrees } from '../../scripts/generate/transaction.ts';

/** A checkout with one existing generated file: apps/old/root.yaml. */
function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'transaction-'));
  mkdirSync(join(root, 'apps/old'), { recursive: true });
  writeFileSync(join(root, 'apps/old/root.yaml'), 'old\n');
  return root;
}

const listing = (root: string) => readdirSync(root, { recursive: true }).map(String).sort();

test('new folders move in whole with their files, existing files are replaced, and the staging folder is gone', async () => {
  const root = checkout();
  await runTransaction(root, {
    writes: [
      { path: 'apps/new/root.yaml', content: 'root\n' },
      { path: 'apps/new/children/a.yaml', content: 'a\n' },
      { path: 'overlays/dev/new/app/values.yaml', content: 'v\n' },
      { path: 'apps/old/root.yaml', content: 'replaced\n', previous: 'old\n' },
    ],
    removals: [],
    newDirs: ['apps/new', 'overlays', 'apps/new/children', 'overlays/dev', 'overlays/dev/new', 'overlays/dev/new/app'],
  });
  assert.equal(readFileSync(join(root, 'apps/new/children/a.yaml'), 'utf8'), 'a\n');
  assert.equal(readFileSync(join(root, 'overlays/dev/new/app/values.yaml'), 'utf8'), 'v\n');
  assert.equal(readFileSync(join(root, 'apps/old/root.yaml'), 'utf8'), 'replaced\n');
  assert.equal(existsSync(join(root, STAGING_DIR)), false);
  rmSync(root, { recursive: true });
});

test('a failure after new folders moved in removes them and puts back every replaced file', async () => {
  const root = checkout();
  const before = listing(root);
  await assert.rejects(
    runTransaction(root, {
      writes: [
        { path: 'apps/new/children/a.yaml', content: 'a\n' },
        { path: 'apps/old/root.yaml', content: 'replaced\n', previous: 'old\n' },
        // Its folder is neither there nor planned: the move fails after the new folder and the replacement are in place.
        { path: 'missing/file.yaml', content: 'x\n' },
      ],
      removals: [],
      newDirs: ['apps/new', 'apps/new/children'],
    }),
    /ENOENT/,
  );
  assert.deepEqual(listing(root), before);
  assert.equal(readFileSync(join(root, 'apps/old/root.yaml'), 'utf8'), 'old\n');
  rmSync(root, { recursive: true });
});

test('files staged ahead are moved in with their folder, not written again; one the run does not write stays out', async () => {
  const root = checkout();
  const contents = new Map([
    ['apps/new/root.yaml', 'root\n'],
    ['apps/new/children/a.yaml', 'a\n'],
    // Planned for a folder that turned out to exist: the transaction writes it on its own.
    ['apps/old/b.yaml', 'b\n'],
    // Staged, then not part of the run's writes: it must not arrive with apps/new.
    ['apps/new/children/stray.yaml', 'stray\n'],
  ]);
  const ahead = new Set(contents.keys());
  for (const [path, content] of contents) {
    mkdirSync(join(stagedTrees(root), path, '..'), { recursive: true });
    // What the second thread wrote is what moves in: marked, so that a second write would show.
    writeFileSync(join(stagedTrees(root), path), `${content}# staged ahead\n`);
  }
  const { stagedAhead } = await runTransaction(root, {
    writes: [
      { path: 'apps/new/root.yaml', content: 'root\n' },
      { path: 'apps/new/children/a.yaml', content: 'a\n' },
      // Not staged: written into its staged folder.
      { path: 'apps/new/children/c.yaml', content: 'c\n' },
      { path: 'apps/old/b.yaml', content: 'b\n' },
    ],
    removals: [],
    stagedAhead: ahead,
    newDirs: ['apps/new', 'apps/new/children'],
  });
  assert.equal(stagedAhead, 2);
  assert.equal(readFileSync(join(root, 'apps/new/root.yaml'), 'utf8'), 'root\n# staged ahead\n');
  assert.equal(readFileSync(join(root, 'apps/new/children/a.yaml'), 'utf8'), 'a\n# staged ahead\n');
  assert.equal(readFileSync(join(root, 'apps/new/children/c.yaml'), 'utf8'), 'c\n');
  assert.equal(readFileSync(join(root, 'apps/old/b.yaml'), 'utf8'), 'b\n');
  assert.deepEqual(listing(join(root, 'apps')), [
    'new',
    'new/children',
    'new/children/a.yaml',
    'new/children/c.yaml',
    'new/root.yaml',
    'old',
    'old/b.yaml',
    'old/root.yaml',
  ]);
  assert.equal(existsSync(join(root, STAGING_DIR)), false);
  rmSync(root, { recursive: true });
});
