import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { committedRepo, dropPrivilegesUnavailable, giveToFaultUser, gitStatus, runCliAsUser, tempFiles } from '../helpers/faults.ts';
import { MINIMAL } from '../helpers/inventory.ts';
import { PROJECT_ROOT, tempRepo } from '../helpers/repo.ts';
import { writeSyntheticFleet } from '../bench/fleet.ts';

/** Faults of the file system and of other runs (issue #11); permission cases run as an unprivileged user. */
const noDrop = dropPrivilegesUnavailable();

async function asUser(setup: (root: string) => Promise<void>) {
  const root = await committedRepo(MINIMAL);
  await setup(root);
  const before = gitStatus(root);
  giveToFaultUser(root);
  const result = await runCliAsUser('generate', ['--root', root], await tempRepo());
  return { root, before, result };
}

test('case 1: an unreadable cluster file is exit 2 naming it, and nothing of that cluster is removed', { skip: noDrop }, async () => {
  const { root, before, result } = await asUser((root) => chmod(join(root, 'clusters/alpha.yaml'), 0o000));
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^error: cannot read 1 inventory file:\n {2}clusters\/alpha\.yaml: EACCES\nfix the permissions/m);
  assert.equal(gitStatus(root), before);
  assert.deepEqual(tempFiles(root), []);
});

test("case 1: an unreadable overlays/prod values file does not silently drop prod's values", { skip: noDrop }, async () => {
  const { root, before, result } = await asUser(async (root) => {
    await writeFile(join(root, 'overlays/prod/prometheus.values.yaml'), 'server:\n  resources:\n    limits: {memory: 4Gi}\n');
    await chmod(join(root, 'overlays/prod/prometheus.values.yaml'), 0o000);
  });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /overlays\/prod\/prometheus\.values\.yaml: EACCES/);
  assert.equal(gitStatus(root), before);
});

test('case 3: a read-only leaf folder stops generate before any write or delete (exit 2)', { skip: noDrop }, async () => {
  const { root, before, result } = await asUser(async (root) => {
    // Disabling grafana removes its leaf and Application; the prometheus values change rewrites others.
    const path = join(root, 'clusters/alpha.yaml');
    await writeFile(
      path,
      (await readFile(path, 'utf8')).replace('  grafana:\n    enabled: true', '  grafana:\n    enabled: false').replace('retention: 3d', 'retention: 4d'),
    );
    await chmod(join(root, 'overlays/dev/alpha/grafana'), 0o555);
  });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^error: cannot write in 1 folder, so nothing was changed:\n {2}overlays\/dev\/alpha\/grafana\/\nfix the permissions/m);
  assert.equal(gitStatus(root), before, 'no file rewritten, no Application deleted');
  assert.deepEqual(tempFiles(root), []);
});

test('case 3: leftovers of a killed run are reported by --check and removed by the next generate', async () => {
  const root = await committedRepo(MINIMAL);
  await writeFile(
    join(root, '.generate.lock'),
    JSON.stringify({ pid: 2 ** 22 + 17, host: (await import('node:os')).hostname(), started: '2026-01-01T00:00:00Z' }),
  );
  await mkdir(join(root, '.generate-staging/4242'), { recursive: true });
  await writeFile(join(root, '.generate-staging/4242/0'), '');
  await writeFile(join(root, 'apps/alpha/root.yaml.tmp-4242'), '');
  const check = await runCli('generate', ['--root', root, '--check']);
  assert.equal(check.code, 1, check.stderr);
  assert.match(check.stderr, /^\.generate\.lock: stale lock of a generate run that is no longer running/m);
  assert.match(check.stderr, /^\.generate-staging\/: staged files of an interrupted generate run/m);
  assert.match(check.stderr, /^apps\/alpha\/root\.yaml\.tmp-4242: leftover temporary file of an interrupted generate run/m);
  const repair = await runCli('generate', ['--root', root]);
  assert.equal(repair.code, 0, repair.stderr);
  assert.equal(gitStatus(root), '');
  assert.deepEqual(tempFiles(root), []);
});

test("case 3: a second concurrent generate is refused with exit 2 and the first run's lock is kept", async () => {
  const root = await committedRepo(MINIMAL);
  const lock = JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), started: '2026-01-01T00:00:00Z' });
  await writeFile(join(root, '.generate.lock'), lock);
  await writeFile(join(root, 'overlays/dev/prometheus.values.yaml'), 'server:\n  retention: 9d\n');
  const result = await runCli('generate', ['--root', root]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, new RegExp(`^error: another \`npm run generate\` is working on this checkout \\(pid ${process.pid} on `, 'm'));
  assert.equal(await readFile(join(root, '.generate.lock'), 'utf8'), lock);
  assert.equal(gitStatus(root), ' M overlays/dev/prometheus.values.yaml\n?? .generate.lock\n');
});

test('case 3: SIGTERM in the middle of a 1,000-cluster write undoes every change, then ends by the signal', async () => {
  const root = await committedRepo(await fleet(1000));
  await writeFile(join(root, 'base/prometheus/values.yaml'), `${await readFile(join(root, 'base/prometheus/values.yaml'), 'utf8')}\nextraLabel: sigterm\n`);
  const before = gitStatus(root);
  const { code, signal, stderr } = await generateUntil(root, /./, 'SIGTERM', (out) => out.includes('stage'));
  assert.deepEqual({ code, signal }, { code: null, signal: 'SIGTERM' }, stderr);
  assert.match(stderr, /interrupted by SIGTERM; every change of this run was undone/);
  assert.equal(gitStatus(root), before);
  assert.deepEqual(tempFiles(root), []);
});

test('case 7: CRLF line endings are stale (and say why), not "edited by hand"; generate rewrites them', async () => {
  const root = await committedRepo(MINIMAL);
  const path = join(root, 'apps/alpha/root.yaml');
  await writeFile(path, (await readFile(path, 'utf8')).replaceAll('\n', '\r\n'));
  const check = await runCli('generate', ['--root', root, '--check']);
  assert.equal(check.code, 1);
  assert.match(
    check.stderr,
    /^apps\/alpha\/root\.yaml: stale: CRLF line endings \(generated files use LF\); generate would rewrite it\n {4}fix: add `\* text=auto eol=lf` to \.gitattributes/m,
  );
  assert.doesNotMatch(check.stderr, /edited by hand/);
  assert.equal((await runCli('generate', ['--root', root])).code, 0);
  assert.equal(gitStatus(root), '');
});

test('case 7: bench scripts answer --help without running', async () => {
  for (const bench of ['generate', 'validate', 'diff']) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, `test/bench/${bench}.ts`), '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, bench);
    assert.match(out, new RegExp(`^usage: npm run bench:${bench}`), bench);
  }
});

/** A synthetic fleet of `n` clusters (the bench's builder) as a folder to copy from. */
async function fleet(n: number): Promise<string> {
  const dir = await tempRepo();
  await writeSyntheticFleet(dir, n);
  return dir;
}

/** Starts generate and sends `signal` once the delay has passed after startup; returns its outcome. */
export async function generateUntil(
  root: string,
  _ready: RegExp,
  signal: NodeJS.Signals,
  _unused: (out: string) => boolean,
  delayMs?: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'scripts/cli/generate.ts'), '--root', root], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setInterval(() => {
    // The run is inside its transaction once the staging folder exists.
    import('node:fs').then(({ existsSync }) => {
      if (existsSync(join(root, '.generate-staging'))) {
        clearInterval(timer);
        setTimeout(() => child.kill(signal), delayMs ?? 0);
      }
    });
  }, 2);
  const [code, ended] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearInterval(timer);
  return { code, signal: ended, stderr };
}
