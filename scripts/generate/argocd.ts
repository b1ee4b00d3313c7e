/** Typed constructors of the Argo CD objects the generator writes (argoproj.io/v1alpha1). */

const ARGOCD_API_VERSION = 'argoproj.io/v1alpha1';
export const IN_CLUSTER = 'https://kubernetes.default.svc';
/**
 * The hub's own cluster by name, as the roots address it: Argo CD v3.6.1's consistent-hashing sharding weighs a cluster by
 * its Applications addressed by server, counted per replica, so server-addressed roots made replicas disagree (docs/hub-sizing.md).
 */
export const IN_CLUSTER_NAME = 'in-cluster';
const FINALIZER = 'resources-finalizer.argocd.argoproj.io';

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

interface ApplicationDestination {
  name?: string;
  server?: string;
  namespace: string;
}

/** A directory source's file filter (Argo CD matches include and exclude against paths relative to `path`). */
interface DirectorySource {
  recurse: boolean;
  include: string;
  exclude?: string;
}

interface ApplicationInput {
  meta: ObjectMeta;
  project: string;
  repoURL: string;
  targetRevision: string;
  path: string;
  directory?: DirectorySource;
  destination: ApplicationDestination;
  /** Labels Argo CD puts on the destination namespace it creates (CreateNamespace=true). */
  namespaceLabels?: Record<string, string>;
  /** Whether automated sync deletes what left Git; false for the fleet root, which must never remove a cluster's root. */
  prune?: boolean;
  /** Sync wave, written as a quoted string as Argo CD reads annotations. */
  syncWave: number;
  /** Delete the app's resources with the Application (resources finalizer). */
  cascadeDelete: boolean;
}

/** Per Application, so that no Argo CD setting outside this repository is needed for them. */
const APPLICATION_ANNOTATIONS = {
  // Diff as the API server would apply (defaults, SSA field ownership): no OutOfSync noise from server-side apply.
  'argocd.argoproj.io/compare-options': 'ServerSideDiff=true',
  // A commit that touches no file of the source path keeps the cached manifests (and skips a refresh).
  'argocd.argoproj.io/manifest-generate-paths': '.',
};

/** Argo CD keeps an annotated object when it would prune it, and when its Application is deleted. */
export const KEEP_ON_PRUNE = { 'argocd.argoproj.io/sync-options': 'Delete=false,Prune=false' };

/**
 * A failed auto-sync is tried again 10 s, 20 s, … apart, at most 5 times; `refresh`: each retry takes the newest
 * commit, so a fix pushed meanwhile lands at the next retry instead of after the last retry of the broken one.
 */
const RETRY = { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' }, refresh: true };

export function application(input: ApplicationInput) {
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: 'Application',
    metadata: {
      ...input.meta,
      annotations: { ...input.meta.annotations, ...APPLICATION_ANNOTATIONS, 'argocd.argoproj.io/sync-wave': String(input.syncWave) },
      ...(input.cascadeDelete ? { finalizers: [FINALIZER] } : {}),
    },
    spec: {
      project: input.project,
      source: {
        repoURL: input.repoURL,
        targetRevision: input.targetRevision,
        path: input.path,
        ...(input.directory ? { directory: input.directory } : {}),
      },
      destination: input.destination,
      syncPolicy: {
        automated: { prune: input.prune ?? true, selfHeal: true },
        ...(input.namespaceLabels ? { managedNamespaceMetadata: { labels: input.namespaceLabels } } : {}),
        // ServerSideApply: dashboard ConfigMaps can outgrow the client-side last-applied annotation.
        syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
        retry: RETRY,
      },
    },
  };
}

export interface GroupKind {
  group: string;
  kind: string;
}

/** A cluster-scoped kind, narrowed to names matching a glob (Go's filepath.Match, as Argo CD matches them). */
export interface NamedGroupKind extends GroupKind {
  name?: string;
}

interface AppProjectInput {
  meta: ObjectMeta;
  description: string;
  sourceRepos: string[];
  destinations: ApplicationDestination[];
  clusterResourceWhitelist: NamedGroupKind[];
  /** Omitted means every namespaced kind is allowed. */
  namespaceResourceWhitelist?: GroupKind[];
  syncWave?: number;
}

export function appProject(input: AppProjectInput) {
  const annotations =
    input.syncWave === undefined ? input.meta.annotations : { ...input.meta.annotations, 'argocd.argoproj.io/sync-wave': String(input.syncWave) };
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: 'AppProject',
    metadata: { ...input.meta, ...(annotations ? { annotations } : {}) },
    spec: {
      description: input.description,
      sourceRepos: [...new Set(input.sourceRepos)].sort(),
      destinations: input.destinations,
      clusterResourceWhitelist: input.clusterResourceWhitelist,
      ...(input.namespaceResourceWhitelist ? { namespaceResourceWhitelist: input.namespaceResourceWhitelist } : {}),
    },
  };
}
