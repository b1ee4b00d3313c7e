import { readFileSync } from 'node:fs';

/** One external Go program, pinned to an exact module version. */
export interface ToolPin {
  /** Go package path of the main package (what `go install` builds). */
  package: string;
  /** Go module that holds it; `go version -m` reports its version. */
  module: string;
  version: string;
  /** Linker flags that set the version the tool prints (its release builds set them too). */
  ldflags?: string;
}

export type ToolName = 'kubeconform' | 'helm' | 'kustomize' | 'promtool' | 'amtool' | 'actionlint';

export interface ToolPins {
  go: { minimum: string };
  tools: Record<ToolName, ToolPin>;
  /** Modules downloaded for documents they ship (OpenAPI, CRDs), not built. */
  sources: { argocd: { module: string; version: string }; kubernetes: { module: string } };
}

let pins: ToolPins | undefined;

/** tools/pins.json: the one file that pins every external tool. */
export function readToolPins(): ToolPins {
  pins ??= JSON.parse(readFileSync(new URL('../../tools/pins.json', import.meta.url), 'utf8')) as ToolPins;
  return pins;
}
