import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Receiver } from '../helpers/receivers/receiver.ts';
import { type SlackDelivery, startSlackReceiver } from '../helpers/receivers/slack.ts';
import { createTestCa, type TestCa } from '../helpers/receivers/test-ca.ts';

const HOST = 'hooks.slack.com';
const WEBHOOK = '/services/T0DRILL00/B0DRILL00/drillsecret0123456789';

/** What Alertmanager 0.34's notify/slack posts for the repository's slack_configs (defaults filled in, one firing alert). */
const ALERTMANAGER_PAYLOAD = {
  channel: '#monitoring-alerts',
  username: 'Alertmanager',
  attachments: [
    {
      title: '[FIRING] TargetDown on prod-1',
      title_link: 'http://alertmanager-0:9093/#/alerts?receiver=slack',
      text: 'A scrape target is down.\n',
      fallback: '[FIRING:1] TargetDown (prod-1) | http://alertmanager-0:9093/#/alerts?receiver=slack',
      callback_id: '',
      footer: '',
      color: 'danger',
      mrkdwn_in: ['fallback', 'pretext', 'text'],
    },
  ],
};

let dir: string;
let ca: TestCa;
let slack: Receiver<SlackDelivery>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'receivers-slack-'));
  ca = await createTestCa(dir, { slack: [HOST] });
  slack = await startSlackReceiver({ host: '127.0.0.1', port: 0, tls: ca.servers.slack!, paths: [WEBHOOK] });
});
after(async () => {
  await slack.stop();
  await rm(dir, { recursive: true, force: true });
});

/** POSTs over TLS, checking the stand-in's certificate for hooks.slack.com against the test CA. */
function post(path: string, body: string, contentType = 'application/json'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: slack.host, port: slack.port, servername: HOST, ca: ca.caPem, method: 'POST', path, headers: { 'content-type': contentType } });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const last = () => slack.deliveries().at(-1)!;

test("Alertmanager's payload with the repository's settings: 200 ok, recorded, and its default mrkdwn_in deviates from @slack/types", async () => {
  assert.deepEqual(await post(WEBHOOK, JSON.stringify(ALERTMANAGER_PAYLOAD)), { status: 200, body: 'ok' });
  const delivery = last();
  assert.equal(delivery.path, WEBHOOK);
  assert.deepEqual(delivery.payload, ALERTMANAGER_PAYLOAD);
  assert.equal(delivery.check.verdict, 'deviates');
  assert.deepEqual(delivery.check.reasons, [`attachments[0].mrkdwn_in[0]: Type '"fallback"' is not assignable to type '"text" | "pretext" | "fields"'.`]);
});

test('the same payload with mrkdwn_in limited to what the types declare is valid', async () => {
  const attachment = { ...ALERTMANAGER_PAYLOAD.attachments[0]!, mrkdwn_in: ['pretext', 'text'] };
  assert.deepEqual(await post(WEBHOOK, JSON.stringify({ ...ALERTMANAGER_PAYLOAD, attachments: [attachment] })), { status: 200, body: 'ok' });
  assert.deepEqual(last().check.verdict, 'valid');
  assert.deepEqual(last().check.reasons, []);
});

test('wrong JSON types are 400 invalid_payload, with the compiler saying which field and why', async () => {
  assert.deepEqual(await post(WEBHOOK, JSON.stringify({ text: 5 })), { status: 400, body: 'invalid_payload' });
  assert.deepEqual(last().check, { ...last().check, verdict: 'invalid', reasons: ["text: Type 'number' is not assignable to type 'string'."] });
  assert.deepEqual(await post(WEBHOOK, JSON.stringify({ text: 'x', attachments: 'x' })), { status: 400, body: 'invalid_payload' });
  assert.deepEqual(last().check.reasons, ["attachments: Type 'string' is not assignable to type 'MessageAttachment[]'."]);
});

test('a body that is not JSON is invalid_payload; a form with the JSON in `payload` is read as Slack reads it', async () => {
  assert.deepEqual(await post(WEBHOOK, '{"text": '), { status: 400, body: 'invalid_payload' });
  assert.match(last().check.reasons[0]!, /^not JSON: /);
  const form = new URLSearchParams({ payload: JSON.stringify({ text: 'from a form' }) }).toString();
  assert.deepEqual(await post(WEBHOOK, form, 'application/x-www-form-urlencoded'), { status: 200, body: 'ok' });
  assert.deepEqual(last().payload, { text: 'from a form' });
});

test('a message without text, attachments or blocks is 400 no_text', async () => {
  assert.deepEqual(await post(WEBHOOK, JSON.stringify({ channel: '#monitoring-alerts' })), { status: 400, body: 'no_text' });
  assert.deepEqual(await post(WEBHOOK, JSON.stringify({ text: '  ', attachments: [] })), { status: 400, body: 'no_text' });
});

test('an unknown webhook path is 404 no_service, and still recorded', async () => {
  const before = slack.deliveries().length;
  assert.deepEqual(await post('/services/T0DRILL00/B0DRILL00/wrong', JSON.stringify({ text: 'hi' })), { status: 404, body: 'no_service' });
  assert.equal(slack.deliveries().length, before + 1);
  assert.equal(last().path, '/services/T0DRILL00/B0DRILL00/wrong');
  assert.equal(last().check.verdict, 'valid');
});

test('payloads arriving together are type-checked in one batch', async () => {
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => post(WEBHOOK, JSON.stringify({ text: `alert ${i}` }))));
  assert.ok(answers.every((a) => a.status === 200));
  const batches = new Set(
    slack
      .deliveries()
      .slice(-8)
      .map((d) => d.check.batch),
  );
  assert.ok(batches.size < 8, `8 payloads took ${batches.size} type checks`);
});
