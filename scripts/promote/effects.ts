import type { AppName } from '../inventory/apps.ts';
import type { Inventory } from '../inventory/types.ts';
import { planGenerate } from '../generate/plan.ts';
import { mergedValues } from '../generate/values.ts';
import { withoutNoise } from '../diff/engine.ts';
import { diffResources } from '../diff/resources.ts';
import { diffValues } from '../diff/values.ts';
import { leafSpecs } from '../render/leaves.ts';
import type { MirrorMap } from '../render/mirrors.ts';
import { renderLeaves, type RenderTools } from '../render/render.ts';
import type { ClusterEffect } from './body.ts';

/** Renders the target clusters before and after and diffs merged values and resources per cluster and app. */
export async function computeEffects(before: Inventory, after: Inventory, clusters: string[], apps: AppName[], tools: RenderTools, mirrors: MirrorMap): Promise<ClusterEffect[]> {
  const select = (inventory: Inventory) => leafSpecs(inventory, planGenerate(inventory)).filter((l) => clusters.includes(l.cluster.name) && apps.includes(l.app));
  const [old, now] = [await renderLeaves(select(before), mirrors, tools), await renderLeaves(select(after), mirrors, tools)];
  return now.map((r) => {
    const previous = old.find((o) => o.leaf.cluster.name === r.leaf.cluster.name && o.leaf.app === r.leaf.app);
    const envOf = (inventory: Inventory) => inventory.environments.find((e) => e.name === r.leaf.cluster.environment)!;
    return {
      cluster: r.leaf.cluster.name,
      app: r.leaf.app,
      values: diffValues(mergedValues(before, envOf(before), r.leaf.cluster, r.leaf.app), mergedValues(after, envOf(after), r.leaf.cluster, r.leaf.app)),
      resources: diffResources((previous?.objects ?? []).map(withoutNoise), r.objects.map(withoutNoise)),
    };
  });
}
