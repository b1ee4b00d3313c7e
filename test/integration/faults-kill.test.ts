import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeSyntheticFleet } from '../bench/fleet.ts';
import { differencesFromCleanRun, flipInventory, killAndRepair, runGenerateCli } from '../helpers/kill-runs.ts';
import { tempFiles } from '../helpers/faults.ts';
import { tempRepo } from '../helpers/repo.ts';

/** Issue #11: SIGKILL at random points of a 1,000-cluster generate, then a repairing run (`npm run bench:kill` does 20). */
const CLUSTERS = 1000;
const KILLS = 3;

test(`SIGKILL at ${KILLS} random points of a ${CLUSTERS}-cluster generate: the next run leaves a clean run's tree and no temp files`, async () => {
  const root = await tempRepo();
  await writeSyntheticFleet(root, CLUSTERS);
  await flipInventory(root, CLUSTERS, 0);
  assert.equal((await runGenerateCli(root)).code, 0);
  // The write phase of a round (not of the cold first run, which writes every file) bounds the kill points.
  await flipInventory(root, CLUSTERS, 1);
  const measured = await runGenerateCli(root);
  assert.equal(measured.code, 0, measured.stderr);
  const writePhase = measured.writePhaseMs ?? 500;
  let interrupted = 0;
  for (let round = 2; round <= KILLS + 1; round++) {
    const delay = Math.floor(Math.random() * writePhase);
    const figure = await killAndRepair(root, CLUSTERS, round, delay, { inspectKilled: false });
    if (figure.killedBy === 'SIGKILL' && figure.tempFilesAfterKill > 0) interrupted++;
    assert.equal(figure.repairCode, 0, `round ${round} (kill after ${delay} ms): the repairing run failed`);
    assert.equal(figure.differencesAfterRepair, 0, `round ${round}: tree differs from a clean run's`);
    assert.equal(figure.tempFilesAfterRepair, 0, `round ${round}: temp files left`);
  }
  assert.ok(interrupted > 0, 'at least one kill landed in the middle of a run (the test must exercise a half-done tree)');
  assert.deepEqual(await differencesFromCleanRun(root), []);
  assert.deepEqual(tempFiles(root), []);
});
