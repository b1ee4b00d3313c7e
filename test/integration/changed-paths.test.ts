import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readChangedPaths } from '../../scripts/validate/changed.ts';
import { commitOnMain, fleetWithOrigin, gitIn } from '../helpers/git-fleet.ts';

test('--changed-since: committed, staged and unstaged changes, and new files outside the generated cluster folders', async () => {
  const { root } = await fleetWithOrigin();
  const base = gitIn(root, 'rev-parse', 'HEAD').trim();
  await commitOnMain(root, 'overlays/dev/pins.yaml', (t) => `${t}# committed\n`, 'a committed change');
  const put = (path: string, text = 'x: 1\n') => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  put('clusters/dev-1.yaml', '# unstaged\n');
  put('base/prometheus/values.yaml', '# staged\n');
  gitIn(root, 'add', 'base/prometheus/values.yaml');
  const outside = ['clusters/new-1.yaml', 'apps/fleet-new.yaml', 'overlays/notes.md', 'overlays/dev/new.values.yaml', 'notes.md', 'base/new-app/values.yaml'];
  const inside = ['apps/dev-1/stray.yaml', 'overlays/dev/dev-1/prometheus/stray.yaml', 'overlays/dev/ghost/prometheus/values.yaml'];
  for (const path of [...outside, ...inside]) put(path);
  put('overlays/dev/dev-1/added.yaml');
  gitIn(root, 'add', 'overlays/dev/dev-1/added.yaml');
  const changed = await readChangedPaths(root, base);
  assert.deepEqual(
    [...changed].sort(),
    ['base/prometheus/values.yaml', 'clusters/dev-1.yaml', 'overlays/dev/dev-1/added.yaml', 'overlays/dev/pins.yaml', ...outside].sort(),
    'new files inside a generated cluster folder are not walked for; one added to git is in the diff',
  );
});
