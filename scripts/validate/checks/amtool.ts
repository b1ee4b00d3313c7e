import { join } from 'node:path';
import { configMapEntry } from '../extract.ts';
import { runThenAttribute, writeDistinct } from '../tool-files.ts';
import type { Check } from '../types.ts';

/** amtool check-config on every rendered alertmanager.yml (each distinct one checked once). */
export const amtoolCheck: Check = {
  name: 'amtool',
  title: 'Alertmanager configuration (amtool check-config)',
  scope: 'leaf',
  async run(ctx) {
    const items = ctx.rendered.flatMap((r) => {
      const entry = r.leaf.app === 'prometheus' ? configMapEntry(r.objects, 'alertmanager.yml') : undefined;
      return entry ? [{ text: entry.text, owner: { leaf: r.leaf, configMap: entry.name } }] : [];
    });
    const inputs = writeDistinct(join(ctx.workDir, 'alertmanager'), '.yml', items);
    const failures = await runThenAttribute(ctx.tools.amtool, ['check-config'], inputs);
    return failures.flatMap(({ input, output }) =>
      input.owners.map(({ leaf, configMap }) => ({
        check: 'amtool', cluster: leaf.cluster.name, app: leaf.app, resource: `ConfigMap/${configMap}`,
        file: `${leaf.dir}/values.yaml`,
        message: `rendered Alertmanager config is invalid: ${failureReason(output, input.path)}`,
        hint: 'fix alertmanager.config (route, receivers, inhibit rules) in base/prometheus/values.yaml or the layer that overrides it',
      })),
    );
  },
};

/** amtool prints "Checking '<file>'  FAILED: <reason>"; keep the reason. */
function failureReason(output: string, path: string): string {
  return /FAILED: (.+)/.exec(output)?.[1] ?? output.replaceAll(path, 'alertmanager.yml');
}
