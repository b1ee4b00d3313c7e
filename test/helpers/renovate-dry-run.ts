import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { run, tail } from '../../scripts/lib/exec.ts';
import { ensureRenovate } from '../../scripts/tools/renovate.ts';
import { STAND_IN_BOT, type StandInIssue, startGiteaStandIn } from './gitea-stand-in.ts';
import { type StandInPackages, startRegistryStandIn } from './registry-stand-in.ts';
import { PROJECT_ROOT, tempRepo } from './repo.ts';

/** One dependency as Renovate's JSON report lists it (extracted, then looked up). */
export interface ReportDep {
  depName?: string;
  currentValue?: string;
  currentDigest?: string;
  datasource?: string;
  registryUrls?: string[];
  depType?: string;
  versioning?: string;
  skipReason?: string;
  updates?: { updateType: string; newVersion?: string; pendingChecks?: boolean; pendingVersions?: string[]; branchName?: string }[];
}
export interface ReportPackageFile {
  packageFile: string;
  deps: ReportDep[];
}
/** A branch as the report lists it after a full dry run: what Renovate did with it (`result`). */
export interface ReportBranch {
  branchName: string;
  result: string;
  upgrades: { depName: string; newVersion?: string; updateType?: string; packageFile: string }[];
}
export interface RepositoryReport {
  packageFiles: Record<string, ReportPackageFile[]>;
  branches: ReportBranch[];
}
/** One line of Renovate's JSON log. */
export type LogLine = { level: number; msg: string; branch?: string } & Record<string, unknown>;

export interface DryRun {
  report: RepositoryReport;
  logs: LogLine[];
}

const REPOSITORY = 'example/monitoring';
const GIT_ID = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

/** A git checkout of this working tree (tracked and new files) on branch main: what Renovate clones. */
export async function checkoutCopy(): Promise<string> {
  const root = await tempRepo();
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: PROJECT_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await cp(join(PROJECT_ROOT, file), join(root, file)).catch((err) => (err.code === 'ENOENT' ? undefined : Promise.reject(err))); // deleted, not yet committed
  }
  for (const args of [
    ['init', '--quiet', '--initial-branch=main'],
    ['add', '-A'],
    ['commit', '--quiet', '-m', 'copy'],
  ])
    git(root, args);
  return root;
}

/** Commits `edit` of `file` on a new branch `branch` from main, as the stand-in's bot user: Renovate sees its own unmodified branch. */
export async function addBotBranch(root: string, branch: string, file: string, edit: (text: string) => string): Promise<void> {
  const { full_name: name, email } = STAND_IN_BOT;
  const bot = { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email };
  git(root, ['switch', '--quiet', '-c', branch, 'main']);
  await writeFile(join(root, file), edit(await readFile(join(root, file), 'utf8')));
  git(root, ['commit', '--quiet', '-am', `bump on ${branch}`], bot);
  git(root, ['switch', '--quiet', 'main']);
}

function git(cwd: string, args: string[], id: Record<string, string> = GIT_ID): void {
  execFileSync('git', args, { cwd, env: { ...process.env, ...id } });
}

/**
 * Runs the real Renovate with `--dry-run=full` on a bare clone of `root`, as if it were `now`: the Gitea
 * stand-in is its platform (with `issues`, e.g. a Dependency Dashboard), the registry stand-in answers every
 * Helm, npm and Go lookup (release times relative to `now`), and any other host is unreachable (a dead proxy).
 */
export async function renovateDryRun(root: string, now: Date, packages: StandInPackages, issues: StandInIssue[]): Promise<DryRun> {
  const scratch = await tempRepo();
  execFileSync('git', ['clone', '--quiet', '--bare', root, join(scratch, 'repo.git')]);
  const registry = await startRegistryStandIn(packages, now);
  const gitea = await startGiteaStandIn({ repository: REPOSITORY, cloneUrl: join(scratch, 'repo.git'), issues });
  try {
    // Test-only global config: lookups go to the stand-ins, and no lock file is regenerated (that would need the
    // real registries; which branches and pull requests Renovate makes does not depend on it). The repository's
    // renovate.json applies on top of this, its packageRules after these.
    const global = {
      skipArtifactsUpdate: true,
      hostRules: [{ matchHost: '127.0.0.1', allowInternal: true }],
      packageRules: [
        { matchDatasources: ['helm'], registryUrls: [registry.helmUrl] },
        { matchDatasources: ['npm'], registryUrls: [registry.npmUrl] },
      ],
    };
    await writeFile(join(scratch, 'global.json'), `${JSON.stringify(global)}\n`);
    const stdout = await runRenovate(scratch, now, [`--endpoint=${gitea.endpoint}`, REPOSITORY], { GOPROXY: registry.goProxyUrl }).catch((err) => {
      throw new Error(`${err.message}\nGitea API requests the stand-in did not answer: ${gitea.unanswered.join(', ') || 'none'}`, { cause: err });
    });
    const logs = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
    const report = JSON.parse(await readFile(join(scratch, 'report.json'), 'utf8')) as { repositories: Record<string, RepositoryReport> };
    return { report: report.repositories[REPOSITORY]!, logs };
  } finally {
    await Promise.all([registry.stop(), gitea.stop()]);
  }
}

async function runRenovate(scratch: string, now: Date, args: string[], extraEnv: Record<string, string>): Promise<string> {
  const renovate = await ensureRenovate((line) => console.log(`# ${line}`));
  const { GITHUB_TOKEN: _g, RENOVATE_TOKEN: _r, GITHUB_COM_TOKEN: _c, ...env } = process.env;
  const clock = new URL('./renovate-clock.mjs', import.meta.url).pathname;
  const flags = [
    '--platform=gitea',
    '--token=stand-in',
    '--git-url=ssh',
    '--dry-run=full',
    '--report-type=file',
    `--report-path=${join(scratch, 'report.json')}`,
  ];
  const result = await run(renovate.node, ['--import', clock, renovate.renovate, ...flags, ...args], {
    cwd: scratch,
    env: {
      ...env,
      ...extraEnv,
      MONITORING_GITOPS_TEST_NOW: now.toISOString(),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      // No lookup leaves this machine: every host but the stand-ins goes to a port nothing listens on.
      HTTP_PROXY: 'http://127.0.0.1:9',
      HTTPS_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1',
      // The cache installs Renovate without its optional native RE2; say so instead of warning on every run.
      RENOVATE_X_IGNORE_RE2: 'true',
      RENOVATE_BASE_DIR: join(scratch, 'base'),
      RENOVATE_CONFIG_FILE: join(scratch, 'global.json'),
    },
    extendEnv: false,
    timeout: 10 * 60_000,
  });
  if (result.exitCode !== 0) throw new Error(`renovate exited ${result.exitCode}:\n${tail(result.stdout + result.stderr, 30)}`);
  return result.stdout;
}

/** `renovate-config-validator --strict --no-global <file>` (validated as a repository's config); exit code and output. */
export async function validateRenovateConfig(file: string): Promise<{ exitCode: number; output: string }> {
  const renovate = await ensureRenovate();
  const validator = join(dirname(renovate.renovate), 'config-validator.js');
  const result = await run(renovate.node, [validator, '--strict', '--no-global', file], { env: { RENOVATE_X_IGNORE_RE2: 'true' } });
  return { exitCode: result.exitCode, output: result.stdout + result.stderr };
}
