import { readFileSync } from 'node:fs';
import { EnvironmentError } from '../lib/errors.ts';

/** One external Go program as tools/pins.json pins it. */
interface ToolPinSpec {
  /** Go package path of the main package (what `go install` or `go build` builds). */
  package: string;
  /** Go module that holds it; `go version -m` reports its version. */
  module: string;
  /** The exact module version; absent when `bundledWith` names the release that decides it. */
  version?: string;
  /** `argocd`: the version the pinned Argo CD release bundles (its hack/tool-versions.sh). */
  bundledWith?: 'argocd';
  /** Linker flags that set the version the tool prints; `{version}` stands for the resolved version. */
  ldflags?: string;
  /** Wrapper module (repository-relative folder) to build in, for releases `go install` refuses. */
  wrapper?: string;
  /** Build tags (comma-separated). */
  tags?: string;
  /**
   * A file the main package embeds (go:embed) but the module zip lacks, such as a web UI's build output:
   * the build then runs in a copy of the module with a placeholder page at this path.
   */
  embedPlaceholder?: string;
  /**
   * Pinned tools a wrapper module links in: the wrapper must require each at its resolved version, their
   * ldflags apply, and the build's version is theirs plus a digest of the wrapper's own code.
   */
  embeds?: ToolName[];
  /** More main packages of the wrapper, installed next to the tool under their own names. */
  helpers?: string[];
}

/** A tool pin with its version resolved (and the pins of the tools it embeds). */
export type ToolPin = ToolPinSpec & { version: string; embedded?: ToolPin[] };

export type ToolName = 'kubeconform' | 'helm' | 'kustomize' | 'leafRenderer' | 'promtool' | 'amtool' | 'actionlint';

/** A program the prometheus chart runs, pinned for the runtime fire drill (scripts/tools/runtime.ts). */
type RuntimePinSpec = Partial<ToolPinSpec> & {
  package: string;
  /** The tool pin whose release this is: module, version, wrapper, tags and ldflags come from there. */
  sameReleaseAs?: ToolName;
};

export type RuntimeName = 'prometheus' | 'alertmanager' | 'nodeExporter';

/** A Go module downloaded for the CustomResourceDefinitions it ships (scripts/tools/crd-sources.ts). */
export interface CrdSourcePin {
  module: string;
  version: string;
  /** Folder of the module whose kustomization.yaml lists the CRD files (`manifests/crds`). */
  crds: string;
  /** Kinds the repository relies on: a release whose CRDs lack one is refused. */
  crdKinds: string[];
}

/** A main package built in a copy of its module with the files of a repository folder written over it. */
export interface OverlayBuildPin {
  module: string;
  version: string;
  /** Repository-relative folder whose files are written over the copy, at the same relative paths. */
  overlay: string;
  /** The main package to build, relative to the module root (`cmd/monitoring-gitops-eso`); the overlay may add it. */
  package: string;
}

/** The Argo CD release the fleet runs; its CRDs are one of the CRD sources. */
export type ArgoCdPin = CrdSourcePin;

export interface ToolPins {
  /** minimum: the Go needed on PATH; toolchain: the one every go command of the toolkit runs with. */
  go: { minimum: string; toolchain: string };
  argocd: ArgoCdPin;
  tools: Record<ToolName, ToolPinSpec>;
  /** The programs the prometheus chart runs, for the runtime fire drill (never built by plain `npm run tools`). */
  runtime: Record<RuntimeName, RuntimePinSpec>;
  /** What the simulated fleet runs besides the control plane (scripts/fleet/binaries.ts, scripts/fleet/external-secrets-build.ts). */
  fleet: { kwok: { package: string; module: string; version: string }; externalSecrets: OverlayBuildPin };
  /** Modules downloaded for documents they ship (OpenAPI, CRDs), not built. */
  sources: { kubernetes: { module: string }; externalSecrets: CrdSourcePin; gatewayApi: CrdSourcePin };
}

/** Where the pins live (repository root). */
export const PINS_FILE = 'tools/pins.json';

let pins: ToolPins | undefined;

/** tools/pins.json: the one file that pins every external tool. */
export function readToolPins(): ToolPins {
  pins ??= JSON.parse(readFileSync(new URL('../../tools/pins.json', import.meta.url), 'utf8')) as ToolPins;
  return pins;
}

/** The environment of every go command the toolkit runs: the one pinned toolchain (fetched through the proxy once). */
export const goToolchainEnv = () => ({ GOTOOLCHAIN: readToolPins().go.toolchain });

/** Whether `go version -m` output is of a binary the pinned toolchain built (its first line: `<path>: go1.27.3`). */
export const builtWithPinnedGo = (versionOutput: string) => versionOutput.split('\n', 1)[0]!.endsWith(`: ${readToolPins().go.toolchain}`);

/** The pin with `{version}` filled into its linker flags. Pure. */
export function withVersion(spec: ToolPinSpec, version: string): ToolPin {
  return { ...spec, version, ldflags: spec.ldflags?.replaceAll('{version}', version) };
}

/**
 * A runtime program's pin: its own, or its package at the release of the tool pin it names in
 * `sameReleaseAs` (the prometheus server at promtool's). Pure: `pins` is tools/pins.json's content.
 */
export function resolveRuntimePin(name: RuntimeName, pins: ToolPins = readToolPins()): ToolPin {
  const { sameReleaseAs, ...spec } = pins.runtime[name];
  const base = sameReleaseAs ? pins.tools[sameReleaseAs] : undefined;
  if (sameReleaseAs && !base) throw new EnvironmentError(`${PINS_FILE}: runtime.${name}.sameReleaseAs names ${sameReleaseAs}, which tools does not pin`);
  const merged = { ...base, ...spec } as ToolPinSpec;
  if (!merged.module || !merged.version)
    throw new EnvironmentError(
      `${PINS_FILE}: runtime.${name} has no ${merged.module ? 'version' : 'module'}\nfix: give runtime.${name} a module and an exact version, or sameReleaseAs a tool with them`,
    );
  return withVersion(merged, merged.version);
}

/** The file name `go install` gives a main package's binary: its path's last element (`node_exporter`). */
export const binaryName = (pkg: string) => pkg.slice(pkg.lastIndexOf('/') + 1);
