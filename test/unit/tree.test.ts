import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withHeader } from '../../scripts/generate/header.ts';
import { compareTree, isClean, refusals, staleFindings } from '../../scripts/generate/tree.ts';

const gen = (body: string) => withHeader(body, ['clusters/a.yaml']);

test('files are classified as create, update, unchanged and remove', () => {
  const planned = [
    { path: 'apps/a/new.yaml', content: gen('new: 1\n') },
    { path: 'apps/a/same.yaml', content: gen('same: 1\n') },
    { path: 'apps/a/changed.yaml', content: gen('changed: 2\n') },
  ];
  const existing = new Map([
    ['apps/a/same.yaml', gen('same: 1\n')],
    ['apps/a/changed.yaml', gen('changed: 1\n')],
    ['apps/gone/old.yaml', gen('old: 1\n')],
    ['apps/README.md', 'hand-written notes\n'],
  ]);
  const changes = compareTree(planned, existing);
  assert.deepEqual(
    changes.create.map((w) => w.path),
    ['apps/a/new.yaml'],
  );
  assert.deepEqual(
    changes.update.map((w) => w.path),
    ['apps/a/changed.yaml'],
  );
  assert.deepEqual(changes.remove, ['apps/gone/old.yaml'], 'a hand-written file outside the plan is left alone');
  assert.equal(changes.unchanged, 1);
  assert.equal(isClean(changes), false);
  assert.equal(staleFindings(changes).length, 3);
});

test('a generated file edited by hand is refused unless forced', () => {
  const edited = gen('a: 1\n').replace('a: 1', 'a: 2');
  const changes = compareTree([{ path: 'apps/a/x.yaml', content: gen('a: 1\n') }], new Map([['apps/a/x.yaml', edited]]));
  assert.deepEqual(
    changes.edited.map((e) => [e.path, e.action]),
    [['apps/a/x.yaml', 'update']],
  );
  assert.match(refusals(changes, false)[0]!.message, /edited by hand .* would overwrite it/);
  assert.deepEqual(refusals(changes, true), []);
});

test('a hand-written file where a generated one belongs is refused even with --force', () => {
  const changes = compareTree([{ path: 'apps/a/x.yaml', content: gen('a: 1\n') }], new Map([['apps/a/x.yaml', 'a: 1\n']]));
  assert.deepEqual(changes.blocked, ['apps/a/x.yaml']);
  assert.match(refusals(changes, true)[0]!.message, /hand-written file/);
});

test('an up-to-date tree is clean', () => {
  const files = [{ path: 'apps/a/x.yaml', content: gen('a: 1\n') }];
  assert.ok(isClean(compareTree(files, new Map(files.map((f) => [f.path, f.content])))));
});
