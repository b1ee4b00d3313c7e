import { Agent, request as httpsRequest } from 'node:https';
import { EnvironmentError } from '../lib/errors.ts';
import { apiErrorFrom, isNotFound, KubeApiError } from './api-error.ts';
import { readKubeconfig, type KubeConnection } from './kubeconfig.ts';
import { Discovery, groupVersionPath, refOf, resourcePath, type KubeObject, type ObjectRef } from './resources.ts';

export { KubeApiError, isNotFound } from './api-error.ts';
export type { KubeObject, ObjectRef } from './resources.ts';

/** The field manager of everything the toolkit applies (server-side apply tracks field ownership by it). */
const FIELD_MANAGER = 'monitoring-gitops';

interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
}

interface WriteOptions {
  /** Validate and run admission, persist nothing (`dryRun=All`). */
  dryRun?: boolean;
  /** Unknown or duplicate fields: `Strict` (default) rejects them, `Warn` and `Ignore` let them through. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

interface ApplyOptions extends WriteOptions {
  /** Apply as another field manager than the toolkit's (what a different tool would own). */
  fieldManager?: string;
  /** Take over fields another manager owns instead of failing with a conflict. */
  force?: boolean;
  /** Apply to a subresource, e.g. `status`. */
  subresource?: string;
}

/** One HTTP answer, read whole. */
interface RawResponse {
  status: number;
  statusText: string;
  body: string;
}

/**
 * A small client of the Kubernetes REST API (no kubectl): bearer token and CA from a kubeconfig, paths
 * from discovery. Failed requests throw {@link KubeApiError}; an unreachable server is an EnvironmentError.
 */
export class KubeClient {
  private readonly agent: Agent;
  // A group version the server does not serve (yet) is a 404: no resources, not an error.
  private readonly discovery = new Discovery((path) =>
    this.request<{ resources?: [] }>('GET', path).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    }),
  );

  constructor(readonly connection: KubeConnection) {
    this.agent = new Agent({ ca: connection.ca, keepAlive: true });
  }

  static async fromKubeconfig(path: string, context?: string): Promise<KubeClient> {
    return new KubeClient(await readKubeconfig(path, context));
  }

  /** Closes idle connections (they never keep the process alive anyway). */
  close(): void {
    this.agent.destroy();
  }

  /** Sends one request and returns the answer whatever its status. */
  raw(method: string, path: string, options: RequestOptions = {}): Promise<RawResponse> {
    const url = new URL(path, this.connection.server);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const headers: Record<string, string> = { Authorization: `Bearer ${this.connection.token}`, Accept: options.accept ?? 'application/json' };
    if (body !== undefined)
      Object.assign(headers, { 'Content-Type': options.contentType ?? 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', (err) =>
        reject(new EnvironmentError(`cannot reach the Kubernetes API server at ${this.connection.server}: ${err.message}`, { cause: err })),
      );
      req.end(body);
    });
  }

  /** Sends one request and parses the JSON answer; a non-2xx answer throws {@link KubeApiError}. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.raw(method, path, options);
    if (res.status < 200 || res.status > 299) throw apiErrorFrom({ method, path }, res.status, res.statusText, res.body);
    return (res.body ? JSON.parse(res.body) : undefined) as T;
  }

  /** `GET /version`: `{ gitVersion: 'v1.34.2', major: '1', minor: '34', … }`. */
  version(): Promise<{ gitVersion: string; major: string; minor: string; [key: string]: string }> {
    return this.request('GET', '/version');
  }

  /** The OpenAPI v2 document of every kind the server serves, CRDs included. */
  openApiV2(): Promise<{ swagger: string; definitions: Record<string, unknown>; [key: string]: unknown }> {
    return this.request('GET', '/openapi/v2');
  }

  /** The REST path of `ref` (discovery tells plural and scope); an unknown kind or subresource is a 404 KubeApiError. */
  async pathOf(ref: ObjectRef, subresource?: string): Promise<string> {
    const resource = await this.discovery.resolve(ref.apiVersion, ref.kind);
    if (!resource || (subresource && !resource.subresources.includes(subresource))) {
      const what = `${subresource ? `subresource ${subresource} of ` : ''}kind ${ref.kind} in ${ref.apiVersion}`;
      throw new KubeApiError(
        { method: 'GET', path: groupVersionPath(ref.apiVersion) },
        { code: 404, reason: 'NotFound', message: `the server does not serve ${what}` },
      );
    }
    return resourcePath(ref, resource, subresource);
  }

  /** Whether the server serves `kind` in `apiVersion` now. */
  async serves(apiVersion: string, kind: string): Promise<boolean> {
    return (await this.discovery.resolve(apiVersion, kind)) !== undefined;
  }

  /** Server-side apply (creates or updates) as {@link FIELD_MANAGER} unless told; returns the object the server has (or would have). */
  async apply<T extends KubeObject>(object: T, options: ApplyOptions = {}): Promise<T> {
    return this.request<T>('PATCH', await this.pathOf(refOf(object), options.subresource), {
      query: { ...writeQuery(options), fieldManager: options.fieldManager ?? FIELD_MANAGER, force: options.force ? 'true' : undefined },
      body: object,
      contentType: 'application/apply-patch+yaml',
    });
  }

  async create<T extends KubeObject>(object: T, options: WriteOptions = {}): Promise<T> {
    const path = await this.pathOf({ ...refOf(object), name: undefined, namespace: object.metadata.namespace ?? 'default' });
    return this.request<T>('POST', path, { query: { ...writeQuery(options), fieldManager: FIELD_MANAGER }, body: object });
  }

  async get<T extends KubeObject = KubeObject>(ref: ObjectRef & { name: string }): Promise<T> {
    return this.request<T>('GET', await this.pathOf(ref));
  }

  /** Every object of a kind (in `namespace`, or in all namespaces), following `continue` tokens. */
  async list<T extends KubeObject = KubeObject>(ref: Omit<ObjectRef, 'name'>, options: { labelSelector?: string } = {}): Promise<T[]> {
    const path = await this.pathOf({ ...ref, name: undefined });
    const items: T[] = [];
    let token: string | undefined;
    do {
      const page = await this.request<{ items: T[]; metadata?: { continue?: string } }>('GET', path, {
        query: { labelSelector: options.labelSelector, limit: '500', continue: token },
      });
      items.push(...page.items);
      token = page.metadata?.continue || undefined;
    } while (token);
    return items;
  }

  async delete(ref: ObjectRef & { name: string }, options: { dryRun?: boolean } = {}): Promise<unknown> {
    return this.request('DELETE', await this.pathOf(ref), { query: { dryRun: options.dryRun ? 'All' : undefined }, body: { propagationPolicy: 'Background' } });
  }

  /**
   * Replaces the status of `object`, which must carry the resourceVersion it was read at: `PUT …/status`
   * when the kind has a status subresource, else (CRDs without one, such as Argo CD's Application, whose
   * controller writes status like any field) `PUT` of the whole object.
   */
  async updateStatus<T extends KubeObject>(object: T, options: WriteOptions = {}): Promise<T> {
    const resource = await this.discovery.resolve(object.apiVersion, object.kind);
    const subresource = resource?.subresources.includes('status') ? 'status' : undefined;
    return this.request<T>('PUT', await this.pathOf(refOf(object), subresource), {
      query: { ...writeQuery(options), fieldManager: FIELD_MANAGER },
      body: object,
    });
  }

  /** Replaces `object` (`PUT`); it must carry the resourceVersion it was read at. */
  async update<T extends KubeObject>(object: T, options: WriteOptions = {}): Promise<T> {
    return this.request<T>('PUT', await this.pathOf(refOf(object)), { query: { ...writeQuery(options), fieldManager: FIELD_MANAGER }, body: object });
  }

  /** Creates namespace `name` unless it exists (server-side apply, so it is idempotent). */
  async ensureNamespace(name: string): Promise<KubeObject> {
    return this.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}

function writeQuery(options: WriteOptions): Record<string, string | undefined> {
  return { dryRun: options.dryRun ? 'All' : undefined, fieldValidation: options.fieldValidation ?? 'Strict' };
}
