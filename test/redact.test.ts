/**
 * Redaction at each layer: every function that turns a remote answer (or an error carrying one)
 * into text is fed the secret in each form it can take, and its output is searched for every
 * form. A layer is tested alone, so another layer's masking cannot hide a hole in it.
 */
import * as assert from 'uvu/assert';
import { formatError } from '../src/cli.js';
import { resolveNotifyConfig } from '../src/config.js';
import { UserError } from '../src/errors.js';
import { gitFailureReason } from '../src/git.js';
import { describeFailure, HttpError } from '../src/http.js';
import { jiraDetailsFor } from '../src/jira/details.js';
import { sendSlackMessage } from '../src/notify/slack.js';
import { clipText, redact, remoteReason, secretForms } from '../src/redact.js';
import { errorDocument } from '../src/cut/cut-result.js';
import { withFakeHttp } from './helpers/fake-http.js';
import { suite } from './helpers/suite.js';

const EMAIL = 'bot@acme.test';
/** Short, and with characters that URL-encoding and base64 change: only the list of known secrets can find it. */
const TOKEN = 'tok/en+9=';
const base64 = (text: string): string => Buffer.from(text).toString('base64');

/** Every form the token can be printed in: raw, URL-encoded, base64, base64 of `email:token` (a Basic header's credentials). */
const FORMS: Record<string, string> = {
  raw: TOKEN,
  'URL-encoded': encodeURIComponent(TOKEN),
  base64: base64(TOKEN),
  'base64 of email:token': base64(`${EMAIL}:${TOKEN}`),
};

function assertNoForm(output: string, where: string, forms: Record<string, string> = FORMS): void {
  for (const [name, form] of Object.entries(forms)) {
    assert.not.ok(output.includes(form), `${where} leaks the ${name} form (${form}):\n${output}`);
  }
}

/**
 * What a remote service may echo back, in places that identify a credential without knowing
 * the secret: URL user-info, Authorization headers (Bearer, Basic, percent-encoded), and a
 * long token on its own (a GitHub token is 40 characters).
 */
const LONG_TOKEN = `ghp_${'k2Jx9QvR7mW4tZ8p'.repeat(2)}abcd`;
const CREDENTIAL_ECHOES: Record<string, string> = {
  'URL user-info, URL-encoded': `https://bot%40acme.test:${encodeURIComponent(TOKEN)}@jira.acme.test/rest/api/3`,
  'URL user-info, raw': 'https://x-access-token:tok-en-9@github.test/a/b.git',
  'URL user-info, a token as the user': 'https://tok-en-9@github.test/a/b.git',
  'Bearer after several spaces': `Authorization: Bearer    ${TOKEN}`,
  Bearer: `Authorization: Bearer ${TOKEN}`,
  'Bearer, percent-encoded space': `Authorization=Bearer%20${TOKEN}`,
  Basic: `Authorization: Basic ${base64(`${EMAIL}:${TOKEN}`)}`,
  'Token scheme': `Authorization: token ${TOKEN}`,
  'Bearer, form-encoded space': `authorization=Bearer+${TOKEN}`,
};
/** What only a remote answer's reason (remoteReason) masks: git and our own errors do not print opaque runs. */
const ECHOES: Record<string, string> = {
  ...CREDENTIAL_ECHOES,
  'a long token alone': `token ${LONG_TOKEN} is not valid`,
  'base64 of a long token': `bad credentials ${base64(LONG_TOKEN)}`,
};
const ECHOED_FORMS: Record<string, string> = { ...FORMS, 'raw in a URL': 'tok-en-9', 'long token': LONG_TOKEN, 'base64 of the long token': base64(LONG_TOKEN) };

const blind = suite('redaction without the list of secrets: remote text that echoes credentials');

blind('remoteReason masks each echoed credential', () => {
  for (const [name, echo] of Object.entries(ECHOES)) {
    const reason = remoteReason(`invalid credentials: ${echo} (request refused)`);
    assert.match(reason, /^invalid credentials: /, name);
    assertNoForm(reason, `remoteReason (${name})`, ECHOED_FORMS);
  }
});

blind('remoteReason masks a run of 32 token characters or more, not a shorter one', () => {
  assert.is(remoteReason(`id ${'a'.repeat(31)} refused`), `id ${'a'.repeat(31)} refused`);
  assert.is(remoteReason(`id ${'a'.repeat(32)} refused`), 'id *** refused');
});

blind('describeFailure, whichever field of the answer carries the echo', () => {
  for (const [name, echo] of Object.entries(ECHOES)) {
    const text = `refused ${echo}`;
    for (const json of [{ message: text }, { errorMessages: [text] }, { errors: { auth: text } }, { error: text }, null]) {
      const described = describeFailure({ status: 401, text: json === null ? text : JSON.stringify(json), json });
      assert.match(described, /^HTTP 401: refused /, `${name} ${JSON.stringify(json)}`);
      assertNoForm(described, `describeFailure (${name}, ${JSON.stringify(json)})`, ECHOED_FORMS);
    }
  }
});

blind('a Slack webhook that answers 200 with an echo: the failure names it without the credential', () => withFakeHttp(async (fake) => {
  for (const [name, echo] of Object.entries(ECHOES)) {
    fake.route = () => ({ status: 200, text: `invalid_token ${echo}` });
    try {
      await sendSlackMessage({ text: 'x', blocks: [] }, { webhookUrl: `${fake.url}/hook` }, { timeoutMs: 5000, maxRetryWaitMs: 0 });
      assert.unreachable('the echo is not "ok"');
    } catch (error) {
      assert.instance(error, HttpError);
      assert.match((error as Error).message, /^Slack did not post the message: invalid_token/);
      assertNoForm((error as Error).message, `sendSlackMessage (${name})`, ECHOED_FORMS);
    }
  }
}));

blind('gitFailureReason: a remote or git itself printing the URL or header', () => {
  for (const [name, echo] of Object.entries(CREDENTIAL_ECHOES)) {
    for (const stderr of [`fatal: unable to access '${echo}': The requested URL returned error: 403`, `remote: ${echo}\nerror: failed to push some refs`, `warning: ${echo}`]) {
      const reason = gitFailureReason({ stdout: '', stderr, exitCode: 128 });
      assertNoForm(reason, `gitFailureReason (${name}: ${stderr})`, ECHOED_FORMS);
    }
  }
});
blind.run();

/** The configuration as the cut and release:notify read it: its `secrets` list every form. */
const notify = resolveNotifyConfig({ JIRA_EMAIL: EMAIL, JIRA_API_TOKEN: TOKEN }, { jiraBaseUrl: 'https://acme.atlassian.net' });
/** Each form alone in ordinary words, where only the list of secrets can recognise it. */
const PLAIN = Object.entries(FORMS).map(([name, form]) => [name, `the service said: unknown key ${form}, try again`] as const);

const known = suite('redaction with the list of secrets: each form in ordinary text');

known('redact(text, secrets) masks each form', () => {
  for (const [name, text] of PLAIN) {
    const masked = redact(text, notify.secrets);
    assert.is(masked, 'the service said: unknown key ***, try again', name);
  }
});

known('the SMTP password in every form: raw, in the URL, and as AUTH PLAIN\'s base64 of \\0user\\0password', () => {
  const smtp = resolveNotifyConfig({ SMTP_URL: 'smtps://mailer:pw%2F1234@smtp.acme.test:465', RELEASE_EMAIL_TO: 'qa@acme.test', RELEASE_EMAIL_FROM: 'release@acme.test' }, { jiraBaseUrl: null });
  const plain = base64('\0mailer\0pw/1234');
  const masked = redact(`AUTH PLAIN ${plain}; password pw/1234; url smtps://mailer:pw%2F1234@smtp.acme.test:465; login ${base64('mailer:pw/1234')}`, smtp.secrets);
  assert.is(masked, 'AUTH PLAIN ***; password ***; url smtps://***@smtp.acme.test:465; login ***');
});

known('secretForms: at least 4 characters, whatever form (a shorter decoded form is left out); each pair needs both halves; longest first', () => {
  assert.equal(secretForms(['abc']), []);
  assert.ok(secretForms(['abcd']).includes('abcd'), 'exactly 4 characters is a secret');
  assert.not.ok(secretForms(['%41%42%43']).includes('ABC'), 'decoded to 3 characters: no secret');
  assert.equal(secretForms([], [[undefined, 'secret-1'], ['bot', undefined], ['', 'secret-2']]), []);
  const forms = secretForms(['/services/T1/B2/sekrit', 'https://hooks.slack.com/services/T1/B2/sekrit']);
  assert.equal(forms.map((form) => form.length), [...forms.map((form) => form.length)].sort((a, b) => b - a), 'longest first');
  assert.is(redact('posting to https://hooks.slack.com/services/T1/B2/sekrit', forms), 'posting to ***', 'the whole URL, not its path alone');
});

known('redact masks each given secret of 4 characters or more, and nothing shorter', () => {
  assert.is(redact('a b ab abc abcd', ['ab', 'abcd']), 'a b ab abc ***');
  assert.is(redact('no secrets given: the text stays as it is'), 'no secrets given: the text stays as it is');
});

known('clipText keeps a text of exactly the limit; remoteReason of nothing is nothing', () => {
  assert.is(clipText('abc', 3), 'abc');
  assert.is(clipText('abcd', 3), 'ab…');
  assert.is(remoteReason(''), '');
  assert.is(remoteReason(' \n \r\n'), '');
});

known('formatError (what the CLI prints) masks each form, in the message and in the hint', () => {
  for (const [name, text] of PLAIN) {
    assertNoForm(formatError('release-notify', new UserError(text, { hint: text }), false, notify.secrets), `formatError, user error (${name})`);
    assertNoForm(formatError('release-notify', new Error(text), true, notify.secrets), `formatError, unexpected error (${name})`);
  }
});

known("errorDocument (the cut's --json error) masks echoed credentials", () => {
  for (const [name, echo] of Object.entries(CREDENTIAL_ECHOES)) {
    const json = JSON.stringify(errorDocument(new UserError(`push failed: ${echo}`, { hint: echo })));
    assertNoForm(json, `errorDocument (${name})`, ECHOED_FORMS);
  }
});

known('jiraDetailsFor: Jira failing with each form in its answer gives a reason without it', () => withFakeHttp(async (fake) => {
  const config = resolveNotifyConfig({ JIRA_EMAIL: EMAIL, JIRA_API_TOKEN: TOKEN, NOTIFY_RETRY_MAX_WAIT_MS: '1' }, { jiraBaseUrl: fake.url });
  for (const [name, text] of PLAIN) {
    fake.route = () => ({ status: 401, json: { errorMessages: [text] } });
    const details = await jiraDetailsFor(['EPN-1'], config);
    assert.is(details.available, false, name);
    assert.match(details.reason ?? '', /unknown key \*\*\*/, name);
    assertNoForm(details.reason ?? '', `jiraDetailsFor (${name})`);
  }
}));
known.run();
