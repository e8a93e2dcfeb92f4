/**
 * The commit hooks' shell fast path reads its rules from a small generated sh file, so that
 * no node starts on a common commit. Everything in it is derived here from the same
 * configuration and the same patterns the cut uses (src/jira-keys.ts, src/commit-message.ts).
 * Pure: src/hook-context.ts writes the file.
 */
import type { CommitConfig } from './config.js';
import { BOT_BRANCH_PATTERN, EXEMPTION_PATTERNS, releaseSubjectPattern } from './commit-message.js';
import { ISSUE_NUMBER_PATTERN, NOT_JIRA_PROJECTS, projectPattern } from './jira-keys.js';

/**
 * The ASCII characters that may stand next to a key, as a POSIX bracket expression for the C
 * locale: space, control and punctuation, but not `_` (nor `/`, which the sed scripts must
 * spell `\/`). Every other byte counts as glue, so any non-ASCII character next to a key makes
 * the shell say "no key" and leave the decision to findJiraKeys: the shell never accepts a key
 * that findJiraKeys would refuse, whatever script the neighbouring letter is from.
 */
const NEIGHBOUR = "[][:space:][:cntrl:]!\"#$%&'()*+,.:;<=>?@[\\^`{|}~-]";
/**
 * Punctuation and spaces beyond ASCII that people put around keys («DEV-1», “DEV-1”, DEV-1—x, a
 * no-break space), as their UTF-8 bytes: findJiraKeys accepts them, so the shell need not ask node.
 */
const WIDE_NEIGHBOURS = ['«', '»', '“', '”', '‘', '’', '—', '–', '…', '\u00a0'].join('|');
const BEFORE = `(^|${NEIGHBOUR}|\\/|${WIDE_NEIGHBOURS})`;
const AFTER = `(${NEIGHBOUR}|\\/|$|${WIDE_NEIGHBOURS})`;

/**
 * A `sed -nE` script (C locale) that prints the first Jira key of its input and stops:
 * findJiraKeys(text)[0], conservatively. `branch` reads the input as a branch name
 * (uppercased, `_`/`.` after a number are separators: see normalizeBranch).
 */
export function firstKeySedScript(projectKeys: CommitConfig['jiraProjectKeys'], branch: boolean): string {
  const lines: string[] = [];
  const anyProject = !projectKeys || projectKeys.length === 0;
  if (branch) {
    lines.push('y/abcdefghijklmnopqrstuvwxyz/ABCDEFGHIJKLMNOPQRSTUVWXYZ/', `/${BOT_BRANCH_PATTERN.replace(/\//g, '\\/')}/d`);
    // keyOfBranch's markVersions: `9.X` is glued so that no key ends at the 9.
    if (anyProject) lines.push('s/([0-9])[.]([0-9X])/\\1Z\\2/g');
    lines.push('s/([0-9])[_.]/\\1-/g');
  }
  // Without a project list, a branch's key starts a segment of its name, and V2-3 is a version.
  const before = branch && anyProject ? '(^|\\/)' : BEFORE;
  if (anyProject) {
    // Standards and advisories that look like keys (UTF-8, SHA-256) are blanked out first.
    const notProjects = [...NOT_JIRA_PROJECTS, ...(branch ? ['V[0-9]+'] : [])].sort((a, b) => b.length - a.length).join('|');
    lines.push(':x', `s/${before}(${notProjects})-${ISSUE_NUMBER_PATTERN}${AFTER}/\\1\\/\\3/`, 't x');
  }
  // The key goes on a line of its own after the text before it, which is then dropped.
  lines.push(`s/${before}(${projectPattern(projectKeys)}-${ISSUE_NUMBER_PATTERN})${AFTER}.*/\\1\\`, '\\2/', 't k', 'd', ':k', 's/.*\\n//p', 'q');
  return lines.join('\n');
}

/** sh single quotes: the value exactly, whatever it holds. */
function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function textLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

const SPACE = '[ \\t\\n\\v\\f\\r]';

/**
 * What the rules were generated from, as the hooks' `jira_rules_stamp` prints it (the two
 * must stay identical): package.json's lines from `"releaseCut":` to the next line with `}`
 * (sed's `/"releaseCut"/,/}/p`), the JIRA_PROJECT_KEYS lines of .env, and the environment's
 * JIRA_PROJECT_KEYS. The hooks compare it with the stamp in the rules file: a change means stale rules.
 */
export function rulesStamp(packageJson: string | null, dotEnv: string | null, envKeys: string | undefined): string {
  const parts: string[] = [];
  const start = new RegExp(`"releaseCut"${SPACE}*:`);
  let inBlock = false;
  for (const line of packageJson === null ? [] : textLines(packageJson)) {
    if (inBlock) {
      parts.push(line);
      if (line.includes('}')) inBlock = false;
    } else if (start.test(line)) {
      parts.push(line);
      inBlock = true;
    }
  }
  const envLine = new RegExp(`^${SPACE}*(export${SPACE}+)?JIRA_PROJECT_KEYS${SPACE}*=`);
  if (dotEnv !== null) parts.push(...textLines(dotEnv).filter((line) => envLine.test(line)));
  parts.push(envKeys === undefined ? '' : `env:${envKeys}`);
  // $(...) drops trailing newlines.
  return parts.join('\n').replace(/\n+$/, '');
}

/**
 * The rules file: sh variable assignments the hooks source. `stamp`: what they were generated
 * from (rulesStamp) and with which JIRA_PROJECT_KEYS in the environment, and which configuration files there were (`files`: jira_config_files).
 * `packagePrefix`: package.json's folder from the top of the repository.
 */
export function renderHookRules(config: CommitConfig, stamp: { text: string; envKeys: string | undefined; files: string }, packagePrefix: string): string {
  const keys = config.jiraProjectKeys;
  const variables: Record<string, string> = {
    JIRA_RULES_STAMP: stamp.text,
    JIRA_RULES_ENV: stamp.envKeys === undefined ? '' : `env:${stamp.envKeys}`,
    // Which of package.json and .env there were: a deleted file is no newer than the rules, yet changes them.
    JIRA_RULES_FILES: stamp.files,
    JIRA_PACKAGE_DIR: packagePrefix,
    JIRA_PROJECTS: keys ? keys.join(', ') : 'any Jira project',
    JIRA_EXAMPLE_KEY: `${keys?.[0] ?? 'ABC'}-123`,
    JIRA_KEY_PLACEMENT: config.commitKeyPlacement,
    JIRA_FIRST_KEY_SED: firstKeySedScript(keys, false),
    JIRA_BRANCH_KEY_SED: firstKeySedScript(keys, true),
    JIRA_EXEMPT_SUBJECT_ERE: `${EXEMPTION_PATTERNS.fixupSubject}|${releaseSubjectPattern(config.tagPrefix)}`,
    JIRA_REVERT_SUBJECT_ERE: EXEMPTION_PATTERNS.revertSubject,
    JIRA_REVERT_BODY_ERE: EXEMPTION_PATTERNS.revertBody,
  };
  return [
    '# Generated from package.json releaseCut, src/jira-keys.ts and src/commit-message.ts',
    '# (src/hook-rules.ts) by npm install and by the hooks when the configuration changes. Do not edit.',
    ...Object.entries(variables).map(([name, value]) => `${name}=${shQuote(value)}`),
    'JIRA_RULES=1',
    '',
  ].join('\n');
}
