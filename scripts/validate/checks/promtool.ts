import { join } from 'node:path';
import type { Finding } from '../../lib/findings.ts';
import { leafLabel, type LeafSpec } from '../../render/leaves.ts';
import { configMapEntry } from '../extract.ts';
import { runThenAttribute, writeDistinct, type ToolInput } from '../tool-files.ts';
import type { Check, ValidateContext } from '../types.ts';

const CONFIG_KEY = 'prometheus.yml';

type Owner = { leaf: LeafSpec; configMap: string; key: string };

/** prometheus.yml of each Prometheus leaf, from the server ConfigMap. */
function renderedConfigs(ctx: ValidateContext) {
  return ctx.rendered.flatMap((r) => {
    const entry = r.leaf.app === 'prometheus' ? configMapEntry(r.objects, CONFIG_KEY) : undefined;
    return entry ? [{ text: entry.text, owner: { leaf: r.leaf, configMap: entry.name, key: CONFIG_KEY } }] : [];
  });
}

/** Every rule file of the server ConfigMap (serverFiles: alerting_rules.yml, recording_rules.yml, rules, alerts). */
function renderedRuleFiles(ctx: ValidateContext) {
  return ctx.rendered.flatMap((r) => {
    if (r.leaf.app !== 'prometheus') return [];
    const server = r.objects.find((o) => o.kind === 'ConfigMap' && typeof (o as { data?: Record<string, string> }).data?.[CONFIG_KEY] === 'string') as { metadata?: { name?: string }; data: Record<string, string> } | undefined;
    return Object.entries(server?.data ?? {})
      .filter(([key]) => key !== CONFIG_KEY)
      .map(([key, text]) => ({ text, owner: { leaf: r.leaf, configMap: server!.metadata?.name ?? '?', key } }));
  });
}

function leafFindings(failures: { input: ToolInput<Owner>; output: string }[], what: string, hint: string): Finding[] {
  return failures.flatMap(({ input, output }) =>
    input.owners.map(({ leaf, configMap, key }) => ({
      check: 'promtool', cluster: leaf.cluster.name, app: leaf.app, resource: `ConfigMap/${configMap}`,
      file: `${leaf.dir}/values.yaml`,
      message: `${what} (rendered from ${leafLabel(leaf)}):\n${output.replaceAll(input.path, `${configMap}:${key}`)}`,
      hint,
    })),
  );
}

/** promtool: rule files checked with every lint fatal, rule unit tests run, rendered prometheus.yml checked. */
export const promtoolCheck: Check = {
  name: 'promtool',
  title: 'Prometheus rules, rule tests and config (promtool)',
  scope: 'leaf',
  async run(ctx) {
    const promtool = ctx.tools.promtool;
    const lint = ['check', 'rules', '--lint=all', '--lint-fatal'];
    const baseRules = [...ctx.sources.keys()].filter((p) => /^base\/prometheus\/rules\/[^/]+\.ya?ml$/.test(p));
    const baseInputs = baseRules.map((p) => ({ path: join(ctx.root, p), owners: [p] }));
    const tests = [...ctx.sources.keys()].filter((p) => /^base\/prometheus\/rules\/tests\/.+\.ya?ml$/.test(p)).map((p) => ({ path: join(ctx.root, p), owners: [p] }));
    const rendered = writeDistinct(join(ctx.workDir, 'rules'), '.yml', renderedRuleFiles(ctx));
    const configs = writeDistinct(join(ctx.workDir, 'prometheus'), '.yml', renderedConfigs(ctx));
    const repoFailures = (failures: { input: ToolInput<string>; output: string }[], what: string, hint: string): Finding[] =>
      failures.map(({ input, output }) => ({ check: 'promtool', file: input.owners[0]!, message: `${what}:\n${output.replaceAll(`${ctx.root}/`, '')}`, hint }));
    return [
      ...repoFailures(await runThenAttribute(promtool, lint, baseInputs), 'rule file fails promtool check rules', 'fix the rule (PromQL syntax, duplicate rules, label and annotation names) and run promtool check rules --lint=all --lint-fatal on it'),
      ...repoFailures(await runThenAttribute(promtool, ['test', 'rules'], tests, (r) => r.exitCode === 0), 'rule unit test fails', 'fix the rule or the expectation; run promtool test rules on the file to see the difference'),
      ...leafFindings(await runThenAttribute(promtool, lint, rendered), 'rendered rule file fails promtool check rules', 'rules reach the chart through serverFiles (alerting_rules.yml from base/prometheus/rules/); fix them there or in the values that override them'),
      ...leafFindings(await runThenAttribute(promtool, ['check', 'config', '--syntax-only'], configs), 'rendered prometheus config fails promtool check config', 'fix server.global or the scrape settings in the values layers'),
    ];
  },
};
