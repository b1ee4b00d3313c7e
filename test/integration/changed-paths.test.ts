import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readChangedPaths } from '../../scripts/validate/changed.ts';
import { fleetWithOrigin, gitIn } from '../helpers/git-fleet.ts';

test('--changed-since: committed and staged changes everywhere; unstaged changes and new files outside the generated cluster folders', async () => {
  const { root } = await fleetWithOrigin();
  const base = gitIn(root, 'rev-parse', 'HEAD').trim();
  const put = (path: string, text = 'x: 1\n') => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text, { flag: 'a' });
  };
  put('apps/dev-1/root.yaml', '# committed\n');
  gitIn(root, 'commit', '-qam', 'a committed change inside a cluster folder');
  // Outside the cluster folders: every kind of change counts.
  put('clusters/dev-1.yaml', '# unstaged\n');
  put('base/prometheus/values.yaml', '# staged\n');
  gitIn(root, 'add', 'base/prometheus/values.yaml');
  rmSync(join(root, 'overlays/dev/grafana.values.yaml'));
  rmSync(join(root, 'apps/fleet-argocd.yaml'));
  const newOutside = [
    'clusters/new-1.yaml',
    'apps/fleet-new.yaml',
    'overlays/notes.md',
    'overlays/dev/new.values.yaml',
    'notes.md',
    'base/new-app/values.yaml',
  ];
  // Inside them: what git's index holds (staged), not the working tree's own edits and new files.
  put('overlays/dev/dev-1/prometheus/values.yaml', '# unstaged hand edit\n');
  put('overlays/prod/prod-eu-1/grafana/values.yaml', '# staged hand edit\n');
  gitIn(root, 'add', 'overlays/prod/prod-eu-1/grafana/values.yaml');
  const newInside = ['apps/dev-1/stray.yaml', 'overlays/dev/dev-1/prometheus/stray.yaml', 'overlays/dev/ghost/prometheus/values.yaml'];
  for (const path of [...newOutside, ...newInside]) put(path);
  put('overlays/dev/dev-1/added.yaml');
  gitIn(root, 'add', 'overlays/dev/dev-1/added.yaml');
  assert.deepEqual(
    [...(await readChangedPaths(root, base))].sort(),
    [
      'apps/dev-1/root.yaml',
      'apps/fleet-argocd.yaml',
      'base/prometheus/values.yaml',
      'clusters/dev-1.yaml',
      'overlays/dev/dev-1/added.yaml',
      'overlays/dev/grafana.values.yaml',
      'overlays/prod/prod-eu-1/grafana/values.yaml',
      ...newOutside,
    ].sort(),
  );
});
