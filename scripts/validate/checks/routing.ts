import type { RoutingTest } from '../../inventory/types.ts';
import { mapLimit, TOOL_CONCURRENCY } from '../../lib/concurrency.ts';
import { sandboxesToRun } from '../passed-before.ts';
import { run, tail } from '../../lib/exec.ts';
import type { Finding } from '../../lib/findings.ts';
import { isMap } from '../../lib/values.ts';
import { alertmanagerConfigs, type AlertmanagerConfig } from '../alertmanager-configs.ts';
import { groupInputs, type ToolInput } from '../tool-files.ts';
import type { Check } from '../types.ts';

/** What amtool answered for one case on one config: the receivers it routes to, or why it could not tell. */
type Outcome = { receivers: string[] } | { error: string };

/** `amtool config routes test` for one alert; amtool prints the receivers on the first line, comma-separated. */
async function routeAlert(amtool: string, config: string, test: RoutingTest): Promise<Outcome> {
  const labels = Object.entries(test.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const result = await run(amtool, ['config', 'routes', 'test', `--config.file=${config}`, `--verify.receivers=${test.receivers.join(',')}`, ...labels]);
  const verified = result.exitCode === 0 || /^WARNING: Expected receivers did not match/m.test(result.stdout);
  if (!verified) return { error: tail(`${result.stderr}\n${result.stdout}`.trim(), 5) };
  return { receivers: result.stdout.split('\n')[0]!.split(',').filter(Boolean) };
}

const describeLabels = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');

/** Receiver names the config defines, to tell a mistyped expectation from a routing change. */
function definedReceivers(config: AlertmanagerConfig): string[] {
  const receivers = isMap(config.mounted.config) && Array.isArray(config.mounted.config.receivers) ? config.mounted.config.receivers : [];
  return receivers.flatMap((r) => (isMap(r) && typeof r.name === 'string' ? [r.name] : []));
}

function mismatch(test: RoutingTest, owner: AlertmanagerConfig, outcome: Outcome): Finding | undefined {
  if ('receivers' in outcome && outcome.receivers.join(',') === test.receivers.join(',')) return undefined;
  const at = {
    check: 'routing',
    cluster: owner.leaf.cluster.name,
    app: owner.leaf.app,
    resource: owner.workload,
    file: test.file,
    line: test.line,
    column: test.column,
  };
  const alert = `${test.name ? `'${test.name}': ` : ''}an alert with ${describeLabels(test.labels)}`;
  if ('error' in outcome)
    return {
      ...at,
      message: `${alert}: amtool could not route it with ${owner.configFile}:\n${outcome.error}`,
      hint: 'fix the Alertmanager config first (see the amtool finding)',
    };
  const unknown = test.receivers.filter((r) => !definedReceivers(owner).includes(r));
  return {
    ...at,
    message: `${alert} goes to ${outcome.receivers.join(', ')}; expected ${test.receivers.join(', ')} (amtool config routes test on ${owner.configFile})`,
    hint: unknown.length
      ? `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a receiver' : 'are not receivers'} of alertmanager.config.receivers (it has ${definedReceivers(owner).join(', ')}): fix the expectation here or add the receiver`
      : 'fix alertmanager.config.route in base/prometheus/values.yaml or the layer that overrides it: a child route that matches takes the alert from its parent (whose receiver then gets nothing), and continue: true lets the next sibling routes match as well; if the new routing is intended, change the receivers expected here',
  };
}

/**
 * Every case of base/prometheus/routing-tests.yaml against each rendered Alertmanager config, one amtool
 * process per case and distinct config (identical configs of several clusters are routed once).
 */
export const routingCheck: Check = {
  name: 'routing',
  title: 'Alert routing tests against each Alertmanager config (amtool config routes test)',
  scope: 'leaf',
  async run(ctx) {
    const tests = ctx.inventory.base.routingTests;
    const inputs: ToolInput<AlertmanagerConfig>[] = groupInputs(alertmanagerConfigs(ctx).flatMap((c) => (c.path ? [{ path: c.path, owner: c }] : [])));
    const { todo, remember } = sandboxesToRun(ctx, 'amtool config routes test', inputs, JSON.stringify(tests));
    const runs = todo.flatMap((input) => tests.map((test) => ({ input, test })));
    const outcomes = await mapLimit(runs, TOOL_CONCURRENCY, ({ input, test }) => routeAlert(ctx.tools.amtool, input.path, test));
    const findings = runs.map(({ input, test }, i) => input.owners.flatMap((owner) => mismatch(test, owner, outcomes[i]!) ?? []));
    remember(todo.filter((input) => runs.every((r, i) => r.input !== input || !findings[i]!.length)));
    return findings.flat();
  },
};
