import { runCommand, UsageError } from '../lib/errors.ts';
import { ALL_TOOLS, ensureTools, resolveToolPins, toolPath } from '../tools/install.ts';
import { readToolPins, type ToolName } from '../tools/pins.ts';
import { parseCommandArgs } from './args.ts';

const HELP = `usage: npm run tools -- [--only NAME[,NAME…]] [--print]

Builds the pinned external tools (tools/pins.json) from the Go module proxy into the toolkit's cache
(MONITORING_GITOPS_CACHE, default ~/.cache/monitoring-gitops/tools). A tool already built at its
pinned version is skipped. helm and kustomize are the versions Argo CD ${readToolPins().argocd.version} bundles
(argocd.version in tools/pins.json). Needs Go ${readToolPins().go.minimum}+ and the Go module proxy; a tool
that needs a newer Go gets it through GOTOOLCHAIN for its own build only.

  --only NAMES  install only these (${ALL_TOOLS.join(', ')})
  --print       print where each tool is (or would be) installed, install nothing

exit codes: 0 installed, 2 Go missing or too old, build failed, or usage error`;

await runCommand(async () => {
  const { values } = parseCommandArgs(process.argv.slice(2), { only: { type: 'string' }, print: { type: 'boolean' } });
  if (values.help) return void console.log(HELP);
  const names = values.only ? (values.only.split(',') as ToolName[]) : ALL_TOOLS;
  const unknown = names.filter((n) => !ALL_TOOLS.includes(n));
  if (unknown.length) throw new UsageError(`unknown tool ${unknown.join(', ')}; the pinned tools are ${ALL_TOOLS.join(', ')}`);
  const pins = await resolveToolPins(names);
  const { argocd } = readToolPins();
  const line = (name: ToolName, path: string) => {
    const from = readToolPins().tools[name].bundledWith ? ` (bundled with Argo CD ${argocd.version})` : '';
    return `${name.padEnd(12)} ${pins[name].version.padEnd(9)} ${path}${from}`;
  };
  if (values.print) {
    for (const name of names) console.log(line(name, toolPath(name, pins[name])));
    return;
  }
  const paths = await ensureTools(names, (l) => console.log(l));
  for (const name of names) console.log(line(name, paths[name]));
});
