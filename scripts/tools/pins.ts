import { readFileSync } from 'node:fs';

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
  /** Go toolchain for this build (GOTOOLCHAIN), where the module needs a newer Go than the minimum. */
  toolchain?: string;
  /** Wrapper module (repository-relative folder) to build in, for releases `go install` refuses. */
  wrapper?: string;
  /** Build tags (comma-separated). */
  tags?: string;
}

/** A tool pin with its version resolved. */
export type ToolPin = ToolPinSpec & { version: string };

export type ToolName = 'kubeconform' | 'helm' | 'kustomize' | 'promtool' | 'amtool' | 'actionlint';

/** The Argo CD release the fleet runs. */
export interface ArgoCdPin {
  module: string;
  version: string;
  /** The Go toolchain its module needs (for `go mod download` and builds from it). */
  toolchain: string;
}

interface ToolPins {
  go: { minimum: string };
  argocd: ArgoCdPin;
  tools: Record<ToolName, ToolPinSpec>;
  /** What the simulated fleet runs besides the control plane (scripts/fleet/binaries.ts). */
  fleet: { kwok: { package: string; module: string; version: string } };
  /** Modules downloaded for documents they ship (OpenAPI), not built. */
  sources: { kubernetes: { module: string } };
}

/** Where the pins live (repository root). */
export const PINS_FILE = 'tools/pins.json';

let pins: ToolPins | undefined;

/** tools/pins.json: the one file that pins every external tool. */
export function readToolPins(): ToolPins {
  pins ??= JSON.parse(readFileSync(new URL('../../tools/pins.json', import.meta.url), 'utf8')) as ToolPins;
  return pins;
}

/** The pin with `{version}` filled into its linker flags. Pure. */
export function withVersion(spec: ToolPinSpec, version: string): ToolPin {
  return { ...spec, version, ldflags: spec.ldflags?.replaceAll('{version}', version) };
}
