import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Receiver } from '../helpers/receivers/receiver.ts';
import { SmtpDialogue } from '../helpers/receivers/smtp-client.ts';
import { type MailDelivery, startSmtpReceiver } from '../helpers/receivers/smtp.ts';
import { createTestCa, type TestCa } from '../helpers/receivers/test-ca.ts';

const NAME = 'smtp.example.com';
const USER = 'alertmanager@example.com';
const PASSWORD = 'drill-secret';
const plain = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`).toString('base64');

/** The message as Alertmanager 0.34's notify/email writes it: its header order, the double space before boundary, QP HTML. */
const ALERTMANAGER_MESSAGE = [
  'Subject: =?utf-8?q?[FIRING:1]_TargetDown_(prod-1)?=',
  'To: oncall@example.com',
  'From: alertmanager@example.com',
  'Message-Id: <1764850000.42@alertmanager-0>',
  'Date: Thu, 04 Dec 2025 12:00:00 +0000',
  'Content-Type: multipart/alternative;  boundary=b0undary',
  'MIME-Version: 1.0',
  '',
  '--b0undary',
  'Content-Transfer-Encoding: quoted-printable',
  'Content-Type: text/html; charset=UTF-8',
  '',
  '<p>TargetDown on prod-1: 1 target =3D down</p>',
  '.leading dot survives',
  '--b0undary--',
].join('\n');

let dir: string;
let ca: TestCa;
let smtp: Receiver<MailDelivery>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'receivers-smtp-'));
  ca = await createTestCa(dir, { smtp: [NAME] });
  smtp = await startSmtpReceiver({ host: '127.0.0.1', port: 0, tls: ca.servers.smtp!, name: NAME, username: USER, password: PASSWORD });
});
after(async () => {
  await smtp.stop();
  await rm(dir, { recursive: true, force: true });
});

async function dialogue(): Promise<SmtpDialogue> {
  const { dialogue, greeting } = await SmtpDialogue.open(smtp.host, smtp.port);
  assert.equal(greeting.code, 220);
  assert.match(greeting.lines[0]!, new RegExp(`^${NAME} `));
  return dialogue;
}

// smtp-server lists AUTH before TLS too, but refuses it there; Alertmanager (require_tls) never tries it before STARTTLS.
test('before STARTTLS the server refuses AUTH (538) and MAIL (530)', async () => {
  const client = await dialogue();
  const ehlo = await client.command('EHLO localhost');
  assert.equal(ehlo.code, 250);
  assert.ok(ehlo.lines.includes('STARTTLS'), ehlo.lines.join('|'));
  const auth = await client.command(`AUTH PLAIN ${plain(USER, PASSWORD)}`);
  assert.equal(auth.code, 538);
  assert.match(auth.lines[0]!, /STARTTLS/);
  assert.equal((await client.command(`MAIL FROM:<${USER}>`)).code, 530);
  client.close();
  assert.equal(smtp.deliveries().length, 0);
});

test('after STARTTLS (certificate checked against the test CA) a wrong password is refused with 535', async () => {
  const client = await dialogue();
  await client.command('EHLO localhost');
  assert.equal((await client.startTls(ca.caPem, NAME)).code, 220);
  const ehlo = await client.command('EHLO localhost');
  assert.ok(ehlo.lines.includes('AUTH PLAIN LOGIN'), ehlo.lines.join('|'));
  assert.equal((await client.command(`AUTH PLAIN ${plain(USER, 'wrong')}`)).code, 535);
  assert.equal((await client.command(`MAIL FROM:<${USER}>`)).code, 530);
  client.close();
});

test('a client that does what Alertmanager does delivers a message, recorded and parsed', async () => {
  const client = await dialogue();
  await client.command('EHLO localhost');
  await client.startTls(ca.caPem, NAME);
  await client.command('EHLO localhost');
  assert.equal((await client.command(`AUTH PLAIN ${plain(USER, PASSWORD)}`)).code, 235);
  assert.equal((await client.command(`MAIL FROM:<${USER}>`)).code, 250);
  assert.equal((await client.command('RCPT TO:<oncall@example.com>')).code, 250);
  assert.equal((await client.data(ALERTMANAGER_MESSAGE)).code, 250);
  await client.command('QUIT');
  client.close();

  const [mail, ...more] = smtp.deliveries();
  assert.equal(more.length, 0);
  assert.ok(mail);
  assert.deepEqual(mail.envelope, { from: USER, to: ['oncall@example.com'] });
  assert.deepEqual(mail.auth, { username: USER, method: 'PLAIN' });
  assert.equal(mail.ehlo, 'localhost');
  assert.equal(mail.tlsServerName, NAME);
  assert.match(mail.tlsProtocol ?? '', /^TLSv1\.[23]$/);
  assert.equal(mail.subject, '[FIRING:1] TargetDown (prod-1)');
  assert.equal(mail.html, '<p>TargetDown on prod-1: 1 target = down</p>\n.leading dot survives');
  assert.equal(mail.text, undefined, "an HTML-only message (Alertmanager's default) has no text part");
  assert.equal(mail.headers['message-id'], '<1764850000.42@alertmanager-0>');
  assert.equal(mail.headers.from, USER);
  assert.match(mail.headers['content-type'] ?? '', /^multipart\/alternative; boundary=b0undary$/);
  assert.ok(Math.abs(Date.parse(mail.receivedAt) - Date.now()) < 10_000);
});

test('AUTH LOGIN answers the prompts Alertmanager expects ("Username:", "Password:")', async () => {
  const client = await dialogue();
  await client.command('EHLO localhost');
  await client.startTls(ca.caPem, NAME);
  await client.command('EHLO localhost');
  const user = await client.command('AUTH LOGIN');
  assert.equal(user.code, 334);
  assert.equal(Buffer.from(user.lines[0]!, 'base64').toString(), 'Username:');
  const password = await client.command(Buffer.from(USER).toString('base64'));
  assert.equal(Buffer.from(password.lines[0]!, 'base64').toString(), 'Password:');
  assert.equal((await client.command(Buffer.from(PASSWORD).toString('base64'))).code, 235);
  client.close();
});
