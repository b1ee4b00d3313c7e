import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRuntimeBinaries } from '../../../scripts/tools/runtime.ts';
import type { Progress } from '../../../scripts/tools/install.ts';
import type { E2e } from '../harness.ts';
import { runFireDrill, type DrillOptions } from './drill.ts';

/** The cluster the drill runs on: the default fleet's dev cluster. */
export const DRILL_CLUSTER = 'dev-1';

/**
 * The fire drill on dev-1 once Argo CD synced it; returns its summary line, throws with every finding.
 * The run's folder (sandboxes, logs) is removed when the drill passes and kept, named, when it fails.
 */
export async function pipeline(e2e: E2e, log: Progress, options: Pick<DrillOptions, 'until' | 'whileFiring' | 'whileQuiet'> = {}): Promise<string> {
  const cluster = e2e.fleet.workloads.get(DRILL_CLUSTER);
  if (!cluster) throw new Error(`the fire drill runs on ${DRILL_CLUSTER}, which this e2e did not start`);
  const binaries = await ensureRuntimeBinaries(log);
  const dir = await mkdtemp(join(tmpdir(), 'monitoring-gitops-drill-'));
  const result = await runFireDrill({ cluster, binaries, dir, log, ...options });
  if (result.findings.length)
    throw new Error(`fire drill on ${DRILL_CLUSTER} (processes' logs in ${join(dir, 'logs')}):\n- ${result.findings.join('\n- ')}\n${result.summary}`);
  await rm(dir, { recursive: true, force: true });
  return result.summary;
}
