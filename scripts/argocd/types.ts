/** What drift reads of Argo CD's API (`GET /api/v1/applications`, Swagger in the pinned argo-cd module). */

/** One entry of `status.resources[]`. */
export interface ArgoResourceStatus {
  group?: string;
  version?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  status?: string;
  health?: { status?: string; message?: string };
}

/**
 * The spec fields the generator sets (Go's encoding/json of v1alpha1.ApplicationSpec: zero values are left out).
 * Other fields (helm, kustomize, sources, ignoreDifferences, …) pass through unread.
 */
export interface ArgoApplicationSpec {
  project?: string;
  source?: {
    repoURL?: string;
    path?: string;
    targetRevision?: string;
    directory?: { recurse?: boolean; include?: string; exclude?: string; jsonnet?: Record<string, unknown> };
    [field: string]: unknown;
  };
  destination?: { server?: string; name?: string; namespace?: string };
  syncPolicy?: {
    automated?: { prune?: boolean; selfHeal?: boolean; allowEmpty?: boolean; enabled?: boolean };
    syncOptions?: string[];
    retry?: { limit?: number; backoff?: { duration?: string; factor?: number; maxDuration?: string }; refresh?: boolean };
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** The part of an Argo CD Application (as `GET /api/v1/applications` answers it) drift reads; every field may be absent. */
export interface ArgoApplication {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: ArgoApplicationSpec;
  status?: {
    sync?: { status?: string; revision?: string; revisions?: string[] };
    health?: { status?: string; message?: string; lastTransitionTime?: string };
    operationState?: {
      operation?: { sync?: { revision?: string } };
      phase?: string;
      message?: string;
      startedAt?: string;
      finishedAt?: string;
      retryCount?: number;
      syncResult?: { revision?: string };
    };
    /** Successful syncs, oldest first (revisionHistoryLimit of them, default 10). */
    history?: { id?: number; revision?: string; deployedAt?: string; deployStartedAt?: string }[];
    reconciledAt?: string;
    resources?: ArgoResourceStatus[];
    conditions?: { type?: string; message?: string; lastTransitionTime?: string }[];
  };
}
