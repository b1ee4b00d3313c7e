import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGenerate } from '../../scripts/generate/command.ts';
import { formatFinding } from '../../scripts/lib/findings.ts';
import { runValidate, type ValidateReport } from '../../scripts/validate/run.ts';
import { sharedChartRepository } from './chart-repo.ts';
import { PROJECT_ROOT, tempRepo } from './repo.ts';

/** Canonical chart repositories of the default fleet, all served by the test repository. */
const CANONICAL = ['https://prometheus-community.github.io/helm-charts', 'https://grafana-community.github.io/helm-charts'];

/** Points the default fleet's chart repositories at the shared local Helm repository (the production mirror path). */
export async function useTestChartMirror(): Promise<string> {
  const url = await sharedChartRepository();
  process.env.MONITORING_GITOPS_HELM_MIRRORS = CANONICAL.map((c) => `${c}=${url}`).join(',');
  return url;
}

export type Edits = Record<string, (text: string) => string>;

/** A copy of the default fleet (inventory, generated trees, workflows) with `edits` applied and regenerated. */
export async function editedFleet(edits: Edits = {}, { regenerate = true } = {}): Promise<string> {
  const root = await tempRepo();
  for (const part of ['fleet.yaml', 'clusters', 'overlays', 'base', 'apps', '.github'])
    await cp(join(PROJECT_ROOT, part), join(root, part), { recursive: true });
  for (const [path, edit] of Object.entries(edits)) {
    const file = join(root, path);
    const before = await readFile(file, 'utf8').catch(() => '');
    const after = edit(before);
    if (after === before) throw new Error(`edit of ${path} changed nothing`);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, after);
  }
  if (regenerate) await runGenerate(root, { force: true });
  return root;
}

/** Validates a fleet copy, a few clusters at a time to keep the suite fast. */
export async function validateFleet(root: string, clusters = ['dev-1']): Promise<ValidateReport> {
  await useTestChartMirror();
  return runValidate({ root, clusters });
}

/** The report's findings of one check, formatted as a user reads them. */
export const findingsOf = (report: ValidateReport, check: string) => report.findings.filter((f) => f.check === check).map(formatFinding);

/** Replaces exactly one occurrence, failing loudly when the fixture text moved. */
export const replaceOnce = (from: string, to: string) => (text: string) => {
  if (!text.includes(from)) throw new Error(`'${from}' not found`);
  return text.replace(from, to);
};
