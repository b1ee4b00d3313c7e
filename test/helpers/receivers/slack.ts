import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import { stopServer } from '../http-routes.ts';
import { type ListenOptions, listen, type Receiver } from './receiver.ts';
import { type BatchTiming, createSlackPayloadChecker, type PayloadVerdict } from './slack-payload-check.ts';

/**
 * An HTTPS stand-in for Slack's incoming webhooks (hooks.slack.com/services/T…/B…/…). It answers as Slack
 * documents: 200 `ok`; 400 `invalid_payload` for a body that is not JSON or not shaped like a message;
 * 400 `no_text` for a message with no text, attachments or blocks; 404 `no_service` for a path that is no
 * webhook. Every payload is checked against @slack/webhook's published types (slack-payload-check.ts).
 */

export interface SlackReceiverOptions extends ListenOptions {
  /** The webhook paths that exist (`/services/T…/B…/…`), as in the URL given to Alertmanager. */
  paths: string[];
}

/** One request, whatever it got. */
export interface SlackDelivery {
  kind: 'slack';
  /** ISO time the request's body had arrived. */
  receivedAt: string;
  method: string;
  path: string;
  contentType: string | undefined;
  /** The parsed JSON, or the raw body when it is not JSON. */
  payload: unknown;
  /** The type check's verdict; `invalid` with the parse error for a body that is not JSON. */
  check: PayloadVerdict & { batch?: BatchTiming };
  response: { status: number; body: string };
}

/** Starts the stand-in; the first type check (about a second) runs before it listens. */
export async function startSlackReceiver(options: SlackReceiverOptions, onDelivery: (d: SlackDelivery) => void = () => {}): Promise<Receiver<SlackDelivery>> {
  const checker = createSlackPayloadChecker();
  checker.checkNow([{ text: 'warm-up' }]);
  const paths = new Set(options.paths);
  const delivered: SlackDelivery[] = [];
  const server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    handle(req, paths, checker.check)
      .then((delivery) => {
        delivered.push(delivery);
        onDelivery(delivery);
        res.writeHead(delivery.response.status, { 'content-type': 'text/html' }).end(delivery.response.body);
      })
      .catch((err: Error) => res.writeHead(500).end(`stand-in failure: ${err.message}`));
  });
  const port = await listen(server, options.host, options.port);
  return { host: options.host, port, deliveries: () => [...delivered], stop: () => stopServer(server) };
}

type Check = (payload: unknown) => Promise<PayloadVerdict & { batch: BatchTiming }>;

async function handle(req: IncomingMessage, paths: Set<string>, check: Check): Promise<SlackDelivery> {
  const body = await readBody(req);
  const path = new URL(req.url ?? '/', 'https://hooks.slack.com').pathname;
  const contentType = req.headers['content-type'];
  const parsed = parsePayload(body, contentType);
  const verdict = 'error' in parsed ? { verdict: 'invalid' as const, reasons: [parsed.error] } : await check(parsed.payload);
  const payload = 'error' in parsed ? body : parsed.payload;
  const response = answer(req.method, path, paths, payload, verdict);
  return { kind: 'slack', receivedAt: new Date().toISOString(), method: req.method ?? '', path, contentType, payload, check: verdict, response };
}

/** A JSON body, or (as Slack also takes) a form with the JSON in its `payload` field. */
function parsePayload(body: string, contentType: string | undefined): { payload: unknown } | { error: string } {
  const form = contentType?.startsWith('application/x-www-form-urlencoded');
  const json = form ? new URLSearchParams(body).get('payload') : body;
  if (json === null) return { error: 'a form without a payload field' };
  try {
    return { payload: JSON.parse(json) };
  } catch (err) {
    return { error: `not JSON: ${(err as Error).message}` };
  }
}

/** Slack's answer, in the order it finds things out: the webhook, the message's presence, its shape, its content. */
function answer(method: string | undefined, path: string, paths: Set<string>, payload: unknown, verdict: PayloadVerdict): SlackDelivery['response'] {
  if (!paths.has(path)) return { status: 404, body: 'no_service' };
  if (method !== 'POST') return { status: 405, body: '' };
  const fields = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  if (fields && !['text', 'attachments', 'blocks'].some((k) => k in fields)) return { status: 400, body: 'no_text' };
  if (verdict.verdict === 'invalid') return { status: 400, body: 'invalid_payload' };
  const text = typeof fields?.text === 'string' ? fields.text.trim() : '';
  const some = (v: unknown) => Array.isArray(v) && v.length > 0;
  return text || some(fields?.attachments) || some(fields?.blocks) ? { status: 200, body: 'ok' } : { status: 400, body: 'no_text' };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
