import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { untrackedFiles } from '../../scripts/lib/untracked-files.ts';
import { readWorktreeFiles } from '../../scripts/lib/worktree-files.ts';
import { fleetWithOrigin, gitIn } from '../helpers/git-fleet.ts';

const ROOTS = ['apps', 'overlays'];

/** What git itself lists: the answer the memo must always equal. */
const gitOthers = (root: string) =>
  gitIn(root, 'ls-files', '--others', '-z', '--', ...ROOTS)
    .split('\0')
    .filter(Boolean)
    .sort();

/** Folders as if last changed a minute ago: old enough for their stat data to be trusted. */
function ageFolders(root: string, dir: string): void {
  const then = Date.now() / 1000 - 60;
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) if (entry.isDirectory()) ageFolders(root, `${dir}/${entry.name}`);
  utimesSync(join(root, dir), then, then);
}

/** untrackedFiles over the generated trees, counting the full scans it asked for. */
async function untracked(root: string, counter: { scans: number }) {
  const staged = gitIn(root, 'ls-files', '--stage', '-z', '--', ...ROOTS);
  const tracked = new Set(staged.split('\0').flatMap((e) => (e ? [e.slice(e.indexOf('\t') + 1)] : [])));
  return untrackedFiles(root, ROOTS, tracked, staged, async () => {
    counter.scans++;
    return gitOthers(root);
  });
}

test('untracked files from folder stat data equal git ls-files --others through adds, new folders, links and unstaging', async () => {
  const { root } = await fleetWithOrigin();
  for (const dir of ROOTS) ageFolders(root, dir);
  const counter = { scans: 0 };
  assert.deepEqual(await untracked(root, counter), []);
  assert.equal(counter.scans, 1, 'no memo yet: git walks the trees');
  assert.deepEqual(await untracked(root, counter), []);
  assert.equal(counter.scans, 1, 'nothing changed: no walk');

  const changes: [string, (root: string) => void][] = [
    ['a file in a tracked folder', (r) => writeFileSync(join(r, 'apps/dev-1/children/extra.yaml'), 'x: 1\n')],
    ['a new folder with files', (r) => mkdirSync(join(r, 'overlays/dev/dev-1/new/deeper'), { recursive: true })],
    ['a file in the new folder', (r) => writeFileSync(join(r, 'overlays/dev/dev-1/new/deeper/file.yaml'), 'y: 2\n')],
    ['a link at the top', (r) => symlinkSync('/etc/passwd', join(r, 'apps/link.yaml'))],
    ['a file unstaged', (r) => gitIn(r, 'rm', '--cached', '--quiet', 'apps/dev-1/root.yaml')],
  ];
  for (const [what, change] of changes) {
    change(root);
    assert.deepEqual(await untracked(root, counter), gitOthers(root), what);
    // Once more: a folder holding an untracked file is never trusted, so it is still found.
    assert.deepEqual(await untracked(root, counter), gitOthers(root), `${what}, second run`);
  }
  assert.ok(gitOthers(root).length >= 4);
  assert.equal(counter.scans, 2, 'only the changed listing (the unstaged file) needed a walk');
});

test('readWorktreeFiles sees a file added to a folder trusted by the memo', async () => {
  const { root } = await fleetWithOrigin();
  for (const dir of ROOTS) ageFolders(root, dir);
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
