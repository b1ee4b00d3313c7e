import { isNotFound, KubeApiError, type KubeClient, type KubeObject } from '../../../scripts/cluster/client.ts';

/** An answer before it is written. */
export interface Reply {
  status: number;
  body?: unknown;
}

/** gRPC codes argocd-server's errors carry (grpc-gateway maps them to HTTP statuses). */
export const GRPC = { unknown: 2, invalidArgument: 3, notFound: 5, permissionDenied: 7, internal: 13, unavailable: 14, unauthenticated: 16 } as const;

/** An error as argocd-server writes it (grpc-gateway v1's errorBody). */
export function argoError(status: number, code: number, message: string): Reply {
  return { status, body: { error: message, code, message } };
}

const APPLICATION = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' } as const;

interface StoredApplication extends KubeObject {
  spec?: { project?: string; source?: { repoURL?: string }; sources?: { repoURL?: string }[] };
}

/**
 * `GET /api/v1/applications` as Argo CD's ApplicationService.List does it: the label selector (applied by
 * the real API server, which parses it with the same library Argo CD uses), then name, projects (or the
 * legacy `project`) and repo filters, sorted by name. `refresh` is accepted and ignored, as List does.
 */
export async function listApplications(client: KubeClient, namespace: string, query: URLSearchParams): Promise<Reply> {
  const appNamespace = query.get('appNamespace');
  if (appNamespace && appNamespace !== namespace) return { status: 200, body: { metadata: {}, items: [] } };
  const path = await client.pathOf({ ...APPLICATION, namespace });
  let list: { items: StoredApplication[]; metadata?: { resourceVersion?: string } };
  try {
    list = await client.request('GET', path, { query: { labelSelector: query.get('selector') || undefined } });
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 400) return argoError(500, GRPC.unknown, `error parsing the selector: ${err.apiMessage}`);
    throw err;
  }
  const projects = query.getAll('project').length ? query.getAll('project') : query.getAll('projects');
  const name = query.get('name');
  const repo = query.get('repo');
  const items = list.items
    .filter((a) => !name || a.metadata.name === name)
    .filter((a) => !projects.length || projects.includes(a.spec?.project ?? ''))
    .filter((a) => !repo || sourceOf(a)?.repoURL === repo)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map(toArgoJson);
  return { status: 200, body: { metadata: { resourceVersion: list.metadata?.resourceVersion }, items } };
}

/**
 * `GET /api/v1/applications/{name}` as ApplicationService.Get answers: a missing Application is 403
 * "permission denied" (Argo CD does not reveal what exists) unless a project was named, then 404.
 */
export async function getApplication(client: KubeClient, namespace: string, name: string, query: URLSearchParams): Promise<Reply> {
  const project = query.getAll('project')[0] ?? query.getAll('projects')[0];
  const notFound = project
    ? argoError(404, GRPC.notFound, `applications.argoproj.io "${name}" not found`)
    : argoError(403, GRPC.permissionDenied, 'permission denied');
  const appNamespace = query.get('appNamespace');
  if (appNamespace && appNamespace !== namespace) return notFound;
  try {
    const app = await client.get<StoredApplication>({ ...APPLICATION, namespace, name });
    if (project && (app.spec?.project || 'default') !== project) return notFound;
    return { status: 200, body: toArgoJson(app) };
  } catch (err) {
    if (isNotFound(err)) return notFound;
    throw err;
  }
}

function sourceOf(app: StoredApplication): { repoURL?: string } | undefined {
  return app.spec?.source ?? app.spec?.sources?.[0];
}

/** Objects from Argo CD's informer cache have no TypeMeta, so its JSON has no apiVersion and kind. */
function toArgoJson({ apiVersion: _apiVersion, kind: _kind, ...rest }: StoredApplication): unknown {
  return rest;
}
