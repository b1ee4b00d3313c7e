import { join } from 'node:path';
import { stringify } from 'yaml';
import type { LeafSpec } from '../render/leaves.ts';
import { ALERTMANAGER_KEYS } from './config-files.ts';
import { readMountedConfig, writeSandbox, type MountedConfig } from './mounted-config.ts';
import { configuredContainers, isAlertmanager } from './pod-files.ts';
import type { ValidateContext } from './types.ts';

/** One rendered Alertmanager container: its config as mounted and, when readable, the sandbox amtool reads it from. */
export interface AlertmanagerConfig {
  leaf: LeafSpec;
  workload: string;
  configFile: string;
  mounted: MountedConfig;
  /** The config rebased into a folder that mirrors the container's files; absent when the config could not be read. */
  path?: string;
}

/** Every rendered Alertmanager container, whichever leaf runs it; identical views share one sandbox under the work folder. */
export function alertmanagerConfigs(ctx: ValidateContext): AlertmanagerConfig[] {
  return ctx.rendered.flatMap((r) =>
    configuredContainers(r.objects)
      .filter(isAlertmanager)
      .map((container) => {
        const mounted = readMountedConfig(container, ALERTMANAGER_KEYS);
        const path = mounted.problem ? undefined : writeSandbox(join(ctx.workDir, 'alertmanager'), mounted, ALERTMANAGER_KEYS, (c) => stringify(c));
        return { leaf: r.leaf, workload: container.workload, configFile: container.configFile, mounted, path };
      }),
  );
}
