import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, utimesSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { removeDeadRuns, runWorkDir, workTemp } from '../../scripts/lib/work-dir.ts';
import { tempRepo } from '../helpers/repo.ts';

/** A pid above Linux's largest (2^22): never a running process. */
const DEAD_PID = 2 ** 22 + 17;

test("each process works in a folder of its own; a later run removes dead runs' folders and old legacy ones, nothing else", async () => {
  const cache = await tempRepo();
  const previous = process.env.MONITORING_GITOPS_CACHE;
  process.env.MONITORING_GITOPS_CACHE = cache;
  try {
    const work = join(cache, 'work');
    const mine = runWorkDir();
    assert.equal(join(mine, '..'), work);
    assert.match(basename(mine), new RegExp(`^run-[0-9a-f]{8}-${process.pid}-`));
    assert.equal(runWorkDir(), mine, 'one folder per process');
    assert.equal(join(workTemp('leaf-'), '..'), mine);

    const host = basename(mine).split('-')[1]!;
    const hourAgo = new Date(Date.now() - 61 * 60 * 1000);
    const made = (name: string, old = false) => {
      mkdirSync(join(work, name, 'kustomize-helm-1'), { recursive: true });
      if (old) utimesSync(join(work, name), hourAgo, hourAgo);
      return name;
    };
    const dead = made(`run-${host}-${DEAD_PID}-abc123`);
    // Moved aside on a signal, its detached `rm` never finished.
    const deadAside = made(`run-${host}-${DEAD_PID}-xyz789-ending`);
    const legacyOld = made('kustomize-helm-2718281', true);
    const leafOld = made('leaf-x1Y2z3', true);
    const legacyFresh = made('kustomize-helm-3141592');
    const otherHost = made(`run-${host === '00000000' ? '11111111' : '00000000'}-${DEAD_PID}-def456`);
    const live = made(`run-${host}-${process.ppid}-ghi789`);
    const unknown = made('something-else', true);

    assert.deepEqual(removeDeadRuns(work).sort(), [dead, deadAside, legacyOld, leafOld].sort());
    assert.deepEqual(readdirSync(work).sort(), [basename(mine), legacyFresh, otherHost, live, unknown].sort());
    assert.ok(existsSync(mine), "this run's own folder stays");
  } finally {
    if (previous === undefined) delete process.env.MONITORING_GITOPS_CACHE;
    else process.env.MONITORING_GITOPS_CACHE = previous;
  }
});
