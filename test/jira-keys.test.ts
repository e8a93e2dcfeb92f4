import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { findBrowseUrls, findJiraKeys, isProjectKey } from '../src/jira-keys.js';

const unconfigured = suite('findJiraKeys without configured projects');

const cases: Array<[string, string[]]> = [
  ['EPN-123: add login', ['EPN-123']],
  ['fix: typo\n\nRefs EPN-7 and OPS-12', ['EPN-7', 'OPS-12']],
  ['(EPN-1) [OPS-2] {AB-3}, EPN-4. EPN-5; EPN-6!', ['EPN-1', 'OPS-2', 'AB-3', 'EPN-4', 'EPN-5', 'EPN-6']],
  ['feature/EPN-123-login-fix', ['EPN-123']],
  ['EPN-1 EPN-1 EPN-1', ['EPN-1']],
  ['encode as UTF-8, hash with SHA-256, latin ISO-8859-1', []],
  ['X-1 is not a key, nor is epn-123, nor fooEPN-1, nor EPN-12abc', []],
  ['EPN-0 and EPN-007 are not issue numbers', []],
  ['MY_PROJ-42 uses an underscore', ['MY_PROJ-42']],
  ['see CVE-2024-3094 and RFC-7231', []],
  // Standards, algorithms, licences and advisories as people write them in commit messages.
  ['UCS-2, MD-5, CRC-32, AES-256, DES-56, RSA-2048, ECDSA-384, ED-25519, HMAC-512, PBKDF-2', []],
  ['TLS-13, SSL-3, HTTP-2, HTTPS-443, IPV-6, IEEE-754, ECMA-262, ES-2022, CWE-79, GHSA-4', []],
  ['PEP-8, EIP-1559, WCAG-21, GPL-3, LGPL-2, AGPL-3, MPL-2, CC-4, WIN-32, COVID-19, ARM-64, X86-64', []],
  ['Ünïcödé EPN-9 ✓', ['EPN-9']],
  ['ÄBC-1 is no card, nor ЖEPN-2, nor 日EPN-3, nor e\u0301EPN-4 (combining accent)', []],
  ['EPN-5é, EPN-6٣, EPN-7\u0301, EPN-8ß are not keys either', []],
  ['«EPN-10», „EPN-11“, EPN-12—done, EPN-13…, ‹EPN-14›, EPN-15：', ['EPN-10', 'EPN-11', 'EPN-12', 'EPN-13', 'EPN-14', 'EPN-15']],
  ['', []],
];

for (const [text, expected] of cases) {
  unconfigured(JSON.stringify(text), () => {
    assert.equal(findJiraKeys(text), expected);
  });
}
unconfigured.run();

const configured = suite('findJiraKeys with configured projects');

configured('only keys of configured projects count', () => {
  assert.equal(findJiraKeys('EPN-1 OPS-2 ABC-3 UTF-8', ['EPN', 'OPS']), ['EPN-1', 'OPS-2']);
});

configured('a configured key that looks like a standard still counts', () => {
  assert.equal(findJiraKeys('ISO-27001 audit', ['ISO']), ['ISO-27001']);
});

configured('an empty list of projects is no configuration: any project counts', () => {
  assert.equal(findJiraKeys('EPN-1 -2 (-3)', []), ['EPN-1']);
});

configured('projects given in another order or grouping are another configuration', () => {
  assert.equal(findJiraKeys('AB-1 ABC-2 DE-3 CDE-4', ['ABC', 'DE']), ['ABC-2', 'DE-3']);
  assert.equal(findJiraKeys('AB-1 ABC-2 DE-3 CDE-4', ['AB', 'CDE']), ['AB-1', 'CDE-4']);
});

configured('a project key is a capital letter, then capitals, digits or underscores', () => {
  assert.equal(['EP', 'EPN', 'E2E', 'MY_PROJ', 'ABCDEFGHIJ'].map(isProjectKey), [true, true, true, true, true]);
  assert.equal(['E', 'epn', 'Epn', '2EP', '_EP', 'EP-1', 'EP N', 'EPN!', 'ÄBC', ''].map(isProjectKey), [false, false, false, false, false, false, false, false, false, false]);
});

configured('a project key that is a prefix of another does not split it', () => {
  assert.equal(findJiraKeys('EP-1 EPN-2', ['EP', 'EPN']), ['EP-1', 'EPN-2']);
  assert.equal(findJiraKeys('EPN-2', ['EP']), []);
});
configured.run();

const urls = suite('findBrowseUrls');

urls('maps keys to the browse URLs that mention them', () => {
  const found = findBrowseUrls('see https://acme.atlassian.net/browse/EPN-12, and <https://jira.example.com/browse/OPS-3>');
  assert.equal([...found], [
    ['EPN-12', 'https://acme.atlassian.net/browse/EPN-12'],
    ['OPS-3', 'https://jira.example.com/browse/OPS-3'],
  ]);
});

urls('the first browse URL of a key is the one kept', () => {
  assert.equal([...findBrowseUrls('https://acme.atlassian.net/browse/EPN-1 then https://old.example.com/browse/EPN-1')], [['EPN-1', 'https://acme.atlassian.net/browse/EPN-1']]);
});

urls('a browse URL also yields its key', () => {
  assert.equal(findJiraKeys('https://acme.atlassian.net/browse/EPN-12?focusedCommentId=1'), ['EPN-12']);
});

urls('a browse URL whose key runs on into letters of another script names no key', () => {
  assert.equal(findBrowseUrls('https://acme.atlassian.net/browse/EPN-12é').size, 0);
});

urls('text without /browse/ has none', () => {
  assert.equal(findBrowseUrls('EPN-12 https://example.com/EPN-12').size, 0);
});
urls.run();
