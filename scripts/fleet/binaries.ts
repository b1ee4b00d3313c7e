import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../lib/cache.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { run, tail } from '../lib/exec.ts';
import { parseBuildInfo, versionLdflags } from '../cluster/binaries.ts';
import { readControlPlanePin } from '../cluster/pin.ts';
import { checkGo, type Progress } from '../tools/install.ts';
import { builtWithPinnedGo, goToolchainEnv, readToolPins } from '../tools/pins.ts';
import { goBuildInto, type GoBuild } from '../tools/go-build.ts';

/** What a simulated cluster runs besides kube-apiserver and etcd (scripts/cluster/binaries.ts). */
export interface ClusterBinaries {
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
  /** The same Kubernetes release's kubectl, for the README's Bootstrap commands in the e2e. */
  kubectl: string;
}

/** Argo CD: the multi-call binary of tools/argocd and, per command, a symlink to it named after it. */
export interface ArgoCdBinaries {
  argocd: string;
  commands: Record<ArgoCdCommand, string>;
  /** A folder with executable copies of Argo CD's hack/git-verify-wrapper.sh and gpg-wrapper.sh, which the repo-server execs from PATH. */
  hack: string;
  /** The release's own application-controller StatefulSet (manifests/base): which argocd-cmd-params-cm key becomes which env variable. */
  controllerManifest: string;
}

export type ArgoCdCommand = 'argocd-application-controller' | 'argocd-repo-server' | 'argocd-server' | 'argocd-redis' | 'argocd-git-ask-pass';
const ARGOCD_COMMANDS: ArgoCdCommand[] = ['argocd-application-controller', 'argocd-repo-server', 'argocd-server', 'argocd-redis', 'argocd-git-ask-pass'];

/** One `go build` of a wrapper module (or `go install`) whose result is cached by its module graph. */
interface Build {
  what: string;
  /** Repository-relative wrapper module folder; absent for `go install pkg@version`. */
  wrapper?: string;
  packages: string[];
  /** File name go gives each package's binary → the name it gets in the cache. */
  outputs: Record<string, string>;
  dir: string;
  env: Record<string, string>;
  flags: string[];
  /** Module path → version each output must have been built from. */
  expect: Map<string, string>;
  estimate: string;
}

const K8S_TAGS = 'selinux,notest,grpcnotrace';

/** Builds (first time: minutes each, with progress) or finds in the cache what a simulated cluster runs. */
export async function ensureClusterBinaries(progress: Progress = () => {}): Promise<ClusterBinaries> {
  const controllers = await kubeControllersBuild();
  const kwok = kwokBuild();
  for (const build of [controllers, kwok]) await ensureBuild(build, progress);
  return {
    kubeControllerManager: join(controllers.dir, 'kube-controller-manager'),
    kubeScheduler: join(controllers.dir, 'kube-scheduler'),
    kwok: join(kwok.dir, 'kwok'),
    kubectl: join(controllers.dir, 'kubectl'),
  };
}

/** The same for Argo CD (about 10 minutes cold, with the pinned Go toolchain). */
export async function ensureArgoCdBinaries(progress: Progress = () => {}): Promise<ArgoCdBinaries> {
  const build = await argocdBuild();
  await ensureBuild(build, progress);
  const commands = Object.fromEntries(ARGOCD_COMMANDS.map((name) => [name, linkCommand(build.dir, name)])) as Record<ArgoCdCommand, string>;
  const { module, version } = readToolPins().argocd;
  const moduleDir = join(await goModCache(), `${module}@${version}`);
  const hack = copyHackScripts(join(moduleDir, 'hack'), join(build.dir, 'hack'));
  const controllerManifest = join(moduleDir, 'manifests/base/application-controller/argocd-application-controller-statefulset.yaml');
  return { argocd: join(build.dir, 'argocd'), commands, hack, controllerManifest };
}

async function kubeControllersBuild(): Promise<Build> {
  const pin = await readControlPlanePin();
  const wrapper = 'tools/kube-controllers';
  const expect = await moduleGraph(wrapper, {});
  if (expect.get('k8s.io/kubernetes') !== pin.kubernetes)
    throw new EnvironmentError(
      `${wrapper}/go.mod requires k8s.io/kubernetes ${expect.get('k8s.io/kubernetes')}, tools/kube ${pin.kubernetes}\nfix: pin the same version in both (their go.mod headers say how)`,
    );
  const commands = ['kube-controller-manager', 'kube-scheduler', 'kubectl'];
  const packages = commands.map((name) => `k8s.io/kubernetes/cmd/${name}`);
  const outputs = Object.fromEntries(commands.map((name) => [name, name]));
  const flags = ['-trimpath', `-tags=${K8S_TAGS}`, `-ldflags=${versionLdflags(pin)}`];
  return {
    what: `kube-controller-manager, kube-scheduler and kubectl ${pin.kubernetes}`,
    wrapper,
    packages,
    outputs,
    dir: cacheDir('fleet', `kube-controllers-${pin.kubernetes}-${wrapperHash(wrapper)}`),
    env: {},
    flags,
    expect,
    estimate: 'about 2 minutes after kube-apiserver (they share most packages), 2 GB of memory',
  };
}

function kwokBuild(): Build {
  const { package: pkg, module, version } = readToolPins().fleet.kwok;
  return {
    what: `kwok ${version}`,
    packages: [`${pkg}@${version}`],
    outputs: { kwok: 'kwok' },
    dir: cacheDir('fleet', `kwok-${version}`),
    env: {},
    flags: ['-trimpath'],
    expect: new Map([[module, version]]),
    estimate: 'about 3 minutes',
  };
}

async function argocdBuild(): Promise<Build> {
  const { module, version } = readToolPins().argocd;
  const wrapper = 'tools/argocd';
  const env = goToolchainEnv();
  const expect = await moduleGraph(wrapper, env);
  if (expect.get(module) !== version)
    throw new EnvironmentError(
      `${wrapper}/go.mod requires ${module} ${expect.get(module)}, but tools/pins.json pins ${version}\nfix: follow the header of ${wrapper}/go.mod`,
    );
  const ldflags = `-s -w -X ${module}/common.version=${version.replace(/^v/, '')} -X ${module}/common.gitTreeState=clean`;
  return {
    what: `Argo CD ${version} (application controller, repo-server, API server)`,
    wrapper,
    packages: ['.'],
    outputs: { argocd: 'argocd' },
    dir: cacheDir('fleet', `argocd-${version}-${wrapperHash(wrapper)}`),
    env,
    flags: ['-trimpath', `-ldflags=${ldflags}`],
    expect,
    estimate: `about 10 minutes on 2 cores with ${env.GOTOOLCHAIN}, 2.5 GB of memory`,
  };
}

async function ensureBuild(build: Build, progress: Progress): Promise<void> {
  const current = await Promise.all(Object.values(build.outputs).map((name) => isBuiltFrom(join(build.dir, name), build)));
  if (current.every(Boolean)) return;
  await checkGo();
  const staging = `${build.dir}.partial-${process.pid}`;
  progress(`building ${build.what}${build.wrapper ? ` in ${build.wrapper}` : ''} (first time only: ${build.estimate})`);
  const outputs = Object.entries(build.outputs).map(([from, to]): [string, string] => [from, join(build.dir, to)]);
  const seconds = await goBuildInto(goBuild(build, staging), staging, outputs, progress);
  progress(`built ${build.what} in ${seconds}s → ${build.dir}`);
}

/** The `go install` or wrapper-module `go build` of one fleet component, into `outDir`. */
function goBuild(build: Build, outDir: string): GoBuild {
  const env = { ...build.env, CGO_ENABLED: '0', GOWORK: 'off' };
  const describe = `building ${build.what}`;
  const fix = `check that the Go module proxy is reachable (GOPROXY) and that there is memory to spare${build.wrapper ? `; \`go mod tidy\` in ${build.wrapper} if its go.mod was edited` : ''}`;
  if (!build.wrapper)
    return { describe, fix, args: ['install', ...build.flags, ...build.packages], env: { ...env, GOBIN: outDir, GOFLAGS: '-buildvcs=false' } };
  const cwd = new URL(`../../${build.wrapper}/`, import.meta.url).pathname;
  const out = build.packages.length > 1 ? `${outDir}/` : join(outDir, Object.keys(build.outputs)[0] ?? '');
  return { describe, fix, args: ['build', ...build.flags, '-o', out, ...build.packages], cwd, env: { ...env, GOFLAGS: '-mod=readonly -buildvcs=false' } };
}

/** Whether `path` embeds exactly the expected module versions (its `go version -m`). */
async function isBuiltFrom(path: string, build: Build): Promise<boolean> {
  if (!existsSync(path)) return false;
  const info = await run('go', ['version', '-m', path]).catch(() => undefined);
  if (info?.exitCode !== 0 || !builtWithPinnedGo(info.stdout)) return false;
  const built = parseBuildInfo(info.stdout);
  if (built.deps.size === 0) return false;
  if (!build.wrapper) return [...build.expect].every(([module, version]) => built.deps.get(module) === version);
  // `mod` of a wrapper build is the wrapper itself (monitoring-gitops/tools/…): not in the graph's versions.
  return [...built.deps].every(([module, version]) => module.startsWith('monitoring-gitops/') || build.expect.get(module) === version);
}

/** The wrapper module's graph: module → version built (a replacement's version when replaced). */
async function moduleGraph(wrapper: string, env: Record<string, string>): Promise<Map<string, string>> {
  const cwd = new URL(`../../${wrapper}/`, import.meta.url).pathname;
  const result = await run('go', ['list', '-m', '-f', '{{.Path}} {{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}', 'all'], {
    cwd,
    env: { ...env, ...goToolchainEnv(), GOWORK: 'off', GOFLAGS: '-mod=readonly' },
  });
  if (result.exitCode !== 0)
    throw new EnvironmentError(
      `cannot read ${wrapper}/go.mod's module graph:\n${tail(result.stderr)}\nfix: check that the Go module proxy is reachable (GOPROXY); \`go mod tidy\` in ${wrapper} after editing its go.mod`,
    );
  return new Map(
    result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' ') as [string, string]),
  );
}

// The wrapper's own sources (main.go) are not in the binary's build info: they key the cache folder.
function wrapperHash(wrapper: string): string {
  const dir = new URL(`../../${wrapper}/`, import.meta.url).pathname;
  const hash = createHash('sha256');
  for (const name of readdirSync(dir)
    .filter((f) => /\.(go|mod|sum)$/.test(f))
    .sort())
    hash.update(`${name}\0`).update(readFileSync(join(dir, name)));
  return hash.digest('hex').slice(0, 12);
}

async function goModCache(): Promise<string> {
  return (await run('go', ['env', 'GOMODCACHE'])).stdout.trim();
}

// The module cache is read-only and not executable: the repo-server needs its own copies on PATH.
function copyHackScripts(from: string, to: string): string {
  mkdirSync(to, { recursive: true });
  for (const name of HACK_SCRIPTS) {
    if (!existsSync(join(from, name))) throw new EnvironmentError(`Argo CD's ${join(from, name)} is missing\nfix: run \`go mod download\` in tools/argocd`);
    copyFileSync(join(from, name), join(to, name));
    chmodSync(join(to, name), 0o755);
  }
  return to;
}

const HACK_SCRIPTS = ['git-verify-wrapper.sh', 'gpg-wrapper.sh'];

// Argo CD's image dispatches one binary on the name it runs as: each command is a symlink to it.
function linkCommand(dir: string, name: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) symlinkSync('argocd', path);
  return path;
}
