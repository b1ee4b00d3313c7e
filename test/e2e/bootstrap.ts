import { mkdirSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import bcrypt from 'bcryptjs';
import { parseAllDocuments } from 'yaml';
import type { KubeClient } from '../../scripts/cluster/client.ts';
import { kubeconfigYaml } from '../../scripts/cluster/kubeconfig.ts';
import { EnvironmentError } from '../../scripts/lib/errors.ts';
import { run, tail } from '../../scripts/lib/exec.ts';
import { argocdConfigMaps, argocdSecret, driftToken } from '../../scripts/fleet/argocd-config.ts';
import type { SimulatedFleet } from '../../scripts/fleet/fleet.ts';
import { PROJECT_ROOT } from '../helpers/repo.ts';

const NAMESPACE = 'argocd';

/** What an Argo CD install has before the README's steps (its ConfigMaps and Secret), plus the e2e's drift account. */
export async function installArgoCd(hub: KubeClient): Promise<{ token: string }> {
  await hub.ensureNamespace(NAMESPACE);
  // As its own field manager: README step 1 applies as monitoring-gitops and must own only its keys.
  const asInstall = { force: true, fieldManager: 'argocd-install' };
  for (const object of argocdConfigMaps(NAMESPACE, {})) await hub.apply(object, asInstall);
  const minted = driftToken();
  await hub.apply(argocdSecret(NAMESPACE, minted.secretKey, minted.tokenId, minted.issuedAt), asInstall);
  return { token: minted.token };
}

/** The ```sh blocks of the README's "Bootstrap Argo CD" section, in order, as written. */
export const readmeBootstrapBlocks = (readme: string) => readmeBlocks(readme, 'Bootstrap Argo CD');

/** The ```sh blocks of one `## <heading>` section of the README, in order, as written. */
export function readmeBlocks(readme: string, heading: string): string[] {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^( *)```sh\n([\s\S]*?)^\1```$/gm)].map(([, indent, body]) =>
    body!
      .split('\n')
      .map((line) => line.slice(indent!.length))
      .join('\n')
      .trim(),
  );
}

/** Per README block (told apart by the bootstrap file it uses): the variables of each of its runs. */
type BlockRuns = (fleet: SimulatedFleet, repoURL: string, externalSecrets: string[]) => Record<string, string>[];

const E2E_PASSWORD = 'e2e-only';
/** Prometheus' user on every cluster (URL-safe, as the README asks: the config reloader puts it in its URL). */
export const E2E_PROMETHEUS_USER = { username: 'e2e', password: 'e2e0drill0password' };
/** What `htpasswd -nbBC 10 '' "$PROMETHEUS_PASSWORD" | tr -d ':\n'` prints, computed once per run. */
const prometheusBcrypt = bcrypt.hashSync(E2E_PROMETHEUS_USER.password, 10);
/** The receivers' webhook on every cluster (hooks.slack.com resolves to the stand-in only inside the fire drill's namespace). */
export const E2E_SLACK_WEBHOOK = 'https://hooks.slack.com/services/TE2E00000/BE2E00000/e2eDrillWebhookToken000';
const perCluster = (fleet: SimulatedFleet, vars: (name: string) => Record<string, string>) =>
  [...fleet.workloads.keys()].map((name) => ({ NAME: name, ...vars(name) }));

const BLOCKS: [RegExp, BlockRuns][] = [
  [/bootstrap\/argocd-cm\.yaml/, () => [{}]],
  [
    /bootstrap\/cluster-secret\.yaml/,
    (fleet) =>
      perCluster(fleet, (name) => {
        const { plane, client } = fleet.workloads.get(name)!;
        return { SERVER: plane.server, TOKEN: plane.token, CA_DATA: Buffer.from(client.connection.ca).toString('base64') };
      }),
  ],
  // The e2e's git server has a self-signed certificate, as the README's case for this step says.
  [/bootstrap\/repository\.yaml/, (_, repoURL) => [{ URL: repoURL, USERNAME: '', PASSWORD: '', INSECURE: 'true' }]],
  [
    /bootstrap\/cluster-secrets\.yaml/,
    // As the README says: only the clusters that do not read their Secrets through External Secrets.
    (fleet, _, externalSecrets) =>
      perCluster(fleet, () => ({
        GRAFANA_ADMIN_PASSWORD: E2E_PASSWORD,
        // Slack's form of an incoming-webhook URL: the fire drill's Slack stand-in answers at this path.
        SLACK_WEBHOOK_URL: E2E_SLACK_WEBHOOK,
        SMTP_PASSWORD: E2E_PASSWORD,
        PROMETHEUS_USERNAME: E2E_PROMETHEUS_USER.username,
        PROMETHEUS_PASSWORD: E2E_PROMETHEUS_USER.password,
        PROMETHEUS_PASSWORD_BCRYPT: prometheusBcrypt,
      })).filter((run) => !externalSecrets.includes(run.NAME!)),
  ],
  [/apps\/fleet-\*\.yaml/, () => [{}]],
];

/**
 * The store External Secrets reads on the e2e's External Secrets clusters: a ClusterSecretStore of the controller's
 * fake provider holding, per Secret, the JSON object the generated ExternalSecret reads its keys from, with the
 * same values README step 4 gives the other clusters.
 */
export function e2eSecretStore(cluster: string, name: string) {
  const secrets: Record<string, Record<string, string>> = {
    'grafana-admin': { 'admin-user': 'admin', 'admin-password': E2E_PASSWORD },
    'alertmanager-receivers': { 'slack-webhook-url': E2E_SLACK_WEBHOOK, 'smtp-password': E2E_PASSWORD },
    'prometheus-basic-auth': {
      username: E2E_PROMETHEUS_USER.username,
      password: E2E_PROMETHEUS_USER.password,
      'web-config': `basic_auth_users:\n  ${E2E_PROMETHEUS_USER.username}: "${prometheusBcrypt}"\n`,
    },
  };
  const data = Object.entries(secrets).map(([secret, keys]) => ({ key: `monitoring/${cluster}/${secret}`, value: JSON.stringify(keys) }));
  return { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name }, spec: { provider: { fake: { data } } } };
}

/** Blocks of the README's Bootstrap section the e2e would not know how to run (none, or the e2e fails). */
export const unknownBootstrapBlocks = (readme: string) => readmeBootstrapBlocks(readme).filter((block) => !BLOCKS.some(([pattern]) => pattern.test(block)));

/**
 * Runs the README's Bootstrap blocks verbatim in the fleet checkout, with the pinned kubectl and the machine's
 * envsubst, against the hub (current context) and the workload clusters (contexts named like them).
 * Returns the names of the fleet roots applied.
 */
export async function bootstrapFleet(fleet: SimulatedFleet, fleetRoot: string, repoURL: string, externalSecrets: string[] = []): Promise<string[]> {
  const blocks = readmeBootstrapBlocks(await readFile(join(PROJECT_ROOT, 'README.md'), 'utf8'));
  const env = kubectlEnv(fleet);
  if ((await run('bash', ['-c', 'command -v envsubst'], { env })).exitCode !== 0)
    throw new EnvironmentError("the README's Bootstrap commands need envsubst\nfix: install it (Debian: apt-get install gettext-base)");
  for (const block of blocks) {
    const runs = BLOCKS.find(([pattern]) => pattern.test(block))?.[1];
    if (!runs) throw new Error(`README.md's Bootstrap block is unknown to the e2e (tell test/e2e/bootstrap.ts what it needs):\n${block}`);
    for (const vars of runs(fleet, repoURL, externalSecrets)) await runBlock(block, fleetRoot, env, vars, 'Bootstrap');
  }
  return rootNames(fleetRoot);
}

/** Runs the README's "Remove a cluster" block as written, with the pinned kubectl against the hub. */
export async function runRemoveClusterBlock(fleet: SimulatedFleet, fleetRoot: string, vars: { NAME: string; PROJECT: string }): Promise<void> {
  const [block] = readmeBlocks(await readFile(join(PROJECT_ROOT, 'README.md'), 'utf8'), 'Remove a cluster');
  if (!block) throw new Error('README.md\'s "Remove a cluster" section has no sh block');
  await runBlock(block, fleetRoot, kubectlEnv(fleet), vars, 'Remove a cluster');
}

const kubectlEnv = (fleet: SimulatedFleet) => ({ PATH: `${dirname(fleet.kubectl)}${delimiter}${process.env.PATH ?? ''}`, KUBECONFIG: writeKubeconfigs(fleet) });

async function runBlock(block: string, cwd: string, env: Record<string, string>, vars: Record<string, string>, section: string): Promise<void> {
  const result = await run('bash', ['-euo', 'pipefail', '-c', block], { cwd, env: { ...env, ...vars } });
  if (result.exitCode !== 0)
    throw new Error(
      `README.md's ${section} block failed (exit ${result.exitCode}) with ${Object.keys(vars).join(', ') || 'no variables'}:\n${block}\n${tail(result.stderr)}`,
    );
}

/** One kubeconfig per cluster (the hub's first: its context is the current one), as a KUBECONFIG list. */
function writeKubeconfigs(fleet: SimulatedFleet): string {
  const dir = join(fleet.hub.plane.dataDir, 'bootstrap-kubeconfigs');
  mkdirSync(dir, { recursive: true });
  const clusters: [string, SimulatedFleet['hub']][] = [['hub', fleet.hub], ...fleet.workloads];
  return clusters
    .map(([name, { plane }]) => {
      const path = join(dir, `${name}.yaml`);
      writeFileSync(path, kubeconfigYaml(plane.server, plane.caFile, plane.token, name), { mode: 0o600 });
      return path;
    })
    .join(delimiter);
}

async function rootNames(fleetRoot: string): Promise<string[]> {
  const names: string[] = [];
  for (const file of (await readdir(join(fleetRoot, 'apps'))).filter((f) => /^fleet-.+\.yaml$/.test(f)).sort()) {
    const text = await readFile(join(fleetRoot, 'apps', file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
      if (object?.kind === 'Application' && object.metadata?.name) names.push(object.metadata.name);
    }
  }
  return names;
}
