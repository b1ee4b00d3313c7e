import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestCa } from '../../helpers/receivers/test-ca.ts';
import type { ReceiverConfig } from '../../helpers/receivers/kinds.ts';
import { isMap } from '../../../scripts/lib/values.ts';
import { lookupFile, type ConfiguredContainer } from '../../../scripts/validate/pod-files.ts';
import type { DrillNamespace } from './namespace.ts';
import type { MountContent } from './sandbox.ts';

/** A notification as a person sees it: where it arrived, firing or resolved, which alerts it names. */
export interface Notification {
  receiver: 'slack' | 'email';
  status: 'firing' | 'resolved';
  alertnames: string[];
  at: number;
  /** Why the receiver refused it (Slack's answer, the payload check); absent when it was accepted. */
  problem?: string;
}

/** The receivers Alertmanager's config names, started in the drill's namespace where their host names resolve. */
export interface Receivers {
  caFile: string;
  /** [address, host name] lines for the namespace's /etc/hosts. */
  hosts: [string, string][];
  start(ns: DrillNamespace, logs: string): Promise<void>;
  notifications(): Notification[];
}

const SERVE = new URL('../../helpers/receivers/serve.ts', import.meta.url).pathname;
// The receivers' addresses in the namespace (nothing else there uses 10.250.255.0/24).
const SMTP_ADDRESS = '10.250.255.25';
const SLACK_ADDRESS = '10.250.255.44';

type Json = Record<string, unknown>;
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isMap) : []);

/**
 * A real SMTP server for the config's e-mail smarthost (its auth_username, the password of the mounted
 * Secret) and the Slack stand-in for the mounted webhook URL, with a test CA Alertmanager is told to trust.
 * `alertnames` are the alerts a message may name (the loaded rules), to read which ones it is about.
 */
export async function prepareReceivers(
  dir: string,
  alertmanager: ConfiguredContainer,
  config: unknown,
  content: MountContent,
  alertnames: string[],
): Promise<Receivers> {
  const read = (path: string) => mountedText(alertmanager, content, path);
  const receivers = list(isMap(config) ? config.receivers : []);
  const email = receivers.flatMap((r) => list(r.email_configs))[0];
  const slack = receivers.flatMap((r) => list(r.slack_configs))[0];
  if (!email || !slack) throw new Error("the drill expects the README's two receivers: an e-mail and a Slack config in Alertmanager's config");
  const [smtpHost, smtpPort = '25'] = String(email.smarthost ?? '').split(':') as [string, string?];
  const slackUrl = new URL(String(slack.api_url ?? read(String(slack.api_url_file ?? ''))).trim());
  const password = String(email.auth_password ?? read(String(email.auth_password_file ?? ''))).trim();
  const ca = await createTestCa(join(dir, 'ca'), { smtp: [smtpHost], slack: [slackUrl.hostname] });
  const out = join(dir, 'deliveries.jsonl');
  const serveConfig: { out: string; receivers: ReceiverConfig[] } = {
    out,
    receivers: [
      {
        kind: 'email',
        host: SMTP_ADDRESS,
        port: Number(smtpPort),
        certFile: ca.servers.smtp!.certFile,
        keyFile: ca.servers.smtp!.keyFile,
        name: smtpHost,
        username: String(email.auth_username ?? ''),
        password,
      },
      {
        kind: 'slack',
        host: SLACK_ADDRESS,
        port: Number(slackUrl.port || 443),
        certFile: ca.servers.slack!.certFile,
        keyFile: ca.servers.slack!.keyFile,
        paths: [slackUrl.pathname],
      },
    ],
  };
  const configFile = join(dir, 'receivers.json');
  writeFileSync(configFile, JSON.stringify(serveConfig));
  return {
    caFile: ca.caFile,
    hosts: [
      [SMTP_ADDRESS, smtpHost],
      [SLACK_ADDRESS, slackUrl.hostname],
    ],
    async start(ns, logs) {
      await ns.start({ name: 'receivers', file: process.execPath, args: ['--import', 'tsx', SERVE, `@${configFile}`], logFile: join(logs, 'receivers.log') });
      const deadline = Date.now() + 60_000;
      while (!readFileSync(join(logs, 'receivers.log'), 'utf8').includes('"event":"ready"')) {
        const exited = (await ns.processes()).find((p) => p.name === 'receivers' && p.exit !== undefined);
        if (exited || Date.now() > deadline) throw new Error(`the receivers did not start: ${readFileSync(join(logs, 'receivers.log'), 'utf8').trim()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    notifications: () => (existsSync(out) ? readDeliveries(out, alertnames) : []),
  };
}

/** The content of a file Alertmanager reads from a mounted Secret; a path no Secret key provides is the drill's finding. */
function mountedText(container: ConfiguredContainer, content: MountContent, path: string): string {
  const found = lookupFile(container.mounts, path);
  const secret = found.found === 'opaque' ? /^Secret\/(.+)$/.exec(found.mount.source)?.[1] : undefined;
  if (found.found !== 'opaque' || !secret)
    throw new Error(`Alertmanager reads ${path}, which no mounted Secret provides: every notification that needs it would fail`);
  const key = path.slice(found.mount.path.length + 1);
  const data = content.secrets.get(secret);
  if (data?.[key] === undefined)
    throw new Error(
      `Alertmanager reads ${path}, but Secret ${secret} (mounted at ${found.mount.path}) has no key ${key}${data ? ` (it has ${Object.keys(data).sort().join(', ')})` : ' (the Secret is not on the cluster)'}: every notification that needs it would fail`,
    );
  return data[key];
}

function readDeliveries(file: string, alertnames: string[]): Notification[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Json)
    .map((d) => (d.kind === 'email' ? fromMail(d, alertnames) : fromSlack(d, alertnames)));
}

const named = (text: string, alertnames: string[]) => alertnames.filter((a) => new RegExp(`\\b${a}\\b`).test(text));

function fromMail(d: Json, alertnames: string[]): Notification {
  const subject = String(d.subject ?? '');
  return {
    receiver: 'email',
    status: /\bRESOLVED\b/i.test(subject) ? 'resolved' : 'firing',
    alertnames: named(`${subject}\n${String(d.text ?? '')}`, alertnames),
    at: Date.parse(String(d.receivedAt)),
  };
}

function fromSlack(d: Json, alertnames: string[]): Notification {
  const payload = isMap(d.payload) ? d.payload : {};
  const attachments = list(payload.attachments);
  const text = [payload.text, ...attachments.flatMap((a) => [a.title, a.text, a.pretext, a.fallback])].filter(Boolean).map(String).join('\n');
  // Alertmanager colours a resolved group "good" and a firing one "danger" unless the config says otherwise.
  const resolved = /\bRESOLVED\b/i.test(text) || (!/\bFIRING\b/i.test(text) && attachments[0]?.color === 'good');
  const check = isMap(d.check) ? d.check : {};
  const response = isMap(d.response) ? d.response : {};
  const problem =
    response.status !== 200 || check.verdict !== 'valid'
      ? `${String(response.status)} ${String(response.body)}: ${String(check.verdict)} ${(Array.isArray(check.reasons) ? check.reasons : []).join('; ')}`
      : undefined;
  return {
    receiver: 'slack',
    status: resolved ? 'resolved' : 'firing',
    alertnames: named(text, alertnames),
    at: Date.parse(String(d.receivedAt)),
    ...(problem ? { problem } : {}),
  };
}
