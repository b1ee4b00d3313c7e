import { runCommand, UsageError } from '../lib/errors.ts';
import { ALL_TOOLS, ensureTools, toolPath } from '../tools/install.ts';
import { readToolPins, type ToolName } from '../tools/pins.ts';
import { parseCommandArgs } from './args.ts';

const HELP = `usage: npm run tools -- [--only NAME[,NAME…]] [--print]

Installs the pinned external tools (tools/pins.json) with \`go install\` into the toolkit's cache
(MONITORING_GITOPS_CACHE, default ~/.cache/monitoring-gitops/tools). A tool already built at its
pinned version is skipped. Needs Go ${readToolPins().go.minimum}+ and the Go module proxy.

  --only NAMES  install only these (${ALL_TOOLS.join(', ')})
  --print       print where each tool is (or would be) installed, install nothing

exit codes: 0 installed, 2 Go missing or too old, build failed, or usage error`;

await runCommand(async () => {
  const { values } = parseCommandArgs(process.argv.slice(2), { only: { type: 'string' }, print: { type: 'boolean' } });
  if (values.help) return void console.log(HELP);
  const names = values.only ? (values.only.split(',') as ToolName[]) : ALL_TOOLS;
  const unknown = names.filter((n) => !ALL_TOOLS.includes(n));
  if (unknown.length) throw new UsageError(`unknown tool ${unknown.join(', ')}; the pinned tools are ${ALL_TOOLS.join(', ')}`);
  if (values.print) {
    for (const name of names) console.log(`${name} ${readToolPins().tools[name].version} ${toolPath(name)}`);
    return;
  }
  const paths = await ensureTools(names, (line) => console.log(line));
  for (const name of names) console.log(`${name.padEnd(12)} ${readToolPins().tools[name].version.padEnd(9)} ${paths[name]}`);
});
