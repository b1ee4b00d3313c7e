import type { Cluster, Fleet } from '../inventory/types.ts';
import { withHeader } from './header.ts';
import type { FileWrite } from './plan-types.ts';

export const CODEOWNERS_PATH = '.github/CODEOWNERS';

/** What only admins review: the toolkit and its dependencies, the workflows that run it with tokens, Renovate. */
const ADMIN_PATHS = ['/.github/workflows/', '/renovate.json', '/scripts/', '/tools/', '/package.json', '/package-lock.json', '/.ci/'];

/**
 * .github/CODEOWNERS from fleet.yaml's codeOwners. Every path that changes what a cluster runs needs an admin and
 * the owners of each environment it reaches: base/ reaches all of them; overlays/<env>/ (values, pins and generated
 * leaves), a cluster file and its apps/<cluster>/ reach one. GitHub takes the last matching line, so the general
 * lines come first and each line names every owner of its paths.
 */
export function planCodeOwners(fleet: Fleet, clusters: Cluster[]): FileWrite[] {
  if (!fleet.codeOwners) return [];
  const { admins, environments = {} } = fleet.codeOwners;
  const owners = (...groups: string[][]) => [...new Set(groups.flat())].join(' ');
  const envOwners = (env: string) => owners(admins, environments[env] ?? []);
  const lines = [
    ...['/apps/', '/clusters/', '/fleet.yaml', '/bootstrap/'].map((path) => `${path} ${owners(admins)}`),
    // Like base/, the app catalog decides what every environment runs.
    ...['/base/', '/app-catalog.yaml'].map((path) => `${path} ${owners(admins, ...fleet.environments.map((env) => environments[env] ?? []))}`),
    ...fleet.environments.map((env) => `/overlays/${env}/ ${envOwners(env)}`),
    ...clusters.flatMap((c) => [`/${c.file} ${envOwners(c.environment)}`, `/apps/${c.name}/ ${envOwners(c.environment)}`]),
    ...[...ADMIN_PATHS, `/${CODEOWNERS_PATH}`].map((path) => `${path} ${owners(admins)}`),
  ];
  return [{ path: CODEOWNERS_PATH, content: withHeader(`${lines.join('\n')}\n`, ['fleet.yaml', 'clusters/']) }];
}
