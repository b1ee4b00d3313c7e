import type { Finding } from '../../lib/findings.ts';
import { alertmanagerConfigs } from '../alertmanager-configs.ts';
import { describeAbsence, missingReferences } from '../mounted-config.ts';
import { groupInputs, runThenAttribute } from '../tool-files.ts';
import type { Check } from '../types.ts';
import { sandboxesToRun } from '../passed-before.ts';
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
    for (const { leaf, workload, configFile, mounted, path } of alertmanagerConfigs(ctx)) {
      const at = { check: 'amtool', cluster: leaf.cluster.name, app: leaf.app, resource: workload, file: `${leaf.dir}/values.yaml`, hint: HINT };
      if (!path) {
        findings.push({ ...at, message: `Alertmanager reads --config.file=${configFile}, but ${mounted.problem}` });
        continue;
      }
      for (const ref of missingReferences(mounted))
        findings.push({ ...at, message: `${configFile} names ${ref.field}: ${describeAbsence(ref.absolute, ref.lookup)}` });
      sandboxes.push({ path, owner: { leaf, workload, configFile } });
    }
    const { todo, remember } = sandboxesToRun(ctx, 'amtool check-config', groupInputs(sandboxes));
    const failures = await runThenAttribute(ctx.tools.amtool, ['check-config'], todo);
    remember(todo.filter((input) => !failures.some((f) => f.input === input)));
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
