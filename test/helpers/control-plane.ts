import { ensureControlPlaneBinaries } from '../../scripts/cluster/binaries.ts';
import { KubeClient } from '../../scripts/cluster/client.ts';
import { startControlPlane, type ControlPlane } from '../../scripts/cluster/control-plane.ts';
import { installArgoCdCrds } from '../../scripts/cluster/crds.ts';
import { readKubeconfig } from '../../scripts/cluster/kubeconfig.ts';

/** Set by a test runner that starts one control plane for the whole run: the path of its kubeconfig. */
export const TEST_KUBECONFIG_ENV = 'MONITORING_GITOPS_TEST_KUBECONFIG';

/** The control plane of a test process, and a client of it. */
export interface SharedControlPlane {
  kubeconfig: string;
  server: string;
  token: string;
  /** The serving CA's file, when the kubeconfig names one. */
  caFile?: string;
  client: KubeClient;
  /** How long starting it took here once the binaries were built, in ms (0 when the runner's instance is reused). */
  startMs: number;
}

let shared: Promise<SharedControlPlane> | undefined;
let started: ControlPlane | undefined;

/**
 * The real control plane for this test process: the one $MONITORING_GITOPS_TEST_KUBECONFIG names, else one
 * started on first use (building the binaries the first time). It never keeps the process alive and
 * its processes are killed and its files removed when the process exits, so tests need no after().
 */
export function sharedControlPlane(): Promise<SharedControlPlane> {
  shared ??= connect().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return shared;
}

async function connect(): Promise<SharedControlPlane> {
  const fromEnv = process.env[TEST_KUBECONFIG_ENV];
  if (fromEnv) {
    const connection = await readKubeconfig(fromEnv);
    return {
      kubeconfig: fromEnv,
      server: connection.server,
      token: connection.token,
      caFile: connection.caFile,
      client: new KubeClient(connection),
      startMs: 0,
    };
  }
  const progress = (line: string) => console.error(line);
  await ensureControlPlaneBinaries(progress); // the first time: a build of minutes, not part of startMs
  const begin = Date.now();
  started = await startControlPlane({ progress });
  const client = await KubeClient.fromKubeconfig(started.kubeconfig);
  return { kubeconfig: started.kubeconfig, server: started.server, token: started.token, caFile: started.caFile, client, startMs: Date.now() - begin };
}

/** Stops the control plane sharedControlPlane() started, if any (for an explicit after()). */
export async function stopSharedControlPlane(): Promise<void> {
  const plane = started;
  shared = undefined;
  started = undefined;
  await plane?.stop();
}

let crds: Promise<string[]> | undefined;

/** The pinned Argo CD CRDs, installed once per test process into the shared control plane (idempotent). */
export function sharedArgoCdCrds(): Promise<string[]> {
  crds ??= sharedControlPlane()
    .then(({ client }) => installArgoCdCrds(client))
    .catch((err: unknown) => {
      crds = undefined;
      throw err;
    });
  return crds;
}
