import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { run, tail } from '../../scripts/lib/exec.ts';
import { ensureRenovate } from '../../scripts/tools/renovate.ts';
import { PROJECT_ROOT, tempRepo } from '../helpers/repo.ts';

interface ExtractedDep {
  depName?: string;
  currentValue?: string;
  currentDigest?: string;
  datasource?: string;
  registryUrls?: string[];
  depType?: string;
}
interface PackageFile {
  packageFile: string;
  deps: ExtractedDep[];
}
type Report = { repositories: Record<string, { packageFiles: Record<string, PackageFile[]> }> };

/** A git checkout of this working tree (tracked and new files): Renovate's local platform lists files with git. */
async function checkoutCopy(): Promise<string> {
  const root = await tempRepo();
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: PROJECT_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await cp(join(PROJECT_ROOT, file), join(root, file)).catch((err) => (err.code === 'ENOENT' ? undefined : Promise.reject(err))); // deleted, not yet committed
  }
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  for (const args of [
    ['init', '--quiet', '--initial-branch=main'],
    ['add', '-A'],
    ['commit', '--quiet', '-m', 'copy'],
  ])
    execFileSync('git', args, { cwd: root, env });
  return root;
}

/** Runs the real Renovate on `root` with --platform=local --dry-run=extract: no token, no lookups, a JSON report. */
async function renovateExtract(root: string): Promise<Record<string, PackageFile[]>> {
  const started = Date.now();
  const renovate = await ensureRenovate((line) => console.log(`# ${line}`));
  console.log(`# renovate ${renovate.version} ready after ${Math.round((Date.now() - started) / 1000)} s`);
  // Outside the checkout: an empty global config (so no user or CI config applies), the report, Renovate's cache.
  const scratch = await tempRepo({ 'global.json': '{}\n' });
  const reportPath = join(scratch, 'report.json');
  const { GITHUB_TOKEN: _g, RENOVATE_TOKEN: _r, GITHUB_COM_TOKEN: _c, ...env } = process.env;
  const result = await run(renovate.node, [renovate.renovate, '--platform=local', '--dry-run=extract', '--report-type=file', `--report-path=${reportPath}`], {
    cwd: root,
    env: { ...env, LOG_LEVEL: 'warn', RENOVATE_BASE_DIR: join(scratch, 'base'), RENOVATE_CONFIG_FILE: join(scratch, 'global.json') },
    extendEnv: false,
  });
  assert.equal(result.exitCode, 0, tail(result.stdout + result.stderr, 30));
  const report = JSON.parse(await readFile(reportPath, 'utf8')) as Report;
  return report.repositories.local!.packageFiles;
}

test('the real Renovate (--platform=local) extracts exactly the dev pins, touches no generated file, and sees every action pinned by SHA', async () => {
  const root = await checkoutCopy();
  const packageFiles = await renovateExtract(root);
  const all = Object.entries(packageFiles).flatMap(([manager, files]) => files.map((f) => ({ manager, ...f })));

  // Every manager: nothing under the generated trees (a bumped leaf makes generate refuse the branch).
  const generated = all.filter((f) => /^apps\//.test(f.packageFile) || /^overlays\/[^/]+\/[^/]+\//.test(f.packageFile));
  assert.deepEqual(
    generated.map((f) => `${f.manager}: ${f.packageFile}`),
    [],
  );
  assert.equal(packageFiles.kustomize, undefined, 'the kustomize manager finds nothing');

  // Chart pins: exactly dev's, as overlays/dev/pins.yaml has them; staging and prod move by promotion.
  const pins = parse(await readFile(join(root, 'overlays/dev/pins.yaml'), 'utf8')) as Record<string, { repoURL: string; chart: string; version: string }>;
  const charts = all.flatMap((f) =>
    f.deps.filter((d) => d.datasource === 'helm').map((d) => ({ file: f.packageFile, chart: d.depName, version: d.currentValue, repo: d.registryUrls?.[0] })),
  );
  const expected = Object.values(pins).map((p) => ({ file: 'overlays/dev/pins.yaml', chart: p.chart, version: p.version, repo: p.repoURL }));
  assert.deepEqual(charts, expected);
  assert.ok(expected.length >= 2, 'the default fleet pins prometheus and grafana');

  // The Argo CD release and the npm tools have their managers too.
  const regexDeps = (file: string) => (packageFiles.regex ?? []).find((f) => f.packageFile === file)?.deps.map((d) => `${d.depName}@${d.currentValue}`) ?? [];
  const toolPins = JSON.parse(await readFile(join(root, 'tools/pins.json'), 'utf8'));
  assert.deepEqual(regexDeps('tools/pins.json'), [`${toolPins.argocd.module}@${toolPins.argocd.version}`]);
  const npmTools = JSON.parse(await readFile(join(root, 'tools/npm-tools.json'), 'utf8'));
  assert.deepEqual(regexDeps('tools/npm-tools.json'), [`renovate@${npmTools.renovate.version}`, `node@${npmTools.node.version}`]);

  // Workflows: each action at a full commit SHA with its exact version in the comment; Node 24.
  const workflows = packageFiles['github-actions'] ?? [];
  assert.ok(workflows.length >= 4, workflows.map((f) => f.packageFile).join(', '));
  for (const file of workflows) {
    for (const dep of file.deps.filter((d) => d.depType === 'action')) {
      assert.match(dep.currentDigest ?? '', /^[0-9a-f]{40}$/, `${file.packageFile}: ${dep.depName} is not pinned by commit SHA`);
      assert.match(dep.currentValue ?? '', /^v\d+\.\d+\.\d+$/, `${file.packageFile}: ${dep.depName} has no exact version comment`);
    }
    const nodes = file.deps.filter((d) => d.depName === 'node').map((d) => d.currentValue);
    assert.ok(
      nodes.every((v) => v === '24'),
      `${file.packageFile}: node-version ${nodes.join(', ')}`,
    );
  }
});
