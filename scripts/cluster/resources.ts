/** What a Kubernetes object looks like to the client: enough to find its REST path. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** Names one object (or, without `name`, a collection). */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
}

/** One entry of a discovery document (`GET /apis/<group>/<version>`). */
interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

interface ResolvedResource {
  plural: string;
  namespaced: boolean;
  /** e.g. `status`, `scale` (a CRD without `subresources.status` keeps its status in the main resource). */
  subresources: string[];
}

type Fetch = (path: string) => Promise<{ resources?: ApiResource[] } | undefined>;

/**
 * kind → resource (plural, namespaced) from the API server's discovery documents, cached per group
 * version and fetched again on a miss (a CRD installed since).
 */
export class Discovery {
  private readonly cache = new Map<string, Promise<ApiResource[]>>();

  constructor(private readonly fetch: Fetch) {}

  async resolve(apiVersion: string, kind: string): Promise<ResolvedResource | undefined> {
    let list = await this.resources(apiVersion);
    let found = list.find((r) => r.kind === kind && !r.name.includes('/'));
    if (!found) {
      this.cache.delete(apiVersion);
      list = await this.resources(apiVersion);
      found = list.find((r) => r.kind === kind && !r.name.includes('/'));
    }
    if (!found) return undefined;
    const prefix = `${found.name}/`;
    const subresources = list.filter((r) => r.name.startsWith(prefix)).map((r) => r.name.slice(prefix.length));
    return { plural: found.name, namespaced: found.namespaced, subresources };
  }

  private resources(apiVersion: string): Promise<ApiResource[]> {
    let pending = this.cache.get(apiVersion);
    if (!pending) {
      pending = this.fetch(groupVersionPath(apiVersion)).then((doc) => doc?.resources ?? []);
      this.cache.set(apiVersion, pending);
      pending.catch(() => this.cache.delete(apiVersion));
    }
    return pending;
  }
}

/** `/api/v1` for the core group, `/apis/<group>/<version>` otherwise. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The REST path of an object or collection: `/apis/apps/v1/namespaces/web/deployments/web`. */
export function resourcePath(ref: ObjectRef, resource: ResolvedResource, subresource?: string): string {
  const parts = [groupVersionPath(ref.apiVersion)];
  // Like kubectl, a namespaced object without a namespace is in `default`; a collection without one spans all.
  if (resource.namespaced && (ref.namespace || ref.name)) parts.push('namespaces', encodeURIComponent(ref.namespace || 'default'));
  parts.push(resource.plural);
  if (ref.name) parts.push(encodeURIComponent(ref.name));
  if (subresource) parts.push(subresource);
  return parts.join('/');
}

/** The ref of an object (its namespace only when it has one). */
export function refOf(object: KubeObject): ObjectRef {
  const { apiVersion, kind, metadata } = object;
  return { apiVersion, kind, name: metadata.name, namespace: metadata.namespace };
}
