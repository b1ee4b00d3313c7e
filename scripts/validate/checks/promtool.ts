import { join } from 'node:path';
import type { Finding } from '../../lib/findings.ts';
import { leafLabel, type LeafSpec } from '../../render/leaves.ts';
import { configMapEntry } from '../extract.ts';
import { runThenAttribute, writeDistinct, type ToolInput } from '../tool-files.ts';
import type { Check, ValidateContext } from '../types.ts';

const RULES_KEY = 'alerting_rules.yml';
const CONFIG_KEY = 'prometheus.yml';

/** Leaves that rendered a Prometheus server ConfigMap holding `key`. */
function renderedFiles(ctx: ValidateContext, key: string) {
  return ctx.rendered.flatMap((r) => {
    const entry = r.leaf.app === 'prometheus' ? configMapEntry(r.objects, key) : undefined;
    return entry ? [{ text: entry.text, owner: { leaf: r.leaf, configMap: entry.name } }] : [];
  });
}

type Owner = { leaf: LeafSpec; configMap: string };

function leafFindings(failures: { input: ToolInput<Owner>; output: string }[], what: string, hint: string): Finding[] {
  return failures.flatMap(({ input, output }) =>
    input.owners.map(({ leaf, configMap }) => ({
      check: 'promtool', cluster: leaf.cluster.name, app: leaf.app, resource: `ConfigMap/${configMap}`,
      file: `${leaf.dir}/values.yaml`,
      message: `${what} (rendered from ${leafLabel(leaf)}):\n${output.replaceAll(input.path, `${configMap}:${what.includes('config') ? CONFIG_KEY : RULES_KEY}`)}`,
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
    const rendered = writeDistinct(join(ctx.workDir, 'rules'), '.yml', renderedFiles(ctx, RULES_KEY));
    const configs = writeDistinct(join(ctx.workDir, 'prometheus'), '.yml', renderedFiles(ctx, CONFIG_KEY));
    const repoFailures = (failures: { input: ToolInput<string>; output: string }[], what: string, hint: string): Finding[] =>
      failures.map(({ input, output }) => ({ check: 'promtool', file: input.owners[0]!, message: `${what}:\n${output.replaceAll(`${ctx.root}/`, '')}`, hint }));
    return [
      ...repoFailures(await runThenAttribute(promtool, lint, baseInputs), 'rule file fails promtool check rules', 'fix the rule (PromQL syntax, duplicate rules, label and annotation names) and run promtool check rules --lint=all --lint-fatal on it'),
      ...repoFailures(await runThenAttribute(promtool, ['test', 'rules'], tests, (r) => r.exitCode === 0), 'rule unit test fails', 'fix the rule or the expectation; run promtool test rules on the file to see the difference'),
      ...leafFindings(await runThenAttribute(promtool, lint, rendered), 'rendered alerting rules fail promtool check rules', 'the rules reach the chart through serverFiles."alerting_rules.yml"; fix them in base/prometheus/rules/ or the values that override them'),
      ...leafFindings(await runThenAttribute(promtool, ['check', 'config', '--syntax-only'], configs), 'rendered prometheus config fails promtool check config', 'fix server.global or the scrape settings in the values layers'),
    ];
  },
};
