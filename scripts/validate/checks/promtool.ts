import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import type { Finding } from '../../lib/findings.ts';
import { leafLabel, type LeafSpec } from '../../render/leaves.ts';
import type { RenderedLeaf } from '../../render/render.ts';
import { baseLayout } from '../../inventory/app-catalog.ts';
import { PROMETHEUS_KEYS } from '../config-files.ts';
import { describeAbsence, missingReferences, readMountedConfig, writeSandbox, type MountedConfig } from '../mounted-config.ts';
import { configuredContainers, isPrometheus, lookupFile, type FileLookup } from '../pod-files.ts';
import { groupInputs, runThenAttribute, type ToolInput, writeDistinct } from '../tool-files.ts';
import type { Check, ValidateContext } from '../types.ts';
import { unlessPassedBefore } from '../passed-before.ts';

/** Who a rendered file concerns: the leaf, the workload and where the file sits in the container. */
type Owner = { leaf: LeafSpec; workload: string; path: string; source: string };

/** The Prometheus server containers of every leaf, with their config as mounted. */
function mountedConfigs(ctx: ValidateContext): { leaf: LeafSpec; mounted: MountedConfig }[] {
  return ctx.rendered.flatMap((r: RenderedLeaf) =>
    configuredContainers(r.objects)
      .filter(isPrometheus)
      .map((c) => ({ leaf: r.leaf, mounted: readMountedConfig(c, PROMETHEUS_KEYS) })),
  );
}

const sourceOf = (lookup: FileLookup) => ('mount' in lookup ? `${lookup.mount.source}${'key' in lookup ? ` key ${lookup.key}` : ''}` : 'no volume');

/** Exactly the rule files prometheus.yml lists (globs expanded over the mounted ConfigMaps), each with its owner. */
function listedRuleFiles(configs: { leaf: LeafSpec; mounted: MountedConfig }[]) {
  return configs.flatMap(({ leaf, mounted }) =>
    mounted.references
      .filter((r) => r.field.startsWith('rule_files['))
      .flatMap((r) => r.matches ?? [r.absolute])
      .flatMap((path) => {
        const found = lookupFile(mounted.container.mounts, path);
        return found.found === 'file' ? [{ text: found.text, owner: { leaf, workload: mounted.container.workload, path, source: sourceOf(found) } }] : [];
      }),
  );
}

/** A referenced file, or the config itself, that the server would not find. */
function absenceFindings(configs: { leaf: LeafSpec; mounted: MountedConfig }[]): Finding[] {
  return configs.flatMap(({ leaf, mounted }) => {
    const at = { check: 'promtool', cluster: leaf.cluster.name, app: leaf.app, resource: mounted.container.workload, file: `${leaf.dir}/values.yaml` };
    if (mounted.problem)
      return [
        {
          ...at,
          message: `the Prometheus server reads --config.file=${mounted.container.configFile}, but ${mounted.problem}`,
          hint: 'keep serverFiles."prometheus.yml" and server.configPath consistent (the chart writes serverFiles into the server ConfigMap mounted at /etc/config)',
        },
      ];
    return missingReferences(mounted).map((r) => ({
      ...at,
      message: `${mounted.container.configFile} (${sourceOf(mounted.lookup)}) names ${r.field}: ${describeAbsence(r.absolute, r.lookup)}; Prometheus would silently run without it`,
      hint: r.field.startsWith('rule_files')
        ? 'add that file under serverFiles (each serverFiles key becomes a file in /etc/config) or remove it from serverFiles."prometheus.yml".rule_files'
        : 'mount the file (server.extraSecretMounts, server.extraConfigmapMounts) or fix the path',
    }));
  });
}

function leafFindings(failures: { input: ToolInput<Owner>; output: string }[], what: string, hint: string, root?: RegExp): Finding[] {
  return failures.flatMap(({ input, output }) =>
    input.owners.map(({ leaf, workload, path, source }) => ({
      check: 'promtool',
      cluster: leaf.cluster.name,
      app: leaf.app,
      resource: workload,
      file: `${leaf.dir}/values.yaml`,
      message: `${what} ${path} (${source}, rendered from ${leafLabel(leaf)}):\n${(root ? output.replace(root, '') : output).replaceAll(input.path, path)}`,
      hint,
    })),
  );
}

/** The hand-written files these paths name, with their content. */
const contents = (ctx: ValidateContext, paths: string[]): [string, string][] => paths.map((p) => [p, ctx.sources.get(p)!]);

/** Every regular file under the rules folders (tests and the data they read included), as it is on disk. */
function rulesFolderFiles(root: string, folders: string[]): [string, string][] {
  return folders.flatMap((folder) => {
    // A fleet without the folder has no rules to test.
    const entries = existsSync(join(root, folder)) ? readdirSync(join(root, folder), { recursive: true, withFileTypes: true }) : [];
    return entries
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath, e.name)))
      .sort()
      .map((p): [string, string] => [p, readFileSync(join(root, p), 'utf8')]);
  });
}

/** promtool: base rules and rule tests, then what each rendered server loads: its prometheus.yml as mounted and exactly the rule files it lists. */
export const promtoolCheck: Check = {
  name: 'promtool',
  title: 'Prometheus rules, rule tests and config as the server loads them (promtool)',
  scope: 'leaf',
  async run(ctx) {
    const promtool = ctx.tools.promtool;
    const lint = ['check', 'rules', '--lint=all', '--lint-fatal'];
    // Each rules folder of the catalog (base/<app>/rules/): its rule files, and the promtool tests under tests/.
    const folders = baseLayout().rulesFolders.map((r) => `${r.folder}/`);
    const within = (re: RegExp) => [...ctx.sources.keys()].filter((p) => folders.some((f) => p.startsWith(f) && re.test(p.slice(f.length))));
    const baseRules = within(/^[^/]+\.ya?ml$/);
    const baseInputs = baseRules.map((p) => ({ path: join(ctx.root, p), owners: [p] }));
    const tests = within(/^tests\/.+\.ya?ml$/).map((p) => ({ path: join(ctx.root, p), owners: [p] }));
    const configs = mountedConfigs(ctx);
    const rules = writeDistinct(join(ctx.workDir, 'rules'), '.yml', listedRuleFiles(configs));
    const sandboxes = join(ctx.workDir, 'prometheus');
    const configInputs = groupInputs(
      configs
        .filter(({ mounted }) => !mounted.problem)
        .map(({ leaf, mounted }) => ({
          path: writeSandbox(sandboxes, mounted, PROMETHEUS_KEYS, (c) => stringify(c)),
          owner: { leaf, workload: mounted.container.workload, path: mounted.container.configFile, source: sourceOf(mounted.lookup) },
        })),
    );
    const repoFailures = (failures: { input: ToolInput<string>; output: string }[], what: string, hint: string): Finding[] =>
      failures.map(({ input, output }) => ({ check: 'promtool', file: input.owners[0]!, message: `${what}:\n${output.replaceAll(`${ctx.root}/`, '')}`, hint }));
    const sandboxRoot = new RegExp(`${sandboxes.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[0-9a-f]{16}`, 'g');
    return [
      // The same for every cluster and chunk: run again only when a rules folder or promtool changed.
      ...(await unlessPassedBefore(ctx, 'promtool check rules (base)', contents(ctx, baseRules), async () =>
        repoFailures(
          await runThenAttribute(promtool, lint, baseInputs),
          'rule file fails promtool check rules',
          'fix the rule (PromQL syntax, duplicate rules, label and annotation names) and run promtool check rules --lint=all --lint-fatal on it',
        ),
      )),
      // A test reads the rule files it names (relative to itself): every file of the rules folders is in the key.
      ...(await unlessPassedBefore(ctx, 'promtool test rules', rulesFolderFiles(ctx.root, folders), async () =>
        repoFailures(
          await runThenAttribute(promtool, ['test', 'rules'], tests, (r) => r.exitCode === 0),
          'rule unit test fails',
          'fix the rule or the expectation; run promtool test rules on the file to see the difference',
        ),
      )),
      ...absenceFindings(configs),
      ...leafFindings(
        await runThenAttribute(promtool, lint, rules),
        'promtool check rules fails on',
        'rules reach the chart through serverFiles (alerting_rules.yml from base/prometheus/rules/); fix them there or in the values that override them',
      ),
      ...leafFindings(
        await runThenAttribute(promtool, ['check', 'config', '--lint=none'], configInputs),
        'promtool check config fails on',
        'fix server.global, the scrape settings or the files prometheus.yml names, in the values layers',
        sandboxRoot,
      ),
    ];
  },
};
