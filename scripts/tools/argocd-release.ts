import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, writeCacheFile } from '../lib/cache.ts';
import { hexDigest } from '../lib/digest.ts';
import { downloadGoModule } from '../lib/go-module.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { PINS_FILE, readToolPins, type ArgoCdPin } from './pins.ts';

/** The renderers an Argo CD release bundles in its repo-server image. */
export interface BundledTools {
  helm: string;
  kustomize: string;
}

const BUNDLED_VARIABLES = { helm: 'HELM_VERSION', kustomize: 'KUSTOMIZE_VERSION' } as const;

/** Reads `HELM_VERSION=4.3.1` and `KUSTOMIZE_VERSION=5.8.3` from a release's hack/tool-versions.sh, as `v…`. Pure. */
export function parseToolVersions(text: string, release: string): BundledTools {
  const read = (tool: keyof BundledTools) => {
    const variable = BUNDLED_VARIABLES[tool];
    const value = new RegExp(`^${variable}=v?(\\d+\\.\\d+\\.\\d+\\S*)\\s*$`, 'm').exec(text)?.[1];
    if (!value)
      throw new EnvironmentError(
        `Argo CD ${release}'s hack/tool-versions.sh has no ${variable}: cannot tell which ${tool} its repo-server bundles\nfix: pin a release that lists it (argocd.version in ${PINS_FILE}), or give tools.${tool} an explicit version`,
      );
    return `v${value}`;
  };
  return { helm: read('helm'), kustomize: read('kustomize') };
}

/** The pinned Argo CD module's folder in the Go module cache (downloaded once). */
export function downloadArgoCdModule(pin: ArgoCdPin = readToolPins().argocd, what = 'its CRDs and bundled tool versions'): Promise<string> {
  return downloadGoModule(
    pin.module,
    pin.version,
    { what, fix: `check argocd in ${PINS_FILE} (a released version) and that the Go module proxy is reachable (GOPROXY)` },
    readToolPins().go.toolchain,
  );
}

let bundled: Promise<BundledTools> | undefined;

/**
 * The helm and kustomize versions the pinned Argo CD release bundles, read once per process, and kept beside the
 * tools for later runs: a released module's files never change, and asking go costs a process (two, with the
 * pinned toolchain) on every run.
 */
export function readBundledTools(): Promise<BundledTools> {
  bundled ??= (async () => {
    const pin = readToolPins().argocd;
    const kept = bundledToolsPath(pin);
    const known = keptBundledTools(kept);
    if (known) return known;
    const dir = await downloadArgoCdModule(pin);
    const tools = parseToolVersions(readFileSync(join(dir, 'hack', 'tool-versions.sh'), 'utf8'), pin.version);
    writeCacheFile(kept, `${JSON.stringify(tools)}\n`);
    return tools;
  })();
  bundled.catch(() => (bundled = undefined));
  return bundled;
}

/** Where the answer for one release is kept: named by module and version, so a pin change never reads another's. */
export const bundledToolsPath = (pin: ArgoCdPin) =>
  cacheDir('tools', `argocd-bundled@${hexDigest('sha256', `${pin.module}@${pin.version}`).slice(0, 16)}.json`);

/** The kept answer when it reads as one (two versions); anything else is asked again. */
function keptBundledTools(path: string): BundledTools | undefined {
  try {
    const { helm, kustomize } = JSON.parse(readFileSync(path, 'utf8')) as Partial<BundledTools>;
    const isVersion = (v: unknown): v is string => typeof v === 'string' && /^v\d+\.\d+\.\d+\S*$/.test(v);
    return isVersion(helm) && isVersion(kustomize) ? { helm, kustomize } : undefined;
  } catch {
    return undefined;
  }
}
