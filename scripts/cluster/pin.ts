import { EnvironmentError } from '../lib/errors.ts';
import { run, tail } from '../lib/exec.ts';
import { goToolchainEnv } from '../tools/pins.ts';

/** The wrapper Go module whose go.mod pins the control plane (k8s.io/kubernetes, etcd, the staging modules). */
export const KUBE_MODULE_DIR = new URL('../../tools/kube/', import.meta.url).pathname;

const KUBERNETES = 'k8s.io/kubernetes';
const ETCD = 'go.etcd.io/etcd/server/v3';

/** The control plane tools/kube/go.mod pins, read from its module graph (`go list -m -json all`). */
export interface ControlPlanePin {
  /** k8s.io/kubernetes version, e.g. `v1.34.2`: what kube-apiserver's /version reports. */
  kubernetes: string;
  /** go.etcd.io/etcd/server/v3 version, e.g. `v3.6.4` (the etcd that Kubernetes release was tested with). */
  etcd: string;
  /** When the Kubernetes version was published: the build date /version reports, so builds are reproducible. */
  published: string;
  /** Every module of the graph: path → version actually built (the replacement's version when replaced). */
  modules: Map<string, string>;
}

interface GoModule {
  Path: string;
  Version?: string;
  Time?: string;
  Replace?: { Path: string; Version?: string };
}

/** Environment for every go command run in the wrapper module: no workspace, never edit go.mod. */
export const GO_ENV = { GOWORK: 'off', GOFLAGS: '-mod=readonly -buildvcs=false', ...goToolchainEnv() };

let pending: Promise<ControlPlanePin> | undefined;

/** Reads (once per process) and checks the pin; a staging module left at another version is an error. */
export function readControlPlanePin(): Promise<ControlPlanePin> {
  pending ??= listModules().then(toPin);
  pending.catch(() => (pending = undefined));
  return pending;
}

async function listModules(): Promise<GoModule[]> {
  const result = await run('go', ['list', '-m', '-json', 'all'], { cwd: KUBE_MODULE_DIR, env: GO_ENV }).catch((err: unknown) => {
    throw new EnvironmentError(
      `Go is not installed; the local Kubernetes control plane is built with it\nfix: install Go 1.26+ (https://go.dev/doc/install) and put it on PATH`,
      { cause: err },
    );
  });
  if (result.exitCode !== 0) {
    throw new EnvironmentError(
      `cannot read the control plane pin (go list -m all in tools/kube):\n${tail(result.stderr)}\nfix: check that the Go module proxy is reachable (GOPROXY); after editing tools/kube/go.mod run \`go mod tidy\` there`,
    );
  }
  // `go list -json` prints one object after another; top-level objects start at column 0.
  return JSON.parse(`[${result.stdout.trim().replace(/^}\n{/gm, '},{')}]`) as GoModule[];
}

function toPin(modules: GoModule[]): ControlPlanePin {
  const versions = new Map(modules.filter((m) => m.Version).map((m) => [m.Path, m.Replace?.Version ?? m.Version ?? '']));
  const kubernetes = modules.find((m) => m.Path === KUBERNETES);
  const etcd = versions.get(ETCD);
  if (!kubernetes?.Version || !etcd)
    throw new EnvironmentError(`tools/kube/go.mod must require ${KUBERNETES} and ${ETCD}\nfix: restore tools/kube/go.mod from git`);
  const staging = stagingVersion(kubernetes.Version);
  const wrong = modules.filter((m) => m.Path.startsWith('k8s.io/') && m.Path !== KUBERNETES && isWrongStaging(m, staging));
  if (wrong.length) {
    const list = wrong.map((m) => `${m.Path} ${m.Replace?.Version ?? m.Version}`).join(', ');
    throw new EnvironmentError(
      `tools/kube/go.mod pins ${KUBERNETES} ${kubernetes.Version} but not its staging modules at ${staging}: ${list}\nfix: replace every k8s.io staging module with its published ${staging} (\`k8s.io/api => k8s.io/api ${staging}\`) and run \`go mod tidy\` in tools/kube`,
    );
  }
  return { kubernetes: kubernetes.Version, etcd, published: kubernetes.Time ?? '1970-01-01T00:00:00Z', modules: versions };
}

/** Kubernetes v1.34.2 publishes its staging modules (k8s.io/api, k8s.io/apiserver, …) as v0.34.2. */
export function stagingVersion(kubernetes: string): string {
  const match = /^v1\.(\d+\.\d+)$/.exec(kubernetes);
  if (!match)
    throw new EnvironmentError(
      `tools/kube/go.mod pins ${KUBERNETES} ${kubernetes}, not a release version (v1.<minor>.<patch>)\nfix: pin a release such as v1.34.2`,
    );
  return `v0.${match[1]}`;
}

// Staging modules are replaced (k8s.io/kubernetes requires them as v0.0.0); other k8s.io modules (utils, kube-openapi, klog) are plain requires.
function isWrongStaging(m: GoModule, staging: string): boolean {
  if (m.Replace) return m.Replace.Path !== m.Path || m.Replace.Version !== staging;
  return m.Version === 'v0.0.0';
}
