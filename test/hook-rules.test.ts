import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { suite } from './helpers/suite.js';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { keyOfBranch } from '../src/commit-message.js';
import { renderHookRules, rulesStamp } from '../src/hook-rules.js';
import { findJiraKeys, type ProjectKeys } from '../src/jira-keys.js';
import { PROJECT_ROOT } from './helpers/hooks.js';

/** Runs `call` in sh with the hooks' library and rules for `projectKeys` loaded, as the hooks do. */
async function inHookShell(dir: string, projectKeys: ProjectKeys, call: string, env: Record<string, string> = {}): Promise<string> {
  await writeFile(path.join(dir, '_', 'jira-rules.sh'), renderHookRules({ jiraProjectKeys: projectKeys, tagPrefix: 'release/', commitKeyPlacement: 'conventional' }, { text: '', envKeys: undefined, files: '' }, ''));
  const script = `JIRA_HOOKS="$HOOKS"; . "${path.join(PROJECT_ROOT, '.husky', 'jira-keys.sh')}"; . "$HOOKS/_/jira-rules.sh"; ${call}`;
  const result = await execa('sh', ['-c', script], { cwd: dir, env: { ...env, HOOKS: dir }, extendEnv: true });
  return result.stdout;
}

const agree = suite('the shell fast path and findJiraKeys agree');
let dir = '';
agree.before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hook-rules-'));
  await execa('mkdir', ['-p', path.join(dir, '_')]);
});
agree.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const messages = [
  'DEV-1: add login', 'fix: login\n\nbody mentions DEV-2 here', 'fix: login\n\nRefs: DEV-3', 'see https://acme.atlassian.net/browse/DEV-4',
  '(DEV-5)', '[DEV-6] fix', 'DEV-7, DEV-8: shared', 'done.DEV-9', 'for DEV-10.', 'tab\tDEV-11\t', 'x/DEV-12/y', 'a-DEV-13-b', 'a\\DEV-14',
  'fooDEV-1', 'DEV-12abc', 'DEV-0', 'DEV-007', 'DEV_1', '_DEV-1', 'DEV-1_', 'dev-1', 'OPS-1: theirs', 'UTF-8', 'SHA-256 and ISO-8859-1',
  'UTF-8 SHA-1 MD-5 then EPN-4', 'CVE-2024-3094', 'MY_PROJ-42 here', 'X-1', 'EPN-1 EPN-2', 'UTF-8-EPN-3', 'fix: UTF-8DEV-1',
  'Ünïcödé DEV-11 ✓ 日本語', 'ÄDEV-1 glued to a letter', 'DEV-1é glued after', '日本DEV-2', 'DEV-3✓ next to a symbol', '—DEV-4—',
];
const isAscii = (text: string) => /^[\x00-\x7f]*$/.test(text);

for (const projectKeys of [['DEV'], ['DEV', 'MY_PROJ'], null] as ProjectKeys[]) {
  agree(`messages, ${projectKeys ? projectKeys.join(',') : 'no configured projects'}: the shell never accepts what findJiraKeys refuses`, async () => {
    for (const message of messages) {
      await writeFile(path.join(dir, 'message'), `${message}\n`);
      const fromShell = await inHookShell(dir, projectKeys, 'jira_comment_char; jira_has_key message || :; printf %s "$jira_found"');
      const expected = findJiraKeys(message, projectKeys)[0] ?? '';
      if (isAscii(message) || fromShell !== '') assert.is(fromShell, expected, JSON.stringify(message));
      // Next to non-ASCII the shell may say "no key"; the hook then asks node (findJiraKeys).
    }
  });
}

agree('branch names: the shell and keyOfBranch give the same key', async () => {
  const branches = ['feature/DEV-42-login-fix', 'bugfix/dev-321-x', 'hotfix/DEV-12_fix', 'feature/dev-7.retry', 'feature/DEV-7-DEV-8', 'fix/UTF-8-export', 'feature/OPS-1-x', 'main', 'dev-0', 'release/2026-11-24',
    'renovate/eslint-9.x', 'dependabot/npm_and_yarn/axios-1.7.4', 'feature/bump-node-20', 'release/v2-3', 'feature/fix-DEV-12', 'DEV-3_x', 'feature/dev-12.2-retry'];
  for (const projectKeys of [['DEV'], null] as ProjectKeys[]) {
    for (const branch of branches) {
      const fromShell = await inHookShell(dir, projectKeys, `printf '%s\\n' "$BRANCH" | LC_ALL=C sed -nE "$JIRA_BRANCH_KEY_SED"`, { BRANCH: branch });
      assert.is(fromShell, keyOfBranch(branch, projectKeys) ?? '', `${branch} (${projectKeys})`);
    }
  }
});

agree('the stamp: the shell and rulesStamp read the same text from package.json and .env', async () => {
  const packageJsons = [
    '{\n  "name": "x",\n  "releaseCut": {\n    "jiraProjectKeys": ["DEV"],\n    "tagPrefix": "v"\n  },\n  "private": true\n}\n',
    '{"name":"x","releaseCut":{"jiraProjectKeys":["DEV"]},\n"private":true}\n',
    '{\r\n  "releaseCut" : {\r\n    "commitKeyPlacement": "trailer"\r\n  }\r\n}',
    '{ "name": "no block" }\n',
  ];
  for (const packageJson of packageJsons) {
    for (const [dotEnv, envKeys] of [[null, undefined], ['A=1\nJIRA_PROJECT_KEYS=OPS\n export JIRA_PROJECT_KEYS = DEV\n', 'OPS,DEV'], [null, '']] as const) {
      await writeFile(path.join(dir, 'package.json'), packageJson);
      await rm(path.join(dir, '.env'), { force: true });
      if (dotEnv !== null) await writeFile(path.join(dir, '.env'), dotEnv);
      const env: Record<string, string> = envKeys === undefined ? {} : { JIRA_PROJECT_KEYS: envKeys };
      const call = envKeys === undefined ? 'unset JIRA_PROJECT_KEYS; jira_rules_stamp' : 'jira_rules_stamp';
      const fromShell = await inHookShell(dir, ['DEV'], `printf '%s' "$(${call})"`, env);
      assert.is(fromShell, rulesStamp(packageJson, dotEnv, envKeys), JSON.stringify({ packageJson, dotEnv, envKeys }));
    }
  }
});
agree.run();
