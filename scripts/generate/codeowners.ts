import type { Fleet } from '../inventory/types.ts';
import { withHeader } from './header.ts';
import type { FileWrite } from './plan-types.ts';

export const CODEOWNERS_PATH = '.github/CODEOWNERS';

/**
 * .github/CODEOWNERS from fleet.yaml's codeOwners: the app-of-apps (applied with admin rights on the hub) and
 * everything that decides it need an admin's review; an environment's pins also its own owners'. GitHub
 * takes the last matching line, so each line names every owner of its paths.
 */
export function planCodeOwners(fleet: Fleet): FileWrite[] {
  if (!fleet.codeOwners) return [];
  const admins = fleet.codeOwners.admins.join(' ');
  const lines = ['/apps/', '/clusters/', '/fleet.yaml', '/bootstrap/', `/${CODEOWNERS_PATH}`].map((path) => `${path} ${admins}`);
  for (const env of fleet.environments) {
    const extra = fleet.codeOwners.environments?.[env] ?? [];
    lines.push(`/overlays/${env}/pins.yaml ${[admins, ...extra].join(' ')}`);
  }
  return [{ path: CODEOWNERS_PATH, content: withHeader(`${lines.join('\n')}\n`, ['fleet.yaml']) }];
}
