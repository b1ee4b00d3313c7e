import { readFile } from 'node:fs/promises';
import type { Receiver } from './receiver.ts';
import { type MailDelivery, startSmtpReceiver } from './smtp.ts';
import { type SlackDelivery, startSlackReceiver } from './slack.ts';

/** Where any receiver listens, with its certificate and key as PEM files (the test CA's `certFile`/`keyFile`). */
interface Common {
  host: string;
  port: number;
  certFile: string;
  keyFile: string;
}

/** One receiver to run, as serve.ts reads it from JSON. */
export type ReceiverConfig = (Common & { kind: 'email'; name: string; username: string; password: string }) | (Common & { kind: 'slack'; paths: string[] });

export type Delivery = MailDelivery | SlackDelivery;

type Start<C> = (config: C, tls: { cert: string; key: string }, onDelivery: (d: Delivery) => void) => Promise<Receiver<Delivery>>;

/** Every receiver kind: adding one is one entry here (and its module). */
export const RECEIVER_KINDS: { [K in ReceiverConfig['kind']]: Start<Extract<ReceiverConfig, { kind: K }>> } = {
  email: (c, tls, onDelivery) => startSmtpReceiver({ host: c.host, port: c.port, tls, name: c.name, username: c.username, password: c.password }, onDelivery),
  slack: (c, tls, onDelivery) => startSlackReceiver({ host: c.host, port: c.port, tls, paths: c.paths }, onDelivery),
};

/** Starts one receiver from its config. */
export async function startReceiver(config: ReceiverConfig, onDelivery: (d: Delivery) => void): Promise<Receiver<Delivery>> {
  const start = RECEIVER_KINDS[config.kind] as Start<ReceiverConfig> | undefined;
  if (!start) throw new Error(`unknown receiver kind '${config.kind}' (known: ${Object.keys(RECEIVER_KINDS).join(', ')})`);
  const tls = { cert: await readFile(config.certFile, 'utf8'), key: await readFile(config.keyFile, 'utf8') };
  return start(config, tls, onDelivery);
}
