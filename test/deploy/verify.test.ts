import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa, execaSync } from 'execa';
import * as assert from 'uvu/assert';
import { ExitCode, UserError } from '../../src/errors.js';
import {
  describeOutcome, describeRequestError, parseVerifyTimeout, progressLine, readVersionAnswer, verifyDeploy, versionEndpoint, type VerifyOutcome,
} from '../../src/deploy/verify.js';
import { basicAuth, FakeHttp, withFakeHttp } from '../helpers/fake-http.js';
import { PROJECT_ROOT } from '../helpers/hooks.js';
import { freePort } from '../helpers/postgres.js';
import { suite } from '../helpers/suite.js';

const OLD = 'def5678'.padEnd(40, '0');
const NEW = 'abc1234'.padEnd(40, 'f');
/** Short waits: the poller's timing is its options, not the test's. */
const FAST = { intervalMs: 20, progressEveryMs: 0 };

const reading = suite('deploy verification: reading one answer');

reading('a 2xx JSON answer with a full sha in "commit" is the commit served, whatever else it holds', () => {
  assert.equal(readVersionAnswer({ status: 200, contentType: 'application/json', body: JSON.stringify({ tag: 'release/2026-12-01', commit: NEW }) }), { commit: NEW });
  assert.equal(readVersionAnswer({ status: 200, contentType: null, body: `{"commit":" ${NEW.toUpperCase()} "}` }), { commit: NEW }, 'trimmed, any case, content type not required');
  const sha256 = 'a'.repeat(64);
  assert.equal(readVersionAnswer({ status: 200, contentType: 'application/json', body: JSON.stringify({ commit: sha256 }) }), { commit: sha256 }, 'a SHA-256 repository');
});

reading('anything else is a short reason: the status, the content type, the missing field, a short or unknown sha', () => {
  const reason = (status: number, contentType: string | null, body: string): unknown => readVersionAnswer({ status, contentType, body });
  assert.equal(reason(500, 'application/json', JSON.stringify({ commit: NEW })), { reason: 'HTTP 500' });
  assert.equal(reason(404, 'text/plain', 'Not Found'), { reason: 'HTTP 404' });
  assert.equal(reason(200, 'text/html; charset=utf-8', '<!doctype html><p>maintenance</p>'), { reason: 'not JSON (text/html)' });
  assert.equal(reason(200, null, ''), { reason: 'not JSON (no content type)' });
  assert.equal(reason(200, 'application/json', '{"version":"1.2.3"}'), { reason: 'JSON without a "commit" field' });
  assert.equal(reason(200, 'application/json', `[{"commit":"${NEW}"}]`), { reason: 'JSON without a "commit" field' });
  assert.equal(reason(200, 'application/json', '{"commit":42}'), { reason: 'JSON without a "commit" field' });
  assert.equal(reason(200, 'application/json', '{"commit":"abc1234"}'), { reason: '"commit": "abc1234" is not a full sha' });
  assert.equal(reason(200, 'application/json', '{"commit":"unknown"}'), { reason: '"commit": "unknown" is not a full sha' });
});

reading('a request without an answer: refused, timed out, reset, unknown host, untrusted certificate', () => {
  const fetchFailed = (code: string): Error => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
  assert.is(describeRequestError(fetchFailed('ECONNREFUSED')), 'connection refused');
  assert.is(describeRequestError(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), 'timed out');
  assert.is(describeRequestError(fetchFailed('UND_ERR_SOCKET')), 'connection closed without an answer');
  assert.is(describeRequestError(fetchFailed('ENOTFOUND')), 'host not found');
  assert.is(describeRequestError(fetchFailed('DEPTH_ZERO_SELF_SIGNED_CERT')), 'TLS: DEPTH_ZERO_SELF_SIGNED_CERT (a private CA is trusted with NODE_EXTRA_CA_CERTS)');
});

reading('<url>/version with or without a trailing slash, under a path; userinfo becomes Basic auth, and no secret is displayed', () => {
  assert.is(versionEndpoint('https://staging.example.com').request, 'https://staging.example.com/version');
  assert.is(versionEndpoint('https://staging.example.com/').request, 'https://staging.example.com/version');
  assert.is(versionEndpoint('https://example.com/hello//').request, 'https://example.com/hello/version');
  const secret = versionEndpoint('https://deploy:s3cr%40t-token@example.com/app/?access_token=qwerty123#x');
  assert.equal(secret, {
    request: 'https://example.com/app/version?access_token=qwerty123',
    authorization: basicAuth('deploy', 's3cr@t-token'),
    display: 'https://***@example.com/app/version?access_token=***',
  });
});

reading('a URL that is not one, or not http(s), is a usage error that does not echo credentials', () => {
  for (const url of ['staging.example.com', 'ftp://user:hunter22@example.com', 'https://user:hunter22@exa mple.com']) {
    const error = (() => {
      try {
        versionEndpoint(url);
      } catch (thrown) {
        return thrown;
      }
      return null;
    })();
    assert.instance(error, UserError, url);
    assert.is((error as UserError).exitCode, ExitCode.usage);
    assert.not.match((error as UserError).message, 'hunter22');
  }
});

reading('--verify-timeout takes positive seconds; anything else is one line with an example', () => {
  assert.is(parseVerifyTimeout('300'), 300_000);
  assert.is(parseVerifyTimeout(' 1.5 '), 1_500);
  for (const bad of [undefined, '', '0', '-5', '5m', 'abc', '1e3', '90000']) {
    assert.throws(() => parseVerifyTimeout(bad), (error: UserError) => error.exitCode === ExitCode.usage && /^--verify-timeout wants a number of seconds/.test(error.message) && error.hint === 'e.g. --verify-timeout 300 (the default)');
  }
});

reading('the progress line and the outcome line', () => {
  assert.is(progressLine('https://staging.example.com/version', NEW, { commit: OLD }, 12_300), 'waiting for https://staging.example.com/version to serve abc1234 (serves def5678, 12 s)');
  assert.is(progressLine('https://staging.example.com/version', NEW, { reason: 'HTTP 502' }, 400), 'waiting for https://staging.example.com/version to serve abc1234 (HTTP 502, 0 s)');
  const base = { url: 'https://p.example.com/version', commit: NEW, elapsedMs: 14_200, attempts: 5 };
  assert.is(describeOutcome({ status: 'verified', ...base }), 'verified: https://p.example.com/version serves abc1234 (after 14 s)');
  assert.is(describeOutcome({ status: 'unverified', ...base, lastAnswer: 'serves def5678', served: OLD }), 'unverified: https://p.example.com/version did not serve abc1234 within 14 s; last answer: serves def5678');
});

reading.run();

const polling = suite('deploy verification: polling real servers on 127.0.0.1');

/** Answers /version with `OLD` for the first `oldAnswers` requests, then with `NEW`. */
const deployingAfter = (oldAnswers: number) => (fake: FakeHttp) => {
  fake.route = (request) => (request.path === '/version' ? { json: { tag: 'release/2026-12-01', commit: fake.requestsTo('/version').length > oldAnswers ? NEW : OLD } } : undefined);
};

polling('a server that serves the old commit for a while, then the new one: verified, with a progress line while waiting', async () => {
  await withFakeHttp(async (fake) => {
    deployingAfter(3)(fake);
    const lines: string[] = [];
    const outcome = await verifyDeploy({ url: `${fake.url}/`, commit: NEW, timeoutMs: 20_000, ...FAST, onProgress: (line) => lines.push(line) });
    assert.equal({ ...outcome, elapsedMs: 0 }, { status: 'verified', url: `${fake.url}/version`, commit: NEW, elapsedMs: 0, attempts: 4 });
    assert.equal(lines.map((line) => line.replace(/\d+ s\)$/, 'N s)')), Array(3).fill(`waiting for ${fake.url}/version to serve abc1234 (serves def5678, N s)`));
    assert.ok(fake.received.every((request) => request.method === 'GET' && request.headers.accept === 'application/json'));
  });
});

polling('progress lines are spaced by progressEveryMs, not one per request', async () => {
  await withFakeHttp(async (fake) => {
    deployingAfter(5)(fake);
    const lines: string[] = [];
    const outcome = await verifyDeploy({ url: fake.url, commit: NEW, timeoutMs: 20_000, intervalMs: 20, progressEveryMs: 60_000, onProgress: (line) => lines.push(line) });
    assert.is(outcome.attempts, 6);
    assert.is(lines.length, 1, 'the first wait is said at once, the next one only a minute later');
  });
});

polling('a server that never serves the commit: unverified after the timeout, saying what it served', async () => {
  await withFakeHttp(async (fake) => {
    fake.route = () => ({ json: { commit: OLD } });
    const outcome = await verifyDeploy({ url: fake.url, commit: NEW, timeoutMs: 1500, ...FAST });
    assert.equal(unverified(outcome), { lastAnswer: 'serves def5678', served: OLD });
    assert.ok(outcome.attempts > 1 && outcome.elapsedMs >= 1500, `${outcome.attempts} attempts in ${outcome.elapsedMs} ms`);
    assert.is(describeOutcome(outcome).replace(/within \d+ s/, 'within N s'), `unverified: ${fake.url}/version did not serve abc1234 within N s; last answer: serves def5678`);
  });
});

/** The unverified outcome's answer fields. */
function unverified(outcome: VerifyOutcome): { lastAnswer: string; served: string | null } {
  assert.is(outcome.status, 'unverified');
  const { lastAnswer, served } = outcome as Extract<VerifyOutcome, { status: 'unverified' }>;
  return { lastAnswer, served };
}

polling('a server answering 500, or an HTML page, or JSON without the field: unverified, saying so', async () => {
  const answers = [
    { answer: { status: 500, text: 'Internal Server Error' }, lastAnswer: 'HTTP 500' },
    { answer: { text: '<!doctype html><title>Welcome to nginx!</title>', headers: { 'content-type': 'text/html' } }, lastAnswer: 'not JSON (text/html)' },
    { answer: { json: { status: 'ok' } }, lastAnswer: 'JSON without a "commit" field' },
  ];
  for (const { answer, lastAnswer } of answers) {
    await withFakeHttp(async (fake) => {
      fake.route = () => answer;
      // Long enough that a loaded machine's slow answer is still an answer, not a timeout.
      assert.equal(unverified(await verifyDeploy({ url: fake.url, commit: NEW, timeoutMs: 1500, ...FAST })), { lastAnswer, served: null });
    });
  }
});

polling('a redirect (301 to /version on another server) is followed', async () => {
  await withFakeHttp(async (target) => {
    target.route = (request) => (request.path === '/new-home/version' ? { json: { commit: NEW } } : undefined);
    await withFakeHttp(async (old) => {
      old.route = () => ({ status: 301, headers: { location: `${target.url}/new-home/version` } });
      const outcome = await verifyDeploy({ url: old.url, commit: NEW, timeoutMs: 5_000, ...FAST });
      assert.equal([outcome.status, outcome.attempts], ['verified', 1]);
      assert.equal(old.received.map((request) => request.path), ['/version']);
    });
  });
});

polling('credentials in the URL are sent as Basic auth and kept in the query, and never reach the outcome or a progress line', async () => {
  await withFakeHttp(async (fake) => {
    const auth = basicAuth('deploy', 'pa:ss/word-9');
    let asked = 0;
    fake.route = (request) => {
      if (request.headers.authorization !== auth || !request.path.endsWith('?key=qwerty123')) return { status: 401, text: 'who are you?' };
      asked += 1;
      return { json: { commit: asked > 1 ? NEW : OLD } };
    };
    const lines: string[] = [];
    const url = fake.url.replace('://', `://deploy:${encodeURIComponent('pa:ss/word-9')}@`) + '?key=qwerty123';
    const outcome = await verifyDeploy({ url, commit: NEW, timeoutMs: 5_000, ...FAST, onProgress: (line) => lines.push(line) });
    assert.is(outcome.status, 'verified');
    const printed = JSON.stringify({ outcome, lines, described: describeOutcome(outcome) });
    assert.match(printed, `://***@127.0.0.1`);
    assert.not.match(printed, /pa:ss|word-9|qwerty123|deploy/);
  });
});

polling('a server that accepts and never answers cannot hold the poll past the overall timeout', async () => {
  const held = new Set<net.Socket>();
  const server = net.createServer((socket) => held.add(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const started = performance.now();
    const outcome = await verifyDeploy({ url, commit: NEW, timeoutMs: 600, requestTimeoutMs: 60_000, ...FAST });
    const waited = performance.now() - started;
    assert.equal(unverified(outcome), { lastAnswer: 'timed out', served: null });
    assert.ok(waited < 5_000, `a request allowed 60 s returned after ${Math.round(waited)} ms with an overall timeout of 600 ms`);
  } finally {
    for (const socket of held) socket.destroy();
    server.close();
  }
});

polling('a request timeout below the overall one: each hung request ends and the next is sent', async () => {
  await withFakeHttp(async (fake) => {
    fake.route = () => (fake.received.length < 3 ? { json: { commit: NEW }, delayMs: 60_000 } : { json: { commit: NEW } });
    const outcome = await verifyDeploy({ url: fake.url, commit: NEW, timeoutMs: 20_000, requestTimeoutMs: 100, ...FAST });
    assert.is(outcome.status, 'verified');
    // Under load a request can time out before the server sees it: then one more is sent.
    assert.ok(outcome.attempts >= 3 && outcome.attempts >= fake.received.length, `${outcome.attempts} attempts, ${fake.received.length} received`);
  });
});

polling('nothing listening: connection refused, until the timeout', async () => {
  const outcome = await verifyDeploy({ url: `http://127.0.0.1:${await freePort()}`, commit: NEW, timeoutMs: 200, ...FAST });
  assert.equal(unverified(outcome), { lastAnswer: 'connection refused', served: null });
  assert.ok(outcome.attempts > 1);
});

polling('the hello app meets the contract: it serves its full commit, and is verified', async () => {
  const { startServer, waitFor } = await import('../helpers/app-process.js');
  // The app runs where this test runs, and reads its commit there (no GIT_COMMIT: not a build).
  const { stdout: head } = await execa('git', ['rev-parse', 'HEAD']);
  const port = String(await freePort());
  const app = startServer({ PORT: port, HOST: '127.0.0.1', GIT_COMMIT: '', RELEASE_TAG: '' });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${url}/healthz`);
    const body = await (await fetch(`${url}/version`)).json() as { commit: string };
    assert.is(body.commit, head, 'the app outside a build reads its commit from git: the full sha');
    const outcome = await verifyDeploy({ url, commit: head, timeoutMs: 5_000, ...FAST });
    assert.is(outcome.status, 'verified');
  } finally {
    app.kill();
    await app;
  }
});

polling.run();

const opensslPresent = execaSync('openssl', ['version'], { reject: false, stdio: 'ignore' }).exitCode === 0;
const tls = suite('deploy verification: HTTPS with a private certificate');

/** The verifier in a node process of its own: NODE_EXTRA_CA_CERTS is read when node starts. */
async function verifyInChild(url: string, env: Record<string, string>): Promise<VerifyOutcome> {
  const module = path.join(PROJECT_ROOT, 'dist', 'src', 'deploy', 'verify.js');
  const script = `const { verifyDeploy } = await import(${JSON.stringify(module)});
console.log(JSON.stringify(await verifyDeploy({ url: ${JSON.stringify(url)}, commit: ${JSON.stringify(NEW)}, timeoutMs: 2000, intervalMs: 50 })));`;
  const { stdout } = await execa(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '', ...env }, extendEnv: false });
  return JSON.parse(stdout) as VerifyOutcome;
}

(opensslPresent ? tls : tls.skip)('a self-signed certificate: unverified with the TLS reason; trusted through NODE_EXTRA_CA_CERTS: verified', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'verify-tls-'));
  try {
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    await execa('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    const server = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ commit: NEW }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
      const untrusted = await verifyInChild(url, {});
      assert.equal(unverified(untrusted), { lastAnswer: 'TLS: DEPTH_ZERO_SELF_SIGNED_CERT (a private CA is trusted with NODE_EXTRA_CA_CERTS)', served: null });
      assert.is((await verifyInChild(url, { NODE_EXTRA_CA_CERTS: cert })).status, 'verified');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
if (!opensslPresent) console.log('skipped the HTTPS case: openssl is not installed');

tls.run();
