import { $ } from 'zx';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_TOOLS, ensureTools } from '../scripts/tools/install.ts';
import { ensureControlPlaneBinaries } from '../scripts/cluster/binaries.ts';
import { ensureArgoCdBinaries, ensureClusterBinaries } from '../scripts/fleet/binaries.ts';
import { ensureRuntimeBinaries } from '../scripts/tools/runtime.ts';
import { ensureExternalSecretsController } from '../scripts/fleet/external-secrets-build.ts';
import { ensureRenovate } from '../scripts/tools/renovate.ts';
import { startControlPlane } from '../scripts/cluster/control-plane.ts';
import { startChartRepository } from './helpers/chart-repo.ts';
import { TEST_KUBECONFIG_ENV } from './helpers/control-plane.ts';

/**
 * The whole suite in one run: the pinned tools and control-plane binaries built first, one local Helm
 * repository and one local API server shared by every test file (each file runs in its own process),
 * then node's test runner over test/unit and test/integration.
 */
const testDir = new URL('.', import.meta.url).pathname;
// The longest file first (the e2e and its fire drill, which waits minutes for alerts): the rest runs beside it.
const LONGEST = 'e2e-argocd.test.ts';
const files = ['unit', 'integration']
  .flatMap((dir) =>
    readdirSync(join(testDir, dir))
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => join(testDir, dir, f)),
  )
  .sort((a, b) => Number(b.endsWith(LONGEST)) - Number(a.endsWith(LONGEST)));

// Tools first, once: test files run in parallel processes and must not race to build the same binaries.
await ensureTools(ALL_TOOLS, (line) => console.log(line));
await ensureControlPlaneBinaries((line) => console.log(line));
// The e2e's simulated fleet and Argo CD (test/integration/e2e-argocd.test.ts): minutes cold, cached after.
await ensureClusterBinaries((line) => console.log(line));
await ensureArgoCdBinaries((line) => console.log(line));
// The programs the prometheus chart runs (test/integration/runtime-binaries.test.ts): about 7 minutes cold on 2 cores.
await ensureRuntimeBinaries((line) => console.log(line));
// dev-1 of the e2e and the External Secrets test run it; built once here, not by two test files at once.
await ensureExternalSecretsController((line) => console.log(line));
// Two test files run the real Renovate side by side: installed once here, not twice at once (about 3 minutes each under load).
await ensureRenovate((line) => console.log(line));
const repository = await startChartRepository();
const controlPlane = await startControlPlane({ progress: (line) => console.log(line) });
const env = { ...process.env, MONITORING_GITOPS_TEST_CHART_REPO: repository.url, [TEST_KUBECONFIG_ENV]: controlPlane.kubeconfig };
const suite = await $({ stdio: 'inherit', env, nothrow: true })`${process.execPath} --import tsx --test --test-reporter=spec --test-concurrency=2 ${files}`;
const code = suite.exitCode ?? 1;
await repository.stop();
await controlPlane.stop();
process.exit(code);
