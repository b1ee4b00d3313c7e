import type { AppName } from '../inventory/app-catalog.ts';
import type { Inventory } from '../inventory/types.ts';
import { diffFleet } from '../diff/engine.ts';
import { renderFleetState } from '../render/fleet-state.ts';
import type { MirrorMap } from '../inventory/mirrors.ts';
import type { RenderTools } from '../render/render.ts';
import type { ClusterEffect } from './body.ts';

/** The promotion's effect per target cluster and moved app, from the same render/diff engine as `npm run diff`. */
export async function computeEffects(
  before: Inventory,
  after: Inventory,
  clusters: string[],
  apps: AppName[],
  tools: RenderTools,
  mirrors: MirrorMap,
): Promise<ClusterEffect[]> {
  const selected = new Set(clusters);
  const diff = diffFleet(await renderFleetState(before, selected, tools, mirrors), await renderFleetState(after, selected, tools, mirrors));
  return clusters.flatMap((cluster) =>
    apps.map((app) => {
      const changed = diff.changed.find((d) => d.cluster === cluster)?.apps.find((a) => a.app === app);
      return { cluster, app, values: changed?.values ?? [], resources: changed?.resources ?? { added: [], removed: [], changed: [], labelOnly: [] } };
    }),
  );
}
