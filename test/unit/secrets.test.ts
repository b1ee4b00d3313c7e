import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findPlaintextSecrets } from '../../scripts/inventory/secrets.ts';

const scan = (text: string) => findPlaintextSecrets('base/prometheus/values.yaml', text).map((f) => `${f.line}:${f.column} ${f.message}`);

test('a Slack webhook URL is found with its position', () => {
  assert.deepEqual(scan('receivers:\n  - slack_configs:\n      - api_url: https://hooks.slack.com/services/T000/B000/XXXXXXXX\n'), [
    '3:18 plaintext secret: a Slack webhook URL',
  ]);
});

test('literal passwords and tokens are found; references to files and Secrets are not', () => {
  const text = [
    'admin:',
    '  existingSecret: grafana-admin',
    '  passwordKey: admin-password',
    'adminPassword: hunter2',
    'email_configs:',
    '  - auth_password_file: /etc/secrets/smtp',
    '    auth_password: s3cret',
    'bearer_token: abc.def',
    'client_secret: ""',
    'api_key: ${API_KEY}',
    '  token: ${{ steps.app-token.outputs.token || github.token }}',
    '# password: only a comment',
    '    nginx.ingress.kubernetes.io/auth-secret: prometheus-basic-auth',
    'auth_secret: hunter2',
  ].join('\n');
  assert.deepEqual(scan(text), [
    "4:1 plaintext secret: 'adminPassword' has a literal value",
    "7:5 plaintext secret: 'auth_password' has a literal value",
    "8:1 plaintext secret: 'bearer_token' has a literal value",
    "14:1 plaintext secret: 'auth_secret' has a literal value",
  ]);
});

test('private keys and well-known token formats are found', () => {
  assert.deepEqual(scan('key: |\n  -----BEGIN RSA PRIVATE KEY-----\nnote: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n'), [
    '2:3 plaintext secret: a private key',
    '3:7 plaintext secret: a GitHub token',
  ]);
});

test('the embedded default values have no plaintext secret', async () => {
  const { readFileSync } = await import('node:fs');
  for (const file of ['base/prometheus/values.yaml', 'base/grafana/values.yaml']) {
    assert.deepEqual(findPlaintextSecrets(file, readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')), [], file);
  }
});
