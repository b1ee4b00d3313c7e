import { join } from 'node:path';
import { controlPlaneBinaryDir } from '../cluster/binaries.ts';
import { KubeClient } from '../cluster/client.ts';
import { installArgoCdCrds } from '../cluster/crds.ts';
import { instanceDir, startInstance } from '../cluster/instance.ts';
import { readControlPlanePin } from '../cluster/pin.ts';
import { runCommand, UsageError } from '../lib/errors.ts';
import { takeSignals } from '../lib/exit.ts';
import { startFleet } from '../fleet/fleet.ts';
import { parseCommandArgs } from './args.ts';

const HELP = `usage: npm run cluster:up -- [--argocd-crds] [--print] | --fleet N

Starts a local Kubernetes control plane (etcd and kube-apiserver at the version tools/kube/go.mod pins,
built once into the toolkit's cache) on 127.0.0.1 with random ports, leaves it running and prints its
kubeconfig. Its state is kept in ${instanceDir()}: state.json (the pid file) and data/ (etcd, certificates,
credentials, logs, kubeconfig), reused by the next start. Running it again while it runs prints the same
kubeconfig. There are no nodes: objects are stored and validated, nothing is scheduled.
Stop it with \`npm run cluster:down\`.

  --argocd-crds  also install the pinned Argo CD CRDs (Application, AppProject, ApplicationSet)
  --fleet N      instead, a simulated fleet in the foreground until Ctrl-C: a hub (Argo CD CRDs
                 installed) and N workload clusters (cluster-1 … cluster-N), each with its own
                 kube-controller-manager, kube-scheduler and KWOK (two fake Ready nodes, the
                 openebs-hostpath class with a static volume pool); prints every kubeconfig.
                 The first start builds them (about 15 minutes on 2 cores).
  --print        print where the binaries and the state are; start nothing

exit codes: 0 running, 2 Go missing, build or start failed, or usage error`;

await runCommand(async () => {
  const { values } = parseCommandArgs(process.argv.slice(2), { 'argocd-crds': { type: 'boolean' }, print: { type: 'boolean' }, fleet: { type: 'string' } });
  if (values.help) return void console.log(HELP);
  if (values.fleet !== undefined) return runFleet(values.fleet);
  if (values.print) {
    const pin = await readControlPlanePin();
    console.log(`kubernetes ${pin.kubernetes} etcd ${pin.etcd}\nbinaries   ${controlPlaneBinaryDir(pin.kubernetes)}\nstate      ${instanceDir()}`);
    return;
  }
  const started = Date.now();
  const { state, started: fresh } = await startInstance((line) => console.log(line));
  console.log(
    fresh
      ? `control plane ${state.version} started at ${state.server} in ${((Date.now() - started) / 1000).toFixed(1)}s`
      : `control plane ${state.version} already running at ${state.server} (since ${state.startedAt})`,
  );
  if (values['argocd-crds']) {
    const client = await KubeClient.fromKubeconfig(state.kubeconfig);
    const names = await installArgoCdCrds(client, (line) => console.log(line));
    console.log(`installed ${names.join(', ')}`);
    client.close();
  }
  const logs = join(instanceDir(), 'data');
  console.log(
    `kubeconfig: ${state.kubeconfig}\n  export KUBECONFIG=${state.kubeconfig}\nlogs:       ${join(logs, 'kube-apiserver.log')}, ${join(logs, 'etcd.log')}\nstop:       npm run cluster:down`,
  );
});

/** The simulated fleet, in the foreground: every process stops with this command (Ctrl-C). */
async function runFleet(count: string): Promise<void> {
  const n = Number(count);
  if (!Number.isInteger(n) || n < 1 || n > 10) throw new UsageError(`--fleet takes a number of workload clusters from 1 to 10, not '${count}'`);
  const started = Date.now();
  const fleet = await startFleet({ workloads: Array.from({ length: n }, (_, i) => `cluster-${i + 1}`), progress: (line) => console.log(line) });
  console.log(`fleet up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  for (const cluster of [fleet.hub, ...fleet.workloads.values()])
    console.log(`${cluster.name.padEnd(10)} ${cluster.plane.server}  KUBECONFIG=${cluster.plane.kubeconfig}`);
  console.log('Ctrl-C stops every process');
  // The first signal stops the fleet gracefully; a second one ends the process at once (its exit cleanups kill).
  await new Promise<void>((resolve) => {
    const release = takeSignals(() => {
      release();
      resolve();
    });
  });
  await fleet.stop();
}
