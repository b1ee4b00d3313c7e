import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import { access, chmod, copyFile, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { bundledToolsPath } from '../../scripts/tools/argocd-release.ts';
import { ensureTools, isPinnedBuild, resolveToolPins } from '../../scripts/tools/install.ts';
import { readToolPins } from '../../scripts/tools/pins.ts';
import { runCli } from '../helpers/cli.ts';

/** A PATH with git and a fake `go` of the given version, or none. */
async function pathWith(goVersion: string | undefined): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-path-'));
  if (goVersion) {
    await writeFile(join(dir, 'go'), `#!/bin/sh\necho go${goVersion}\n`);
    await chmod(join(dir, 'go'), 0o755);
  }
  await symlink('/usr/bin/git', join(dir, 'git'));
  return dir;
}

test('npm run tools without Go is exit 2 and says what to install', async () => {
  const path = await pathWith(undefined);
  const cache = await mkdtemp(join(tmpdir(), 'empty-cache-'));
  try {
    const result = await runCli('tools', ['--only', 'kubeconform'], { PATH: path, MONITORING_GITOPS_CACHE: cache });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /error: Go is not installed; the pinned tools are built with it\. Install Go 1\.26 or newer/);
  } finally {
    await rm(path, { recursive: true, force: true });
    await rm(cache, { recursive: true, force: true });
  }
});

test('a Go older than the pins need is exit 2 naming both versions', async () => {
  const path = await pathWith('1.22.5');
  const cache = await mkdtemp(join(tmpdir(), 'empty-cache-'));
  try {
    const result = await runCli('tools', ['--only', 'kubeconform'], { PATH: path, MONITORING_GITOPS_CACHE: cache });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /error: Go 1\.22\.5 is too old: the pinned tools need Go 1\.26 or newer/);
  } finally {
    await rm(path, { recursive: true, force: true });
    await rm(cache, { recursive: true, force: true });
  }
});

test('--print lists every pinned tool where it is installed', async () => {
  const result = await runCli('tools', ['--print']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^kubeconform +v0\.7\.0 +\S+\/tools\/kubeconform@v0\.7\.0\/kubeconform$/m);
  assert.match(result.stdout, /^helm +v4\.3\.1 +\S+\/tools\/helm@v4\.3\.1\/helm \(bundled with Argo CD v3\.6\.1\)$/m);
  assert.match(result.stdout, /^kustomize +v5\.8\.3 +\S+\/tools\/kustomize@v5\.8\.3\/kustomize \(bundled with Argo CD v3\.6\.1\)$/m);
  // The leaf renderer's version is the kustomize and helm it embeds, and its own code's digest.
  assert.match(
    result.stdout,
    /^leafRenderer +kustomize-v5\.8\.3\+helm-v4\.3\.1\+src-[0-9a-f]{12} +\S+\/tools\/leafRenderer@kustomize-v5\.8\.3\+helm-v4\.3\.1\+src-[0-9a-f]{12}\/leafRenderer$/m,
  );
  assert.match(result.stdout, /^promtool +v0\.314\.0 /m);
  const unknown = await runCli('tools', ['--only', 'pluto']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown tool pluto; the pinned tools are kubeconform, helm, kustomize, leafRenderer, promtool, amtool, actionlint/);
});

test('--runtime --print lists the programs the prometheus chart runs, at their pins, apart from the tools', async () => {
  const result = await runCli('tools', ['--runtime', '--print']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^prometheus +v0\.314\.0 +\S+\/tools\/prometheus@v0\.314\.0\/prometheus$/m);
  assert.match(result.stdout, /^alertmanager +v0\.34\.0 +\S+\/tools\/alertmanager@v0\.34\.0\/alertmanager$/m);
  assert.match(result.stdout, /^nodeExporter +v1\.12\.1 +\S+\/tools\/node_exporter@v1\.12\.1\/node_exporter$/m);
  assert.doesNotMatch(result.stdout, /promtool/);
  assert.doesNotMatch(
    (await runCli('tools', ['--print'])).stdout,
    /^(prometheus|alertmanager|nodeExporter) /m,
    'plain npm run tools builds what validate needs only',
  );
  const unknown = await runCli('tools', ['--runtime', '--only', 'promtool']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown tool promtool; the pinned runtime programs are prometheus, alertmanager, nodeExporter/);
});

test('a confirmed build is not asked again until its file changes; a replaced binary is asked again and refused', async () => {
  const pins = await resolveToolPins(['kubeconform', 'actionlint']);
  const tools = await ensureTools(['kubeconform', 'actionlint']);
  const dir = await mkdtemp(join(tmpdir(), 'pinned-build-'));
  try {
    const path = join(dir, 'kubeconform');
    await copyFile(tools.kubeconform, path);
    assert.equal(await isPinnedBuild(path, pins.kubeconform), true);
    const stamp = await readFile(`${path}.verified`, 'utf8');
    assert.match(stamp, /github\.com\/yannh\/kubeconform@v/);
    // Another pinned binary copied over it: a new inode and size, so `go version -m` is asked and says no.
    await rm(path);
    await copyFile(tools.actionlint, path);
    assert.equal(await isPinnedBuild(path, pins.kubeconform), false);
    // Rewritten in place, same inode: the change time moved, so the stamp does not hold either.
    await copyFile(tools.kubeconform, path);
    assert.equal(await isPinnedBuild(path, pins.kubeconform), true);
    assert.notEqual(await readFile(`${path}.verified`, 'utf8'), stamp);
    // The stamp holds for its pin only: the same file under other build tags is asked again, and refused.
    assert.equal(await isPinnedBuild(path, { ...pins.kubeconform, tags: 'other' }), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the versions Argo CD bundles are asked of go once, then read from the cache; a kept answer that does not read as one is asked again', async () => {
  const cache = await mkdtemp(join(tmpdir(), 'bundled-cache-'));
  // go as a wrapper that notes each call: the count of `go mod download` runs is what is measured.
  const path = await pathWith(undefined);
  const calls = join(path, 'calls');
  await writeFile(join(path, 'go'), `#!/bin/sh\necho "$@" >> ${calls}\nexec ${await realGo()} "$@"\n`);
  await chmod(join(path, 'go'), 0o755);
  const downloads = async () => (await readFile(calls, 'utf8').catch(() => '')).split('\n').filter((l) => l.startsWith('mod download')).length;
  const print = () => runCli('tools', ['--print', '--only', 'helm'], { PATH: path, MONITORING_GITOPS_CACHE: cache });
  try {
    for (const expected of [1, 1]) {
      const result = await print();
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^helm +v4\.3\.1 .*\(bundled with Argo CD v3\.6\.1\)$/m);
      assert.equal(await downloads(), expected);
    }
    // The same name in the test's own cache.
    const kept = join(cache, 'tools', basename(bundledToolsPath(readToolPins().argocd)));
    assert.deepEqual(JSON.parse(await readFile(kept, 'utf8')), { helm: 'v4.3.1', kustomize: 'v5.8.3' });
    await writeFile(kept, '{"helm": "latest", "kustomize": "v5.8.3"}\n');
    assert.equal((await print()).code, 0);
    assert.equal(await downloads(), 2, 'asked again');
    assert.deepEqual(JSON.parse(await readFile(kept, 'utf8')), { helm: 'v4.3.1', kustomize: 'v5.8.3' });
  } finally {
    await rm(path, { recursive: true, force: true });
    await rm(cache, { recursive: true, force: true });
  }
});

/** The go on this machine's PATH. */
async function realGo(): Promise<string> {
  const found = process.env.PATH!.split(':').map((dir) => join(dir, 'go'));
  for (const candidate of found)
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  throw new Error('no go on PATH');
}
