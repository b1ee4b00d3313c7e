import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { KubeObject } from '../../scripts/cluster/client.ts';
import { ensureClusterBinaries } from '../../scripts/fleet/binaries.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../scripts/fleet/cluster.ts';
import { waitFor } from '../e2e/pipeline/api.ts';
import { openNamespace, type DrillNamespace } from '../e2e/pipeline/namespace.ts';

// A simulated cluster's API server reaches pod addresses only through its `cluster` egress, which a drill
// namespace serves: the promotion gate asks Alertmanager for alerts this way (service proxy).
const NAMESPACE = 'monitoring';
const PORT = 9093;
const CLOSED_PORT = 9094;
// Answers with the address it was reached on and the path: proof that the request arrived at the pod's address, in the namespace.
const ECHO = `require('node:http').createServer((req, res) => res.end(req.socket.localAddress + ' ' + req.url)).listen(${PORT}, process.argv[1])`;
const proxyPath = (port: string, path: string) => `/api/v1/namespaces/${NAMESPACE}/services/echo:${port}/proxy${path}`;

let dir: string;
let cluster: SimulatedCluster;
let ns: DrillNamespace;
let podIp: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'monitoring-gitops-egress-'));
  const binaries = await ensureClusterBinaries((line) => console.error(line));
  cluster = await startSimulatedCluster({ name: 'egress', binaries, nodes: 1 });
  const { client } = cluster;
  await client.ensureNamespace(NAMESPACE);
  await client.apply(echoPod());
  await client.apply(echoService());
  // KWOK gives the pod an address and Ready; the endpoints controller makes the Endpoints the service proxy reads.
  podIp = await waitFor(
    'Endpoints of echo',
    30_000,
    async () => {
      const endpoints = await client.get<KubeObject & { subsets?: { addresses?: { ip: string }[] }[] }>({
        apiVersion: 'v1',
        kind: 'Endpoints',
        namespace: NAMESPACE,
        name: 'echo',
      });
      return endpoints.subsets?.[0]?.addresses?.[0]?.ip;
    },
    200,
  );
  const api = new URL(cluster.plane.server);
  ns = await openNamespace({
    dir,
    apiServer: { host: api.hostname, port: Number(api.port) },
    kubernetesService: { host: '10.96.0.1', port: 443 },
    forwards: [],
    hosts: [],
    serviceAccount: { token: '', 'ca.crt': '', namespace: NAMESPACE },
    egressSocket: cluster.plane.egressSocket,
  });
  await ns.start({ name: 'echo', file: process.execPath, args: ['-e', ECHO, podIp], logFile: join(dir, 'echo.log') });
  await waitFor('echo listening in the namespace', 10_000, async () => (await ns.connect({ host: podIp, port: PORT })).connected || undefined, 100);
});

after(async () => {
  await ns?.close();
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a simulated cluster sends its cluster traffic to an egress socket in its instance folder', () => {
  assert.equal(cluster.plane.egressSocket, join(cluster.plane.dataDir, 'cluster-egress.sock'));
  assert.match(podIp, /^10\./, 'KWOK hands out pod addresses nothing on this machine answers on');
});

test('a service-proxy GET through the API server reaches the pod address inside the drill namespace', async () => {
  const res = await cluster.client.raw('GET', proxyPath('http', '/api/v2/alerts?active=true'), { accept: '*/*' });
  assert.equal(res.status, 200, res.body);
  assert.equal(res.body, `${podIp} /api/v2/alerts?active=true`);
});

test("a port nothing listens on in the namespace: the namespace's proxy answers 502 and the API server says so", async () => {
  const res = await cluster.client.raw('GET', proxyPath('closed', '/'), { accept: '*/*' });
  assert.equal(res.status, 503);
  assert.match(res.body, new RegExp(`while dialing ${podIp.replaceAll('.', '\\.')}:${CLOSED_PORT}, code 502: 502 Bad Gateway \\(connect ECONNREFUSED`));
});

test('once the namespace is closed, its egress socket is gone and the service proxy fails at once', async () => {
  await ns.close();
  assert.equal(existsSync(cluster.plane.egressSocket!), false);
  const begin = Date.now();
  const res = await cluster.client.raw('GET', proxyPath('http', '/api/v2/alerts'), { accept: '*/*' });
  assert.notEqual(res.status, 200);
  assert.match(res.body, /cluster-egress\.sock: connect: no such file or directory/);
  assert.ok(Date.now() - begin < 5000, `failed after ${Date.now() - begin} ms`);
});

function echoPod(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'echo', namespace: NAMESPACE, labels: { app: 'echo' } },
    spec: { containers: [{ name: 'echo', image: 'echo:test', ports: [{ name: 'http', containerPort: PORT }] }] },
  };
}

function echoService(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'echo', namespace: NAMESPACE },
    spec: {
      selector: { app: 'echo' },
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'closed', port: 81, targetPort: CLOSED_PORT },
      ],
    },
  };
}
