import { performance } from 'node:perf_hooks';

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
let detail: Record<string, unknown>;
let t0: number;
// Only the command's own modules are loaded, as its CLI entry loads them; the step's seconds start after.
if (step === 'diff') {
  const { runDiff } = await import('../../scripts/diff/command.ts');
  t0 = performance.now();
  const outcome = await runDiff({ root, base: 'HEAD~1', head: 'HEAD' });
  detail = { changed: outcome.diff.changed.length };
} else {
  const [{ runValidate }, { formatText, reportData }] = await Promise.all([
    import('../../scripts/validate/run.ts'),
    import('../../scripts/validate/report.ts'),
  ]);
  t0 = performance.now();
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
