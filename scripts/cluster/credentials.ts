import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files kube-apiserver's authentication reads, under the control plane's folder. */
export interface ControlPlaneCredentials {
  /** Bearer token of the `admin` user, group system:masters. */
  token: string;
  /** --token-auth-file */
  tokenFile: string;
  /** --service-account-key-file (public) and --service-account-signing-key-file (private). */
  serviceAccountPublicKey: string;
  serviceAccountPrivateKey: string;
}

const ADMIN_USER = 'admin';

/**
 * Writes the token file and service-account key pair into `dir`, or reuses them when a kept folder
 * already has them (so a restarted instance accepts the kubeconfig it wrote before).
 */
export function writeCredentials(dir: string): ControlPlaneCredentials {
  const tokenFile = join(dir, 'tokens.csv');
  const serviceAccountPublicKey = join(dir, 'sa.pub');
  const serviceAccountPrivateKey = join(dir, 'sa.key');
  let token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').split(',')[0] : undefined;
  if (!token) {
    token = randomBytes(32).toString('hex');
    // token,user,uid,"groups": system:masters is bound to cluster-admin by RBAC's bootstrap policy.
    writeFileSync(tokenFile, `${token},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`, { mode: 0o600 });
  }
  if (!existsSync(serviceAccountPrivateKey) || !existsSync(serviceAccountPublicKey)) {
    // ES256 keys: as good as RSA for service-account tokens, and generated in a millisecond.
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeFileSync(serviceAccountPrivateKey, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
    writeFileSync(serviceAccountPublicKey, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return { token, tokenFile, serviceAccountPublicKey, serviceAccountPrivateKey };
}

/**
 * The CA that signed kube-apiserver's self-signed serving certificate: `--cert-dir` gets `apiserver.crt`
 * holding the serving certificate followed by that CA. Undefined until both are written and parse.
 */
export function readSelfSignedCa(certFile: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(certFile, 'utf8');
  } catch {
    return undefined;
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const ca = blocks.at(-1);
  if (blocks.length < 2 || !ca) return undefined;
  try {
    return new X509Certificate(ca).ca ? `${ca}\n` : undefined;
  } catch {
    return undefined;
  }
}
