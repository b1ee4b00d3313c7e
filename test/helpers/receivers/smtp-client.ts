import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** One SMTP reply: its code and its text lines (without the code). */
export interface SmtpReply {
  code: number;
  lines: string[];
}

/**
 * A bare SMTP client over node:net and node:tls for tests: one command, one reply, nothing hidden, so a test
 * can send what a client should not (AUTH before STARTTLS, a wrong password) and read the server's answer.
 */
export class SmtpDialogue {
  private buffer = '';
  private waiting: ((reply: SmtpReply) => void) | undefined;

  private constructor(private socket: Socket) {
    this.attach(socket);
  }

  /** Connects and returns the dialogue with the server's greeting. */
  static async open(host: string, port: number): Promise<{ dialogue: SmtpDialogue; greeting: SmtpReply }> {
    const socket = connectTcp({ host, port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const dialogue = new SmtpDialogue(socket);
    return { dialogue, greeting: await dialogue.reply() };
  }

  /** Sends one command line and waits for the whole reply. */
  command(line: string): Promise<SmtpReply> {
    const reply = this.reply();
    this.socket.write(`${line}\r\n`);
    return reply;
  }

  /** STARTTLS, then the TLS handshake checked against `ca` for `servername`. */
  async startTls(ca: string, servername: string): Promise<SmtpReply> {
    const reply = await this.command('STARTTLS');
    if (reply.code !== 220) return reply;
    this.socket.removeAllListeners('data');
    const secure = connectTls({ socket: this.socket, ca, servername });
    await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    this.socket = secure;
    this.attach(secure);
    return reply;
  }

  /** DATA, the message (lines dot-stuffed), the final dot; returns the reply to the message. */
  async data(message: string): Promise<SmtpReply> {
    const start = await this.command('DATA');
    if (start.code !== 354) return start;
    const body = message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    return this.command(`${body}\r\n.`);
  }

  close(): void {
    this.socket.destroy();
  }

  private attach(socket: Socket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.deliver();
    });
  }

  private reply(): Promise<SmtpReply> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.deliver();
    });
  }

  /** Hands a complete reply (its last line is "NNN text") to the waiting command. */
  private deliver(): void {
    const lines = this.buffer.split('\r\n');
    const end = lines.findIndex((l) => /^\d{3} /.test(l) || /^\d{3}$/.test(l));
    if (end < 0 || !this.waiting) return;
    const replyLines = lines.slice(0, end + 1);
    this.buffer = lines.slice(end + 1).join('\r\n');
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve({ code: Number(replyLines[end]!.slice(0, 3)), lines: replyLines.map((l) => l.slice(4)) });
  }
}
