import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** The helm and kustomize versions the pinned Argo CD release bundles, read once per process. */
export function readBundledTools(): Promise<BundledTools> {
  bundled ??= downloadArgoCdModule().then((dir) =>
    parseToolVersions(readFileSync(join(dir, 'hack', 'tool-versions.sh'), 'utf8'), readToolPins().argocd.version),
  );
  bundled.catch(() => (bundled = undefined));
  return bundled;
}
