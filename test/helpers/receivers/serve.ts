import { appendFileSync, readFileSync } from 'node:fs';
import { type Delivery, type ReceiverConfig, startReceiver } from './kinds.ts';
import type { Receiver } from './receiver.ts';

/**
 * Runs receivers in a process of their own, for the fire drill to start inside its network namespace:
 *
 *   node --import tsx test/helpers/receivers/serve.ts '<json>' | @config.json
 *
 * with `{ "out"?: file, "receivers": [ReceiverConfig, …] }` (kinds.ts). Prints one JSON line
 * `{"event":"ready","receivers":[{"kind","host","port"}]}` to stdout once all listen, then one line
 * `{"event":"delivery",…}` per delivery, to `out` (appended) or stdout. SIGTERM or SIGINT stops them; exit 0.
 * A bad config or an address that cannot be bound: a message on stderr, exit 2.
 */

interface ServeConfig {
  out?: string;
  receivers: ReceiverConfig[];
}

function readConfig(arg: string | undefined): ServeConfig {
  if (!arg) throw new Error('usage: serve.ts <json> | @<file>');
  const config = JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg) as ServeConfig;
  if (!Array.isArray(config.receivers) || config.receivers.length === 0) throw new Error('config.receivers: a non-empty array is required');
  return config;
}

async function main(): Promise<void> {
  const config = readConfig(process.argv[2]);
  const write = (line: object) => {
    const text = `${JSON.stringify(line)}\n`;
    if (config.out) appendFileSync(config.out, text);
    else process.stdout.write(text);
  };
  const onDelivery = (d: Delivery) => write({ event: 'delivery', ...d });
  const running: Array<Receiver<Delivery> & { kind: string }> = [];
  const stopAll = async () => {
    await Promise.all(running.map((r) => r.stop()));
    process.exit(0);
  };
  process.once('SIGTERM', stopAll).once('SIGINT', stopAll);
  for (const receiver of config.receivers) running.push({ ...(await startReceiver(receiver, onDelivery)), kind: receiver.kind });
  process.stdout.write(`${JSON.stringify({ event: 'ready', receivers: running.map((r) => ({ kind: r.kind, host: r.host, port: r.port })) })}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`receivers: ${err.message}\n`);
  process.exit(2);
});
