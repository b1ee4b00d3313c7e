import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Finding } from '../../lib/findings.ts';
import { ALERTMANAGER_KEYS } from '../config-files.ts';
import { describeAbsence, missingReferences, readMountedConfig, writeSandbox } from '../mounted-config.ts';
import { configuredContainers, isAlertmanager } from '../pod-files.ts';
import { groupInputs, runThenAttribute } from '../tool-files.ts';
import type { Check } from '../types.ts';
import type { LeafSpec } from '../../render/leaves.ts';

type Owner = { leaf: LeafSpec; workload: string; configFile: string };

const HINT =
  'fix alertmanager.config (route, receivers, templates, inhibit rules) in base/prometheus/values.yaml or the layer that overrides it; templates come from alertmanager.templates';

/** amtool check-config on the config each rendered Alertmanager reads, as mounted: its templates and files resolvable. */
export const amtoolCheck: Check = {
  name: 'amtool',
  title: 'Alertmanager configuration as mounted (amtool check-config)',
  scope: 'leaf',
  async run(ctx) {
    const findings: Finding[] = [];
    const sandboxes: { path: string; owner: Owner }[] = [];
    for (const r of ctx.rendered.filter((x) => x.leaf.app === 'prometheus')) {
      for (const container of configuredContainers(r.objects).filter(isAlertmanager)) {
        const mounted = readMountedConfig(container, ALERTMANAGER_KEYS);
        const at = {
          check: 'amtool',
          cluster: r.leaf.cluster.name,
          app: r.leaf.app,
          resource: container.workload,
          file: `${r.leaf.dir}/values.yaml`,
          hint: HINT,
        };
        if (mounted.problem) {
          findings.push({ ...at, message: `Alertmanager reads --config.file=${container.configFile}, but ${mounted.problem}` });
          continue;
        }
        for (const ref of missingReferences(mounted))
          findings.push({ ...at, message: `${container.configFile} names ${ref.field}: ${describeAbsence(ref.absolute, ref.lookup)}` });
        const path = writeSandbox(join(ctx.workDir, 'alertmanager'), mounted, ALERTMANAGER_KEYS, (c) => stringify(c));
        sandboxes.push({ path, owner: { leaf: r.leaf, workload: container.workload, configFile: container.configFile } });
      }
    }
    const failures = await runThenAttribute(ctx.tools.amtool, ['check-config'], groupInputs(sandboxes));
    for (const { input, output } of failures) {
      for (const { leaf, workload, configFile } of input.owners) {
        findings.push({
          check: 'amtool',
          cluster: leaf.cluster.name,
          app: leaf.app,
          resource: workload,
          file: `${leaf.dir}/values.yaml`,
          message: `rendered Alertmanager config ${configFile} is invalid: ${failureReason(output, input.path, configFile)}`,
          hint: HINT,
        });
      }
    }
    return findings;
  },
};

/** amtool prints "Checking '<file>'  FAILED: <reason>"; keep the reason, with paths as the container sees them. */
function failureReason(output: string, path: string, configFile: string): string {
  const sandbox = path.slice(0, path.length - configFile.length);
  const reason = /FAILED: (.+)/.exec(output)?.[1] ?? output;
  return reason.replaceAll(path, configFile).replaceAll(sandbox, '');
}
