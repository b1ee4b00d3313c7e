import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generatedApplication } from '../helpers/argocd/fixture.ts';
import { startArgoCdStandIn, type ArgoCdStandIn } from '../helpers/argocd/server.ts';
import { runCli } from '../helpers/cli.ts';
import { sharedArgoCdCrds, sharedControlPlane } from '../helpers/control-plane.ts';
import { fleetWithOrigin } from '../helpers/git-fleet.ts';
import { createTestCa, type TestCa } from '../helpers/receivers/test-ca.ts';
import { tempRepo } from '../helpers/repo.ts';
import { useTestChartMirror } from '../helpers/validate.ts';

const TOKEN = 'argocd-ca-test-token-51e2';

// At the file's top level: the folders go when the file ends, not with the first hook.
await useTestChartMirror();
const { root } = await fleetWithOrigin();
const ca: TestCa = await createTestCa(join(await tempRepo(), 'pki'), { argocd: ['127.0.0.1'] });

/** drift against an argocd-server whose certificate a private CA signed, as most in-cluster Argo CDs are served. */
describe('drift --argocd-ca: an Argo CD served over HTTPS with a private CA', () => {
  let standIn: ArgoCdStandIn;
  const drift = (...args: string[]) => runCli('drift', ['--root', root, '--format', 'json', '--argocd-url', standIn.url, ...args], { ARGOCD_TOKEN: TOKEN });
  const liveOf = (stdout: string) =>
    (JSON.parse(stdout) as { sections: { section: string; status: string; reason?: string; errors?: string[] }[] }).sections.find((s) => s.section === 'live')!;

  before(async () => {
    const { client } = await sharedControlPlane();
    await sharedArgoCdCrds();
    const namespace = `argocd-ca-${randomBytes(3).toString('hex')}`;
    await client.ensureNamespace(namespace);
    await client.apply(await generatedApplication('dev-1', 'prometheus', namespace));
    standIn = await startArgoCdStandIn({ client, token: TOKEN, namespace, tls: ca.servers.argocd! });
  });

  after(() => standIn?.stop());

  test('with --argocd-ca the live section reads the Applications over HTTPS', async () => {
    assert.match(standIn.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const run = await drift('--argocd-ca', ca.caFile);
    assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}: ${run.stderr}`);
    const live = liveOf(run.stdout);
    assert.equal(live.errors, undefined, JSON.stringify(live));
    assert.doesNotMatch(live.reason ?? '', /cannot reach/);
    assert.ok(
      standIn.requests.some((r) => r.route === 'GET /api/v1/applications' && r.status === 200),
      JSON.stringify(standIn.requests),
    );
    assert.deepEqual(standIn.contractViolations, []);
  });

  test('without it the certificate is refused: exit 2, and the error says to pass --argocd-ca', async () => {
    const before = standIn.requests.length;
    const run = await drift();
    assert.equal(run.code, 2, run.stderr);
    assert.equal(liveOf(run.stdout).status, 'skipped');
    assert.match(
      run.stderr,
      /^ {2}live: cannot reach Argo CD at https:\/\/127\.0\.0\.1:\d+: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY): .*\n {4}fix: pass --argocd-ca FILE, the PEM of the CA that signed argocd-server's certificate$/m,
    );
    assert.equal(standIn.requests.length, before, 'no request got through the refused handshake');
  });
});
