import { type HeaderValue, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';
import { type ListenOptions, listen, type Receiver } from './receiver.ts';

/**
 * A real SMTP server (smtp-server) in front of the e-mail receiver: STARTTLS with the test certificate,
 * AUTH PLAIN or LOGIN required and refused before TLS (538), messages parsed with mailparser. Alertmanager
 * 0.34 (notify/email) says EHLO with its `hello` setting ("localhost" by default), insists on STARTTLS unless
 * `require_tls: false`, then picks the first mechanism of the advertised AUTH list that it knows
 * (CRAM-MD5, PLAIN, LOGIN): this server advertises "PLAIN LOGIN", so it sends AUTH PLAIN.
 */

export interface SmtpReceiverOptions extends ListenOptions {
  /** The server's own name, in its greeting and EHLO answer (the smarthost's name). */
  name: string;
  username: string;
  password: string;
}

/** One message the server accepted, as it arrived and as mailparser read it. */
export interface MailDelivery {
  kind: 'email';
  /** ISO time the message's DATA ended. */
  receivedAt: string;
  envelope: { from: string; to: string[] };
  /** The client's EHLO/HELO name. */
  ehlo: string;
  /** The SNI name the client asked for during STARTTLS. */
  tlsServerName: string | undefined;
  tlsProtocol: string | undefined;
  auth: { username: string; method: string };
  subject: string | undefined;
  text: string | undefined;
  html: string | undefined;
  /** Every header, lower-cased names, decoded values (several of one name joined with newlines). */
  headers: Record<string, string>;
}

interface SessionUser {
  username: string;
  method: string;
}

/** Starts the SMTP receiver; `onDelivery` sees each message as it is recorded. */
export async function startSmtpReceiver(options: SmtpReceiverOptions, onDelivery: (d: MailDelivery) => void = () => {}): Promise<Receiver<MailDelivery>> {
  const delivered: MailDelivery[] = [];
  const server = new SMTPServer({
    name: options.name,
    secure: false,
    cert: options.tls.cert,
    key: options.tls.key,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    authOptional: false,
    disableReverseLookup: true,
    logger: false,
    // stop() gives open sessions a second, not smtp-server's default 30 s.
    closeTimeout: 1000,
    onAuth: (auth, _session, callback) => callback(...checkCredentials(auth, options)),
    onData: (stream, session, callback) => {
      simpleParser(stream)
        .then((mail) => {
          const delivery = toDelivery(mail, session);
          delivered.push(delivery);
          onDelivery(delivery);
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  const port = await listen(server.server, options.host, options.port);
  return {
    host: options.host,
    port,
    deliveries: () => [...delivered],
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function checkCredentials(auth: SMTPServerAuthentication, options: SmtpReceiverOptions): [Error | null, { user: SessionUser }?] {
  if (auth.username === options.username && auth.password === options.password) return [null, { user: { username: auth.username, method: auth.method } }];
  return [Object.assign(new Error('Invalid username or password'), { responseCode: 535 })];
}

function toDelivery(mail: Awaited<ReturnType<typeof simpleParser>>, session: SMTPServerSession): MailDelivery {
  const user = session.user as SessionUser;
  const mailFrom = session.envelope.mailFrom;
  return {
    kind: 'email',
    receivedAt: new Date().toISOString(),
    envelope: { from: mailFrom ? mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
    ehlo: session.hostNameAppearsAs,
    tlsServerName: session.servername || undefined,
    tlsProtocol: session.tlsOptions ? session.tlsOptions.version : undefined,
    auth: { username: user.username, method: user.method },
    subject: mail.subject,
    text: mail.text || undefined,
    html: mail.html || undefined,
    headers: Object.fromEntries([...mail.headers].map(([name, value]) => [name, headerText(value)])),
  };
}

/** mailparser's structured header values as the text a reader would see. */
function headerText(value: HeaderValue): string {
  if (Array.isArray(value)) return value.map((v) => headerText(v)).join('\n');
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  const fields = value as { text?: unknown; value?: unknown; params?: Record<string, string> };
  if (typeof fields.text === 'string') return fields.text;
  if (typeof fields.value === 'string') return [fields.value, ...Object.entries(fields.params ?? {}).map(([k, v]) => `${k}=${v}`)].join('; ');
  return JSON.stringify(value);
}
