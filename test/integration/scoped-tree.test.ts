import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readGeneratedIndex, readScopedTree, type GeneratedIndex } from '../../scripts/generate/read-tree.ts';
import { gitIn } from '../helpers/git-fleet.ts';
import { defaultFleetCopy } from '../helpers/repo.ts';

const view = (index: GeneratedIndex) => ({ oids: Object.fromEntries([...index.oids].sort()), irregular: index.irregular, leftovers: index.leftovers });

test("a scope read from disk finds what git's index finds for the same folders and files: edits, new files, links, leftovers, the fleet files", async () => {
  const root = await defaultFleetCopy();
  gitIn(root, 'init', '-q');
  gitIn(root, 'add', '-A');
  gitIn(root, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'fleet');
  appendFileSync(join(root, 'overlays/staging/staging-1/prometheus/values.yaml'), '# hand edit\n');
  writeFileSync(join(root, 'apps/staging-1/stray.yaml'), 'kind: Stray\n');
  symlinkSync('/etc/hostname', join(root, 'overlays/staging/staging-1/grafana/linked.yaml'));
  writeFileSync(join(root, 'apps/staging-1/root.yaml.tmp-4242'), 'half written\n');
  appendFileSync(join(root, 'apps/fleet-argocd.yaml'), '# hand edit\n');
  writeFileSync(join(root, 'apps/fleet-extra.yaml'), 'kind: Extra\n');
  symlinkSync('/etc/hostname', join(root, 'apps/fleet-linked.yaml'));
  mkdirSync(join(root, 'overlays/dev/old-cluster/prometheus'), { recursive: true });
  writeFileSync(join(root, 'overlays/dev/old-cluster/prometheus/values.yaml'), 'left: behind\n');
  // Outside the scope: neither reader may look there.
  writeFileSync(join(root, 'apps/dev-1/elsewhere.yaml'), 'kind: Elsewhere\n');

  const folders = ['apps/staging-1', ...['dev', 'prod', 'staging'].map((env) => `overlays/${env}/staging-1`), 'overlays/dev/old-cluster'];
  const files = ['apps/prod-eu-1/root.yaml'];
  const literal = (path: string) => `:(literal)${path}`;
  const pathspecs = [literal('.github/CODEOWNERS'), ':(glob)apps/fleet-*.yaml', ...folders.map(literal), ...files.map(literal)];
  const fromDisk = await readScopedTree(root, { folders, files });
  const fromGit = await readGeneratedIndex(root, pathspecs);
  assert.equal(fromGit.fromIndex, true);
  assert.deepEqual(view(fromDisk), view(fromGit));
  const seen = [...fromDisk.oids.keys()];
  for (const path of [
    'apps/staging-1/stray.yaml',
    'apps/fleet-extra.yaml',
    'overlays/dev/old-cluster/prometheus/values.yaml',
    '.github/CODEOWNERS',
    'apps/prod-eu-1/root.yaml',
  ])
    assert.ok(seen.includes(path), path);
  assert.ok(!seen.some((p) => p.startsWith('apps/dev-1/')), 'nothing outside the scope');
  assert.deepEqual(fromDisk.irregular, ['apps/fleet-linked.yaml', 'overlays/staging/staging-1/grafana/linked.yaml']);
  assert.deepEqual(fromDisk.leftovers, ['apps/staging-1/root.yaml.tmp-4242']);
  assert.equal(
    fromDisk.tree(['overlays/staging/staging-1/prometheus/values.yaml']).get('overlays/staging/staging-1/prometheus/values.yaml')?.endsWith('# hand edit\n'),
    true,
  );
});
