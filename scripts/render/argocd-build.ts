import type { KindScopes } from '../catalog/scopes.ts';

/**
 * The `kustomize.buildOptions` this repository ships in bootstrap/argocd-cm.yaml: Argo CD's repo-server
 * passes them to every `kustomize build`, and so does validate (a unit test keeps the two equal).
 */
export const ARGOCD_BUILD_OPTIONS = '--enable-helm';

/**
 * The arguments Argo CD's repo-server gives `kustomize build` for a kustomize source with these build
 * options (util/kustomize in Argo CD 3.x): the destination's Kubernetes version and every API it serves,
 * as `group/version` and `group/version/Kind`, added for kustomize 5.3+ when helm is enabled. Pure.
 */
export function argoCdKustomizeArgs(path: string, kubeVersion: string, apiVersions: string[], buildOptions = ARGOCD_BUILD_OPTIONS): string[] {
  const args = ['build', path, ...buildOptions.split(/\s+/).filter(Boolean)];
  if (!args.includes('--enable-helm')) return args;
  return [...args, '--helm-kube-version', kubeVersion.replace(/^v/, ''), ...apiVersions.flatMap((v) => ['--helm-api-versions', v])];
}

/** What a cluster of this catalog serves, as Argo CD lists it for helm: `apps/v1` and `apps/v1/Deployment`, sorted. Pure. */
export function servedApiVersions(scopes: KindScopes): string[] {
  const versions = new Set<string>();
  for (const key of Object.keys(scopes)) {
    versions.add(key.slice(0, key.lastIndexOf('/')));
    versions.add(key);
  }
  return [...versions].sort();
}
