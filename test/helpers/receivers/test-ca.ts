import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { EnvironmentError } from '../../../scripts/lib/errors.ts';
import { run, tail } from '../../../scripts/lib/exec.ts';

/**
 * A throwaway certificate authority for the receivers' TLS, made with the machine's `openssl` CLI: Node 20
 * can read X.509 (crypto.X509Certificate) but not create it, and the CLI adds no dependency. Certificates
 * carry what Go's crypto/x509 (Alertmanager) insists on: a CA with basicConstraints and keyCertSign, server
 * certificates with their names (or IP addresses) as subjectAltName (Go ignores the CN), serverAuth, two days of validity.
 */

/** A server certificate and its key, as files and as PEM text. */
export interface ServerCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface TestCa {
  /** The CA certificate (PEM): what SSL_CERT_FILE or a client's `ca` points at. */
  caFile: string;
  caPem: string;
  /** One certificate per entry of `servers`, by the same key. */
  servers: Record<string, ServerCertificate>;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
const DAYS = '2';

/** Creates the CA and one certificate per server (key → DNS names or IP addresses) in `dir`. */
export async function createTestCa(dir: string, servers: Record<string, string[]>): Promise<TestCa> {
  await mkdir(dir, { recursive: true });
  const caFile = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const caExt = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  await openssl(['req', '-x509', ...EC_KEY, '-keyout', caKey, '-out', caFile, '-days', DAYS, '-subj', '/CN=monitoring-gitops test CA', ...caExt]);
  const made: Record<string, ServerCertificate> = {};
  for (const [key, names] of Object.entries(servers)) made[key] = await createServerCertificate(dir, key, names, { caFile, caKey });
  return { caFile, caPem: await readFile(caFile, 'utf8'), servers: made };
}

async function createServerCertificate(dir: string, key: string, names: string[], ca: { caFile: string; caKey: string }): Promise<ServerCertificate> {
  if (names.length === 0) throw new Error(`server certificate '${key}' needs at least one DNS name or IP address`);
  const [certFile, keyFile, csrFile, extFile] = ['crt', 'key', 'csr', 'ext'].map((ext) => join(dir, `${key}.${ext}`)) as [string, string, string, string];
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',')}`,
  ];
  await writeFile(extFile, `${extensions.join('\n')}\n`);
  await openssl(['req', '-new', ...EC_KEY, '-keyout', keyFile, '-out', csrFile, '-subj', `/CN=${names[0]}`]);
  const serial = `0x${crypto.getRandomValues(new Uint8Array(8)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '7')}`;
  await openssl([
    'x509',
    '-req',
    '-in',
    csrFile,
    '-CA',
    ca.caFile,
    '-CAkey',
    ca.caKey,
    '-set_serial',
    serial,
    '-days',
    DAYS,
    '-out',
    certFile,
    '-extfile',
    extFile,
  ]);
  return { certFile, keyFile, cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}

async function openssl(args: string[]): Promise<void> {
  const result = await run('openssl', args);
  if (result.exitCode !== 0) throw new EnvironmentError(`openssl ${args[0]} failed:\n${tail(result.stderr || result.stdout, 6)}`);
}
