import { performance } from 'node:perf_hooks';
import { runDiff } from '../../scripts/diff/command.ts';
import { formatText, reportData } from '../../scripts/validate/report.ts';
import { runValidate } from '../../scripts/validate/run.ts';

/**
 * One step of bench:fleet in a process of its own, as `npm run validate` or `npm run diff` runs it (a fresh
 * heap, nothing loaded beforehand): prints the step's seconds, what it did, and the process's peak memory as JSON.
 * Usage: fleet-step.ts warm|changed|diff ROOT
 */
const [step, root] = process.argv.slice(2);
if (!root || !['warm', 'changed', 'diff'].includes(step!)) {
  console.error('usage: fleet-step.ts warm|changed|diff ROOT');
  process.exit(2);
}
const t0 = performance.now();
let detail: Record<string, unknown>;
if (step === 'diff') {
  const outcome = await runDiff({ root, base: 'HEAD~1', head: 'HEAD' });
  detail = { changed: outcome.diff.changed.length };
} else {
  const report = await runValidate({ root, ...(step === 'changed' ? { changedSince: 'HEAD~1' } : {}), progress: () => {} });
  // As the CLI does it: the run, then its report (the table counts every leaf's resources).
  formatText(reportData(report));
  detail = {
    hits: report.cache?.hits,
    misses: report.cache?.misses,
    findings: report.findings.length,
    clusters: new Set(report.rendered.map((r) => r.leaf.cluster.name)).size,
  };
}
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ seconds, ...detail, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
