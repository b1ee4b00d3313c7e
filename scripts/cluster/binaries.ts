import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../lib/cache.ts';
import { run } from '../lib/exec.ts';
import { goBuildInto } from '../tools/go-build.ts';
import { checkGo, type Progress } from '../tools/install.ts';
import { GO_ENV, KUBE_MODULE_DIR, readControlPlanePin, type ControlPlanePin } from './pin.ts';
import { builtWithPinnedGo } from '../tools/pins.ts';

/** kube-apiserver and etcd built from the pin, cached per Kubernetes version. */
export interface ControlPlaneBinaries {
  /** The pinned Kubernetes version, e.g. `v1.34.2`. */
  version: string;
  etcdVersion: string;
  kubeApiserver: string;
  etcd: string;
}

const APISERVER_PACKAGE = 'k8s.io/kubernetes/cmd/kube-apiserver';
const ETCD_PACKAGE = 'go.etcd.io/etcd/server/v3';
// Kubernetes' own release builds (hack/lib/golang.sh) use these tags and a static binary.
const BUILD_TAGS = 'selinux,notest,grpcnotrace';

/** Where the binaries of Kubernetes `version` live: outside the repository, one folder per version. */
export function controlPlaneBinaryDir(version: string): string {
  return cacheDir('kube', version);
}

/**
 * Builds kube-apiserver and etcd from tools/kube (the first time: minutes and ~GBs of memory) unless the
 * cached ones were built from the same module graph; returns their paths.
 */
export async function ensureControlPlaneBinaries(progress: Progress = () => {}): Promise<ControlPlaneBinaries> {
  const pin = await readControlPlanePin();
  const dir = controlPlaneBinaryDir(pin.kubernetes);
  const binaries = { version: pin.kubernetes, etcdVersion: pin.etcd, kubeApiserver: join(dir, 'kube-apiserver'), etcd: join(dir, 'etcd') };
  const current = await Promise.all([isBuiltFrom(binaries.kubeApiserver, APISERVER_PACKAGE, pin), isBuiltFrom(binaries.etcd, ETCD_PACKAGE, pin)]);
  if (current.every(Boolean)) return binaries;
  await checkGo();
  await buildInto(dir, pin, progress);
  return binaries;
}

async function buildInto(dir: string, pin: ControlPlanePin, progress: Progress): Promise<void> {
  const staging = `${dir}.partial-${process.pid}`;
  const what = `kube-apiserver ${pin.kubernetes} and etcd ${pin.etcd}`;
  progress(`building ${what} from tools/kube (first time only: about 10 minutes on 2 cores, 2 GB of memory)`);
  const args = ['build', '-trimpath', `-tags=${BUILD_TAGS}`, `-ldflags=${versionLdflags(pin)}`, '-o', `${staging}/`, APISERVER_PACKAGE, ETCD_PACKAGE];
  const fix =
    'check that the Go module proxy is reachable (GOPROXY), that Go is 1.26+ with enough memory (2 GB), and that tools/kube/go.mod is tidy (`go mod tidy` there)';
  // go names a main package ending in a major version (…/server/v3) after the element before it.
  const outputs: [string, string][] = [
    ['kube-apiserver', join(dir, 'kube-apiserver')],
    ['server', join(dir, 'etcd')],
  ];
  const seconds = await goBuildInto(
    { describe: `building ${what} (go build in tools/kube)`, args, cwd: KUBE_MODULE_DIR, env: { ...GO_ENV, CGO_ENABLED: '0' }, fix },
    staging,
    outputs,
    progress,
  );
  progress(`built ${what} in ${seconds}s → ${dir}`);
}

/** The -X flags Kubernetes' release builds set (hack/lib/version.sh), so /version reports the pin. */
export function versionLdflags(pin: Pick<ControlPlanePin, 'kubernetes' | 'published'>): string {
  const [major, minor] = pin.kubernetes.replace(/^v/, '').split('.');
  const values = { gitVersion: pin.kubernetes, gitMajor: major, gitMinor: minor, gitTreeState: 'clean', gitCommit: '', buildDate: pin.published };
  const packages = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'];
  return ['-s', '-w', ...packages.flatMap((p) => Object.entries(values).map(([k, v]) => `-X ${p}.${k}=${v ?? ''}`))].join(' ');
}

/**
 * Whether `path` is `pkg` built from exactly this module graph, with the release tags: every module it
 * embeds (`go version -m`) has the version the pin resolves to. (-trimpath builds do not record -ldflags.)
 */
async function isBuiltFrom(path: string, pkg: string, pin: ControlPlanePin): Promise<boolean> {
  if (!existsSync(path)) return false;
  const info = await run('go', ['version', '-m', path]);
  if (info.exitCode !== 0 || !builtWithPinnedGo(info.stdout)) return false;
  const built = parseBuildInfo(info.stdout);
  if (built.path !== pkg || built.settings.get('-tags') !== BUILD_TAGS || built.settings.get('CGO_ENABLED') !== '0') return false;
  if (built.deps.size === 0) return false;
  return [...built.deps].every(([module, version]) => pin.modules.get(module) === version);
}

interface BuildInfo {
  path: string;
  deps: Map<string, string>;
  settings: Map<string, string>;
}

/** Parses `go version -m`: `path`, `mod`/`dep`/`=>` (a replacement's version wins) and `build` lines. */
export function parseBuildInfo(text: string): BuildInfo {
  const info: BuildInfo = { path: '', deps: new Map(), settings: new Map() };
  let last = '';
  for (const line of text.split('\n')) {
    const [kind, a = '', b = ''] = line.trim().split(/\s+/);
    if (kind === 'path') info.path = a;
    // `mod` is the module of the main package (k8s.io/kubernetes, go.etcd.io/etcd/server/v3), `dep` the others.
    else if (kind === 'mod' || kind === 'dep') {
      last = a;
      info.deps.set(a, b);
    } else if (kind === '=>' && last) info.deps.set(last, b);
    else if (kind === 'build') {
      const eq = line.indexOf('=');
      if (eq > 0) info.settings.set(line.slice(line.indexOf('build') + 5, eq).trim(), line.slice(eq + 1).trim());
    }
  }
  return info;
}
