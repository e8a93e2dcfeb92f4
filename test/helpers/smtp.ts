import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'smtp-server-process.js');

export interface ReceivedMail {
  authUser: string | null;
  secure: boolean;
  envelopeFrom: string | null;
  envelopeTo: string[];
  from: string | null;
  subject: string | null;
  messageId: string | null;
  text: string | null;
  html: string | null;
  contentType: { value?: string } | null;
}

/** A throwaway certificate for 127.0.0.1 (openssl), made once per test process. */
export interface Certificate {
  key: string;
  cert: string;
}

let certificate: Promise<Certificate> | null = null;

export function throwawayCertificate(): Promise<Certificate> {
  certificate ??= (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'smtp-cert-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const files = { key: path.join(dir, 'key.pem'), cert: path.join(dir, 'cert.pem') };
    await execa('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', files.key, '-out', files.cert]);
    return files;
  })();
  return certificate;
}

export interface SmtpOptions {
  /** Offer STARTTLS with a throwaway certificate (trust it with NODE_EXTRA_CA_CERTS=<cert>). */
  startTls?: boolean;
  /** Recipients answered with 550. */
  refuse?: string[];
}

/** The SMTP server process: its port, the logins it saw, the recipients it refused and the messages it received. */
export class SmtpProcess {
  readonly messages: ReceivedMail[] = [];
  readonly logins: { secure: boolean }[] = [];
  readonly refused: string[] = [];
  private constructor(private readonly child: ChildProcess, readonly port: number, readonly certificate: Certificate | null) {}

  static async start(user: string, password: string, options: SmtpOptions = {}): Promise<SmtpProcess> {
    const certificate = options.startTls ? await throwawayCertificate() : null;
    const child = spawn(process.execPath, [SCRIPT, JSON.stringify({ user, password, ...certificate, refuse: options.refuse })], { stdio: ['ignore', 'pipe', 'inherit'] });
    return new Promise((resolve, reject) => {
      let buffered = '';
      let smtp: SmtpProcess | null = null;
      child.once('exit', (code) => { if (!smtp) reject(new Error(`smtp server exited with ${code}`)); });
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let newline: number;
        while ((newline = buffered.indexOf('\n')) !== -1) {
          const line = JSON.parse(buffered.slice(0, newline)) as { event: string; port?: number; secure?: boolean; address?: string } & ReceivedMail;
          buffered = buffered.slice(newline + 1);
          if (line.event === 'listening') resolve(smtp = new SmtpProcess(child, line.port!, certificate));
          else if (line.event === 'auth') smtp?.logins.push({ secure: Boolean(line.secure) });
          else if (line.event === 'refused') smtp?.refused.push(line.address!);
          else smtp?.messages.push(line);
        }
      });
    });
  }

  url(user: string, password: string): string {
    return `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.port}`;
  }

  /** The environment a client process needs to trust the server's certificate. */
  get trustEnv(): Record<string, string> {
    return this.certificate ? { NODE_EXTRA_CA_CERTS: this.certificate.cert } : {};
  }

  /** Waits until `count` messages arrived (the server parses after the client is done). */
  async waitFor(count: number, timeoutMs = 5000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return this.messages;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
