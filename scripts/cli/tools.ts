import { runCommand, UsageError } from '../lib/errors.ts';
import { ALL_TOOLS, ensureTools, resolveToolPins, toolPath } from '../tools/install.ts';
import { readToolPins, resolveRuntimePin, type RuntimeName, type ToolName } from '../tools/pins.ts';
import { ensureRuntimeBinaries, RUNTIME_NAMES, runtimePath } from '../tools/runtime.ts';
import { parseCommandArgs } from './args.ts';

const HELP = `usage: npm run tools -- [--runtime] [--only NAME[,NAME…]] [--print]

Builds the pinned external tools (tools/pins.json) from the Go module proxy into the toolkit's cache
(MONITORING_GITOPS_CACHE, default ~/.cache/monitoring-gitops/tools). A tool already built at its
pinned version is skipped. helm and kustomize are the versions Argo CD ${readToolPins().argocd.version} bundles
(argocd.version in tools/pins.json). Needs Go ${readToolPins().go.minimum}+ and the Go module proxy; a tool
that needs a newer Go gets it through GOTOOLCHAIN for its own build only.

  --runtime     build the programs the prometheus chart runs instead (${RUNTIME_NAMES.join(', ')};
                runtime in tools/pins.json, at the chart's appVersions), for the runtime fire drill;
                the prometheus server takes 6 to 9 minutes the first time
  --only NAMES  install only these (${ALL_TOOLS.join(', ')}; with --runtime: ${RUNTIME_NAMES.join(', ')})
  --print       print where each tool is (or would be) installed, install nothing

exit codes: 0 installed, 2 Go missing or too old, build failed, or usage error`;

await runCommand(async () => {
  const { values } = parseCommandArgs(process.argv.slice(2), { only: { type: 'string' }, print: { type: 'boolean' }, runtime: { type: 'boolean' } });
  if (values.help) return void console.log(HELP);
  const group = values.runtime ? { known: RUNTIME_NAMES as string[], what: 'runtime programs' } : { known: ALL_TOOLS as string[], what: 'tools' };
  const names = values.only ? values.only.split(',') : group.known;
  const unknown = names.filter((n) => !group.known.includes(n));
  if (unknown.length) throw new UsageError(`unknown tool ${unknown.join(', ')}; the pinned ${group.what} are ${group.known.join(', ')}`);
  if (values.runtime) await runtimeTools(names as RuntimeName[], values.print);
  else await checkerTools(names as ToolName[], values.print);
});

async function checkerTools(names: ToolName[], print = false): Promise<void> {
  const pins = await resolveToolPins(names);
  const { argocd } = readToolPins();
  const line = (name: ToolName, path: string) => {
    const from = readToolPins().tools[name].bundledWith ? ` (bundled with Argo CD ${argocd.version})` : '';
    return `${name.padEnd(12)} ${pins[name].version.padEnd(9)} ${path}${from}`;
  };
  if (print) {
    for (const name of names) console.log(line(name, toolPath(name, pins[name])));
    return;
  }
  const paths = await ensureTools(names, (l) => console.log(l));
  for (const name of names) console.log(line(name, paths[name]));
}

async function runtimeTools(names: RuntimeName[], print = false): Promise<void> {
  const line = (name: RuntimeName, path: string) => `${name.padEnd(12)} ${resolveRuntimePin(name).version.padEnd(9)} ${path}`;
  if (print) {
    for (const name of names) console.log(line(name, runtimePath(name)));
    return;
  }
  const paths = await ensureRuntimeBinaries((l) => console.log(l), names);
  for (const name of names) console.log(line(name, paths[name]));
}
