import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cacheDir } from '../lib/cache.ts';
import { EnvironmentError } from '../lib/errors.ts';
import type { Progress } from '../tools/install.ts';
import { readToolPins } from '../tools/pins.ts';
import { crdSources, readCrdSource, sourceLabel, type CrdSource } from '../tools/crd-sources.ts';
import { CRD_FILE_TEMPLATE, crdSchemas } from './crd.ts';
import { downloadGoModule } from '../lib/go-module.ts';
import { convertOpenApi } from './openapi.ts';
import { crdScopes, kindScopes, SCOPES_FILE, type KindScopes } from './scopes.ts';
import { isCurrentCatalog, writeCatalogDir } from './store.ts';

/** A schema catalog kubeconform can read: the built-in kinds of one Kubernetes version, plus CRD schemas. */
export interface Catalog {
  /** What the built-in schemas were converted from: `k8s.io/kubernetes@v1.34.2`, or `openapi:<name>@sha256:…`. */
  source: string;
  /** The folder holding the built-in schemas (`…/catalog/v1.34.2-standalone-strict`). */
  dir: string;
  /** kubeconform `-schema-location` templates (absolute paths), tried in order: built-in kinds, then each pinned CRD source. */
  schemaLocations: string[];
  /** Whether each built-in kind is namespaced or cluster-scoped: what every cluster of the version serves (helm's --api-versions). */
  scopes: KindScopes;
  /** The same for the kinds of the pinned CRDs (Argo CD, External Secrets, Gateway API), served only where they are installed. */
  crdScopes: KindScopes;
}

/** The schemas of one pinned CRD source, written once per pin. */
export interface CrdCatalog {
  /** `module@version` it was converted from. */
  source: string;
  /** The folder, `<group>/<kind>_<version>.json` inside (see {@link crdSchemaLocation}). */
  dir: string;
  scopes: KindScopes;
}

const STANDALONE_TEMPLATE = '{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json';
const building = new Map<string, Promise<Catalog>>();
let pinnedCrds: Promise<CrdCatalog[]> | undefined;

/** The `-schema-location` template for CRD schemas written under `dir` by {@link writeCrdSchemas}. */
export function crdSchemaLocation(dir: string): string {
  return join(dir, CRD_FILE_TEMPLATE);
}

/**
 * The strict catalog of Kubernetes `kubernetesVersion` ("1.34.2"), converted from the swagger.json of the
 * `k8s.io/kubernetes` module once per version and cached; includes the schemas of the pinned CRDs ({@link ensureCrdSchemas}).
 */
export async function ensureCatalog(kubernetesVersion: string, progress: Progress = () => {}): Promise<Catalog> {
  const version = normalizeVersion(kubernetesVersion);
  let pending = building.get(version);
  if (!pending) {
    pending = buildCatalog(version, progress);
    building.set(version, pending);
    pending.catch(() => building.delete(version)); // a failure is retried by the next call
  }
  return pending;
}

async function buildCatalog(version: string, progress: Progress): Promise<Catalog> {
  const module = readToolPins().sources.kubernetes.module;
  const source = `${module}@v${version}`;
  const dir = cacheDir('catalog', `v${version}-standalone-strict`);
  if (!isCurrentCatalog(dir, source)) {
    progress(`building the schema catalog of Kubernetes ${version} from ${source} (once per version)`);
    const moduleDir = await downloadGoModule(
      module,
      `v${version}`,
      {
        what: `the OpenAPI document of Kubernetes ${version}`,
        fix: `use an existing Kubernetes release as kubernetesVersion (list them with \`go list -m -versions ${module}\`) and check that the Go module proxy is reachable (GOPROXY)`,
      },
      readToolPins().go.toolchain,
    );
    const document = readJsonFile(join(moduleDir, 'api/openapi-spec/swagger.json'), source);
    writeCatalogDir(dir, [...convertOpenApi(document, { strict: true }), { path: SCOPES_FILE, schema: kindScopes(document) }], source);
  }
  return withPinnedCrds({ source, dir, scopes: readScopes(dir) }, join(cacheDir('catalog'), STANDALONE_TEMPLATE), progress);
}

async function withPinnedCrds(builtIn: Pick<Catalog, 'source' | 'dir' | 'scopes'>, location: string, progress: Progress): Promise<Catalog> {
  const crds = await ensureCrdSchemas(progress);
  const crdScopes = Object.assign({}, ...crds.map((c) => c.scopes)) as KindScopes;
  return { ...builtIn, crdScopes, schemaLocations: [location, ...crds.map((c) => crdSchemaLocation(c.dir))] };
}

const readScopes = (dir: string) => JSON.parse(readFileSync(join(dir, SCOPES_FILE), 'utf8')) as KindScopes;

/**
 * The schemas and scopes of every pinned CRD source (tools/pins.json: the Argo CD release, External
 * Secrets, Gateway API), each under `<cache>/catalog/crd-sources/<name>@<version>/`, built once per pin.
 */
export function ensureCrdSchemas(progress: Progress = () => {}): Promise<CrdCatalog[]> {
  pinnedCrds ??= Promise.all(crdSources().map((source) => ensureCrdSourceSchemas(source, progress))).catch((err: unknown) => {
    pinnedCrds = undefined;
    throw err;
  });
  return pinnedCrds;
}

async function ensureCrdSourceSchemas(source: CrdSource, progress: Progress): Promise<CrdCatalog> {
  const label = sourceLabel(source);
  // One folder per pin: worktrees or branches at other pins keep their own instead of rebuilding each other's.
  const dir = cacheDir('catalog', 'crd-sources', `${source.name}@${source.version}`);
  if (!isCurrentCatalog(dir, label)) {
    progress(`writing the CRD schemas of ${label} (${source.where}; once per pin)`);
    const crds = await readCrdSource(source);
    writeCatalogDir(dir, [...crds.flatMap((crd) => crdSchemas(crd, { strict: true })), { path: SCOPES_FILE, schema: crdScopes(crds) }], label);
  }
  return { source: label, dir, scopes: readScopes(dir) };
}

/**
 * Writes the schemas of `crds` (CustomResourceDefinitions found in rendered charts; anything else is
 * ignored) under `dir` (one folder per run); returns the absolute paths written. Pair with {@link crdSchemaLocation}.
 */
export async function writeCrdSchemas(crds: unknown[], dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const file of crds.flatMap((crd) => crdSchemas(crd, { strict: true }))) {
    const target = join(dir, ...file.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, `${JSON.stringify(file.schema)}\n`);
    written.push(target);
  }
  return written;
}

/**
 * A catalog from an OpenAPI v2 document obtained elsewhere (a cluster's `/openapi/v2`), written under
 * `<cache>/catalog/openapi/<name>/` and rewritten only when the document changes.
 */
export async function catalogFromOpenApi(document: unknown, name: string, progress: Progress = () => {}): Promise<Catalog> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`catalog name '${name}' must be a plain file name`);
  const source = `openapi:${name}@sha256:${createHash('sha256').update(JSON.stringify(document)).digest('hex').slice(0, 16)}`;
  const dir = cacheDir('catalog', 'openapi', name);
  if (!isCurrentCatalog(dir, source)) {
    progress(`building the schema catalog '${name}' from its OpenAPI document`);
    writeCatalogDir(dir, [...convertOrExplain(document, name), { path: SCOPES_FILE, schema: kindScopes(document) }], source);
  }
  return withPinnedCrds({ source, dir, scopes: readScopes(dir) }, join(dir, '{{.ResourceKind}}{{.KindSuffix}}.json'), progress);
}

function convertOrExplain(document: unknown, name: string) {
  try {
    return convertOpenApi(document, { strict: true });
  } catch (err) {
    throw new EnvironmentError(`the OpenAPI document '${name}' cannot be converted: ${(err as Error).message}`, { cause: err });
  }
}

function normalizeVersion(kubernetesVersion: string): string {
  const version = kubernetesVersion.trim().replace(/^v/, '');
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/.test(version)) {
    throw new EnvironmentError(`'${kubernetesVersion}' is not a Kubernetes version\nfix: use an exact server version such as 1.34.2`);
  }
  return version;
}

function readJsonFile(path: string, source: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new EnvironmentError(`${source} has no readable ${path}: ${(err as Error).message}`, { cause: err });
  }
}
