import { execFileSync } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGenerate } from '../../scripts/generate/command.ts';
import { PROJECT_ROOT, tempRepo } from './repo.ts';

/** git with a fixed identity, in `dir`. */
export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd: dir,
    encoding: 'utf8',
  }).trim();
}

/** fleet.yaml without its promotion gates (and their comment): for tests of promotion that reach no Argo CD. */
export const withoutPromotionGates = (text: string) => text.replace(/(?:^#[^\n]*\n)*^promotion:\n(?:^ [^\n]*\n)*/m, '');

/** A clone of the default fleet whose `origin` is a local bare repository, with main pushed; `gates: false` drops fleet.yaml's promotion gates. */
export async function fleetWithOrigin(options: { gates?: boolean } = {}): Promise<{ root: string; origin: string }> {
  const origin = await tempRepo();
  gitIn(origin, 'init', '--quiet', '--bare');
  const root = await tempRepo();
  for (const part of ['fleet.yaml', 'clusters', 'overlays', 'base', 'apps', '.github'])
    await cp(join(PROJECT_ROOT, part), join(root, part), { recursive: true });
  if (options.gates === false) await writeFile(join(root, 'fleet.yaml'), withoutPromotionGates(await readFile(join(root, 'fleet.yaml'), 'utf8')));
  gitIn(root, 'init', '--quiet');
  gitIn(root, 'remote', 'add', 'origin', origin);
  gitIn(root, 'add', '-A');
  gitIn(root, 'commit', '--quiet', '-m', 'default fleet');
  gitIn(root, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  return { root, origin };
}

/** Commits a change to one file (regenerating the generated trees) on main and pushes it, as a merged PR would. */
export async function commitOnMain(root: string, path: string, edit: (text: string) => string, message: string, date?: Date): Promise<void> {
  const file = join(root, path);
  await writeFile(file, edit(await readFile(file, 'utf8')));
  await runGenerate(root);
  gitIn(root, 'add', '-A');
  const env = date ? { GIT_AUTHOR_DATE: date.toISOString(), GIT_COMMITTER_DATE: date.toISOString() } : {};
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '--quiet', '-m', message], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  gitIn(root, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
}
