import { runCommand } from '../lib/errors.ts';
import { rootOption } from '../lib/paths.ts';
import { regenerateBranch } from '../regenerate/branch.ts';
import { parseCommandArgs } from './args.ts';

const HELP = `usage: npm run regenerate:branch -- [--branch NAME] [--prefix renovate/] [--push REMOTE] [--root DIR]

On a bot's branch (Renovate bumped overlays/dev/pins.yaml), runs generate and commits the generated
tree (apps/, overlays/<env>/<cluster>/) as github-actions[bot], so the branch passes generate --check
and validate. Nothing to commit when the tree is already up to date. Used by .github/workflows/regenerate.yml.

  --branch NAME    the branch; refused unless it is the checked-out one (the default; CI passes GITHUB_REF_NAME)
  --prefix P       refuse branches that do not start with P (default renovate/)
  --push REMOTE    push the commit to REMOTE, only if the branch has not moved meanwhile
  --root DIR       the repository (default: the current directory)

exit codes: 0 committed or up to date, 1 inventory problems or generate refused a file, 2 usage, git error`;

await runCommand(async () => {
  const { values } = parseCommandArgs(process.argv.slice(2), {
    branch: { type: 'string' },
    prefix: { type: 'string' },
    push: { type: 'string' },
    root: { type: 'string' },
  });
  if (values.help) return void console.log(HELP);
  const outcome = await regenerateBranch(rootOption(values.root), { branch: values.branch, prefix: values.prefix, push: values.push });
  for (const path of outcome.written) console.log(`wrote   ${path}`);
  for (const path of outcome.removed) console.log(`removed ${path}`);
  if (!outcome.commit) return void console.log(`regenerate: ${outcome.branch} is up to date; nothing to commit`);
  console.log(`regenerate: committed ${outcome.commit.slice(0, 12)} on ${outcome.branch}${outcome.pushed ? ` and pushed it to ${values.push}` : ''}`);
});
