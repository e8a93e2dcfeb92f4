/**
 * A real SMTP server in its own process (smtp-server), for the email channel's tests:
 *   node smtp-server-process.js '{"user":…,"password":…,"key":<file>,"cert":<file>,"refuse":[…]}'
 * With `key` and `cert` it offers STARTTLS and takes AUTH only after it; without them it offers
 * no STARTTLS and takes AUTH in clear (the server a client must refuse to log in to).
 * `refuse` lists recipients answered with 550.
 * Prints one JSON line `{"event":"listening","port":N}`, `{"event":"auth","secure":…}` for every
 * login attempt, `{"event":"refused","address":…}`, and one line per received message (parsed
 * by mailparser). The password itself is never printed.
 */
import { readFileSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const options = JSON.parse(process.argv[2] ?? '{}') as { user: string; password: string; key?: string; cert?: string; refuse?: string[] };
const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
const tls = options.key && options.cert ? { key: readFileSync(options.key), cert: readFileSync(options.cert) } : null;

const server = new SMTPServer({
  ...(tls ? { ...tls, allowInsecureAuth: false } : { disabledCommands: ['STARTTLS'], allowInsecureAuth: true }),
  authMethods: ['PLAIN', 'LOGIN'],
  onAuth(auth, session, callback) {
    print({ event: 'auth', secure: session.secure });
    if (auth.username === options.user && auth.password === options.password) callback(null, { user: auth.username });
    else callback(new Error('Invalid username or password'));
  },
  onRcptTo(address, _session, callback) {
    if (!options.refuse?.includes(address.address)) return callback();
    print({ event: 'refused', address: address.address });
    callback(Object.assign(new Error(`No mailbox here by that name: ${address.address}`), { responseCode: 550 }));
  },
  onData(stream, session, callback) {
    simpleParser(stream).then((mail) => {
      print({
        event: 'message',
        authUser: session.user ?? null,
        secure: session.secure,
        envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
        from: mail.from?.text ?? null,
        subject: mail.subject ?? null,
        messageId: mail.messageId ?? null,
        text: mail.text ?? null,
        html: typeof mail.html === 'string' ? mail.html : null,
        contentType: mail.headers.get('content-type'),
      });
      callback();
    }, (error: Error) => callback(error));
  },
});
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  print({ event: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
