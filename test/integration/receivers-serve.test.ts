import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { run } from '../../scripts/lib/exec.ts';
import type { ReceiverConfig } from '../helpers/receivers/kinds.ts';
import { SmtpDialogue } from '../helpers/receivers/smtp-client.ts';
import { createTestCa, type TestCa } from '../helpers/receivers/test-ca.ts';

const SERVE = new URL('../helpers/receivers/serve.ts', import.meta.url).pathname;
const WEBHOOK = '/services/T0DRILL00/B0DRILL00/drillsecret0123456789';

let dir: string;
let ca: TestCa;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'receivers-serve-'));
  ca = await createTestCa(dir, { smtp: ['smtp.example.com'], slack: ['hooks.slack.com'] });
});
after(() => rm(dir, { recursive: true, force: true }));

function configs(): ReceiverConfig[] {
  const [smtp, slack] = [ca.servers.smtp!, ca.servers.slack!];
  return [
    { kind: 'email', host: '127.0.0.1', port: 0, certFile: smtp.certFile, keyFile: smtp.keyFile, name: 'smtp.example.com', username: 'am', password: 'pw' },
    { kind: 'slack', host: '127.0.0.1', port: 0, certFile: slack.certFile, keyFile: slack.keyFile, paths: [WEBHOOK] },
  ];
}

function postSlack(port: number, body: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, servername: 'hooks.slack.com', ca: ca.caPem, method: 'POST', path: WEBHOOK });
    req.on('response', (res) => resolve(res.resume().statusCode ?? 0)).on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test('serve.ts says ready with the bound ports, writes each delivery as a JSON line, and exits 0 on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVE, JSON.stringify({ receivers: configs() })], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(((await lines.next()).value as string) ?? 'null');
  const ready = await next();
  assert.equal(ready.event, 'ready');
  const port = (kind: string) => ready.receivers.find((r: { kind: string }) => r.kind === kind).port as number;
  assert.ok(port('email') > 0 && port('slack') > 0);

  assert.equal(await postSlack(port('slack'), { text: 'drill' }), 200);
  const slack = await next();
  assert.deepEqual([slack.event, slack.kind, slack.payload, slack.check.verdict], ['delivery', 'slack', { text: 'drill' }, 'valid']);

  const { dialogue } = await SmtpDialogue.open('127.0.0.1', port('email'));
  await dialogue.command('EHLO localhost');
  await dialogue.startTls(ca.caPem, 'smtp.example.com');
  await dialogue.command('EHLO localhost');
  assert.equal((await dialogue.command(`AUTH PLAIN ${Buffer.from('\0am\0pw').toString('base64')}`)).code, 235);
  await dialogue.command('MAIL FROM:<am@example.com>');
  await dialogue.command('RCPT TO:<oncall@example.com>');
  assert.equal((await dialogue.data('Subject: drill\n\nbody')).code, 250);
  dialogue.close();
  const mail = await next();
  assert.deepEqual([mail.event, mail.kind, mail.subject, mail.text], ['delivery', 'email', 'drill', 'body\n']);

  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('serve.ts refuses a config without receivers, and an unknown kind, with exit 2', async () => {
  const empty = await run(process.execPath, ['--import', 'tsx', SERVE, '{"receivers":[]}']);
  assert.equal(empty.exitCode, 2);
  assert.match(empty.stderr, /config\.receivers: a non-empty array is required/);
  const unknown = await run(process.execPath, ['--import', 'tsx', SERVE, JSON.stringify({ receivers: [{ ...configs()[1], kind: 'pagerduty' }] })]);
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.stderr, /unknown receiver kind 'pagerduty' \(known: email, slack\)/);
});
