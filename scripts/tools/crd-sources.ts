import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { EnvironmentError } from '../lib/errors.ts';
import { downloadGoModule } from '../lib/go-module.ts';
import { PINS_FILE, readToolPins, type CrdSourcePin, type ToolPins } from './pins.ts';

/** A Go module pinned for its CustomResourceDefinitions: `argocd`, or an entry of `sources` with `crds`. */
export interface CrdSource extends CrdSourcePin {
  /** Its key in tools/pins.json: `argocd`, `externalSecrets`, `gatewayApi`. */
  name: string;
  /** Where tools/pins.json pins it (`argocd`, `sources.gatewayApi`), for messages. */
  where: string;
}

/** A CustomResourceDefinition as its file holds it (the fields the toolkit reads). */
export interface CrdDocument {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { group: string; scope: string; names: { kind: string; plural: string }; versions: { name: string; served: boolean }[] };
}

/** Every CRD source tools/pins.json names, Argo CD first; adding one is adding a `sources` entry with `crds`. Pure. */
export function crdSources(pins: ToolPins = readToolPins()): CrdSource[] {
  const sources: CrdSource[] = [{ ...pins.argocd, name: 'argocd', where: 'argocd' }];
  for (const [name, pin] of Object.entries(pins.sources)) {
    if (isCrdSourcePin(pin)) sources.push({ ...pin, name, where: `sources.${name}` });
  }
  return sources;
}

/** The CRD source pinned under `name` (`externalSecrets`); an environment error when tools/pins.json has none. */
export function crdSource(name: string, pins: ToolPins = readToolPins()): CrdSource {
  const source = crdSources(pins).find((s) => s.name === name);
  if (!source) throw new EnvironmentError(`${PINS_FILE} pins no CRD source '${name}'\nfix: add sources.${name} with module, version, crds and crdKinds`);
  return source;
}

function isCrdSourcePin(value: unknown): value is CrdSourcePin {
  const pin = value as Partial<CrdSourcePin> | undefined;
  return typeof pin?.module === 'string' && typeof pin.version === 'string' && typeof pin.crds === 'string';
}

/** `module@version`: what a catalog built from the source records, and what messages name. */
export const sourceLabel = (source: CrdSource) => `${source.module}@${source.version}`;

const reading = new Map<string, Promise<CrdDocument[]>>();

/**
 * The CRDs of a source: the files the kustomization.yaml in its `crds` folder lists, downloaded with the
 * module once (Go's module cache) and read once per process. Refused when one of its `crdKinds` is missing.
 */
export function readCrdSource(source: CrdSource): Promise<CrdDocument[]> {
  const key = `${sourceLabel(source)}/${source.crds}`;
  let pending = reading.get(key);
  if (!pending) {
    pending = readCrds(source);
    reading.set(key, pending);
    pending.catch(() => reading.delete(key));
  }
  return pending;
}

async function readCrds(source: CrdSource): Promise<CrdDocument[]> {
  const moduleDir = await downloadGoModule(
    source.module,
    source.version,
    {
      what: `its CustomResourceDefinitions (${source.where} in ${PINS_FILE})`,
      fix: `pin a version the Go module proxy serves (\`go list -m -versions ${source.module}\`) and check that it is reachable (GOPROXY)`,
    },
    readToolPins().go.toolchain,
  );
  const dir = join(moduleDir, source.crds);
  const kustomization = parse(await readText(join(dir, 'kustomization.yaml'), source)) as { resources?: unknown };
  const files = Array.isArray(kustomization?.resources) ? kustomization.resources.filter((f): f is string => typeof f === 'string') : [];
  const docs = await Promise.all(
    files.map(async (file) => parseAllDocuments(await readText(join(dir, file), source)).map((d) => d.toJS({ maxAliasCount: -1 }) as unknown)),
  );
  const crds = docs.flat().filter(isCrd);
  const missing = source.crdKinds.filter((kind) => !crds.some((crd) => crd.spec.names.kind === kind));
  if (missing.length)
    throw new EnvironmentError(
      `${sourceLabel(source)}: ${source.crds}/kustomization.yaml lists no CRD of ${missing.join(', ')} (${crds.length} CRDs found)\nfix: check ${source.where}.crds and .crdKinds in ${PINS_FILE}`,
    );
  return crds;
}

function isCrd(value: unknown): value is CrdDocument {
  const doc = value as Partial<CrdDocument> | null;
  return doc?.kind === 'CustomResourceDefinition' && typeof doc.spec?.group === 'string' && typeof doc.spec.names?.kind === 'string';
}

async function readText(path: string, source: CrdSource): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new EnvironmentError(`${sourceLabel(source)} has no readable ${path}: ${(err as Error).message}\nfix: check ${source.where}.crds in ${PINS_FILE}`, {
      cause: err,
    });
  }
}
