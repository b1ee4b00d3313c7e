import { performance } from 'node:perf_hooks';
import { writeSyntheticFleet } from './fleet.ts';
import { benchArgs } from './args.ts';
import { flipInventory, killAndRepair, runGenerateCli } from '../helpers/kill-runs.ts';
import { tempRepo } from '../helpers/repo.ts';

const HELP = `usage: npm run bench:kill [-- KILLS]

SIGKILLs \`npm run generate\` on a synthetic 1,000-cluster fleet KILLS times (default 20), each at a random
point of its write phase after changing the inventory (every values.yaml changes, every 7th cluster comes
or goes), then runs generate again and compares the tree with a clean run's. Prints one line per kill.`;

const KILLS = Number(benchArgs(HELP, 1)[0] ?? 20);
const CLUSTERS = 1000;
const root = await tempRepo();
await writeSyntheticFleet(root, CLUSTERS);
await flipInventory(root, CLUSTERS, 0);
const first = await runGenerateCli(root);
if (first.code !== 0) throw new Error(`the first generate failed:\n${first.stderr}`);
// The write phase of a round (not of the cold first run, which writes every file) bounds the kill points.
await flipInventory(root, CLUSTERS, 1);
const writePhase = (await runGenerateCli(root)).writePhaseMs ?? 500;
console.log(`bench:kill  clusters=${CLUSTERS}  kills=${KILLS}  write phase of one round: ${writePhase.toFixed(0)} ms`);
console.log('round  kill after  killed   temp files left  files off a clean run  repair exit  off after repair  temp after repair  repair s');
let failures = 0;
for (let round = 2; round <= KILLS + 1; round++) {
  const delay = Math.floor(Math.random() * writePhase);
  const t0 = performance.now();
  const f = await killAndRepair(root, CLUSTERS, round, delay);
  const ok = f.repairCode === 0 && f.differencesAfterRepair === 0 && f.tempFilesAfterRepair === 0;
  if (!ok) failures++;
  console.log(
    `${String(round).padStart(5)}  ${`${delay} ms`.padStart(10)}  ${String(f.killedBy ?? 'finished').padEnd(7)}  ${String(f.tempFilesAfterKill).padStart(15)}  ${String(f.differencesAfterKill).padStart(21)}  ${String(f.repairCode).padStart(11)}  ${String(f.differencesAfterRepair).padStart(16)}  ${String(f.tempFilesAfterRepair).padStart(17)}  ${((performance.now() - t0) / 1000).toFixed(1).padStart(8)}${ok ? '' : '  FAILED'}`,
  );
}
console.log(
  failures ? `${failures} of ${KILLS} repairs did not reach a clean run's tree` : `all ${KILLS} repairs reached a clean run's tree with no temp files`,
);
process.exitCode = failures ? 1 : 0;
