import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { runGenerate } from '../../scripts/generate/command.ts';
import { gitIn } from '../helpers/git-fleet.ts';
import { PROJECT_ROOT } from '../helpers/repo.ts';

/** The e2e's fleet (the caller removes `root`): a checkout whose `main` is pushed to a bare repository Argo CD reads over HTTPS. */
export interface E2eFleetRepo {
  root: string;
  /** Folder of bare repositories (what the git server serves); the fleet is `fleet.git` in it. */
  gitRoot: string;
  /** The URL Argo CD reads (fleet.yaml's repoURL). */
  repoURL: string;
  /** Head of main. */
  head(): string;
}

/** The ClusterSecretStore (External Secrets' fake provider) of the e2e's External Secrets clusters. */
export const E2E_SECRET_STORE = 'e2e-fake';

/** Canonical chart repositories of the default fleet: all served by the one local test repository. */
const CANONICAL = ['https://prometheus-community.github.io/helm-charts', 'https://grafana-community.github.io/helm-charts'];

/**
 * The default fleet cut down to `clusters` (one dev, one prod), with fleet.yaml naming the served URL and
 * the local chart repository as the charts' mirror for Argo CD, generated, committed and pushed. Clusters in
 * `later` stay out of the first commit: the e2e onboards them by merging their file (see onboardCluster).
 */
export async function makeFleetRepo(
  gitRoot: string,
  gitUrl: string,
  chartRepo: string,
  clusters: string[],
  { later = [], externalSecrets = [] }: { later?: string[]; externalSecrets?: string[] } = {},
): Promise<E2eFleetRepo> {
  // Not tempRepo(): under the test runner its after() would fire when the before() hook that made it ends.
  const root = await mkdtemp(join(tmpdir(), 'monitoring-gitops-e2e-fleet-'));
  for (const part of ['fleet.yaml', 'clusters', 'overlays', 'base', 'bootstrap', 'helm-mirrors.yaml'])
    await cp(join(PROJECT_ROOT, part), join(root, part), { recursive: true }).catch(() => {});
  for (const file of await listClusters(root)) {
    const name = file.replace(/\.yaml$/, '');
    if (!clusters.includes(name) || later.includes(name)) await rm(join(root, 'clusters', file));
  }
  // These clusters read their Secrets through External Secrets, from the fake store the harness creates.
  for (const name of externalSecrets)
    await writeFile(
      join(root, 'clusters', `${name}.yaml`),
      `${await readFile(join(root, 'clusters', `${name}.yaml`), 'utf8')}externalSecrets:\n  storeRef:\n    kind: ClusterSecretStore\n    name: ${E2E_SECRET_STORE}\n`,
    );
  const repoURL = `${gitUrl}/fleet.git`;
  await editYaml(join(root, 'fleet.yaml'), (doc) => {
    doc.set('repoURL', repoURL);
    doc.set('chartMirrors', Object.fromEntries(CANONICAL.map((url) => [url, chartRepo])));
  });
  // The toolkit (validate, diff) pulls the same charts from the same place.
  await writeFile(join(root, 'helm-mirrors.yaml'), CANONICAL.map((url) => `${url}: ${chartRepo}\n`).join(''));
  await runGenerate(root);
  await mkdir(gitRoot, { recursive: true });
  gitIn(gitRoot, 'init', '--quiet', '--bare', 'fleet.git');
  gitIn(root, 'init', '--quiet');
  gitIn(root, 'remote', 'add', 'origin', join(gitRoot, 'fleet.git'));
  commitAll(root, 'e2e fleet');
  return { root, gitRoot, repoURL, head: () => gitIn(root, 'rev-parse', 'HEAD') };
}

/** Edits a file, regenerates, commits on main and pushes: a merged pull request. Returns the new head. */
export async function commitChange(fleet: E2eFleetRepo, path: string, edit: (text: string) => string, message: string): Promise<string> {
  const file = join(fleet.root, path);
  await writeFile(file, edit(await readFile(file, 'utf8')));
  await runGenerate(fleet.root);
  commitAll(fleet.root, message);
  return fleet.head();
}

/** Onboarding as a platform team does it: the cluster's file added, generated, merged. Nothing is applied by hand. */
export async function onboardCluster(fleet: E2eFleetRepo, cluster: string): Promise<string> {
  await cp(join(PROJECT_ROOT, 'clusters', `${cluster}.yaml`), join(fleet.root, 'clusters', `${cluster}.yaml`));
  await runGenerate(fleet.root);
  commitAll(fleet.root, `onboard ${cluster}`);
  return fleet.head();
}

/** A cluster file removed and the tree regenerated, merged: its generated files go, its monitoring must not. */
export async function removeClusterFile(fleet: E2eFleetRepo, cluster: string): Promise<string> {
  await rm(join(fleet.root, 'clusters', `${cluster}.yaml`));
  await runGenerate(fleet.root);
  commitAll(fleet.root, `remove ${cluster}`);
  return fleet.head();
}

function commitAll(root: string, message: string): void {
  gitIn(root, 'add', '-A');
  execFileSync('git', ['-c', 'user.name=E2E', '-c', 'user.email=e2e@example.com', 'commit', '--quiet', '-m', message], { cwd: root });
  gitIn(root, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
}

async function listClusters(root: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir(join(root, 'clusters'))).filter((f) => f.endsWith('.yaml'));
}

async function editYaml(path: string, edit: (doc: ReturnType<typeof parseDocument>) => void): Promise<void> {
  const doc = parseDocument(await readFile(path, 'utf8'));
  edit(doc);
  await writeFile(path, doc.toString());
}
