import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveNotifyConfig } from '../../src/config.js';
import { buildEmail } from '../../src/notify/email.js';
import { buildGithubRelease } from '../../src/notify/github.js';
import { retryAfterMs } from '../../src/http.js';
import { searchBody } from '../../src/jira/client.js';
import { groupCards, unavailable, type JiraDetails } from '../../src/jira/details.js';
import { buildSlackMessage, SLACK_LIMITS, type SlackBlock } from '../../src/notify/slack.js';

/** Slack's documented Block Kit limits, as Slack states them (not the code's constants): 50 blocks, header 150, section text 3000. */
const BLOCK_KIT = { blocks: 50, headerText: 150, sectionText: 3000 };
/** GitHub refuses a release body over 125,000 characters (422 "body is too long (maximum is 125000 characters)"). */
const GITHUB_RELEASE_BODY_MAX = 125_000;
import { releaseView } from '../../src/notify/view.js';
import { clipText, redact, remoteReason, secretForms } from '../../src/redact.js';
import type { ReleaseReport } from '../../src/release/report.js';

function report(cards: number, details?: JiraDetails): ReleaseReport {
  return {
    tag: 'release/2026-11-24', date: '2026-11-24', base: 'main', head: 'develop',
    baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40), range: `${'a'.repeat(40)}..${'b'.repeat(40)}`,
    compareUrl: 'https://github.com/acme/shop/compare/aaa...bbb', commitCount: cards + 2,
    jira: Array.from({ length: cards }, (_, i) => ({ key: `EPN-${i + 1}`, url: `https://acme.atlassian.net/browse/EPN-${i + 1}`, commits: [{ sha: 'c'.repeat(40), subject: `EPN-${i + 1}: change <${i}> & more` }] })),
    withoutJira: [{ sha: 'd'.repeat(40), subject: 'chore: tidy' }, { sha: 'e'.repeat(40), subject: 'docs: typo' }],
    releaseCommit: 'f'.repeat(40), dryRun: false, pushed: { origin: true, staging: true },
    changelogUrl: 'https://github.com/acme/shop/blob/release/2026-11-24/CHANGELOG.md',
    ...(details ? { jiraDetails: details } : {}),
  };
}

const details: JiraDetails = {
  available: true,
  reason: null,
  issues: {
    'EPN-1': { summary: 'Login with SSO', type: 'Story', status: 'Done', assignee: 'Ana' },
    'EPN-2': { summary: 'Cart is empty', type: 'Bug', status: 'In QA', assignee: null },
    'EPN-3': { summary: 'Bump deps', type: 'Sub-task', status: 'Done', assignee: null },
    'EPN-4': { summary: 'Big thing', type: 'Epic', status: 'Open', assignee: null },
    'EPN-5': null,
  },
};

const jira = suite('jira grouping and search body');

jira('groups cards as Stories, Bugs, Tasks, Other, then the cards Jira does not know', () => {
  const groups = groupCards(report(5).jira, details);
  assert.equal(groups.map((group) => [group.title, group.cards.map(({ card }) => card.key)]), [
    ['Stories', ['EPN-1']], ['Bugs', ['EPN-2']], ['Tasks', ['EPN-3']], ['Other', ['EPN-4']], ['Unknown to Jira', ['EPN-5']],
  ]);
  assert.equal(groupCards(report(2).jira, unavailable('down')).map((group) => group.title), ['Jira cards']);
});

jira('search body: quoted keys in one key-in clause, the fields asked for, a page per batch, the next page token', () => {
  assert.equal(searchBody(['EPN-1', 'OPS-22'], ['summary', 'status']), { jql: 'key in ("EPN-1", "OPS-22")', fields: ['summary', 'status'], maxResults: 2 });
  assert.equal(searchBody(['EPN-1'], ['status'], 'tok-2').nextPageToken, 'tok-2');
});

const slack = suite('slack message');

slack('header, compare link, groups with links, summaries and status, count of keyless commits', () => {
  const message = buildSlackMessage(releaseView(report(5, details)));
  const blocks = message.blocks;
  assert.equal(blocks[0], { type: 'header', text: { type: 'plain_text', text: 'Release release/2026-11-24 (2026-11-24)', emoji: true } });
  const all = JSON.stringify(blocks);
  assert.match(all, '<https://github.com/acme/shop/compare/aaa...bbb|aaaaaaa..bbbbbbb>');
  assert.match(all, '*Stories*\\n• <https://acme.atlassian.net/browse/EPN-1|EPN-1> Login with SSO (Done)');
  assert.match(all, '*Unknown to Jira*\\n• <https://acme.atlassian.net/browse/EPN-5|EPN-5> not found in Jira');
  assert.match(all, '2 commits without a Jira key');
  assert.match(message.text, 'Release release/2026-11-24 (2026-11-24): 5 Jira cards, 7 commits');
});

slack('without details: says so, lists keys with the commit subject, escapes mrkdwn', () => {
  const message = buildSlackMessage(releaseView(report(1, unavailable('Jira did not answer usefully: no answer within 50 ms'))));
  const all = JSON.stringify(message.blocks);
  assert.match(all, 'Jira details were unavailable (Jira did not answer usefully: no answer within 50 ms)');
  assert.match(all, '*Jira cards*\\n• <https://acme.atlassian.net/browse/EPN-1|EPN-1> EPN-1: change &lt;0&gt; &amp; more');
});

slack('*, _, ~ and ` from commit or Jira text cannot open formatting: a zero-width space goes before each', () => {
  const text = report(1, unavailable('off'));
  text.jira[0]!.commits[0]!.subject = 'fix *all* the _things_ ~now~ in `code` and snake_case_name';
  const line = JSON.parse(JSON.stringify(buildSlackMessage(releaseView(text)).blocks)).map((block: SlackBlock) => (block.type === 'section' ? block.text.text : '')).join('\n') as string;
  assert.match(line, 'fix \u200B*all\u200B* the \u200B_things\u200B_ \u200B~now\u200B~ in \u200B`code\u200B` and snake\u200B_case\u200B_name');
  const summary = line.slice(line.indexOf('fix '));
  assert.not.match(summary, /(^|[\s(])[*_~`]/, 'no marker from the text stands where Slack would open formatting');
});

slack('a long report stays within Block Kit limits and links to the full CHANGELOG section', () => {
  const many = report(3000);
  many.jira[0]!.commits[0]!.subject = 'x'.repeat(5000);
  const message = buildSlackMessage(releaseView(many));
  assert.ok(message.blocks.length <= BLOCK_KIT.blocks, `${message.blocks.length} blocks`);
  const texts = message.blocks.map((block: SlackBlock) => block.type === 'section' ? block.text.text : block.type === 'context' ? block.elements[0]!.text : block.type === 'header' ? block.text.text : '');
  for (const text of texts) assert.ok(text.length <= BLOCK_KIT.sectionText, `a block of ${text.length} characters`);
  const truncation = texts.find((text) => text.includes('more cards'))!;
  assert.match(truncation, /^…and \d+ more cards: the full list is in <https:\/\/github\.com\/acme\/shop\/blob\/release\/2026-11-24\/CHANGELOG\.md\|CHANGELOG\.md at release\/2026-11-24>$/);
  const shownCards = texts.join('\n').split('\n• ').length - 1;
  assert.is(shownCards + Number(/and (\d+) more/.exec(truncation)![1]), 3000, 'every card is shown or counted');
  assert.is(message.blocks.at(-1)!.type, 'context', 'keyless count stays last');
});

slack('a long title is cut to the header limit', () => {
  const long = report(1);
  long.tag = `release/${'x'.repeat(300)}`;
  const header = buildSlackMessage(releaseView(long)).blocks[0] as Extract<SlackBlock, { type: 'header' }>;
  assert.is(header.text.text.length, BLOCK_KIT.headerText);
});

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const blockText = (block: SlackBlock): string => block.type === 'section' ? block.text.text : block.type === 'context' ? block.elements[0]!.text : block.type === 'header' ? block.text.text : '';

slack('text is clipped between code points: an emoji is never cut in half', () => {
  const emoji = report(1, { available: true, reason: null, issues: { 'EPN-1': { summary: `${'x'.repeat(2900)}${'😀'.repeat(100)}`, type: 'Story', status: 'Done', assignee: null } } });
  emoji.tag = `release/${'🚀'.repeat(100)}`;
  const message = buildSlackMessage(releaseView(emoji));
  for (const block of message.blocks) {
    assert.not.ok(LONE_SURROGATE.test(blockText(block)), `a lone surrogate in ${blockText(block).slice(-20)}`);
    assert.ok(blockText(block).length <= BLOCK_KIT.sectionText);
  }
  assert.ok((message.blocks[0] as Extract<SlackBlock, { type: 'header' }>).text.text.length <= BLOCK_KIT.headerText);
  assert.is(clipText('ab😀', 3), 'ab…');
  assert.is(clipText('a😀bc', 4), 'a😀…');
});

slack('the whole message stays within the total text budget and ends with the link to the full CHANGELOG section', () => {
  const many = report(3000);
  for (const card of many.jira) card.commits[0]!.subject = `${card.key}: ${'a long subject '.repeat(12)}`;
  const message = buildSlackMessage(releaseView(many));
  const total = message.text.length + message.blocks.map(blockText).join('').length;
  assert.ok(total <= SLACK_LIMITS.totalText, `${total} characters`);
  assert.ok(total > SLACK_LIMITS.totalText - 500, `the budget is used (${total})`);
  const last = blockText(message.blocks.at(-1)!);
  assert.match(last, /^…and (\d+) more cards: the full list is in <https:\/\/github\.com\/acme\/shop\/blob\/release\/2026-11-24\/CHANGELOG\.md\|CHANGELOG\.md at release\/2026-11-24>$/);
  const shown = message.blocks.map(blockText).join('\n').split('\n• ').length - 1;
  assert.is(shown + Number(/and (\d+) more/.exec(last)![1]), 3000, 'every card is shown or counted');

  const short = buildSlackMessage(releaseView(report(2)));
  assert.is(blockText(short.blocks.at(-1)!), 'Full section: <https://github.com/acme/shop/blob/release/2026-11-24/CHANGELOG.md|CHANGELOG.md at release/2026-11-24>');
});

const notReady = suite('cards not done in Jira');

notReady('every message shows the warning first; the GitHub Release targets the release commit', () => {
  const flagged = { ...report(5, details), notReady: [{ key: 'EPN-2', status: 'In QA' }, { key: 'EPN-4', status: 'Open' }] };
  const view = releaseView(flagged);
  const warning = '2 released cards are not done: EPN-2 (In QA), EPN-4 (Open)';
  assert.is(view.notReadyWarning, warning);
  const slackBlocks = buildSlackMessage(view).blocks;
  assert.is(blockText(slackBlocks[2]!), `:warning: *${warning}*`, 'right after the summary');
  const mail = buildEmail(view);
  assert.match(mail.text, `Release release/2026-11-24 (2026-11-24)\n\nWARNING: ${warning}\n`);
  assert.match(mail.html, `<h2>Release release/2026-11-24 (2026-11-24)</h2>\n<p><strong>⚠ ${warning}</strong></p>`);
  const release = buildGithubRelease(view);
  assert.ok(release.body.startsWith(`> [!WARNING]\n> ${warning}\n`));
  assert.is(release.target_commitish, 'f'.repeat(40));
  assert.is(buildGithubRelease(releaseView({ ...flagged, releaseCommit: null })).target_commitish, undefined, 'a dry run has no commit yet');
  assert.is(releaseView(report(1, details)).notReadyWarning, null);
});

const email = suite('email message');

email('HTML and plain text carry the same groups; HTML escapes what commits contain', () => {
  const message = buildEmail(releaseView(report(5, details)));
  assert.is(message.subject, 'Release release/2026-11-24 (2026-11-24): 5 Jira cards, 7 commits');
  assert.match(message.text, 'Stories:\n  EPN-1 Login with SSO (Done) — Ana  https://acme.atlassian.net/browse/EPN-1');
  assert.match(message.text, 'Commits without a Jira key:\n    ddddddd chore: tidy');
  assert.match(message.html, '<h3>Bugs</h3>');
  assert.match(message.html, '<a href="https://acme.atlassian.net/browse/EPN-2">EPN-2</a> Cart is empty (In QA)');
  assert.match(message.html, 'EPN-1: change &lt;0&gt; &amp; more');
  assert.not.match(message.html, '<0>');
});

const github = suite('github release body');

github('markdown grouped by type with commits; names the release after the tag', () => {
  const release = buildGithubRelease(releaseView(report(2, details)));
  assert.is(release.tag_name, 'release/2026-11-24');
  assert.is(release.name, 'Release release/2026-11-24 (2026-11-24)');
  assert.match(release.body, '### Stories\n\n- [EPN-1](https://acme.atlassian.net/browse/EPN-1) Login with SSO (Done) — Ana\n  - EPN-1: change \\<0\\> & more (`ccccccc`)');
  assert.match(release.body, '### Commits without a Jira key\n\n- chore: tidy (`ddddddd`)');
});

github('a body over GitHub\'s limit is cut with a link to the CHANGELOG', () => {
  const release = buildGithubRelease(releaseView(report(4000)));
  assert.ok(release.body.length <= GITHUB_RELEASE_BODY_MAX, String(release.body.length));
  assert.match(release.body, /…cut short: the full list is in \[CHANGELOG\.md at release\/2026-11-24\]\(https:\/\/github\.com\/acme\/shop\/blob\/release\/2026-11-24\/CHANGELOG\.md\)\.\n$/);
});

const config = suite('notify settings and secrets');

config('each channel is on with all its variables and says which are missing otherwise', () => {
  const off = resolveNotifyConfig({ RELEASE_EMAIL_TO: 'qa@example.com' }, { jiraBaseUrl: null });
  assert.equal([off.jira, off.slack, off.email, off.github], [
    { on: false, reason: 'JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN not set' },
    { on: false, reason: 'SLACK_WEBHOOK_URL not set' },
    { on: false, reason: 'SMTP_URL, RELEASE_EMAIL_FROM not set' },
    { on: false, reason: 'GITHUB_TOKEN not set' },
  ]);
  const on = resolveNotifyConfig({
    JIRA_EMAIL: 'bot@acme.test', JIRA_API_TOKEN: 'jira-token-1', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T1/B2/sekrit',
    SMTP_URL: 'smtps://mailer:p%40ss%2Fword@smtp.acme.test:465', RELEASE_EMAIL_TO: 'qa@acme.test, po@acme.test', RELEASE_EMAIL_FROM: 'release@acme.test',
    GITHUB_TOKEN: 'ghp_token', GITHUB_API_URL: 'https://ghe.acme.test/api/v3/', NOTIFY_TIMEOUT_MS: '250',
  }, { jiraBaseUrl: 'https://acme.atlassian.net' });
  assert.equal(on.jira, { on: true, settings: { baseUrl: 'https://acme.atlassian.net', deployment: 'cloud', email: 'bot@acme.test', apiToken: 'jira-token-1' } });
  assert.equal(on.jiraRelease, { on: true, settings: { versionName: '{tag}', transition: null, transitionFrom: null, promoteTransition: null } }, 'the release in Jira is on whenever Jira is');
  assert.equal(on.email.on && on.email.settings.to, ['qa@acme.test', 'po@acme.test']);
  assert.equal(on.github.on && on.github.settings, { token: 'ghp_token', repository: null, apiUrl: 'https://ghe.acme.test/api/v3' });
  assert.is(on.timeoutMs, 250);
  for (const secret of ['jira-token-1', 'https://hooks.slack.com/services/T1/B2/sekrit', '/services/T1/B2/sekrit', 'p@ss/word', 'p%40ss%2Fword', 'ghp_token']) {
    assert.ok(on.secrets.includes(secret), secret);
  }
  const line = redact('posting to https://hooks.slack.com/services/T1/B2/sekrit failed; smtp said p@ss/word; /services/T1/B2/sekrit', on.secrets);
  assert.is(line, 'posting to *** failed; smtp said ***; ***');
});

config('every form of a secret is masked: raw, percent-encoded, base64, the Basic pair, Authorization headers; remote text cut short', () => {
  const on = resolveNotifyConfig({ JIRA_EMAIL: 'bot@acme.test', JIRA_API_TOKEN: 'tok/en+1=', GITHUB_TOKEN: 'ghp_abcdef' }, { jiraBaseUrl: 'https://acme.atlassian.net' });
  const basic = Buffer.from('bot@acme.test:tok/en+1=').toString('base64');
  for (const form of ['tok/en+1=', 'tok%2Fen%2B1%3D', Buffer.from('tok/en+1=').toString('base64'), basic]) assert.ok(on.secrets.includes(form), form);
  assert.is(redact(`auth ${basic}; url ?t=tok%2Fen%2B1%3D`, on.secrets), 'auth ***; url ?t=***');
  assert.is(redact('Authorization: Bearer abc.def-123 and basic dXNlcjpwYXNz and Bearer%20xyz1'), 'Authorization: Bearer *** and basic *** and Bearer%20***');
  assert.equal(secretForms(['ab']), [], 'too short to mask');
  const pasted = resolveNotifyConfig({ GITHUB_TOKEN: 'ghp_pasted_with_newline\n' }, { jiraBaseUrl: null });
  assert.is(redact('Bad credentials: ghp_pasted_with_newline', pasted.secrets), 'Bad credentials: ***', 'a token set with a trailing newline is masked as it is sent, without it');
  assert.is(remoteReason(`  \nbad request: ${'A'.repeat(40)} rejected\nsecond line`), 'bad request: *** rejected');
  assert.is(remoteReason('word '.repeat(100)).length, 120);
});

config('RELEASE_EMAIL_TO and RELEASE_EMAIL_FROM are read as RFC 5322 address lists; a malformed one is refused whole', () => {
  const email = (to: string, from = 'Release Bot <release@acme.test>') => resolveNotifyConfig({ SMTP_URL: 'smtp://h:25', RELEASE_EMAIL_TO: to, RELEASE_EMAIL_FROM: from }, { jiraBaseUrl: null }).email;
  const on = email('"Doe, Jane" <jane@acme.test>, qa@acme.test, Team: po@acme.test, "O\\"Neil" <on@acme.test>;,');
  assert.equal(on.on && on.settings.to, ['"Doe, Jane" <jane@acme.test>', 'qa@acme.test', 'po@acme.test', '"O\\"Neil" <on@acme.test>']);
  assert.is(on.on && on.settings.from, '"Release Bot" <release@acme.test>');
  for (const bad of ['qa@@acme.test, po@acme.test', 'qa acme.test', 'Doe, Jane <jane@acme.test>', 'qa@acme.test>']) {
    assert.throws(() => email(bad), (error: Error) => error.message === `RELEASE_EMAIL_TO is not a list of email addresses as RFC 5322 writes them: "${bad}"`, bad);
  }
  assert.throws(() => email('qa@acme.test', 'a@acme.test, b@acme.test'), /RELEASE_EMAIL_FROM must be one address/);
});

config('the proxy variables are read as curl reads them (lower case first), checked, and a proxy password is a secret', () => {
  assert.is(resolveNotifyConfig({}, { jiraBaseUrl: null }).proxy, null);
  const proxied = resolveNotifyConfig({ HTTPS_PROXY: 'http://ops:pr%40xy-pass@proxy.acme.test:3128', https_proxy: 'http://ops:pr%40xy-pass@proxy.acme.test:3129', no_proxy: '.acme.test' }, { jiraBaseUrl: null });
  assert.equal(proxied.proxy, { httpProxy: '', httpsProxy: 'http://ops:pr%40xy-pass@proxy.acme.test:3129', noProxy: '.acme.test' });
  assert.ok(proxied.secrets.includes('pr@xy-pass'), 'the password, decoded');
  assert.throws(() => resolveNotifyConfig({ HTTP_PROXY: 'proxy.acme.test:3128' }, { jiraBaseUrl: null }), /HTTP_PROXY must be a http: or https: URL/);
});

config('JIRA_DEPLOYMENT=datacenter needs only the token; the release in Jira can be turned off; bad values are usage errors', () => {
  const dc = resolveNotifyConfig({ JIRA_DEPLOYMENT: 'datacenter', JIRA_API_TOKEN: 'pat-1', JIRA_RELEASE: 'off' }, { jiraBaseUrl: 'https://jira.acme.test' });
  assert.equal(dc.jira, { on: true, settings: { baseUrl: 'https://jira.acme.test', deployment: 'datacenter', email: null, apiToken: 'pat-1' } });
  assert.equal(dc.jiraRelease, { on: false, reason: 'JIRA_RELEASE=off' });
  const named = resolveNotifyConfig({ JIRA_EMAIL: 'a@b', JIRA_API_TOKEN: 't', JIRA_VERSION_NAME: 'Shop {date}', JIRA_TRANSITION: 'Ready for QA', JIRA_TRANSITION_FROM: 'In Progress,In Review', JIRA_PROMOTE_TRANSITION: ' Done ', JIRA_READY_STATUSES: 'Done, Ready for QA' }, { jiraBaseUrl: 'https://x.test' });
  assert.equal(named.jiraRelease, { on: true, settings: { versionName: 'Shop {date}', transition: 'Ready for QA', transitionFrom: ['In Progress', 'In Review'], promoteTransition: 'Done' } });
  assert.equal(named.readyStatuses, ['Done', 'Ready for QA']);
  for (const [name, value] of [['JIRA_DEPLOYMENT', 'server9'], ['JIRA_RELEASE', 'maybe'], ['JIRA_VERSION_NAME', 'fixed'], ['SMTP_REQUIRE_STARTTLS', 'nah']] as const) {
    try {
      resolveNotifyConfig({ JIRA_EMAIL: 'a@b', JIRA_API_TOKEN: 't', SMTP_URL: 'smtp://h:25', RELEASE_EMAIL_TO: 'a@b', RELEASE_EMAIL_FROM: 'c@d', [name]: value }, { jiraBaseUrl: 'https://x.test' });
      assert.unreachable(`${name}=${value} should be refused`);
    } catch (error) {
      assert.is((error as { exitCode?: number }).exitCode, 2, `${name}: ${(error as Error).message}`);
    }
  }
});

config('a malformed URL setting is a usage error that does not echo the value', () => {
  try {
    resolveNotifyConfig({ SMTP_URL: 'http://user:hunter22@x', RELEASE_EMAIL_TO: 'a@b', RELEASE_EMAIL_FROM: 'c@d' }, { jiraBaseUrl: null });
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.is((error as Error).message, 'SMTP_URL must be a smtp: or smtps: URL');
    assert.is((error as { exitCode?: number }).exitCode, 2);
  }
});

config('Retry-After in seconds or as a date', () => {
  assert.is(retryAfterMs('2'), 2000);
  assert.is(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.is(retryAfterMs(null), null);
  assert.is(retryAfterMs('soon'), null);
});

jira.run();
slack.run();
notReady.run();
email.run();
github.run();
config.run();
