import { parseCommandArgs } from '../../scripts/cli/args.ts';
import { UsageError } from '../../scripts/lib/errors.ts';
import { SCENARIOS, type ScenarioName } from './scenario-list.ts';

const NAMES: readonly string[] = SCENARIOS.map((s) => s.name);

export const E2E_HELP = `usage: npm run e2e -- [--only SCENARIO[,SCENARIO…]]

Builds what is missing (the first time: kube-controller-manager, kube-scheduler, kubectl, KWOK and Argo CD,
about 15 minutes on 2 cores), then starts on 127.0.0.1 a hub and the workload clusters dev-1 and prod-eu-1
(and staging-1 when promote runs), each its own etcd, kube-apiserver, controllers and KWOK; serves a generated
fleet from a local Git server; runs Argo CD on the hub, bootstraps it as the README says, waits for every
Application to be Synced and Healthy, then runs the scenarios. Every process stops at the end, on failure
and on Ctrl-C.

  --only SCENARIO  run only these scenarios, in the order given (comma-separate or repeat)

scenarios (all of them, in this order, without --only):
${SCENARIOS.map(({ name, summary }) => `  ${name.padEnd(10)}${summary}`).join('\n')}

exit codes: 0 every scenario passed, 1 the fleet did not start or converge, or a scenario failed (each says
            what it saw; Argo CD's logs are named), 2 usage error, 130 Ctrl-C`;

export type E2eArgs = { help: true } | { help: false; only: ScenarioName[] };

/** The e2e's command line; unknown flags, stray arguments and unknown scenarios are usage errors (exit 2). */
export function parseE2eArgs(argv: string[]): E2eArgs {
  const { values } = parseCommandArgs(argv, { only: { type: 'string', multiple: true } });
  if (values.help) return { help: true };
  if (!values.only) return { help: false, only: SCENARIOS.map((s) => s.name) };
  const only = values.only.flatMap((v) => v.split(',')).filter(Boolean);
  if (!only.length) throw new UsageError(`--only needs scenario names: ${NAMES.join(', ')}`);
  const unknown = only.filter((name) => !NAMES.includes(name));
  if (unknown.length) throw new UsageError(`--only: no scenario ${unknown.join(', ')}; the scenarios are ${NAMES.join(', ')}`);
  return { help: false, only: only as ScenarioName[] };
}
