import { runCommand } from '../lib/errors.ts';
import { rootOption } from '../lib/paths.ts';
import { checkGenerated, runGenerate } from '../generate/command.ts';
import { parseCommandArgs } from './args.ts';

const HELP = `usage: npm run generate -- [--check] [--force] [--root DIR]

Turns the inventory (fleet.yaml, clusters/, overlays/<env>/pins.yaml and *.values.yaml, base/)
into Argo CD Applications under apps/ and Kustomize leaves under overlays/<env>/<cluster>/<app>/.
apps/<cluster>/ and overlays/<env>/<cluster>/ are folders Argo CD syncs: a file there that generate
did not write is a finding, and generate writes nothing until it is removed.

  --check     write nothing; exit 1 and list every missing, stale or hand-edited generated file,
              and every file generate did not write in those folders
  --force     overwrite generated files that were edited by hand (the edit is lost)
  --root DIR  the repository to work on (default: the current directory)

exit codes: 0 done or up to date, 1 problems in the inventory or stale files, 2 usage error`;

await runCommand(async () => {
  const { values } = parseCommandArgs(process.argv.slice(2), {
    check: { type: 'boolean' },
    force: { type: 'boolean' },
    root: { type: 'string' },
  });
  if (values.help) return void console.log(HELP);
  const root = rootOption(values.root);
  if (values.check) {
    const changes = await checkGenerated(root);
    console.log(`generate --check: ${changes.unchanged} generated files are up to date`);
    return;
  }
  const { changes, written, removed } = await runGenerate(root, { force: values.force ?? false });
  for (const path of written) console.log(`wrote   ${path}`);
  for (const path of removed) console.log(`removed ${path}`);
  for (const { path } of changes.edited) console.log(`warning: discarded the hand edit of ${path} (--force)`);
  console.log(`generate: ${written.length} written, ${removed.length} removed, ${changes.unchanged} unchanged`);
});
